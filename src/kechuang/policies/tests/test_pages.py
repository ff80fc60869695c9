"""Every page: anonymous, another organisation, own organisation, staff."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from tests.conftest import client_for, in_english

from kechuang.policies import services

from .conftest import YEAR
from .test_services import make_document


@pytest.fixture
def run(own_firm, staff_user):  # type: ignore[no-untyped-def]
    return services.run_proactive(staff_user, YEAR)


def test_library_and_document_are_public(db) -> None:  # type: ignore[no-untyped-def]
    doc = make_document()
    page = client_for(None).get(reverse("policies:library"), {"q": "高新技术"})
    assert page.status_code == 200 and "国科发火〔2016〕32号" in page.content.decode()
    detail = client_for(None).get(reverse("policies:document_detail", args=[doc.pk]))
    assert detail.status_code == 200 and "第十一条" in detail.content.decode()


def test_visitor_check_computes_without_storing(db) -> None:  # type: ignore[no-untyped-def]
    from kechuang.core.models import EnterpriseFacts

    data = {"year": YEAR, "region": "310115", "industry_code": "C39", "collection_method": "audited", "resident": "true",
            "revenue": "80000000", "rd_expense": "2800000", "taxable_income": "10000000", "staff": "50", "total_assets": "9000000"}  # fmt: skip
    page = client_for(None).post(reverse("policies:visitor_check"), data)
    html = page.content.decode()
    assert page.status_code == 200 and 'data-policy="rd_super_deduction" data-group="eligible"' in html
    assert 'id="group-undetermined"' in html and EnterpriseFacts.objects.count() == 0
    assert "符合条件" in html and "研发费用税前加计扣除" in html  # Chinese by default


def test_visitor_check_shows_field_errors(db) -> None:  # type: ignore[no-untyped-def]
    page = client_for(None).post(
        reverse("policies:visitor_check"), {"year": YEAR, "staff": "10", "st_staff": "20"}
    )
    assert page.status_code == 200 and 'data-field="st_staff"' in page.content.decode()


def test_organisation_check_permissions(own_firm, enterprise_user, other_user, staff_user) -> None:  # type: ignore[no-untyped-def]
    url = reverse("policies:organisation_check", args=[own_firm.pk]) + f"?year={YEAR}"
    assert client_for(None).get(url).status_code == 302
    assert client_for(other_user).get(url).status_code == 403
    own = client_for(enterprise_user).get(url)
    assert (
        own.status_code == 200
        and 'data-policy="rd_super_deduction" data-group="eligible"' in own.content.decode()
    )
    assert client_for(staff_user).get(url).status_code == 200
    mine = client_for(enterprise_user).get(reverse("policies:my_check"))
    assert mine.status_code == 302 and mine.url.endswith(f"/organisations/{own_firm.pk}/check/")


def test_organisation_facts_permissions(own_firm, enterprise_user, other_user, staff_user) -> None:  # type: ignore[no-untyped-def]
    from kechuang.policies.models import SupplementaryFacts

    url = reverse("policies:organisation_facts", args=[own_firm.pk, YEAR])
    data = {"key_tech_field": "True", "tech_transfer_income": "100000"}
    assert client_for(None).post(url, data).status_code == 302
    assert client_for(other_user).post(url, data).status_code == 403
    assert not SupplementaryFacts.objects.exists()
    assert client_for(enterprise_user).post(url, data).status_code == 302
    assert SupplementaryFacts.objects.get().key_tech_field is True
    assert client_for(staff_user).post(url, {"key_tech_field": "False"}).status_code == 302
    assert SupplementaryFacts.objects.get().key_tech_field is False


@pytest.mark.parametrize("name", ["policies:proactive", "policies:simulate"])
def test_staff_pages_permissions(name, own_firm, enterprise_user, other_user, staff_user) -> None:  # type: ignore[no-untyped-def]
    url = reverse(name)
    assert client_for(None).get(url).status_code == 302
    assert client_for(other_user).get(url).status_code == 403
    assert client_for(enterprise_user).get(url).status_code == 403
    assert client_for(staff_user).get(url).status_code == 200


def test_proactive_pages(run, own_firm, enterprise_user, other_user, staff_user) -> None:  # type: ignore[no-untyped-def]
    urls = [
        ("get", reverse("policies:proactive_detail", args=[run.pk])),
        ("post", reverse("policies:proactive_export", args=[run.pk, "csv"])),
        ("post", reverse("policies:proactive_export", args=[run.pk, "xlsx"])),
        ("get", reverse("policies:proactive_notify", args=[run.pk])),
        ("post", reverse("policies:proactive_notify", args=[run.pk])),
    ]
    for method, url in urls:
        assert getattr(client_for(None), method)(url).status_code == 302
        assert getattr(client_for(other_user), method)(url).status_code == 403
        assert getattr(client_for(enterprise_user), method)(url).status_code == 403
    staff = client_for(staff_user)
    assert own_firm.name in staff.get(urls[0][1]).content.decode()
    assert staff.post(reverse("policies:proactive_export", args=[run.pk, "pdf"])).status_code == 404
    assert staff.get(urls[1][1]).status_code == 405  # starting an export is a POST


def _job_of(response):  # type: ignore[no-untyped-def]
    """The job a page started: its page is where the browser is sent."""
    from kechuang.core.jobs.models import Job

    assert response.status_code == 302 and response["Location"].startswith("/tasks/"), response
    return Job.objects.get(pk=int(response["Location"].split("/")[2]))


def test_a_proactive_run_starts_a_job_and_leads_to_the_run(own_firm, staff_user, run_jobs) -> None:  # type: ignore[no-untyped-def]
    staff = client_for(staff_user)
    with run_jobs.capture():
        job = _job_of(staff.post(reverse("policies:proactive"), {"year": YEAR}))
    assert job.title["zh-hans"] == f"{YEAR} 年度免申即享" and job.params == {"year": YEAR}
    assert job.title_text in staff.get(reverse("policies:proactive")).content.decode()  # shown as running
    run_jobs()
    page = staff.get(f"/tasks/{job.pk}/").content.decode()
    job.refresh_from_db()
    assert job.state == "succeeded" and f'href="{job.result_url}"' in page
    detail = staff.get(job.result_url).content.decode()
    assert own_firm.name in detail


def test_exports_are_files_of_a_job(
    run, own_firm, staff_user, other_user, run_jobs, settings, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    settings.DATA_DIR = tmp_path
    staff = client_for(staff_user)
    with run_jobs.capture():
        job = _job_of(staff.post(reverse("policies:proactive_export", args=[run.pk, "csv"])))
    run_jobs()
    page = staff.get(f"/tasks/{job.pk}/").content.decode()
    assert f"/tasks/{job.pk}/download/" in page and f"proactive-{YEAR}-{run.pk}.csv" in page
    download = staff.get(f"/tasks/{job.pk}/download/")
    text = b"".join(download.streaming_content).decode("utf-8-sig")
    assert text.splitlines()[0].startswith("统一社会信用代码") and own_firm.uscc in text
    assert client_for(other_user).get(f"/tasks/{job.pk}/download/").status_code == 404


def test_notifying_is_confirmed_with_the_count_and_can_be_limited(
    run, own_firm, other_org, staff_user, run_jobs
) -> None:  # type: ignore[no-untyped-def]
    from kechuang.core.models import Notification

    staff = client_for(staff_user)
    url = reverse("policies:proactive_notify", args=[run.pk])
    pending = services.pending_by_policy(run)
    benefits = [row["benefit"] or 0 for row in pending]
    assert benefits == sorted(benefits, reverse=True)  # largest estimated benefit first
    page = staff.get(url).content.decode()
    assert "通知 1 家企业" in page and 'hx-trigger="change"' in page and "<script>" not in page
    first = pending[0]["policy_id"]
    summary = staff.get(
        url, {"chosen": "1", "policy": [first]}, headers={"HX-Request": "true"}
    ).content.decode()
    assert "将通知 1 家企业" in summary and "<html" not in summary
    none = staff.get(url, {"chosen": "1"}, headers={"HX-Request": "true"}).content.decode()
    assert "disabled" in none
    assert staff.post(url, {"chosen": "1"}).status_code == 200  # nothing chosen: asked again
    with run_jobs.capture():
        job = _job_of(staff.post(url, {"chosen": "1", "policy": [first]}))
    assert job.params == {"run_id": run.pk, "policies": [first]} or job.params["policies"] is None
    run_jobs()
    job.refresh_from_db()
    assert job.state == "succeeded" and job.result["organisations_notified"] == 1
    assert Notification.objects.filter(kind="policies.proactive", organisation=own_firm).count() == 1
    assert run.matches.filter(policy_id=first, notified=True).exists()
    detail = staff.get(
        reverse("policies:proactive_detail", args=[run.pk]), {"sort": "benefit", "policy": first}
    )
    assert detail.status_code == 200


def test_simulate_page_compares_with_charts(own_firm, staff_user, run_jobs) -> None:  # type: ignore[no-untyped-def]
    url = reverse("policies:simulate")
    staff = client_for(staff_user)
    with run_jobs.capture():
        job = _job_of(staff.post(url, {"year": YEAR, "p:rd_super_deduction.rate.general": "0.5",
                                       "p:rd_super_deduction.rate.manufacturing": "0.5",
                                       "p:rd_super_deduction.rate.tech_sme": "0.5"}))  # fmt: skip
    result_url = reverse("policies:simulate_result", args=[job.pk])
    assert staff.get(result_url)["Location"] == f"/tasks/{job.pk}/"  # not done yet: its progress
    run_jobs()
    page = staff.get(result_url)
    html = page.content.decode()
    assert page.status_code == 200 and 'id="whatif-data"' in html and "chart.umd.min.js" in html
    assert "policies/whatif.js" in html and "<script>" not in html  # no inline script
    # 2.8m R&D at 100% → 50%: the fiscal cost of the super deduction halves (700,000 → 350,000).
    row = html.split('<tr data-policy="rd_super_deduction">')[1].split("</tr>")[0]
    assert "700,000.00" in row and "350,000.00" in row
    chart = json.loads(html.split('id="whatif-data" type="application/json">')[1].split("</script>")[0])
    assert chart["districts"] == ["浦东新区"]  # districts named in the charts
    bad = staff.post(url, {"year": YEAR, "p:hnte.cit_rate": "abc"})
    assert 'data-field="hnte.cit_rate"' in bad.content.decode()


def test_simulation_results_are_their_starters_and_staffs(
    own_firm, staff_user, make_user, enterprise_user, run_jobs
) -> None:  # type: ignore[no-untyped-def]
    from kechuang.core.models import User

    with run_jobs.capture():
        job = _job_of(client_for(staff_user).post(reverse("policies:simulate"), {"year": YEAR}))
    run_jobs()
    url = reverse("policies:simulate_result", args=[job.pk])
    assert client_for(None).get(url).status_code == 302
    assert client_for(enterprise_user).get(url).status_code == 403
    assert client_for(make_user(User.Role.ANALYST)).get(url).status_code == 200  # staff see every job
    assert client_for(staff_user).get(url).status_code == 200


def test_pages_switch_to_english(db) -> None:  # type: ignore[no-untyped-def]
    client = client_for(None)
    data = {"year": YEAR, "region": "310115", "industry_code": "C39", "collection_method": "audited", "resident": "true",
            "revenue": "80000000", "rd_expense": "2800000", "taxable_income": "10000000", "staff": "50"}  # fmt: skip
    page = in_english(client).post(reverse("policies:visitor_check"), data)
    html = page.content.decode()
    assert "Near misses" in html and "R&amp;D expense super deduction for CIT" in html


def test_admin_edits_go_through_the_audited_service(admin_user) -> None:  # type: ignore[no-untyped-def]
    from kechuang.core.models import AuditEntry

    doc = make_document()
    url = reverse("admin:policies_policydocument_change", args=[doc.pk])
    client = client_for(admin_user)
    form = client.get(url)
    assert form.status_code == 200
    data = {
        "title": doc.title, "title_en": doc.title_en, "doc_number": doc.doc_number, "authority": doc.authority,
        "level": doc.level, "effective_from": "2016-01-01", "effective_until": "", "full_text": doc.full_text,
        "target_groups": "", "benefit_type": doc.benefit_type, "application_window": "每年5月", "how_to_apply": "",
        "policy_ids": "hnte", "certainty": "[SRC]", "source_note": "",
    }  # fmt: skip
    assert client.post(url, data).status_code == 302
    entry = AuditEntry.objects.get(action="policy_document.update")
    assert entry.after["application_window"] == "每年5月" and entry.actor_id == admin_user.pk
