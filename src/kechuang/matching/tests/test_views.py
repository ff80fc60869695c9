"""End-to-end web flows of the marketplace: post a demand with instant matches, follow a lead,
run an open call, browse supplies and experts, read the funnel."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.conftest import client_for

from kechuang.achievements.models import TechSupply
from kechuang.core import services as core_services
from kechuang.core.models import Notification
from kechuang.matching import indexing, services
from kechuang.matching.models import CallApplication, Demand, MatchLead

from . import factories as f

pytestmark = pytest.mark.django_db


def _text(response) -> str:  # type: ignore[no-untyped-def]
    """The page without the <mark> highlights, so titles can be found whole."""
    return response.content.decode().replace("<mark>", "").replace("</mark>", "")


@pytest.fixture
def market(own_org, other_org, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        battery = f.supply(other_org)
        chip = f.supply(other_org, title=f.CHIP, abstract=f.CHIP_ABSTRACT, trl=3)
    return {"battery": battery, "chip": chip}


def test_instant_matches_highlight_terms_and_explain(market) -> None:  # type: ignore[no-untyped-def]
    r = client_for(None).post(
        "/matching/preview/",
        {"summary": "固态电池的电解质界面不稳定", "trl_min": "5"},
        headers={"HX-Request": "true"},
    )
    page = r.content.decode()
    assert r.status_code == 200
    assert market["battery"].title in _text(r)
    assert "<mark>" in page and 'data-testid="explain"' in page
    assert "✓ 技术成熟度" in page  # the constraint met is listed, by its name in the reader's language
    assert f.CHIP not in page


def test_post_demand_then_follow_a_lead(
    market, enterprise_user, other_org, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    client = client_for(enterprise_user)
    assert client.get("/matching/demands/new/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post("/matching/demands/new/", {
            "title": "电池快充", "summary": "需要解决固态电池电解质锂枝晶问题，实现快充", "status": "open",
            "budget_max": "1000000", "trl_min": "5",
        })  # fmt: skip
    assert r.status_code == 302
    demand = Demand.objects.get(title="电池快充")
    assert Notification.objects.filter(organisation=other_org, kind="matching.demand_pushed").exists()
    page = client.get(r["Location"]).content.decode()
    assert (
        market["battery"].title in page.replace("<mark>", "").replace("</mark>", "")
        and "<mark>" in page
        and 'data-testid="funnel"' in page
    )
    lead = MatchLead.objects.get(demand=demand, supply=market["battery"])
    assert f"/matching/leads/{lead.pk}/" in page  # the recommended lead is linked from the match
    page = client.get(f"/matching/leads/{lead.pk}/").content.decode()
    lead.refresh_from_db()
    assert lead.stage == "viewed"
    r = client.post(f"/matching/leads/{lead.pk}/move/", {"stage": "contacted", "note": "电话联系"})
    lead.refresh_from_db()
    assert lead.stage == "contacted"
    r = client.post(f"/matching/leads/{lead.pk}/move/", {"stage": "viewed"}, follow=True)
    assert "only moves forward" in r.content.decode() or "只能向前" in r.content.decode()
    client.post(f"/matching/leads/{lead.pk}/move/", {"reason": "price", "note": "太贵"})
    lead.refresh_from_db()
    assert lead.stage == "closed" and lead.close_reason == "price"
    page = client.get("/matching/leads/").content.decode()
    assert market["battery"].title in page


def test_follow_up_a_match_by_hand_creates_a_lead(market, own_org, enterprise_user) -> None:  # type: ignore[no-untyped-def]
    d = f.demand(own_org, actor=enterprise_user, recommend=False)
    r = client_for(enterprise_user).post(f"/matching/demands/{d.pk}/lead/", {"supply": market["chip"].pk})
    lead = MatchLead.objects.get(demand=d, supply=market["chip"])
    assert r.status_code == 302 and r["Location"] == f"/matching/leads/{lead.pk}/"
    assert lead.supplier_id == market["chip"].owner_id


def test_nda_flow_on_the_web(own_org, enterprise_user, other_user) -> None:  # type: ignore[no-untyped-def]
    d = f.demand(own_org, actor=enterprise_user, confidential=True, details="配方 A-42", nda_text="保密三年")
    client = client_for(other_user)
    page = client.get(f"/matching/demands/{d.pk}/").content.decode()
    assert "A-42" not in page and "保密三年" in page and "/nda/" in page
    client.post(f"/matching/demands/{d.pk}/nda/")
    assert "A-42" in client.get(f"/matching/demands/{d.pk}/").content.decode()


def test_open_call_on_the_web(own_org, enterprise_user, other_user) -> None:  # type: ignore[no-untyped-def]
    d = f.demand(own_org, actor=enterprise_user, recommend=False)
    poster = client_for(enterprise_user)
    today = dt.date.today()
    r = poster.post(f"/matching/demands/{d.pk}/call/", {
        "prize": "3000000", "eligibility": "在沪企业", "evaluation": "专家评审",
        "opens_on": today.isoformat(), "closes_on": (today + dt.timedelta(days=20)).isoformat(),
    })  # fmt: skip
    assert r.status_code == 302
    call_url = r["Location"]
    assert "3000000" in client_for(None).get("/matching/calls/").content.decode()
    solver = client_for(other_user)
    assert "/apply/" in solver.get(call_url).content.decode()
    solver.post(call_url + "apply/", {"proposal": "我们的硫化物路线"})
    app = CallApplication.objects.get()
    due = (today + dt.timedelta(days=10)).isoformat()
    poster.post(f"/matching/applications/{app.pk}/decide/", {"decision": "reject", "respond_by": due})
    app.refresh_from_db()
    assert app.status == "submitted"  # a rejection without a reason is refused
    poster.post(f"/matching/applications/{app.pk}/decide/", {"decision": "reject", "reason": "market_route_unclear",
                                                            "note": "请补充产业化路径", "respond_by": due})  # fmt: skip
    app.refresh_from_db()
    assert app.status == "rejected" and app.rejection_reason == "market_route_unclear"
    page = solver.get(call_url).content.decode()
    assert "请补充产业化路径" in page and due in page


def test_supply_listing_search_filters_and_htmx(market, own_org, enterprise_user) -> None:  # type: ignore[no-untyped-def]
    client = client_for(None)
    r = client.get("/achievements/", {"q": "固态电池"})
    assert market["battery"].title in _text(r) and f.CHIP not in _text(r) and "<mark>" in r.content.decode()
    partial = _text(client.get("/achievements/", {"q": "芯片"}, headers={"HX-Request": "true"}))
    assert "<html" not in partial and "传感器" in partial
    assert f.CHIP not in client.get("/achievements/", {"trl_min": "5"}).content.decode()
    assert f.CHIP in client.get("/achievements/", {"field": "1"}).content.decode()
    assert market["battery"].title not in client.get("/achievements/", {"kind": "patent"}).content.decode()
    draft = f.supply(own_org, title="草稿里的秘密成果", publish=False)
    assert draft.title not in client.get("/achievements/").content.decode()
    assert draft.title in client_for(enterprise_user).get("/achievements/", {"mine": "1"}).content.decode()


def test_supply_pagination(other_org) -> None:  # type: ignore[no-untyped-def]
    for i in range(23):
        f.supply(other_org, title=f"成果 {i:02d}", publish=True)
    client = client_for(None)
    first = client.get("/achievements/").content.decode()
    second = client.get("/achievements/", {"page": 2}).content.decode()
    assert 'rel="next"' in first and 'rel="prev"' in second
    assert client.get("/achievements/", {"page": "9999"}).status_code == 200


def test_supply_detail_shows_similar_items(other_org, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        a = f.supply(other_org)
        b = f.supply(
            other_org, title="固态电池电解质包覆改性方法", abstract="硫化物电解质界面包覆，抑制锂枝晶"
        )
        f.supply(other_org, title=f.CHIP, abstract=f.CHIP_ABSTRACT)
    page = client_for(None).get(f"/achievements/{a.pk}/").content.decode()
    similar = page.split('class="similar"')[-1]
    assert b.title in similar and f.CHIP not in similar


def test_post_and_publish_a_supply_on_the_web(
    enterprise_user, django_capture_on_commit_callbacks, engine
) -> None:  # type: ignore[no-untyped-def]
    client = client_for(enterprise_user)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post("/achievements/new/", {
            "kind": "patent", "title": "一种水电站高压输电线路驱鸟保护装置", "patent_number": "CN114081026A",
            "ipc_text": "A01M, H02G", "keywords_text": "驱鸟；输电线路", "modes": ["licence"], "trl": "7",
        })  # fmt: skip
    assert r.status_code == 302
    s = TechSupply.objects.get()
    assert (s.status, s.ipc_classes, s.keywords) == ("draft", ["A01M", "H02G"], ["驱鸟", "输电线路"])
    assert engine.search("驱鸟", kind="supply") == []
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/achievements/{s.pk}/status/", {"status": "published"})
    assert [h.id for h in engine.search("驱鸟", kind="supply")] == [str(s.pk)]


def test_expert_pages(make_org, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    uni = make_org(kind="university")
    person = core_services.create_person(None, affiliation=uni, name="陈静", orcid="0000-0002-1825-0097")
    with django_capture_on_commit_callbacks(execute=True):
        f.supply(uni, inventors=[person])
        profile = services.build_expert_profile(None, person)
    client = client_for(None)
    assert "陈静" in client.get("/matching/experts/").content.decode()
    assert "陈静" in client.get("/matching/experts/", {"q": "固态电解质"}).content.decode()
    page = client.get(f"/matching/experts/{profile.pk}/").content.decode()
    assert "0000-0002-1825-0097" in page and f.BATTERY in page
    # The people registry leads to the profile; someone without one gets no link.
    link = f'href="/matching/experts/{profile.pk}/" data-testid="expert-profile"'
    assert link in client.get(f"/people/{person.pk}/").content.decode()
    other = core_services.create_person(None, affiliation=uni, name="周明")
    assert 'data-testid="expert-profile"' not in client.get(f"/people/{other.pk}/").content.decode()
    assert 'href="/matching/experts/"' in client.get("/people/").content.decode()


def test_similar_experts_share_work_not_role(make_org, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    uni = make_org(kind="university")
    people = [core_services.create_person(None, affiliation=uni, name=n, title=t)
              for n, t in (("张三", "项目负责人"), ("李四", "项目负责人"), ("王五", "教授"))]  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        f.supply(uni, inventors=[people[0]])  # solid-state battery electrolyte
        f.supply(uni, title="水稻抗旱育种新品种", abstract="耐旱水稻品种选育方法。", inventors=[people[1]])
        f.supply(uni, title="固态电池快充技术", abstract="提高固态电池快充性能。", inventors=[people[2]])
        profiles = [services.build_expert_profile(None, p) for p in people]
    assert profiles[0].headline == profiles[1].headline == "项目负责人"
    similar = indexing.similar("expert", profiles[0])
    assert [r.obj.pk for r in similar] == [profiles[2].pk]
    assert "项目负责人" not in similar[0].hit.matched_terms


def test_city_funnel_for_staff(market, own_org, enterprise_user, staff_user) -> None:  # type: ignore[no-untyped-def]
    d = f.demand(own_org, actor=enterprise_user)
    lead = d.leads.first()
    services.advance_lead(enterprise_user, lead, "negotiating")
    page = client_for(staff_user).get("/matching/funnel/").content.decode()
    assert "funnel-data" in page and own_org.name in page and "chart.umd.min.js" in page


def test_pages_in_english(market) -> None:  # type: ignore[no-untyped-def]
    client = client_for(None)
    client.post("/i18n/setlang/", {"language": "en"})
    page = client.get("/achievements/").content.decode()
    assert "Technology supply" in page
    client.post("/i18n/setlang/", {"language": "zh-hans"})
    assert "技术供给" in client.get("/achievements/").content.decode()
