"""Marketplace services: audit, permissions, index pushes after commit, notifications, leads, calls."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kechuang.achievements import services as supply_services
from kechuang.achievements.models import FundedProject, TechSupply
from kechuang.core import services as core_services
from kechuang.core.models import AuditEntry, Notification
from kechuang.matching import indexing, search, services
from kechuang.matching.models import CallApplication, Demand, ExpertProfile, LeadTransition, MatchLead
from kechuang.matching.queries import funnel

from . import factories as f

pytestmark = pytest.mark.django_db


def _ids(engine, text: str, kind: str = "supply") -> list[str]:  # type: ignore[no-untyped-def]
    return [h.id for h in engine.search(text, kind=kind)]


def test_published_supply_reaches_the_index_only_after_commit(
    engine, own_org, django_capture_on_commit_callbacks
):  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        s = f.supply(own_org)
    assert _ids(engine, "固态电解质") == []  # nothing indexed before the commit
    for cb in callbacks:
        cb()
    assert _ids(engine, "固态电解质") == [str(s.pk)]
    assert AuditEntry.objects.filter(action="supply.create", object_id=str(s.pk)).exists()


def test_draft_and_archived_supplies_are_not_searchable(engine, own_org, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        s = f.supply(own_org, publish=False)
    assert _ids(engine, "固态电解质") == []
    with django_capture_on_commit_callbacks(execute=True):
        supply_services.set_supply_status(None, s, TechSupply.Status.PUBLISHED)
    assert _ids(engine, "固态电解质") == [str(s.pk)]
    with django_capture_on_commit_callbacks(execute=True):
        supply_services.set_supply_status(None, s, TechSupply.Status.ARCHIVED)
    assert _ids(engine, "固态电解质") == []
    assert AuditEntry.objects.filter(action="supply.archived").count() == 1


def test_a_rolled_back_change_never_reaches_the_index(engine, own_org, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        f.supply(own_org, trl=12)
    assert TechSupply.objects.count() == 0
    assert _ids(engine, "固态电解质") == []


def test_posting_a_demand_records_leads_and_notifies_top_owners(engine, own_org, other_org, enterprise_user,
                                                              django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        battery = f.supply(other_org)
        f.supply(other_org, title=f.CHIP, abstract=f.CHIP_ABSTRACT)
        own_battery = f.supply(
            own_org, title="固态电池电解质自研成果"
        )  # the poster's own item is never a lead
    with django_capture_on_commit_callbacks(execute=True):
        d = f.demand(own_org, actor=enterprise_user)
    leads = list(MatchLead.objects.filter(demand=d).order_by("-score"))
    assert leads[0].supply_id == battery.pk
    assert own_battery.pk not in {lead.supply_id for lead in leads}
    note = Notification.objects.get(organisation=other_org, kind="matching.demand_pushed")
    assert d.title in note.title
    assert LeadTransition.objects.filter(lead=leads[0], to_stage="recommended").exists()
    assert AuditEntry.objects.filter(action="demand.create", object_id=str(d.pk)).exists()
    # The demand itself is now searchable (supply → demands).
    assert _ids(engine, "锂枝晶", kind="demand") == [str(d.pk)]


def test_confidential_details_never_reach_the_index(
    engine, own_org, enterprise_user, django_capture_on_commit_callbacks
):  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        d = f.demand(own_org, actor=enterprise_user, confidential=True, details="秘密配方钽铌酸锂掺杂比例")
    assert _ids(engine, "钽铌酸锂掺杂", kind="demand") == []
    hits = engine.search("固态电池", kind="demand")
    assert [h.id for h in hits] == [str(d.pk)]
    assert "钽铌" not in str(hits[0].highlights) and "钽铌" not in hits[0].document.text
    snap = AuditEntry.objects.get(action="demand.create").after
    assert "钽铌" not in str(snap)


def test_only_own_organisation_posts_and_edits_demands(own_org, other_user, enterprise_user):  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied):
        f.demand(own_org, actor=other_user)
    d = f.demand(own_org, actor=enterprise_user)
    with pytest.raises(PermissionDenied):
        services.update_demand(other_user, d, title="hijack")
    services.update_demand(enterprise_user, d, title="新标题")
    assert Demand.objects.get(pk=d.pk).title == "新标题"


def test_nda_acceptance_moves_leads_and_is_audited(own_org, other_org, enterprise_user, other_user):  # type: ignore[no-untyped-def]
    s = f.supply(other_org)
    d = f.demand(own_org, actor=enterprise_user, confidential=True, details="内部参数")
    lead = services.create_lead(enterprise_user, d, supply=s)
    services.accept_nda(other_user, d)
    lead.refresh_from_db()
    assert lead.stage == MatchLead.Stage.NDA
    assert AuditEntry.objects.filter(action="demand.nda_accept").exists()
    # Accepting twice changes nothing.
    services.accept_nda(other_user, d)
    assert LeadTransition.objects.filter(lead=lead, to_stage="nda").count() == 1


def test_lead_funnel_moves_forward_only_and_keeps_history(
    own_org, other_org, enterprise_user, other_user, staff_user
):  # type: ignore[no-untyped-def]
    s = f.supply(other_org)
    d = f.demand(own_org, actor=enterprise_user, recommend=False)
    lead = services.create_lead(enterprise_user, d, supply=s)
    services.mark_viewed(enterprise_user, lead)
    services.advance_lead(other_user, lead, "contacted", "called them")
    with pytest.raises(ValidationError):
        services.advance_lead(enterprise_user, lead, "viewed")
    with pytest.raises(ValidationError):
        services.advance_lead(enterprise_user, lead, "signed")
    services.advance_lead(enterprise_user, lead, "negotiating")
    services.close_lead_with_contract(staff_user, lead, "TC-2026-0001", Decimal("650000.00"))
    lead.refresh_from_db()
    assert lead.stage == "signed" and lead.contract_amount == Decimal("650000.00")
    assert [t.to_stage for t in lead.transitions.all()] == [
        "recommended",
        "viewed",
        "contacted",
        "negotiating",
        "signed",
    ]
    # Idempotent for the same contract, refused once finished otherwise.
    services.close_lead_with_contract(None, lead, "TC-2026-0001", Decimal("650000.00"))
    with pytest.raises(ValidationError):
        services.close_lead(enterprise_user, lead, "price")
    rows = {r["stage"]: r["count"] for r in funnel(MatchLead.objects.all())}
    assert rows == {
        "recommended": 1,
        "viewed": 1,
        "contacted": 1,
        "nda": 1,
        "negotiating": 1,
        "signed": 1,
        "closed": 0,
    }


def test_close_needs_a_reason_and_a_stranger_cannot_touch_a_lead(
    own_org, other_org, make_org, make_user, enterprise_user
):  # type: ignore[no-untyped-def]
    s = f.supply(other_org)
    d = f.demand(own_org, actor=enterprise_user, recommend=False)
    lead = services.create_lead(enterprise_user, d, supply=s)
    stranger = make_user("enterprise", make_org())
    with pytest.raises(PermissionDenied):
        services.advance_lead(stranger, lead, "viewed")
    with pytest.raises(ValidationError):
        services.close_lead(enterprise_user, lead, "")
    services.close_lead(enterprise_user, lead, "price", "too expensive")
    lead.refresh_from_db()
    assert lead.stage == "closed" and lead.close_reason == "price" and lead.furthest == 0
    rows = {r["stage"]: r["count"] for r in funnel(MatchLead.objects.all())}
    assert rows["recommended"] == 1 and rows["viewed"] == 0 and rows["closed"] == 1


def test_expert_profiles_never_merge_namesakes(engine, make_org, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    uni_a, uni_b = make_org(kind="university"), make_org(kind="university")
    wang_a = core_services.create_person(None, affiliation=uni_a, name="王伟")
    wang_b = core_services.create_person(None, affiliation=uni_b, name="王伟")
    with django_capture_on_commit_callbacks(execute=True):
        f.supply(uni_a, inventors=[wang_a])
        supply_services.record_funded_project(None, number="71700001", title="多属性群决策方法研究",
                                              principal=wang_b, institution=uni_b, amount=Decimal("180000"),
                                              start=dt.date(2018, 1, 1), end=dt.date(2020, 12, 31))  # fmt: skip
        pa = services.build_expert_profile(None, wang_a)
        pb = services.build_expert_profile(None, wang_b)
    assert pa.pk != pb.pk and pa.organisation == uni_a and pb.organisation == uni_b
    assert (pa.result_count, pa.project_count) == (1, 0)
    assert (pb.result_count, pb.project_count, pb.funding_total) == (0, 1, Decimal("180000.00"))
    assert _ids(engine, "群决策", kind="expert") == [str(pb.pk)]
    assert _ids(engine, "固态电解质", kind="expert") == [str(pa.pk)]


def test_open_call_apply_shortlist_reject_with_reason(
    own_org, other_org, make_org, make_user, enterprise_user, other_user
):  # type: ignore[no-untyped-def]
    d = f.demand(own_org, actor=enterprise_user, recommend=False)
    c = f.call(d)
    app = services.apply_to_call(other_user, c, "我们有成熟的硫化物电解质方案")
    with pytest.raises(ValidationError):
        services.apply_to_call(other_user, c, "again")
    with pytest.raises(ValidationError):
        services.apply_to_call(enterprise_user, c, "own call")
    third = make_user("enterprise", make_org())
    app2 = services.apply_to_call(third, c, "概念阶段的方案")
    due = dt.date.today() + dt.timedelta(days=14)
    with pytest.raises(PermissionDenied):
        services.shortlist_application(other_user, app, due)
    with pytest.raises(ValidationError) as err:
        services.reject_application(enterprise_user, app2, "", due)
    assert "reason" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        services.shortlist_application(enterprise_user, app, None)
    assert "respond_by" in err.value.message_dict
    services.shortlist_application(enterprise_user, app, due, "请准备路演")
    services.reject_application(enterprise_user, app2, "too_early", due, "TRL 太低")
    app2.refresh_from_db()
    assert app2.status == CallApplication.Status.REJECTED and app2.respond_by == due
    assert Notification.objects.filter(organisation=app2.organisation, kind="matching.call_decision").exists()
    services.award_application(enterprise_user, app, due)
    c.refresh_from_db()
    assert c.status == "awarded"


def test_closed_window_refuses_applications(own_org, other_user, enterprise_user):  # type: ignore[no-untyped-def]
    d = f.demand(own_org, actor=enterprise_user, recommend=False)
    c = f.call(d, opens_on=dt.date(2020, 1, 1), closes_on=dt.date(2020, 2, 1))
    with pytest.raises(ValidationError):
        services.apply_to_call(other_user, c, "late")


def test_index_failure_does_not_block_posting(own_org, enterprise_user, monkeypatch):  # type: ignore[no-untyped-def]
    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("index is being rebuilt")

    monkeypatch.setattr(indexing, "match_demand", broken)
    d = f.demand(own_org, actor=enterprise_user)
    assert Demand.objects.filter(pk=d.pk).exists() and not d.leads.exists()


def test_funded_projects_are_staff_only(enterprise_user, staff_user):  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied):
        supply_services.record_funded_project(enterprise_user, number="1", title="x")
    p = supply_services.record_funded_project(staff_user, number="71700002", title="项目")
    assert FundedProject.objects.get(pk=p.pk).funder == "NSFC"


def test_expert_profile_rebuilds_when_a_project_is_added(make_org, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    uni = make_org(kind="university")
    person = core_services.create_person(None, affiliation=uni, name="李娜")
    services.build_expert_profile(None, person)
    with django_capture_on_commit_callbacks(execute=True):
        supply_services.record_funded_project(None, number="71700003", title="服务创新研究", principal=person)
    assert ExpertProfile.objects.get(person=person).project_count == 1


def test_expert_document_has_one_passage_per_work_and_not_the_bio(
    make_org, django_capture_on_commit_callbacks
):  # type: ignore[no-untyped-def]
    uni = make_org(kind="university")
    person = core_services.create_person(
        None, affiliation=uni, name="王芳", bio="长期从事交通与能源研究。\n博士生导师。"
    )
    services.build_expert_profile(None, person)
    with django_capture_on_commit_callbacks(execute=True):
        supply_services.record_funded_project(
            None, number="71700004", title="城市交通拥堵控制策略研究", principal=person
        )
        supply_services.record_funded_project(
            None, number="71700005", title="锂离子电池失效机理", principal=person
        )
    doc = search.expert_document(ExpertProfile.objects.get(person=person))
    assert sorted(doc.passages) == ["城市交通拥堵控制策略研究", "锂离子电池失效机理"]
    assert "博士生导师。" in doc.text  # the bio still counts for word matches
