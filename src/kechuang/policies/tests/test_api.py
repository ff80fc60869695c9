"""Every endpoint: anonymous, another organisation, own organisation, staff."""

from __future__ import annotations

import copy

import pytest

from .conftest import YEAR
from .test_navigator import EXAMPLE
from .test_services import make_document

BASE = "/api/v1/policies"


def test_public_endpoints(db, api_for) -> None:  # type: ignore[no-untyped-def]
    doc = make_document()
    anon = api_for(None)
    assert (
        anon.get(f"{BASE}/documents", q="高新技术").json()["items"][0]["doc_number"] == "国科发火〔2016〕32号"
    )
    assert anon.get(f"{BASE}/documents/{doc.pk}").json()["policy_ids"] == "hnte"
    assert anon.get(f"{BASE}/documents/999999").status_code == 404
    catalogue = anon.get(f"{BASE}/catalogue").json()
    assert "hnte" in {p["id"] for p in catalogue}
    params = anon.get(f"{BASE}/parameters", year=2023).json()
    assert any(p["path"] == "hnte.cit_rate" and p["value"] == 0.15 for p in params)


def test_check_typed_facts_is_public_and_validates(db, api_for) -> None:  # type: ignore[no-untyped-def]
    anon = api_for(None)
    body = {"year": 2023, **copy.deepcopy(EXAMPLE)}
    res = anon.post(f"{BASE}/check", body)
    assert res.status_code == 200
    policies = {p["id"]: p for p in res.json()["policies"]}
    assert policies["hnte"]["conditions"][0]["label"]["en"]
    body["years"]["2023"]["staff"] = -5
    bad = anon.post(f"{BASE}/check", body)
    assert bad.status_code == 422
    err = bad.json()["error"]["fields"]["years.2023.staff"][0]
    assert err["zh"] and err["en"] == "Must not be negative."


def test_patch_document_permissions(db, api_for, enterprise_user, staff_user) -> None:  # type: ignore[no-untyped-def]
    doc = make_document()
    url = f"{BASE}/documents/{doc.pk}"
    assert api_for(None).patch(url, {"application_window": "x"}).status_code == 401
    assert api_for(enterprise_user).patch(url, {"application_window": "x"}).status_code == 403
    ok = api_for(staff_user).patch(url, {"application_window": "每年5–9月"})
    assert ok.status_code == 200 and ok.json()["application_window"] == "每年5–9月"


def test_organisation_check_permissions(own_firm, api_for, enterprise_user, other_user, staff_user) -> None:  # type: ignore[no-untyped-def]
    url = f"{BASE}/organisations/{own_firm.pk}/check"
    assert api_for(None).get(url, year=YEAR).status_code == 401
    assert api_for(other_user).get(url, year=YEAR).status_code == 403
    own = api_for(enterprise_user).get(url, year=YEAR)
    assert own.status_code == 200
    rdsd = next(p for p in own.json()["policies"] if p["id"] == "rd_super_deduction")
    assert rdsd["verdict"] == "eligible" and rdsd["benefit"]["amount"] == "700000.00"
    assert api_for(staff_user).get(url, year=YEAR).status_code == 200


def test_supplementary_facts_permissions(own_firm, api_for, enterprise_user, other_user, staff_user) -> None:  # type: ignore[no-untyped-def]
    url = f"{BASE}/organisations/{own_firm.pk}/facts/{YEAR}"
    assert api_for(None).put(url, {"key_tech_field": True}).status_code == 401
    assert api_for(other_user).put(url, {"key_tech_field": True}).status_code == 403
    assert api_for(enterprise_user).put(url, {"key_tech_field": True, "innovation": 1}).status_code == 200
    res = api_for(staff_user).put(url, {"tech_transfer_income": 1000})
    assert res.status_code == 200 and res.json()["key_tech_field"] is True


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/simulate", {"year": YEAR, "changes": {"hnte.cit_rate": 0.1}}),
        ("post", "/proactive-runs", {"year": YEAR}),
        ("get", "/proactive-runs", None),
    ],
)
def test_staff_endpoints_refuse_others(
    method, path, body, own_firm, api_for, enterprise_user, other_user, staff_user
) -> None:  # type: ignore[no-untyped-def]
    def call(user):  # type: ignore[no-untyped-def]
        client = api_for(user)
        return client.post(BASE + path, body) if method == "post" else client.get(BASE + path)

    assert call(None).status_code == 401
    assert call(other_user).status_code == 403
    assert call(enterprise_user).status_code == 403
    assert call(staff_user).status_code in (200, 202)


def _finished(api, started, run_jobs):  # type: ignore[no-untyped-def]
    """Run the job a 202 answer started; its state as the API reports it then."""
    assert started.status_code == 202, started.content
    body = started.json()
    assert body["state"] == "queued" and body["url"] == f"/api/v1/core/jobs/{body['id']}"
    run_jobs()
    return api.get(body["url"]).json()


def test_simulate_api(own_firm, api_for, staff_user, run_jobs) -> None:  # type: ignore[no-untyped-def]
    staff = api_for(staff_user)
    with run_jobs.capture():
        started = staff.post(
            f"{BASE}/simulate",
            {
                "year": YEAR,
                "changes": {
                    "rd_super_deduction.rate.manufacturing": 0.5,
                    "rd_super_deduction.rate.general": 0.5,
                    "rd_super_deduction.rate.tech_sme": 0.5,
                },
            },
        )
    job = _finished(staff, started, run_jobs)
    assert job["state"] == "succeeded" and job["result_url"] == f"/policies/simulate/results/{job['id']}/"
    row = job["result"]["policies"]["rd_super_deduction"]
    assert row["before"]["fiscal_cost"] == 700000.0 and row["after"]["fiscal_cost"] == 350000.0
    assert row["after"]["by_district"]["310115"]["fiscal_cost"] == 350000.0
    bad = staff.post(f"{BASE}/simulate", {"year": YEAR, "changes": {"no.such": 1}})
    assert bad.status_code == 422 and "changes.no.such" in bad.json()["error"]["fields"]


def test_proactive_run_endpoints(
    own_firm, api_for, enterprise_user, staff_user, run_jobs, settings, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    settings.DATA_DIR = tmp_path
    staff = api_for(staff_user)
    with run_jobs.capture():
        started = staff.post(f"{BASE}/proactive-runs", {"year": YEAR})
    job = _finished(staff, started, run_jobs)
    assert job["state"] == "succeeded"
    run_id = job["result"]["run"]
    assert job["result_url"] == f"/policies/proactive/{run_id}/"
    assert staff.post(f"{BASE}/proactive-runs", {"year": YEAR, "policies": ["nope"]}).status_code == 422

    assert api_for(None).get(f"{BASE}/proactive-runs/{run_id}").status_code == 401
    assert api_for(enterprise_user).get(f"{BASE}/proactive-runs/{run_id}").status_code == 403
    for path in (f"/proactive-runs/{run_id}/notify", f"/proactive-runs/{run_id}/exports"):
        assert api_for(None).post(BASE + path, {}).status_code == 401
        assert api_for(enterprise_user).post(BASE + path, {}).status_code == 403
    detail = staff.get(f"{BASE}/proactive-runs/{run_id}").json()
    assert any(e["policy"] == "rd_super_deduction" and e["uscc"] == own_firm.uscc for e in detail["eligible"])

    with run_jobs.capture():
        started = staff.post(f"{BASE}/proactive-runs/{run_id}/exports", {"format": "xlsx"})
    job = _finished(staff, started, run_jobs)
    assert job["state"] == "succeeded" and job["file_url"] == f"/api/v1/core/jobs/{job['id']}/file"
    xlsx = staff.get(job["file_url"])
    assert xlsx.status_code == 200 and b"".join(xlsx.streaming_content)[:2] == b"PK"
    assert api_for(enterprise_user).get(job["file_url"]).status_code == 404
    assert staff.post(f"{BASE}/proactive-runs/{run_id}/exports", {"format": "pdf"}).status_code == 422

    assert staff.post(f"{BASE}/proactive-runs/{run_id}/notify", {"policies": []}).status_code == 422
    with run_jobs.capture():
        started = staff.post(f"{BASE}/proactive-runs/{run_id}/notify", {"policies": ["rd_super_deduction"]})
    job = _finished(staff, started, run_jobs)
    assert job["result"]["organisations_notified"] == 1
