"""API flows of the marketplace end to end: post a demand and get leads, match with explanations,
follow a lead to a contract, run an open call, read the funnels."""

from __future__ import annotations

import datetime as dt

import pytest

from kechuang.core.models import AuditEntry, Notification
from kechuang.matching import services
from kechuang.matching.models import MatchLead

from . import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def market(other_org, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        return {
            "battery": f.supply(other_org, trl=7),
            "chip": f.supply(other_org, title=f.CHIP, abstract=f.CHIP_ABSTRACT, trl=3),
        }


def test_match_explains_each_result(market, api_for) -> None:  # type: ignore[no-untyped-def]
    r = api_for(None).post(
        "/api/v1/matching/match", {"text": "固态电池电解质锂枝晶", "trl_min": 5, "budget_max": "100000"}
    )
    body = r.json()
    assert r.status_code == 200 and body[0]["id"] == market["battery"].pk
    top = body[0]
    assert "<mark>" in top["highlights"]["title"] and top["matched_terms"]
    assert "trl" in top["constraints_met"] and "budget" in top["constraints_missed"]
    assert top["band"] in {"high", "medium", "low", "unknown"}
    experts = api_for(None).post("/api/v1/matching/match", {"text": "固态电池", "kind": "expert"})
    assert experts.status_code == 200 and experts.json() == []


def test_post_demand_by_api_pushes_and_records_leads(
    market, api_for, enterprise_user, other_org, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    api = api_for(enterprise_user)
    with django_capture_on_commit_callbacks(execute=True):
        r = api.post("/api/v1/matching/demands", {
            "title": "固态电池电解质", "summary": "解决固态电池电解质界面的锂枝晶问题", "budget_max": "900000.00",
            "tech_fields": ["6"], "region_preference": "310000", "cooperation_mode": "licence", "trl_min": 5,
        })  # fmt: skip
    assert r.status_code == 201, r.content
    demand_id = r.json()["id"]
    assert r.json()["budget_max"] == "900000.00"
    leads = api.get("/api/v1/matching/leads", demand=demand_id).json()
    assert leads["count"] >= 1 and leads["items"][0]["supply_id"] == market["battery"].pk
    assert Notification.objects.filter(organisation=other_org).count() == 1
    matches = api.get(f"/api/v1/matching/demands/{demand_id}/matches").json()
    assert matches[0]["id"] == market["battery"].pk and "fields" in matches[0]["constraints_met"]


def test_lead_to_contract_and_funnels(
    market, api_for, own_org, enterprise_user, other_user, staff_user
) -> None:  # type: ignore[no-untyped-def]
    d = f.demand(own_org, actor=enterprise_user, recommend=False)
    poster, supplier = api_for(enterprise_user), api_for(other_user)
    lead = poster.post(
        "/api/v1/matching/leads", {"demand_id": d.pk, "supply_id": market["battery"].pk}
    ).json()
    assert (
        supplier.post(f"/api/v1/matching/leads/{lead['id']}/advance", {"stage": "contacted"}).status_code
        == 200
    )
    r = poster.post(f"/api/v1/matching/leads/{lead['id']}/advance", {"stage": "viewed"})
    assert r.status_code == 422 and "stage" in r.json()["error"]["fields"]
    assert (
        poster.post(f"/api/v1/matching/leads/{lead['id']}/advance", {"stage": "negotiating"}).status_code
        == 200
    )
    services.close_lead_with_contract(None, MatchLead.objects.get(pk=lead["id"]), "TC-1", None)
    body = poster.get(f"/api/v1/matching/leads/{lead['id']}").json()
    assert body["stage"] == "signed" and [t["to_stage"] for t in body["transitions"]] == [
        "recommended", "contacted", "negotiating", "signed"]  # fmt: skip
    mine = {r["stage"]: r["count"] for r in poster.get("/api/v1/matching/funnel").json()["rows"]}
    assert mine["signed"] == 1 and mine["viewed"] == 1  # a skipped stage still counts as reached
    assert supplier.get("/api/v1/matching/funnel").json()["rows"][0]["count"] == 1
    city = api_for(staff_user).get("/api/v1/matching/funnel", scope="city").json()
    assert city["by_organisation"][0]["signed"] == 1
    assert AuditEntry.objects.filter(action="lead.signed").count() == 1


def test_open_call_by_api(own_org, api_for, enterprise_user, other_user) -> None:  # type: ignore[no-untyped-def]
    d = f.demand(own_org, actor=enterprise_user, recommend=False)
    today = dt.date.today()
    poster, solver = api_for(enterprise_user), api_for(other_user)
    r = poster.post("/api/v1/matching/calls", {
        "demand_id": d.pk, "prize": "2000000", "eligibility": "在沪企业", "evaluation": "专家评审",
        "opens_on": today.isoformat(), "closes_on": (today - dt.timedelta(days=1)).isoformat(),
    })  # fmt: skip
    assert r.status_code == 422 and "closes_on" in r.json()["error"]["fields"]
    r = poster.post("/api/v1/matching/calls", {
        "demand_id": d.pk, "prize": "2000000", "eligibility": "在沪企业", "evaluation": "专家评审",
        "opens_on": today.isoformat(), "closes_on": (today + dt.timedelta(days=9)).isoformat(),
    })  # fmt: skip
    call_id = r.json()["id"]
    app = solver.post(f"/api/v1/matching/calls/{call_id}/applications", {"proposal": "方案"}).json()
    due = (today + dt.timedelta(days=5)).isoformat()
    r = poster.post(
        f"/api/v1/matching/applications/{app['id']}/decision", {"decision": "reject", "respond_by": due}
    )
    assert r.status_code == 422 and "reason" in r.json()["error"]["fields"]
    r = poster.post(f"/api/v1/matching/applications/{app['id']}/decision",
                    {"decision": "reject", "reason": "benefit_unclear", "respond_by": due})  # fmt: skip
    mine = solver.get(f"/api/v1/matching/applications/{app['id']}").json()
    assert (mine["status"], mine["rejection_reason"], mine["respond_by"]) == (
        "rejected",
        "benefit_unclear",
        due,
    )


def test_supply_search_is_ranked_and_filtered(market, api_for) -> None:  # type: ignore[no-untyped-def]
    api = api_for(None)
    body = api.get("/api/v1/achievements/supplies", q="物联网传感器").json()
    assert body["items"][0]["id"] == market["chip"].pk
    assert api.get("/api/v1/achievements/supplies", q="物联网传感器", trl_min=5).json()["count"] == 0
    assert api.get("/api/v1/achievements/supplies", mode="licence").json()["count"] == 2
    similar = api.get(f"/api/v1/achievements/supplies/{market['battery'].pk}/similar").json()
    assert market["battery"].pk not in [s["id"] for s in similar]
