"""Every marketplace page and endpoint for four readers: anonymous, another organisation (a stranger
to the demand and the lead), the demand's own organisation, and platform staff.

In the world below, own_org posted a confidential demand with an open call; other_org owns the
matched supply (the lead's counterpart) and applied to the call; `stranger` belongs to neither.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from tests.conftest import client_for

from kechuang.achievements.services import record_funded_project
from kechuang.core import services as core_services
from kechuang.matching import services
from kechuang.matching.models import Demand

from . import factories as f

pytestmark = pytest.mark.django_db

WHO = ("anon", "stranger", "own", "staff")


@dataclass
class World:
    users: dict[str, Any]
    ids: dict[str, int]


@pytest.fixture
def world(
    own_org,
    other_org,
    make_org,
    make_user,
    enterprise_user,
    other_user,
    staff_user,
    django_capture_on_commit_callbacks,
) -> World:  # type: ignore[no-untyped-def]
    stranger = make_user("enterprise", make_org(name="上海无关科技有限公司"))
    with django_capture_on_commit_callbacks(execute=True):
        supply = f.supply(other_org)
        draft = f.supply(own_org, title="草稿成果", publish=False)
    with django_capture_on_commit_callbacks(execute=True):
        d = f.demand(own_org, actor=enterprise_user, confidential=True, details="机密工艺参数 X-17")
        expert_person = core_services.create_person(None, affiliation=other_org, name="张三")
        expert = services.build_expert_profile(None, expert_person)
    call = f.call(d)
    project = record_funded_project(None, number="71799999", title="服务创新", principal=expert_person)
    app = services.apply_to_call(other_user, call, "我们的方案")
    lead = d.leads.get(supply=supply)
    users = {
        "anon": None,
        "stranger": stranger,
        "own": enterprise_user,
        "staff": staff_user,
        "supplier": other_user,
    }
    ids = {"demand": d.pk, "supply": supply.pk, "draft": draft.pk, "expert": expert.pk, "call": call.pk,
           "app": app.pk, "lead": lead.pk, "person": expert_person.pk, "project": project.pk}  # fmt: skip
    return World(users, ids)


TOMORROW = (dt.date.today() + dt.timedelta(days=7)).isoformat()

# (method, url template, form data, expected status for anon / stranger / own / staff)
PAGES: list[tuple[str, str, dict[str, Any], tuple[int, int, int, int]]] = [
    ("get", "/matching/", {}, (200, 200, 200, 200)),
    ("get", "/matching/demands/new/", {}, (302, 200, 200, 403)),
    ("get", "/matching/demands/{demand}/", {}, (200, 200, 200, 200)),
    ("get", "/matching/demands/{demand}/edit/", {}, (302, 403, 200, 200)),
    ("post", "/matching/demands/{demand}/nda/", {}, (302, 302, 302, 403)),
    ("post", "/matching/demands/{demand}/lead/", {"supply": "{supply}"}, (302, 403, 302, 302)),
    ("get", "/matching/demands/{demand}/call/", {}, (302, 403, 200, 200)),
    ("post", "/matching/preview/", {"summary": "固态电池电解质"}, (200, 200, 200, 200)),
    ("get", "/matching/experts/", {}, (200, 200, 200, 200)),
    ("get", "/matching/experts/{expert}/", {}, (200, 200, 200, 200)),
    ("get", "/matching/calls/", {}, (200, 200, 200, 200)),
    ("get", "/matching/calls/{call}/", {}, (200, 200, 200, 200)),
    ("post", "/matching/calls/{call}/apply/", {"proposal": "方案"}, (302, 302, 422, 403)),
    (
        "post",
        "/matching/applications/{app}/decide/",
        {"decision": "shortlist", "respond_by": TOMORROW},
        (302, 403, 302, 302),
    ),
    ("get", "/matching/leads/", {}, (302, 200, 200, 200)),
    ("get", "/matching/leads/{lead}/", {}, (302, 403, 200, 200)),
    ("post", "/matching/leads/{lead}/move/", {"stage": "contacted"}, (302, 403, 302, 302)),
    ("get", "/matching/funnel/", {}, (302, 403, 403, 200)),
    ("get", "/achievements/", {}, (200, 200, 200, 200)),
    ("get", "/achievements/?q=固态电池&kind=result", {}, (200, 200, 200, 200)),
    ("get", "/achievements/{supply}/", {}, (200, 200, 200, 200)),
    ("get", "/achievements/{draft}/", {}, (404, 404, 200, 200)),
    ("get", "/achievements/new/", {}, (302, 200, 200, 403)),
    ("get", "/achievements/{draft}/edit/", {}, (302, 404, 200, 200)),
    ("get", "/achievements/{supply}/edit/", {}, (302, 403, 403, 200)),
    ("post", "/achievements/{draft}/status/", {"status": "published"}, (302, 404, 302, 302)),
    ("get", "/achievements/projects/", {}, (200, 200, 200, 200)),
]


def _fill(template: str, ids: dict[str, int]) -> str:
    return template.format(**ids)


@pytest.mark.parametrize(
    ("method", "url", "data", "expected"), PAGES, ids=[f"{m} {u}" for m, u, _d, _e in PAGES]
)
@pytest.mark.parametrize("who", WHO)
def test_page_permissions(world, who, method, url, data, expected) -> None:  # type: ignore[no-untyped-def]
    client = client_for(world.users[who])
    data = {k: _fill(v, world.ids) for k, v in data.items()}
    response = getattr(client, method)(_fill(url, world.ids), data)
    assert response.status_code == expected[WHO.index(who)], response.content[:400]
    if response.status_code == 302 and who == "anon":
        assert "/accounts/login/" in response["Location"] or method == "post"


# (method, url, json body, expected for anon / stranger / own / staff)
ENDPOINTS: list[tuple[str, str, Any, tuple[int, int, int, int]]] = [
    ("post", "/api/v1/matching/match", {"text": "固态电池电解质"}, (200, 200, 200, 200)),
    ("get", "/api/v1/matching/index", None, (200, 200, 200, 200)),
    ("get", "/api/v1/matching/demands", None, (200, 200, 200, 200)),
    ("get", "/api/v1/matching/demands/{demand}", None, (200, 200, 200, 200)),
    (
        "post",
        "/api/v1/matching/demands",
        {"title": "新需求", "summary": "需要图像识别算法"},
        (401, 201, 201, 403),
    ),
    ("patch", "/api/v1/matching/demands/{demand}", {"title": "改名"}, (401, 403, 200, 200)),
    ("post", "/api/v1/matching/demands/{demand}/nda", None, (401, 200, 422, 403)),
    ("get", "/api/v1/matching/demands/{demand}/matches", None, (200, 200, 200, 200)),
    ("delete", "/api/v1/matching/demands/{demand}", None, (401, 403, 422, 422)),  # it has an open call
    ("get", "/api/v1/matching/experts", None, (200, 200, 200, 200)),
    ("get", "/api/v1/matching/experts/{expert}", None, (200, 200, 200, 200)),
    ("get", "/api/v1/matching/experts/{expert}/similar", None, (200, 200, 200, 200)),
    ("post", "/api/v1/matching/experts", {"person_id": "{person}"}, (401, 403, 403, 201)),
    ("get", "/api/v1/matching/calls", None, (200, 200, 200, 200)),
    ("get", "/api/v1/matching/calls/{call}", None, (200, 200, 200, 200)),
    (
        "post",
        "/api/v1/matching/calls",
        {
            "demand_id": "{demand}",
            "prize": "100",
            "eligibility": "a",
            "evaluation": "b",
            "opens_on": "2026-01-01",
            "closes_on": "2026-12-31",
        },
        (401, 403, 422, 422),
    ),
    ("get", "/api/v1/matching/calls/{call}/applications", None, (401, 200, 200, 200)),
    ("post", "/api/v1/matching/calls/{call}/applications", {"proposal": "方案"}, (401, 201, 422, 403)),
    ("get", "/api/v1/matching/applications/{app}", None, (401, 403, 200, 200)),
    (
        "post",
        "/api/v1/matching/applications/{app}/decision",
        {"decision": "shortlist", "respond_by": TOMORROW},
        (401, 403, 200, 200),
    ),
    ("get", "/api/v1/matching/leads", None, (401, 200, 200, 200)),
    ("get", "/api/v1/matching/leads/{lead}", None, (401, 403, 200, 200)),
    (
        "post",
        "/api/v1/matching/leads",
        {"demand_id": "{demand}", "supply_id": "{supply}"},
        (401, 403, 201, 201),
    ),
    ("post", "/api/v1/matching/leads/{lead}/advance", {"stage": "contacted"}, (401, 403, 200, 200)),
    ("post", "/api/v1/matching/leads/{lead}/close", {"reason": "price"}, (401, 403, 200, 200)),
    ("get", "/api/v1/matching/funnel", None, (401, 200, 200, 200)),
    ("get", "/api/v1/matching/funnel?demand={demand}", None, (401, 200, 200, 200)),
    ("get", "/api/v1/matching/funnel?scope=city", None, (401, 403, 403, 200)),
    ("get", "/api/v1/achievements/supplies", None, (200, 200, 200, 200)),
    ("get", "/api/v1/achievements/supplies?q=电解质", None, (200, 200, 200, 200)),
    ("get", "/api/v1/achievements/supplies/{supply}", None, (200, 200, 200, 200)),
    ("get", "/api/v1/achievements/supplies/{draft}", None, (404, 404, 200, 200)),
    ("get", "/api/v1/achievements/supplies/{supply}/similar", None, (200, 200, 200, 200)),
    ("post", "/api/v1/achievements/supplies", {"title": "新成果", "abstract": "摘要"}, (401, 201, 201, 403)),
    ("patch", "/api/v1/achievements/supplies/{draft}", {"trl": 5}, (401, 404, 200, 200)),
    ("patch", "/api/v1/achievements/supplies/{supply}", {"trl": 5}, (401, 403, 403, 200)),
    ("post", "/api/v1/achievements/supplies/{draft}/status", {"status": "published"}, (401, 404, 200, 200)),
    ("delete", "/api/v1/achievements/supplies/{draft}", None, (401, 404, 204, 204)),
    ("get", "/api/v1/achievements/projects", None, (200, 200, 200, 200)),
    ("get", "/api/v1/achievements/projects/{project}", None, (200, 200, 200, 200)),
]


def _fill_body(body: Any, ids: dict[str, int]) -> Any:
    if body is None:
        return None
    out = {}
    for k, v in body.items():
        out[k] = int(_fill(v, ids)) if isinstance(v, str) and v.startswith("{") else v
    return out


@pytest.mark.parametrize(
    ("method", "url", "body", "expected"), ENDPOINTS, ids=[f"{m} {u}" for m, u, _b, _e in ENDPOINTS]
)
@pytest.mark.parametrize("who", WHO)
def test_endpoint_permissions(world, api_for, who, method, url, body, expected) -> None:  # type: ignore[no-untyped-def]
    api = api_for(world.users[who])
    path = _fill(url, world.ids)
    if method in ("get", "delete"):
        response = getattr(api, method)(path)
    else:
        response = getattr(api, method)(path, _fill_body(body, world.ids))
    assert response.status_code == expected[WHO.index(who)], response.content[:400]
    if response.status_code >= 400:
        assert set(response.json()["error"]) >= {"code", "message"}


def test_confidential_details_follow_the_nda(world, api_for) -> None:  # type: ignore[no-untyped-def]
    path = f"/api/v1/matching/demands/{world.ids['demand']}"
    for who, visible in (
        ("anon", False),
        ("stranger", False),
        ("supplier", False),
        ("own", True),
        ("staff", True),
    ):
        body = api_for(world.users[who]).get(path).json()
        assert (body["details"] == "机密工艺参数 X-17") is visible, who
        assert body["details_hidden"] is not visible
    page = (
        client_for(world.users["stranger"]).get(f"/matching/demands/{world.ids['demand']}/").content.decode()
    )
    assert "X-17" not in page and 'data-testid="details-hidden"' in page
    api_for(world.users["supplier"]).post(f"{path}/nda")
    assert api_for(world.users["supplier"]).get(path).json()["details"] == "机密工艺参数 X-17"
    assert api_for(world.users["stranger"]).get(path).json()["details"] is None


def test_confidential_details_never_appear_in_search_output(world, api_for) -> None:  # type: ignore[no-untyped-def]
    for who in WHO:
        api = api_for(world.users[who])
        for kind in ("demand", "supply", "expert"):
            for text in ("机密工艺参数 X-17", "固态电池"):
                r = api.post("/api/v1/matching/match", {"text": text, "kind": kind})
                assert (
                    r.status_code == 200
                    and "X-17" not in r.content.decode()
                    and "机密" not in r.content.decode()
                )
        assert "X-17" not in api.get("/api/v1/matching/demands?q=X-17").content.decode()
        assert api.get("/api/v1/matching/demands?q=X-17").json()["count"] == 0


def test_drafts_of_demands_are_hidden(world, api_for, own_org, enterprise_user) -> None:  # type: ignore[no-untyped-def]
    draft = f.demand(own_org, actor=enterprise_user, status=Demand.Status.DRAFT, recommend=False)
    path = f"/api/v1/matching/demands/{draft.pk}"
    assert [api_for(world.users[w]).get(path).status_code for w in WHO] == [404, 404, 200, 200]
    assert client_for(world.users["stranger"]).get(f"/matching/demands/{draft.pk}/").status_code == 404
