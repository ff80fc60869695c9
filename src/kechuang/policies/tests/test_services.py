"""Library edits with history, supplementary facts, 免申即享 with a credit screen double, exports, notices."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kechuang.core.models import AuditEntry, Notification
from kechuang.policies import exports, queries, services
from kechuang.policies.models import PolicyDocument, ProactiveMatch, SupplementaryFacts

from .conftest import YEAR, register_facts


class RestrictedScreen:
    """Test double of the credit service: the given organisations are restricted."""

    def __init__(self, *ids: int) -> None:
        self.ids = set(ids)
        self.asked: list[tuple[list[int], int]] = []

    def restricted(self, organisation_ids, year):  # type: ignore[no-untyped-def]
        self.asked.append((list(organisation_ids), year))
        return self.ids & set(organisation_ids)


def make_document(actor=None, **fields):  # type: ignore[no-untyped-def]
    values = {
        "title": "高新技术企业认定管理办法", "title_en": "Measures for HNTE recognition", "doc_number": "国科发火〔2016〕32号",
        "authority": "科技部、财政部、国家税务总局", "level": "national", "benefit_type": "tax",
        "effective_from": dt.date(2016, 1, 1), "full_text": "第十一条 认定为高新技术企业须同时满足以下条件", "policy_ids": "hnte",
    }  # fmt: skip
    values.update(fields)
    return services.create_document(actor, **values)


def test_staff_edit_documents_with_history(staff_user, enterprise_user) -> None:  # type: ignore[no-untyped-def]
    doc = make_document(staff_user)
    services.update_document(staff_user, doc, application_window="每年5–9月")
    entry = AuditEntry.objects.filter(action="policy_document.update").get()
    assert entry.before["application_window"] == "" and entry.after["application_window"] == "每年5–9月"
    with pytest.raises(PermissionDenied):
        services.update_document(enterprise_user, doc, title="x")
    with pytest.raises(ValidationError) as exc:
        services.update_document(staff_user, doc, policy_ids="hnte, nonsense")
    assert "policy_ids" in exc.value.message_dict
    assert PolicyDocument.objects.get(pk=doc.pk).policy_ids == "hnte"  # nothing lost


def test_search_finds_by_term_number_and_filters(db) -> None:  # type: ignore[no-untyped-def]
    make_document()
    make_document(title="上海市科技小巨人工程实施办法", doc_number="沪科规〔2021〕12号", level="municipal", benefit_type="grant",
                  full_text="科技小巨人企业 培育企业", policy_ids="sh_little_giant")  # fmt: skip
    assert [d.doc_number for d in queries.search_documents("小巨人")] == ["沪科规〔2021〕12号"]
    assert [d.doc_number for d in queries.search_documents("国科发火〔2016〕32号")] == [
        "国科发火〔2016〕32号"
    ]
    assert queries.search_documents(level="municipal").count() == 1
    assert queries.search_documents(benefit_type="tax").count() == 1
    assert queries.search_documents("量子计算").count() == 0


def test_supplementary_facts_feed_the_rules(own_firm, enterprise_user, other_user) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied):
        services.record_supplementary_facts(other_user, own_firm, YEAR, key_tech_field=True)
    services.record_supplementary_facts(
        enterprise_user,
        own_firm,
        YEAR,
        tech_transfer_income=Decimal("6000000"),
        tech_contracts_registered=True,
    )
    assert SupplementaryFacts.objects.get(organisation=own_firm).tech_transfer_income == Decimal("6000000")
    ent = queries.enterprise_input(own_firm, YEAR)
    assert (
        ent.years[YEAR]["tech_transfer_income"] == Decimal("6000000") and ent.facts["industry_code"] == "39"
    )
    with pytest.raises(ValidationError):
        services.record_supplementary_facts(
            enterprise_user, own_firm, YEAR, voucher_service_spend=Decimal("-1")
        )


def test_proactive_run_screens_exports_and_notifies(
    own_firm, other_org, staff_user, enterprise_user, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    register_facts(other_org)
    screen = RestrictedScreen(other_org.pk)
    with pytest.raises(PermissionDenied):
        services.run_proactive(enterprise_user, YEAR, screen=screen)
    run = services.run_proactive(staff_user, YEAR, screen=screen)
    assert run.enterprises == 2 and run.screened_out == 1 and screen.asked[0][1] == YEAR
    matched = set(ProactiveMatch.objects.filter(run=run).values_list("organisation_id", "policy_id"))
    assert (own_firm.pk, "rd_super_deduction") in matched
    assert not any(org == other_org.pk for org, _ in matched)  # restricted: screened out
    rdsd = ProactiveMatch.objects.get(run=run, organisation=own_firm, policy_id="rd_super_deduction")
    assert rdsd.benefit == Decimal("700000.00")

    seen: list[tuple[int, int | None]] = []
    n = exports.write(
        run, "csv", tmp_path / "run.csv", progress=lambda d, t=None, *a, **k: seen.append((d, t))
    )
    assert n == run.matches.count() and seen[-1] == (n, n) and not (tmp_path / "run.csv.part").exists()
    rows = list(csv.reader(io.StringIO((tmp_path / "run.csv").read_text("utf-8-sig"))))
    assert rows[0][0].startswith("统一社会信用代码") and any(
        r[0] == own_firm.uscc and r[2] == "rd_super_deduction" for r in rows[1:]
    )
    from openpyxl import load_workbook

    exports.write(run, "xlsx", tmp_path / "run.xlsx")
    sheet = load_workbook(tmp_path / "run.xlsx").active
    assert sheet.max_row == len(rows)

    with pytest.raises(ValidationError):
        services.notify_run(staff_user, run, policy_ids=[])
    assert services.notify_run(staff_user, run, policy_ids=["hnte"]) == 0  # nobody matched there
    assert services.notify_run(staff_user, run) == 1
    note = Notification.objects.get(organisation=own_firm)
    assert "研发费用税前加计扣除" in note.body and str(YEAR) in note.title
    assert services.notify_run(staff_user, run) == 0  # once only
    assert AuditEntry.objects.filter(action__in=["proactive.run", "proactive.notify"]).count() == 4


def test_default_screen_uses_the_credit_fact(own_firm, other_org, staff_user) -> None:  # type: ignore[no-untyped-def]
    register_facts(other_org, credit_ok=False)
    run = services.run_proactive(staff_user, YEAR)
    assert run.screened_out == 1
    assert not ProactiveMatch.objects.filter(run=run, organisation=other_org).exists()


def test_unknown_policy_in_a_run_is_refused(staff_user) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError):
        services.run_proactive(staff_user, YEAR, policy_ids=["nope"])
