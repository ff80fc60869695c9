"""Hostile and odd input on every text box of the marketplace: sane results or clear field errors,
never a 500, and nothing saved when the input is refused."""

from __future__ import annotations

import pytest
from tests.conftest import client_for

from kechuang.matching.models import Demand

from . import factories as f

pytestmark = pytest.mark.django_db

ODD_TEXTS = {
    "empty": "",
    "spaces": "   \n\t  ",
    "mixed scripts": "需要 solid-state 电池 électrolyte Батарея 배터리 バッテリー",
    "emoji": "🔋⚡ 需要快充电池 🚗💨",
    "html": '<script>alert("x")</script><b>固态电池</b><img src=x onerror=alert(1)>',
    "sql": "'; DROP TABLE matching_demand; -- 固态电池 OR 1=1",
    "full width": "ＳＯＬＩＤ　ＳＴＡＴＥ　电池",
    "traditional": "固態電池電解質",
    "control chars": "固态\x00电池\x07\u202e",
    "long": "固态电池电解质稳定性" * 2000,  # 20,000 characters
}


@pytest.fixture
def indexed(other_org, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        return f.supply(other_org)


@pytest.mark.parametrize("name", ODD_TEXTS)
def test_match_api_copes(indexed, api_for, name) -> None:  # type: ignore[no-untyped-def]
    r = api_for(None).post("/api/v1/matching/match", {"text": ODD_TEXTS[name]})
    assert r.status_code == 200, r.content[:300]
    body = r.json()
    assert isinstance(body, list)
    for item in body:
        assert "<script" not in str(item["highlights"])  # highlights are escaped text with <mark> only
    if name in ("mixed scripts", "emoji", "html", "sql", "traditional", "long"):
        assert [item["id"] for item in body][:1] == [indexed.pk], name


def test_match_api_refuses_more_than_20000_characters(api_for) -> None:  # type: ignore[no-untyped-def]
    r = api_for(None).post("/api/v1/matching/match", {"text": "长" * 20_001})
    assert r.status_code == 422
    assert "text" in r.json()["error"]["fields"]


@pytest.mark.parametrize("name", ODD_TEXTS)
def test_instant_preview_copes(indexed, name) -> None:  # type: ignore[no-untyped-def]
    r = client_for(None).post("/matching/preview/", {"summary": ODD_TEXTS[name]})
    assert r.status_code == 200
    assert "<script>alert" not in r.content.decode()


def test_preview_reports_a_too_long_text() -> None:
    r = client_for(None).post("/matching/preview/", {"summary": "长" * 20_001})
    assert r.status_code == 200 and "20,000" in r.content.decode()


@pytest.mark.parametrize("name", ODD_TEXTS)
def test_search_pages_cope(indexed, name) -> None:  # type: ignore[no-untyped-def]
    text = ODD_TEXTS[name][:500]
    client = client_for(None)
    for url in ("/achievements/", "/matching/", "/matching/experts/"):
        r = client.get(url, {"q": text})
        assert r.status_code == 200, (url, name)
        assert "<script>alert" not in r.content.decode()
    r = client.get("/api/v1/achievements/supplies", {"q": text})
    assert r.status_code == 200


@pytest.mark.parametrize("name", ["mixed scripts", "emoji", "html", "sql", "full width"])
def test_posting_odd_demands_keeps_the_text_and_escapes_it(enterprise_user, name) -> None:  # type: ignore[no-untyped-def]
    client = client_for(enterprise_user)
    r = client.post(
        "/matching/demands/new/", {"title": "需求 " + name, "summary": ODD_TEXTS[name], "status": "open"}
    )
    assert r.status_code == 302, r.content[:500]
    d = Demand.objects.get(title="需求 " + name)
    assert d.summary == ODD_TEXTS[name].strip()
    page = client.get(f"/matching/demands/{d.pk}/").content.decode()
    assert "<script>alert" not in page and "onerror=alert" not in page.replace("onerror=alert(1)&gt;", "")


@pytest.mark.parametrize(
    ("summary", "field"), [("", "summary"), ("   ", "summary"), ("长" * 20_001, "summary")]
)
def test_bad_demands_get_field_errors_on_the_web(enterprise_user, summary, field) -> None:  # type: ignore[no-untyped-def]
    r = client_for(enterprise_user).post(
        "/matching/demands/new/", {"title": "t", "summary": summary, "status": "open"}
    )
    assert r.status_code == 422
    assert f'data-field="{field}"' in r.content.decode()
    assert not Demand.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "t", "summary": ""}, "summary"),
        ({"title": "", "summary": "s"}, "title"),
        ({"title": "t", "summary": "长" * 20_001}, "summary"),
        ({"title": "t", "summary": "长" * 10_001}, "summary"),  # under the API cap, over the model's limit
        ({"title": "t", "summary": "s", "budget_min": "-1"}, "budget_min"),
        ({"title": "t", "summary": "s", "budget_min": "9", "budget_max": "1"}, "budget_max"),
        ({"title": "t", "summary": "s", "budget_max": "abc"}, "budget_max"),
        ({"title": "t", "summary": "s", "tech_fields": ["99"]}, "tech_fields"),
        ({"title": "t", "summary": "s", "region_preference": "999999"}, "region_preference"),
        ({"title": "t", "summary": "s", "cooperation_mode": "gift"}, "cooperation_mode"),
        ({"title": "t", "summary": "s", "trl_min": 12}, "trl_min"),
        ({"title": "t", "summary": "s", "deadline": "2026-02-30"}, "deadline"),
        ({"title": "t", "summary": "s", "status": "'; DROP"}, "status"),
    ],
)
def test_bad_demands_get_bilingual_field_errors_from_the_api(api_for, enterprise_user, body, field) -> None:  # type: ignore[no-untyped-def]
    r = api_for(enterprise_user).post("/api/v1/matching/demands", body)
    assert r.status_code == 422, r.content[:300]
    errors = r.json()["error"]["fields"]
    assert field in errors, errors
    assert {"zh", "en"} <= set(errors[field][0])
    assert not Demand.objects.exists()


def test_bad_supply_input_via_api(api_for, enterprise_user) -> None:  # type: ignore[no-untyped-def]
    api = api_for(enterprise_user)
    r = api.post(
        "/api/v1/achievements/supplies", {"title": "x", "kind": "patent", "patent_number": "ZL202110123456.8"}
    )
    assert r.status_code == 422 and "patent_number" in r.json()["error"]["fields"]
    r = api.post("/api/v1/achievements/supplies", {"title": "x", "ipc_classes": ["<b>"]})
    assert r.status_code == 422 and "ipc_classes" in r.json()["error"]["fields"]
    r = api.post("/api/v1/achievements/supplies", {"title": "x", "trl": 0})
    assert r.status_code == 422 and "trl" in r.json()["error"]["fields"]


def test_bad_supply_input_on_the_web(enterprise_user) -> None:  # type: ignore[no-untyped-def]
    r = client_for(enterprise_user).post(
        "/achievements/new/",
        {"kind": "patent", "title": "x", "patent_number": "CN1", "ipc_text": "H01L, nonsense"},
    )
    assert r.status_code == 422
    page = r.content.decode()
    assert 'data-field="patent_number"' in page and 'data-field="ipc_text"' in page


def test_odd_cli_queries(indexed, capsys) -> None:  # type: ignore[no-untyped-def]
    from django.core.management import call_command

    for text in ODD_TEXTS.values():
        call_command("match", text, "--json")
    call_command("match", "", "--kind", "expert")
    assert "empty query" in capsys.readouterr().out


def test_nul_characters_are_dropped_by_the_api_and_refused_by_forms(api_for, enterprise_user) -> None:  # type: ignore[no-untyped-def]
    # PostgreSQL text cannot hold NUL: the API drops it, the web form names the field.
    r = api_for(enterprise_user).post(
        "/api/v1/matching/demands", {"title": "t\x00", "summary": "固态\x00电池"}
    )
    assert r.status_code == 201 and r.json()["summary"] == "固态电池" and r.json()["title"] == "t"
    r = client_for(enterprise_user).post(
        "/matching/demands/new/", {"title": "t", "summary": "固态\x00电池", "status": "open"}
    )
    assert r.status_code == 422 and 'data-field="summary"' in r.content.decode()
    r = api_for(enterprise_user).post(
        "/api/v1/achievements/supplies", {"title": "电池\x00", "keywords": ["\x00"]}
    )
    assert r.status_code == 201 and r.json()["title"] == "电池" and r.json()["keywords"] == []
