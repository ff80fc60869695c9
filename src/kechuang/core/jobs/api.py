"""/api/v1/core/jobs: the caller's background tasks (staff: everyone's), one job, its file, cancel.

A long operation's endpoint answers 202 with `job_out(job)`; the client polls `url` until `state`
is succeeded, failed or cancelled, then reads `result` / `result_url` or fetches `file_url`."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

from django.db import DatabaseError
from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Router, Schema

from kechuang.core.permissions import is_staff

from .models import Job
from .reaper import is_stale, reap
from .runner import cancel, job_file

router = Router(tags=["jobs"])


class JobOut(Schema):
    id: int
    kind: str
    title: dict[str, str]
    state: str
    done: int
    total: int | None
    percent: int | None
    message: dict[str, str]
    params: dict[str, Any]
    result: Any = None
    result_url: str
    error: dict[str, str]
    file_url: str | None
    url: str
    page: str
    attempts: int
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None


def job_out(job: Job) -> dict[str, Any]:
    """The API's view of a job (also the body of every 202 that starts one)."""
    has_file = job.state == Job.State.SUCCEEDED and bool(job.file_name)
    return {
        "id": job.pk, "kind": job.kind, "title": job.title, "state": job.state, "done": job.done,
        "total": job.total, "percent": job.percent, "message": job.message, "params": job.params,
        "result": job.result, "result_url": job.result_url, "error": job.error,
        "file_url": reverse("api:job_file", args=[job.pk]) if has_file else None,
        "url": reverse("api:job_get", args=[job.pk]), "page": reverse("core:job_detail", args=[job.pk]),
        "attempts": job.attempts, "created_at": job.created_at, "started_at": job.started_at,
        "finished_at": job.finished_at,
    }  # fmt: skip


def _job(request: HttpRequest, job_id: int) -> Job:
    job = get_object_or_404(Job.objects.visible_to(request.user), pk=job_id)
    if is_stale(job):
        with contextlib.suppress(DatabaseError):  # busy database: the worker's reaper will see to it
            reap(job_ids=[job.pk])
        job.refresh_from_db()
    return job


@router.get("", response=list[JobOut], url_name="job_list")
def list_jobs(request: HttpRequest, all: bool = False, state: str = ""):  # type: ignore[no-untyped-def]
    """The caller's jobs, newest first (staff with all=true: everyone's). At most 100."""
    qs = Job.objects.visible_to(request.user)
    if not (all and is_staff(request.user)):
        qs = qs.filter(user=request.user)  # type: ignore[misc]
    if state:
        qs = qs.filter(state=state)
    return [job_out(j) for j in qs[:100]]


@router.get("/{job_id}", response=JobOut, url_name="job_get")
def get_job(request: HttpRequest, job_id: int):  # type: ignore[no-untyped-def]
    return job_out(_job(request, job_id))


@router.get("/{job_id}/file", url_name="job_file")
def get_job_file(request: HttpRequest, job_id: int):  # type: ignore[no-untyped-def]
    job = _job(request, job_id)
    path = job_file(job) if job.state == Job.State.SUCCEEDED else None
    if path is None:
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name)


@router.post("/{job_id}/cancel", response=JobOut, url_name="job_cancel")
def cancel_job(request: HttpRequest, job_id: int):  # type: ignore[no-untyped-def]
    job = _job(request, job_id)
    cancel(request.user, job)
    job.refresh_from_db()
    return job_out(job)
