"""Every service function checks who acts, validates, writes one audit entry (who, when, what,
before, after) and, when it fails, leaves everything as it was."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from tests.conftest import fresh_uscc

from kechuang.core import audit, services
from kechuang.core.models import AuditEntry, Carrier, EnterpriseFacts, Organisation, Person, Region, User


def last_entry() -> AuditEntry:
    entry = AuditEntry.objects.order_by("-id").first()
    assert entry is not None
    return entry


@pytest.fixture
def staff(make_user) -> User:  # type: ignore[no-untyped-def]
    return make_user(User.Role.REVIEWER)


@pytest.fixture
def admin(make_user) -> User:  # type: ignore[no-untyped-def]
    return make_user(User.Role.ADMIN)


def pudong() -> Region:
    return Region.objects.get(pk="310115")


# --- one audit entry per service, with actor, action, before and after ------------------------


def test_create_organisation(staff) -> None:  # type: ignore[no-untyped-def]
    org = services.create_organisation(staff, uscc=fresh_uscc().lower(), name="新企业", region="310115",
                                       tech_fields=["1", "1.2"])  # fmt: skip
    entry = last_entry()
    assert (entry.action, entry.actor, entry.object_id, entry.before) == (
        "organisation.create",
        staff,
        str(org.pk),
        None,
    )
    assert entry.after["uscc"] == org.uscc == org.uscc.upper() and entry.after["tech_fields"] == ["1", "1.2"]
    assert entry.organisation == org and entry.at is not None


def test_update_organisation(enterprise_user, own_org) -> None:  # type: ignore[no-untyped-def]
    services.update_organisation(enterprise_user, own_org, address="张江路 1 号")
    entry = last_entry()
    assert (entry.action, entry.actor) == ("organisation.update", enterprise_user)
    assert entry.changes == [("address", "", "张江路 1 号"), ("updated_at", entry.before["updated_at"],
                                                                 entry.after["updated_at"])]  # fmt: skip
    count = AuditEntry.objects.count()
    services.update_organisation(enterprise_user, own_org, address="张江路 1 号")
    assert AuditEntry.objects.count() == count  # no change, no entry


def test_record_enterprise_facts(enterprise_user, own_org) -> None:  # type: ignore[no-untyped-def]
    services.record_enterprise_facts(enterprise_user, own_org, 2022, revenue="100.00")
    created = last_entry()
    assert (created.action, created.actor, created.before) == ("facts.create", enterprise_user, None)
    services.record_enterprise_facts(enterprise_user, own_org, 2022, staff=8)
    updated = last_entry()
    assert (
        updated.action == "facts.update" and updated.before["staff"] is None and updated.after["staff"] == 8
    )
    assert updated.after["revenue"] == "100.00"  # fields not given keep their value
    row = EnterpriseFacts.objects.get(organisation=own_org, year=2022)
    assert row.reported_by == enterprise_user


def test_create_and_update_person(enterprise_user, own_org) -> None:  # type: ignore[no-untyped-def]
    person = services.create_person(enterprise_user, affiliation=own_org, name="李雷", position="工程师")
    entry = last_entry()
    assert (entry.action, entry.actor, entry.organisation) == ("person.create", enterprise_user, own_org)
    assert entry.after["affiliations"][0]["organisation"] == own_org.pk
    services.update_person(
        enterprise_user, person, title="高级工程师", orcid="https://orcid.org/0000-0002-1825-0097"
    )
    entry = last_entry()
    assert entry.action == "person.update" and entry.after["orcid"] == "0000-0002-1825-0097"


def test_add_affiliation_and_move(staff, own_org, other_org) -> None:  # type: ignore[no-untyped-def]
    person = services.create_person(None, affiliation=own_org, name="韩梅梅", start_date=dt.date(2015, 1, 1))
    services.add_affiliation(staff, person, other_org, position="访问学者", start_date=dt.date(2012, 1, 1),
                             end_date=dt.date(2013, 1, 1))  # fmt: skip
    past = last_entry()
    assert past.action == "person.affiliation" and len(past.after["affiliations"]) == 2
    assert person.current_affiliation.organisation == own_org  # a past line does not close the current one
    services.move_person(staff, person, other_org, on=dt.date(2023, 3, 1), position="教授")
    moved = last_entry()
    assert moved.action == "person.affiliation" and moved.actor == staff
    assert [a["end_date"] for a in moved.after["affiliations"]] == ["2013-01-01", "2023-03-01", None]


def test_create_and_update_carrier(enterprise_user, own_org) -> None:  # type: ignore[no-untyped-def]
    carrier = services.create_carrier(enterprise_user, name="孵化器", kind=Carrier.Kind.INCUBATOR, region="310115",
                                      host=own_org)  # fmt: skip
    assert (last_entry().action, last_entry().organisation) == ("carrier.create", own_org)
    services.update_carrier(enterprise_user, carrier, firms_served=30, area_m2="1200.50")
    entry = last_entry()
    assert entry.action == "carrier.update" and entry.after["area_m2"] == "1200.50"


def test_create_and_update_user(admin, own_org) -> None:  # type: ignore[no-untyped-def]
    user = services.create_user(admin, "newcomer", "a-long-password", User.Role.ENTERPRISE, own_org)
    entry = last_entry()
    assert (entry.action, entry.actor) == ("user.create", admin)
    assert "password" not in entry.after and entry.after["organisation"] == own_org.pk
    services.update_user(admin, user, role=User.Role.ANALYST, organisation=None)
    entry = last_entry()
    assert (
        entry.action == "user.update"
        and entry.before["role"] == "enterprise"
        and entry.after["role"] == "analyst"
    )
    services.update_user(admin, user, password="another-long-password")
    assert last_entry().after["password_changed"] is True and "pbkdf2" not in str(last_entry().after)


def test_tokens(enterprise_user, other_user) -> None:  # type: ignore[no-untyped-def]
    token, key = services.issue_api_token(enterprise_user, "ERP export")
    entry = last_entry()
    assert (
        entry.action == "token.issue" and key not in str(entry.after) and token.digest not in str(entry.after)
    )
    assert services.revoke_token(other_user, token.pk) is False  # someone else's: nothing happens
    assert services.revoke_token(enterprise_user, token.pk) is True
    assert last_entry().action == "token.revoke" and last_entry().before["revoked_at"] is None


def test_notify_and_mark_read(enterprise_user, own_org) -> None:  # type: ignore[no-untyped-def]
    note = services.notify(None, "facts.reminder", "请补充 2022 年数据", organisation=own_org)
    assert (last_entry().action, last_entry().actor_repr) == ("notification.send", "system")
    assert services.mark_notifications_read(enterprise_user, [note.pk]) == 1
    assert last_entry().action == "notification.read" and last_entry().actor == enterprise_user


# --- permissions live in the services, whatever the caller -------------------------------------


def test_services_refuse_the_wrong_actor(enterprise_user, other_user, own_org, staff) -> None:  # type: ignore[no-untyped-def]
    person = services.create_person(None, affiliation=own_org, name="张三")
    carrier = services.create_carrier(
        None, name="实验室", kind=Carrier.Kind.LAB_MUNICIPAL, region=pudong(), host=own_org
    )
    refused = [
        lambda: services.create_organisation(enterprise_user, uscc=fresh_uscc(), name="x", region="310115"),
        lambda: services.update_organisation(other_user, own_org, name="抢注"),
        lambda: services.record_enterprise_facts(other_user, own_org, 2022, staff=1),
        lambda: services.create_person(other_user, affiliation=own_org, name="x"),
        lambda: services.update_person(other_user, person, title="x"),
        lambda: services.add_affiliation(other_user, person, own_org, start_date=dt.date(2020, 1, 1)),
        lambda: services.create_carrier(
            other_user, name="x", kind="incubator", region="310115", host=own_org
        ),
        lambda: services.update_carrier(other_user, carrier, firms_served=1),
        lambda: services.update_carrier(enterprise_user, carrier, host=None),  # only staff re-host
        lambda: services.create_user(staff, "x", "a-long-password", User.Role.VISITOR),  # admins only
        lambda: services.update_user(enterprise_user, other_user, role=User.Role.ADMIN),
    ]
    count = AuditEntry.objects.count()
    for attempt in refused:
        with pytest.raises(PermissionDenied):
            attempt()
    assert AuditEntry.objects.count() == count


def test_only_staff_change_the_synthetic_label(enterprise_user, own_org) -> None:  # type: ignore[no-untyped-def]
    services.update_organisation(enterprise_user, own_org, is_synthetic=True, address="x")
    own_org.refresh_from_db()
    assert own_org.is_synthetic is False and own_org.address == "x"


# --- validation and rollback ---------------------------------------------------------------


def test_validation_errors_name_their_field(staff, own_org) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as exc:
        services.update_organisation(staff, own_org, uscc=own_org.uscc[:17] + "0", region="999999")
    assert set(exc.value.error_dict) == {"region"}  # references are resolved first
    with pytest.raises(ValidationError) as exc:
        services.update_organisation(
            staff, own_org, uscc=own_org.uscc[:17] + ("0" if own_org.uscc[17] != "0" else "1")
        )
    assert set(exc.value.error_dict) == {"uscc"}
    with pytest.raises(ValidationError) as exc:
        services.update_organisation(staff, own_org, colour="red")
    assert set(exc.value.error_dict) == {"colour"}
    with pytest.raises(ValidationError) as exc:
        services.record_enterprise_facts(staff, own_org, 1800, staff=1)
    assert set(exc.value.error_dict) == {"year"}
    with pytest.raises(ValidationError):
        services.issue_api_token(staff, "   ")


def test_a_crash_mid_operation_leaves_the_previous_state(staff, own_org, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The write happens, then the audit write fails: the transaction takes the write back too."""
    before = Organisation.objects.get(pk=own_org.pk).address

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("disk full")

    monkeypatch.setattr(audit, "record", broken)
    with pytest.raises(RuntimeError):
        services.update_organisation(staff, own_org, address="不应保存")
    with pytest.raises(RuntimeError):
        services.create_person(staff, affiliation=own_org, name="不应存在")
    assert Organisation.objects.get(pk=own_org.pk).address == before
    assert not Person.objects.filter(name="不应存在").exists()


def test_a_failing_affiliation_rolls_back_the_new_person(staff, own_org) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError):
        services.create_person(staff, affiliation=own_org, name="王五", position="x" * 500)
    assert not Person.objects.filter(name="王五").exists()


def test_moving_a_person_without_a_date_keeps_the_history_intact(staff, own_org, other_org) -> None:  # type: ignore[no-untyped-def]
    person = services.create_person(None, affiliation=own_org, name="赵六")
    with pytest.raises(ValidationError) as exc:
        services.add_affiliation(staff, person, other_org)
    assert "start_date" in exc.value.error_dict
    assert person.current_affiliation.organisation == own_org and person.affiliations.count() == 1
