"""The review workflow: one reviewer at a time, decisions never both apply, history kept."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from kechuang.contracts import certificate, services
from kechuang.contracts.models import Contract
from kechuang.contracts.rules import rules_in_force
from kechuang.core.models import AuditEntry, User

from .helpers import contract_data, file_contract, registered


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path


def test_full_round_with_return_and_resubmission_keeps_history(enterprise_user, own_org, staff_user):
    c = file_contract(enterprise_user, own_org)
    c = services.submit_contract(enterprise_user, c)
    assert c.status == "submitted" and c.rules_code in {"2000", "2026"} and c.review_due_on
    c = services.claim_review(staff_user, c)
    assert c.status == "under_review" and c.reviewer == staff_user
    c = services.return_contract(staff_user, c, {"tech_amount": "与合同第5条不符"})
    assert c.status == "returned" and c.correction_due_on > dt.date.today() and c.reviewer is None
    services.save_contract(
        enterprise_user,
        own_org,
        contract_data(own_org, tech_amount="6500000"),
        contract=c,
        tech_fields=["1.2"],
    )
    c = services.submit_contract(enterprise_user, c)
    services.claim_review(staff_user, c)
    c = services.register_contract(staff_user, c)
    assert c.status == "registered" and c.registration_number and c.year == c.registered_on.year
    actions = list(c.events.values_list("action", flat=True))
    assert actions == ["submit", "claim", "return", "resubmit", "claim", "register"]
    first, second = c.events.filter(action__in=["submit", "resubmit"]).order_by("id")
    assert first.snapshot["tech_amount"] == "7000000.00" and second.snapshot["tech_amount"] == "6500000.00"
    assert (
        AuditEntry.objects.filter(object_type="contracts.contract", action="contract.register").count() == 1
    )


def test_submitting_twice_is_idempotent(enterprise_user, own_org):
    c = file_contract(enterprise_user, own_org)
    services.submit_contract(enterprise_user, c)
    services.submit_contract(enterprise_user, c)
    assert c.events.filter(action="submit").count() == 1


def test_submission_needs_the_signed_pdf(enterprise_user, own_org):
    c = file_contract(enterprise_user, own_org, with_pdf=False)
    with pytest.raises(ValidationError) as exc:
        services.submit_contract(enterprise_user, c)
    assert "pdf" in exc.value.message_dict


def test_a_second_reviewer_sees_who_holds_the_contract(enterprise_user, own_org, staff_user, make_user):
    other_reviewer = make_user(User.Role.REVIEWER)
    c = services.submit_contract(enterprise_user, file_contract(enterprise_user, own_org))
    services.claim_review(staff_user, c)
    with pytest.raises(ValidationError) as exc:
        services.claim_review(other_reviewer, c)
    assert staff_user.username in str(exc.value)
    with pytest.raises(ValidationError):
        services.register_contract(other_reviewer, c)
    # Claiming again by the holder is harmless.
    assert services.claim_review(staff_user, c).reviewer == staff_user


def test_once_decided_a_second_decision_does_not_apply(enterprise_user, own_org, staff_user):
    c = services.submit_contract(enterprise_user, file_contract(enterprise_user, own_org))
    stale = services.claim_review(staff_user, c)
    services.register_contract(staff_user, stale)
    with pytest.raises(ValidationError):
        services.refuse_contract(staff_user, stale, "重复")
    c.refresh_from_db()
    assert c.status == "registered" and c.refusal_reason == ""


def test_only_reviewers_decide(enterprise_user, own_org):
    c = services.submit_contract(enterprise_user, file_contract(enterprise_user, own_org))
    with pytest.raises(PermissionDenied):
        services.claim_review(enterprise_user, c)


def test_return_needs_reasons_naming_fields(enterprise_user, own_org, staff_user):
    c = services.claim_review(
        staff_user, services.submit_contract(enterprise_user, file_contract(enterprise_user, own_org))
    )
    with pytest.raises(ValidationError):
        services.return_contract(staff_user, c, {})
    with pytest.raises(ValidationError):
        services.return_contract(staff_user, c, {"colour": "wrong"})
    with pytest.raises(ValidationError):
        services.refuse_contract(staff_user, c, "  ")


def test_refused_contract_cannot_be_resubmitted(enterprise_user, own_org, staff_user):
    c = services.claim_review(
        staff_user, services.submit_contract(enterprise_user, file_contract(enterprise_user, own_org))
    )
    services.refuse_contract(staff_user, c, "非技术合同")
    with pytest.raises(ValidationError):
        services.submit_contract(enterprise_user, c)


def test_registration_numbers_are_unique_per_year(enterprise_user, own_org, staff_user):
    a = registered(enterprise_user, staff_user, own_org, on=dt.date(2026, 5, 1))
    b = registered(enterprise_user, staff_user, own_org, on=dt.date(2026, 5, 2), number="JS-2")
    assert a.registration_number == "2026310000001" and b.registration_number == "2026310000002"


def test_rules_in_force_are_dated():
    assert rules_in_force(dt.date(2022, 6, 1)).code == "2000"
    assert rules_in_force(dt.date(2026, 6, 1)).code == "2026"
    assert "国科发政字〔2000〕063号" in rules_in_force(dt.date(2010, 1, 1)).documents[0]


def test_certificate_shows_tax_benefits(enterprise_user, own_org, staff_user):
    c = registered(enterprise_user, staff_user, own_org)
    data = certificate.certificate_data(c)
    b = data["benefits"]
    assert b["source"] == "kechuang.policies"
    # Transfer 7,000,000 exempt at 6% + ancillary 500,000 on the same invoice.
    assert b["vat_avoided"] == "450000.00"
    # 5,000,000 × 25% + 2,000,000 × 12.5%.
    assert b["cit_eligible"] and b["cit_saving"] == "1500000.00"
    # A second transfer the same year: the 5-million cap is already used, so only half rate.
    c2 = registered(
        enterprise_user, staff_user, own_org, number="JS-2", tech_amount="1000000", ancillary_amount="0"
    )
    assert Decimal(certificate.benefits(c2).cit_saving) == Decimal("125000.00")


def test_consulting_contract_certificate_and_short_licence(enterprise_user, own_org, staff_user):
    consulting = registered(enterprise_user, staff_user, own_org, number="K-1", contract_type="consulting",
                            subtype="consulting", ancillary_amount="0", ip_items=[])  # fmt: skip
    b = certificate.benefits(consulting)
    assert b.vat_avoided == 0 and not b.cit_eligible and not b.vat_lines[0].exempt
    licence = registered(enterprise_user, staff_user, own_org, number="L-1", contract_type="licence",
                         subtype="licence_patent", ends_on="2028-03-01", ancillary_amount="0")  # fmt: skip
    b = certificate.benefits(licence)
    assert b.vat_avoided == Decimal("420000.00") and not b.cit_eligible


@pytest.mark.django_db(transaction=True)
def test_concurrent_decisions_never_both_apply(enterprise_user, own_org, staff_user):
    if connection.vendor != "postgresql":
        pytest.skip("real row locks need PostgreSQL: run via kechuang.testing.postgres")
    c = services.claim_review(
        staff_user, services.submit_contract(enterprise_user, file_contract(enterprise_user, own_org))
    )
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def decide(action) -> None:  # type: ignore[no-untyped-def]
        barrier.wait()
        try:
            action()
            outcomes.append("applied")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=(lambda: services.register_contract(staff_user, c),)),
        threading.Thread(target=decide, args=(lambda: services.refuse_contract(staff_user, c, "重复"),)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["applied", "refused"]
    c.refresh_from_db()
    assert c.events.filter(action__in=["register", "refuse"]).count() == 1
    assert (c.status == Contract.Status.REGISTERED) == bool(c.registration_number)


def test_resubmission_after_the_correction_deadline_is_refused(enterprise_user, own_org, staff_user):
    c = services.claim_review(
        staff_user, services.submit_contract(enterprise_user, file_contract(enterprise_user, own_org))
    )
    c = services.return_contract(
        staff_user, c, {"title": "名称不全"}, correct_by=dt.date.today() + dt.timedelta(days=3)
    )
    Contract.objects.filter(pk=c.pk).update(correction_due_on=dt.date.today() - dt.timedelta(days=1))
    with pytest.raises(ValidationError) as exc:
        services.submit_contract(enterprise_user, c)
    assert "__all__" in exc.value.message_dict
    c.refresh_from_db()
    assert c.status == "returned"
    # The registration office itself may still accept the late correction.
    assert services.submit_contract(staff_user, c).status == "submitted"
