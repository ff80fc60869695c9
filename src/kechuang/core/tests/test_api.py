"""The core API: a permission test for every endpoint (anonymous, other organisation, own
organisation, staff), the error shape, pagination and the private/public split."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from tests.conftest import ApiClient, client_for, fresh_uscc

from kechuang.core import services
from kechuang.core.models import AuditEntry, Carrier, EnterpriseFacts, Organisation, Person, Region, User

API = "/api/v1/core"


@pytest.fixture
def world(
    own_org, other_org, enterprise_user, other_user, staff_user, admin_user, settings, tmp_path
) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    from kechuang.core.tests.test_views import finished_job

    settings.DATA_DIR = tmp_path
    services.record_enterprise_facts(None, own_org, 2022, revenue="1000000.00", staff=10, rd_staff=2)
    person = services.create_person(None, affiliation=own_org, name="张伟", position="研究员")
    carrier = services.create_carrier(
        None,
        name="浦东孵化器",
        kind=Carrier.Kind.INCUBATOR,
        region=Region.objects.get(pk="310115"),
        host=own_org,
    )
    note = services.notify(None, "test", "请补充年度数据", organisation=own_org)
    token, _key = services.issue_api_token(enterprise_user, "own script")
    return {"own": own_org, "other": other_org, "person": person, "carrier": carrier, "note": note,
            "job": finished_job(enterprise_user, tmp_path),
            "token": token, "users": {"anonymous": None, "other": other_user, "own": enterprise_user,
                                      "staff": staff_user, "admin": admin_user}}  # fmt: skip


ROLES = ("anonymous", "other", "own", "staff")

# (name, method, path(world), body(world), expected status per role)
Endpoint = tuple[str, str, Callable[[dict], str], Callable[[dict], Any], dict[str, int]]
PUBLIC_READ = {"anonymous": 200, "other": 200, "own": 200, "staff": 200}
SIGNED_IN = {"anonymous": 401, "other": 200, "own": 200, "staff": 200}
OWN_OR_STAFF = {"anonymous": 401, "other": 403, "own": 200, "staff": 200}

ENDPOINTS: list[Endpoint] = [
    ("me", "get", lambda w: f"{API}/me", lambda w: None, SIGNED_IN),
    ("regions", "get", lambda w: f"{API}/regions", lambda w: None, PUBLIC_READ),
    ("industries", "get", lambda w: f"{API}/industries", lambda w: None, PUBLIC_READ),
    ("tech-fields", "get", lambda w: f"{API}/tech-fields", lambda w: None, PUBLIC_READ),
    ("organisations list", "get", lambda w: f"{API}/organisations", lambda w: None, PUBLIC_READ),
    ("organisation detail", "get", lambda w: f"{API}/organisations/{w['own'].pk}", lambda w: None, PUBLIC_READ),
    ("organisation create", "post", lambda w: f"{API}/organisations",
     lambda w: {"uscc": fresh_uscc(), "name": "新登记企业", "region": "310104"},
     {"anonymous": 401, "other": 403, "own": 403, "staff": 201}),
    ("organisation patch", "patch", lambda w: f"{API}/organisations/{w['own'].pk}",
     lambda w: {"website": "https://example.cn"}, OWN_OR_STAFF),
    ("facts list", "get", lambda w: f"{API}/organisations/{w['own'].pk}/facts", lambda w: None, OWN_OR_STAFF),
    ("facts year", "get", lambda w: f"{API}/organisations/{w['own'].pk}/facts/2022", lambda w: None, OWN_OR_STAFF),
    ("facts put", "put", lambda w: f"{API}/organisations/{w['own'].pk}/facts/2023",
     lambda w: {"revenue": "2500000.00", "staff": 12}, OWN_OR_STAFF),
    ("people list", "get", lambda w: f"{API}/people", lambda w: None, PUBLIC_READ),
    ("person detail", "get", lambda w: f"{API}/people/{w['person'].pk}", lambda w: None, PUBLIC_READ),
    ("person create", "post", lambda w: f"{API}/people",
     lambda w: {"name": "李娜", "organisation_id": w["own"].pk, "position": "工程师"},
     {"anonymous": 401, "other": 403, "own": 201, "staff": 201}),
    ("person patch", "patch", lambda w: f"{API}/people/{w['person'].pk}", lambda w: {"title": "教授"}, OWN_OR_STAFF),
    ("affiliations list", "get", lambda w: f"{API}/people/{w['person'].pk}/affiliations", lambda w: None,
     PUBLIC_READ),
    ("affiliation add", "post", lambda w: f"{API}/people/{w['person'].pk}/affiliations",
     lambda w: {"organisation_id": w["own"].pk, "position": "博士后", "start_date": "2015-09-01",
                "end_date": "2018-08-31"},
     {"anonymous": 401, "other": 403, "own": 201, "staff": 201}),
    ("carriers list", "get", lambda w: f"{API}/carriers", lambda w: None, PUBLIC_READ),
    ("carrier detail", "get", lambda w: f"{API}/carriers/{w['carrier'].pk}", lambda w: None, PUBLIC_READ),
    ("carrier create", "post", lambda w: f"{API}/carriers",
     lambda w: {"name": "众创空间", "kind": "maker_space", "region": "310115", "host_id": w["own"].pk},
     {"anonymous": 401, "other": 403, "own": 201, "staff": 201}),
    ("carrier patch", "patch", lambda w: f"{API}/carriers/{w['carrier'].pk}", lambda w: {"firms_served": 40},
     OWN_OR_STAFF),
    ("audit log", "get", lambda w: f"{API}/audit", lambda w: None,
     {"anonymous": 401, "other": 403, "own": 403, "staff": 403}),
    ("notifications", "get", lambda w: f"{API}/notifications", lambda w: None, SIGNED_IN),
    ("notification read", "post", lambda w: f"{API}/notifications/{w['note'].pk}/read", lambda w: {},
     {"anonymous": 401, "other": 404, "own": 200, "staff": 404}),
    ("notifications read-all", "post", lambda w: f"{API}/notifications/read-all", lambda w: {}, SIGNED_IN),
    ("tokens list", "get", lambda w: f"{API}/tokens", lambda w: None, SIGNED_IN),
    ("token create", "post", lambda w: f"{API}/tokens", lambda w: {"name": "ci"},
     {"anonymous": 401, "other": 201, "own": 201, "staff": 201}),
    ("token revoke", "delete", lambda w: f"{API}/tokens/{w['token'].pk}", lambda w: None,
     {"anonymous": 401, "other": 404, "own": 204, "staff": 404}),
    # A background job is its starter's ("own") and staff's; to anyone else it does not exist.
    ("jobs list", "get", lambda w: f"{API}/jobs", lambda w: None, SIGNED_IN),
    ("job detail", "get", lambda w: f"{API}/jobs/{w['job'].pk}", lambda w: None,
     {"anonymous": 401, "other": 404, "own": 200, "staff": 200}),
    ("job file", "get", lambda w: f"{API}/jobs/{w['job'].pk}/file", lambda w: None,
     {"anonymous": 401, "other": 404, "own": 200, "staff": 200}),
    ("job cancel", "post", lambda w: f"{API}/jobs/{w['job'].pk}/cancel", lambda w: {},
     {"anonymous": 401, "other": 404, "own": 200, "staff": 200}),
]  # fmt: skip


def _call(client: ApiClient, method: str, path: str, body: Any):  # type: ignore[no-untyped-def]
    if method in {"post", "put", "patch"}:
        return getattr(client, method)(path, body)
    return getattr(client, method)(path)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[e[0] for e in ENDPOINTS])
def test_permissions(endpoint: Endpoint, role: str, world: dict) -> None:
    _name, method, path, body, expected = endpoint
    response = _call(ApiClient(world["users"][role]), method, path(world), body(world))
    assert response.status_code == expected[role], response.content
    if response.status_code in {401, 403, 404}:
        error = response.json()["error"]
        assert error["code"] in {"unauthenticated", "forbidden", "not_found"}
        assert error["message"]["zh"] and error["message"]["en"]
        assert error["message"]["zh"] != error["message"]["en"]


def test_every_route_has_a_permission_case(world: dict) -> None:
    """The matrix above covers exactly the core API's routes, method by method."""
    import re

    from django.test import Client
    from django.urls import resolve

    # The schema as the API publishes it (core sits below the project's API module: no import).
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    routes = {(m, p) for p, ops in paths.items() if p.startswith(API + "/") for m in ops}
    covered = set()
    for _name, method, path, _body, _expected in ENDPOINTS:
        route = "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", resolve(path(world)).route)
        covered.add((method, route))
    assert covered == routes


def test_admin_reads_the_audit_log(world: dict) -> None:
    response = ApiClient(world["users"]["admin"]).get(f"{API}/audit", object_type="core.organisation")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] >= 2
    assert {e["action"] for e in body["items"]} == {"organisation.create"}


def test_wrong_credit_code_is_a_bilingual_field_error(world: dict) -> None:
    own = world["own"]
    wrong = own.uscc[:17] + ("0" if own.uscc[17] != "0" else "1")
    response = ApiClient(world["users"]["own"]).patch(f"{API}/organisations/{own.pk}", {"uscc": wrong})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert error["message"]["en"] == "The data is not valid." and error["message"]["zh"] == "数据无效。"
    message = error["fields"]["uscc"][0]
    assert "check character" in message["en"]
    assert "校验码" in message["zh"]
    own.refresh_from_db()
    assert own.uscc != wrong  # nothing was saved


def test_unknown_region_is_a_field_error_not_404(world: dict) -> None:
    response = ApiClient(world["users"]["own"]).patch(
        f"{API}/organisations/{world['own'].pk}", {"region": "999999"}
    )
    assert response.status_code == 422
    fields = response.json()["error"]["fields"]
    assert "999999" in fields["region"][0]["en"] and "999999" in fields["region"][0]["zh"]


def test_unknown_organisation_in_a_body_is_a_field_error(world: dict) -> None:
    response = ApiClient(world["users"]["staff"]).post(
        f"{API}/people", {"name": "王芳", "organisation_id": 99999}
    )
    assert response.status_code == 422
    assert "organisation_id" in response.json()["error"]["fields"]


def test_type_errors_are_bilingual_field_errors(world: dict) -> None:
    response = ApiClient(world["users"]["own"]).put(
        f"{API}/organisations/{world['own'].pk}/facts/2023", {"revenue": "lots", "staff": -1}
    )
    assert response.status_code == 422
    fields = response.json()["error"]["fields"]
    assert set(fields) == {"revenue", "staff"}
    assert fields["revenue"][0]["zh"] != fields["revenue"][0]["en"]


def test_model_rule_errors_come_back_on_their_field(world: dict) -> None:
    response = ApiClient(world["users"]["own"]).put(
        f"{API}/organisations/{world['own'].pk}/facts/2023", {"staff": 5, "rd_staff": 9}
    )
    assert response.status_code == 422
    assert "rd_staff" in response.json()["error"]["fields"]
    assert not EnterpriseFacts.objects.filter(organisation=world["own"], year=2023).exists()


def test_put_facts_keeps_missing_apart_from_zero(world: dict) -> None:
    response = ApiClient(world["users"]["own"]).put(
        f"{API}/organisations/{world['own'].pk}/facts/2023", {"revenue": "0", "staff": 3}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["rd_expense"] is None
    assert body["revenue"] is not None and float(body["revenue"]) == 0
    assert body["reported_by"] == world["users"]["own"].username
    row = EnterpriseFacts.objects.get(organisation=world["own"], year=2023)
    assert row.revenue == 0 and row.rd_expense is None


def test_financial_facts_are_never_in_public_payloads(world: dict) -> None:
    for path in (f"{API}/organisations/{world['own'].pk}", f"{API}/organisations"):
        text = ApiClient(None).get(path).content.decode()
        assert "revenue" not in text and "1000000" not in text


def test_pagination_envelope(world: dict, make_org) -> None:  # type: ignore[no-untyped-def]
    for _ in range(3):
        make_org()
    client = ApiClient(None)
    body = client.get(f"{API}/organisations", page=2, page_size=2).json()
    assert set(body) == {"items", "count", "page", "page_size", "pages"}
    assert body["count"] == 5 and body["page"] == 2 and body["page_size"] == 2 and body["pages"] == 3
    assert len(body["items"]) == 2
    assert client.get(f"{API}/organisations", page=9).json()["items"] == []
    capped = client.get(f"{API}/regions", page_size=10_000).json()
    assert capped["page_size"] == 200
    bad = client.get(f"{API}/organisations", page=0)
    assert bad.status_code == 422 and "page" in bad.json()["error"]["fields"]


def test_writes_are_audited_with_the_caller(world: dict) -> None:
    user = world["users"]["own"]
    ApiClient(user).patch(f"{API}/organisations/{world['own'].pk}", {"address": "张江路 1 号"})
    entry = AuditEntry.objects.filter(action="organisation.update").first()
    assert entry is not None and entry.actor == user
    assert entry.before["address"] == "" and entry.after["address"] == "张江路 1 号"


def test_staff_creates_an_organisation(world: dict) -> None:
    uscc = fresh_uscc()
    response = ApiClient(world["users"]["staff"]).post(
        f"{API}/organisations",
        {"uscc": uscc.lower(), "name": "新企业", "region": "310104", "industry": "I", "tech_fields": ["1"]},
    )
    assert response.status_code == 201, response.content
    org = Organisation.objects.get(uscc=uscc)
    assert response.json()["tech_fields"] == ["1"] and org.industry_id == "I"
    duplicate = ApiClient(world["users"]["staff"]).post(
        f"{API}/organisations", {"uscc": uscc, "name": "重复", "region": "310104"}
    )
    assert duplicate.status_code == 422 and "uscc" in duplicate.json()["error"]["fields"]


def test_notifications_are_the_callers_own(world: dict) -> None:
    own = ApiClient(world["users"]["own"]).get(f"{API}/notifications").json()
    other = ApiClient(world["users"]["other"]).get(f"{API}/notifications").json()
    assert [n["id"] for n in own["items"]] == [world["note"].pk]
    assert other["items"] == []
    response = ApiClient(world["users"]["own"]).post(f"{API}/notifications/{world['note'].pk}/read", {})
    assert response.json()["read_at"] is not None
    assert ApiClient(world["users"]["own"]).get(f"{API}/notifications", unread=True).json()["count"] == 0


def test_token_lifecycle(world: dict) -> None:
    user = world["users"]["other"]
    client = ApiClient(user)
    created = client.post(f"{API}/tokens", {"name": "nightly export"})
    assert created.status_code == 201
    key = created.json()["key"]
    fresh = ApiClient(None)
    fresh.headers["Authorization"] = f"Bearer {key}"
    assert fresh.get(f"{API}/me").json()["username"] == user.username
    listed = client.get(f"{API}/tokens").json()
    assert "key" not in listed["items"][0]
    assert client.delete(f"{API}/tokens/{created.json()['id']}").status_code == 204
    assert fresh.get(f"{API}/me").status_code == 401
    assert client.post(f"{API}/tokens", {"name": "  "}).status_code == 422


def test_inactive_users_token_is_refused(world: dict) -> None:
    user = world["users"]["other"]
    client = ApiClient(user)
    services.update_user(None, user, is_active=False)
    assert client.get(f"{API}/me").status_code == 401


def test_session_authentication_works_too(world: dict) -> None:
    response = client_for(world["users"]["own"]).get(f"{API}/me")
    assert response.status_code == 200 and response.json()["organisation_id"] == world["own"].pk


def test_person_with_history(world: dict) -> None:
    staff = ApiClient(world["users"]["staff"])
    person = world["person"]
    response = staff.post(
        f"{API}/people/{person.pk}/affiliations",
        {"organisation_id": world["other"].pk, "position": "首席科学家", "start_date": "2023-01-01"},
    )
    assert response.status_code == 201
    affiliations = staff.get(f"{API}/people/{person.pk}/affiliations").json()["items"]
    assert [a["end_date"] for a in affiliations] == [None, "2023-01-01"]
    assert Person.objects.get(pk=person.pk).current_affiliation.organisation == world["other"]


def test_openapi_and_docs() -> None:
    from django.test import Client

    schema = Client().get("/api/v1/openapi.json")
    assert schema.status_code == 200
    assert f"{API}/organisations/{{org_id}}/facts/{{year}}" in schema.json()["paths"]
    assert Client().get("/api/v1/docs").status_code == 200


def test_me(world: dict) -> None:
    body = ApiClient(world["users"]["admin"]).get(f"{API}/me").json()
    assert body["role"] == User.Role.ADMIN and body["is_admin"] and body["is_staff"]


def test_dates_are_iso(world: dict) -> None:
    services.update_organisation(None, world["own"], founded_on=dt.date(2015, 3, 1))
    assert ApiClient(None).get(f"{API}/organisations/{world['own'].pk}").json()["founded_on"] == "2015-03-01"
