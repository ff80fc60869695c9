"""Background jobs in-process: start, progress, outcome, failure, cancel, the reaper, the pages and
the API with their permissions. (test_worker.py kills a real worker process.)"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from tests.conftest import client_for, in_english

from kechuang.core import jobs
from kechuang.core.jobs.models import Job
from kechuang.core.jobs.reaper import reap
from kechuang.core.models import AuditEntry, Notification
from kechuang.core.tests import jobtasks


def _start(run_jobs, user, task=jobtasks.write_notes, **params):  # type: ignore[no-untyped-def]
    with run_jobs.capture():
        job = jobs.start(user, task, "测试任务 / a test task", **params)
    job.refresh_from_db()
    return job


def test_a_job_runs_and_its_writes_commit_with_its_outcome(db, run_jobs, enterprise_user) -> None:  # type: ignore[no-untyped-def]
    job = _start(run_jobs, enterprise_user, count=3)
    assert job.state == Job.State.QUEUED and job.task_id  # handed to the queue on commit
    assert DBTaskResult.objects.get(id=job.task_id).status == TaskResultStatus.READY
    assert AuditEntry.objects.filter(action="job.start", object_id=str(job.pk)).exists()
    run_jobs()
    job.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED and job.attempts == 1
    assert (job.done, job.total, job.percent) == (3, 3, 100)
    assert job.result == {"written": 3} and job.result_url == "/inbox/"
    assert job.result_label == {"zh-hans": "查看结果", "en": "Open the result"}
    assert job.message == {}  # the last step's message is cleared when done
    assert Notification.objects.filter(user=enterprise_user, kind="test.note").count() == 3
    assert DBTaskResult.objects.get(id=job.task_id).status == TaskResultStatus.SUCCESSFUL


def test_a_failing_job_keeps_nothing_and_says_why_in_both_languages(db, run_jobs, enterprise_user) -> None:  # type: ignore[no-untyped-def]
    job = _start(run_jobs, enterprise_user, count=5, fail_at=3)
    run_jobs()
    job.refresh_from_db()
    assert job.state == Job.State.FAILED and job.finished_at is not None
    assert job.error == {"zh-hans": "Stopped at note 4 on purpose.", "en": "Stopped at note 4 on purpose."}
    assert not Notification.objects.filter(kind="test.note").exists()  # three were written, none kept


def test_an_unexpected_error_is_reported_plainly_with_detail_for_staff(db, run_jobs, enterprise_user) -> None:  # type: ignore[no-untyped-def]
    job = _start(run_jobs, enterprise_user, count=2, crash_at=1)
    run_jobs()
    job.refresh_from_db()
    assert job.state == Job.State.FAILED
    assert "unexpectedly" in job.error["en"] and "RuntimeError: a bug in the task" in job.error_detail
    assert DBTaskResult.objects.get(id=job.task_id).status == TaskResultStatus.FAILED
    assert not Notification.objects.filter(kind="test.note").exists()


def test_a_cancelled_job_does_not_run(db, run_jobs, enterprise_user) -> None:  # type: ignore[no-untyped-def]
    job = _start(run_jobs, enterprise_user, count=2)
    assert jobs.cancel(enterprise_user, job)
    assert not jobs.cancel(enterprise_user, job)  # already stopped
    run_jobs()
    job.refresh_from_db()
    assert job.state == Job.State.CANCELLED and job.attempts == 0
    assert not Notification.objects.filter(kind="test.note").exists()
    assert AuditEntry.objects.filter(action="job.cancel", object_id=str(job.pk)).count() == 1


def test_parameters_must_be_json_and_tasks_must_be_job_tasks(db, enterprise_user) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(TypeError):
        jobs.start(enterprise_user, jobtasks.write_notes, "x", count=object())
    with pytest.raises(TypeError):
        jobs.start(enterprise_user, jobtasks.plain_task, "x")


def test_a_file_result_is_downloaded_by_its_owner_only(
    db, run_jobs, enterprise_user, other_user, staff_user, settings, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    settings.DATA_DIR = tmp_path
    job = _start(run_jobs, enterprise_user, jobtasks.make_file, text="你好")
    run_jobs()
    job.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED and job.file_name == "hello.txt"
    url = f"/tasks/{job.pk}/download/"
    resp = client_for(enterprise_user).get(url)
    assert resp.status_code == 200 and b"".join(resp.streaming_content).decode() == "你好"  # type: ignore[attr-defined]
    assert "attachment" in resp["Content-Disposition"]
    assert client_for(staff_user).get(url).status_code == 200
    assert client_for(other_user).get(url).status_code == 404
    assert client_for(None).get(url).status_code == 302


# --- the reaper ---------------------------------------------------------------------------------


def _running(job: Job, attempts: int, seconds_silent: float) -> None:
    Job.objects.filter(pk=job.pk).update(
        state=Job.State.RUNNING, attempts=attempts,
        heartbeat_at=timezone.now() - dt.timedelta(seconds=seconds_silent),
    )  # fmt: skip


@override_settings(JOB_STALE_SECONDS=30)
def test_a_silent_job_is_started_again_then_failed(db, run_jobs, enterprise_user) -> None:  # type: ignore[no-untyped-def]
    job = _start(run_jobs, enterprise_user, count=2)
    _running(job, attempts=1, seconds_silent=10)
    assert not reap()  # heard from recently enough
    _running(job, attempts=1, seconds_silent=31)
    with run_jobs.capture():
        assert reap().restarted == 1
    job.refresh_from_db()
    assert job.state == Job.State.QUEUED and "starts again" in job.message["en"]
    run_jobs()  # the second attempt runs
    job.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED and job.attempts == 2
    assert Notification.objects.filter(kind="test.note").count() == 2

    second = _start(run_jobs, enterprise_user, count=2)
    _running(second, attempts=2, seconds_silent=31)  # its last attempt
    assert reap().failed == 1
    second.refresh_from_db()
    assert second.state == Job.State.FAILED and "attempt 2 of 2" in second.error["en"]


@override_settings(JOB_STALE_SECONDS=30)
def test_the_reaper_queues_jobs_the_queue_lost_and_closes_dead_task_rows(
    db, run_jobs, enterprise_user
) -> None:  # type: ignore[no-untyped-def]
    job = jobs.start(enterprise_user, jobtasks.write_notes, "x", count=1)  # commit never seen: not queued
    old = timezone.now() - dt.timedelta(seconds=60)
    Job.objects.filter(pk=job.pk).update(heartbeat_at=old)
    assert reap().requeued == 1
    job.refresh_from_db()
    assert job.task_id and DBTaskResult.objects.filter(id=job.task_id).exists()

    # A worker claimed the task's row and died before the job was marked running.
    DBTaskResult.objects.filter(id=job.task_id).update(status=TaskResultStatus.RUNNING, started_at=old)
    Job.objects.filter(pk=job.pk).update(heartbeat_at=old)
    report = reap()
    assert report.task_rows_closed == 1 and report.requeued == 1
    assert DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).count() == 0
    run_jobs()
    job.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED


# --- pages and API --------------------------------------------------------------------------------


def test_job_pages_follow_progress_and_stop_polling_when_done(db, run_jobs, enterprise_user) -> None:  # type: ignore[no-untyped-def]
    job = _start(run_jobs, enterprise_user, count=2)
    client = client_for(enterprise_user)
    page = client.get(f"/tasks/{job.pk}/").content.decode()
    assert "测试任务" in page and 'hx-trigger="every 1s"' in page and "<script>" not in page
    assert "等待" in page  # queued, in Chinese
    listing = client.get("/tasks/").content.decode()
    assert f"/tasks/{job.pk}/" in listing and 'hx-trigger="every 2s"' in listing
    run_jobs()
    fragment = client.get(f"/tasks/{job.pk}/progress/").content.decode()
    assert "hx-trigger" not in fragment and 'href="/inbox/"' in fragment and "查看结果" in fragment
    en = in_english(client).get(f"/tasks/{job.pk}/progress/")
    assert "Open the result" in en.content.decode()
    assert 'hx-trigger="every' not in client.get("/tasks/").content.decode()


@pytest.mark.parametrize("who, status", [("anonymous", 302), ("other", 404), ("owner", 200), ("staff", 200)])
def test_job_page_permissions(db, run_jobs, enterprise_user, other_user, staff_user, who, status) -> None:  # type: ignore[no-untyped-def]
    job = _start(run_jobs, enterprise_user, count=1)
    user = {"anonymous": None, "other": other_user, "owner": enterprise_user, "staff": staff_user}[who]
    client = client_for(user)
    for path in (f"/tasks/{job.pk}/", f"/tasks/{job.pk}/progress/"):
        assert client.get(path).status_code == status, path
    cancel = client.post(f"/tasks/{job.pk}/cancel/")
    assert cancel.status_code == (302 if who in ("anonymous", "owner", "staff") else 404)
    job.refresh_from_db()
    assert (job.state == Job.State.CANCELLED) == (who in ("owner", "staff"))
    listing = client.get("/tasks/")
    if user is None:
        assert listing.status_code == 302
    else:
        assert (f"/tasks/{job.pk}/" in listing.content.decode()) == (who == "owner")
        everyone = client.get("/tasks/?all=1").content.decode()
        assert (f"/tasks/{job.pk}/" in everyone) == (who in ("owner", "staff"))


@pytest.mark.parametrize("who, status", [("anonymous", 401), ("other", 404), ("owner", 200), ("staff", 200)])
def test_job_api_permissions(
    db, run_jobs, api_for, enterprise_user, other_user, staff_user, who, status
) -> None:  # type: ignore[no-untyped-def]
    job = _start(run_jobs, enterprise_user, count=1)
    user = {"anonymous": None, "other": other_user, "owner": enterprise_user, "staff": staff_user}[who]
    api = api_for(user)
    resp = api.get(f"/api/v1/core/jobs/{job.pk}")
    assert resp.status_code == status
    if status == 200:
        body = resp.json()
        assert body["state"] == "queued" and body["page"] == f"/tasks/{job.pk}/"
        assert body["url"] == f"/api/v1/core/jobs/{job.pk}" and body["file_url"] is None
    listed = api.get("/api/v1/core/jobs")
    if user is not None:
        assert [j["id"] for j in listed.json()] == ([job.pk] if who == "owner" else [])
    if who == "staff":
        assert [j["id"] for j in api.get("/api/v1/core/jobs", all="true").json()] == [job.pk]
    cancel = api.post(f"/api/v1/core/jobs/{job.pk}/cancel")
    assert cancel.status_code == status
    if status == 200:
        assert cancel.json()["state"] == "cancelled"


def test_a_stale_job_shown_on_its_page_is_dealt_with(db, run_jobs, enterprise_user, settings) -> None:  # type: ignore[no-untyped-def]
    settings.JOB_STALE_SECONDS = 30
    job = _start(run_jobs, enterprise_user, jobtasks.write_notes_once, count=1)
    _running(job, attempts=1, seconds_silent=120)
    fragment = client_for(enterprise_user).get(f"/tasks/{job.pk}/progress/").content.decode()
    assert 'data-state="failed"' in fragment and "hx-trigger" not in fragment
