"""Model rules: missing is not zero, staff counts within bounds, people are not merged by name,
ORCID iDs are unique, one facts row per enterprise and year."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from kechuang.core import services
from kechuang.core.models import EnterpriseFacts, Person, User


def test_missing_facts_are_null_not_zero(own_org) -> None:  # type: ignore[no-untyped-def]
    row = services.record_enterprise_facts(None, own_org, 2022, revenue=Decimal("0"), staff=0)
    row.refresh_from_db()
    assert row.revenue == 0 and row.revenue is not None and row.staff == 0
    assert row.rd_expense is None and row.rd_staff is None and row.is_listed is None
    assert EnterpriseFacts.objects.filter(rd_expense__isnull=True).count() == 1
    assert EnterpriseFacts.objects.filter(rd_expense=0).count() == 0


@pytest.mark.parametrize(
    ("facts", "field"),
    [
        ({"staff": 10, "st_staff": 11}, "st_staff"),
        ({"staff": 10, "rd_staff": 11}, "rd_staff"),
        ({"rd_expense": 100, "rd_expense_domestic": 101}, "rd_expense_domestic"),
        ({"innovation_score": 101}, "innovation_score"),
        ({"staff": -1}, "staff"),
        ({"collection_method": "guessed"}, "collection_method"),
    ],
)
def test_facts_bounds(own_org, facts, field) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as exc:
        services.record_enterprise_facts(None, own_org, 2022, **facts)
    assert field in exc.value.error_dict
    assert not EnterpriseFacts.objects.exists()


def test_facts_at_the_bounds_are_fine(own_org) -> None:  # type: ignore[no-untyped-def]
    row = services.record_enterprise_facts(None, own_org, 2022, staff=10, st_staff=10, rd_staff=10,
                                           rd_expense=5, rd_expense_domestic=5, innovation_score=100)  # fmt: skip
    assert row.pk is not None


def test_staff_bound_holds_in_the_database_too(own_org) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(IntegrityError), transaction.atomic():
        EnterpriseFacts.objects.create(organisation=own_org, year=2022, staff=5, st_staff=6)


def test_one_facts_row_per_year(own_org) -> None:  # type: ignore[no-untyped-def]
    EnterpriseFacts.objects.create(organisation=own_org, year=2022)
    with pytest.raises(IntegrityError), transaction.atomic():
        EnterpriseFacts.objects.create(organisation=own_org, year=2022)


def test_same_name_different_organisations_are_two_people(own_org, other_org) -> None:  # type: ignore[no-untyped-def]
    a = services.create_person(None, affiliation=own_org, name="王伟")
    b = services.create_person(None, affiliation=other_org, name="王伟")
    assert a.pk != b.pk and Person.objects.filter(name="王伟").count() == 2
    assert str(a) != str(b)  # shown with their organisation, so they can be told apart


def test_orcid_is_unique_and_checked(own_org, other_org) -> None:  # type: ignore[no-untyped-def]
    services.create_person(None, affiliation=own_org, name="王伟", orcid="0000-0002-1825-0097")
    with pytest.raises(ValidationError) as exc:
        services.create_person(None, affiliation=other_org, name="王伟", orcid="0000-0002-1825-0097")
    assert "orcid" in exc.value.error_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.create(name="x", orcid="0000-0002-1825-0097")
    with pytest.raises(ValidationError) as exc:
        services.create_person(None, name="李", orcid="0000-0002-1825-0098")
    assert "orcid" in exc.value.error_dict
    # many people without an ORCID iD are fine
    services.create_person(None, name="甲")
    services.create_person(None, name="乙")
    assert Person.objects.filter(orcid="").count() == 2


def test_affiliation_dates_are_ordered(own_org) -> None:  # type: ignore[no-untyped-def]
    person = services.create_person(None, name="丙")
    with pytest.raises(ValidationError):
        services.add_affiliation(
            None, person, own_org, start_date=dt.date(2020, 1, 1), end_date=dt.date(2019, 1, 1)
        )


def test_organisation_roles_need_an_organisation(db) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as exc:
        services.create_user(None, "lonely", "a-long-password", User.Role.ENTERPRISE)
    assert "organisation" in exc.value.error_dict


def test_staff_roles_reach_the_admin(make_user) -> None:  # type: ignore[no-untyped-def]
    reviewer, admin, visitor = make_user(User.Role.REVIEWER), make_user(User.Role.ADMIN), make_user()
    assert reviewer.is_staff and not reviewer.is_superuser
    assert admin.is_staff and admin.is_superuser
    assert not visitor.is_staff and not visitor.is_platform_staff


def test_credit_code_is_validated_and_normalised(staff_user) -> None:  # type: ignore[no-untyped-def]
    org = services.create_organisation(
        staff_user, uscc=" 91310115ma1k4xya08 ", name="规范化", region="310115"
    )
    assert org.uscc == "91310115MA1K4XYA08"
    with pytest.raises(ValidationError) as exc:
        services.create_organisation(staff_user, uscc="91310115MA1K4XYA08", name="重复", region="310115")
    assert "uscc" in exc.value.error_dict
