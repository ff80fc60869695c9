"""Pages of a person's background tasks: the list, one job (left and come back to at will), its
progress fragment that htmx polls, its file, and cancelling it."""

from __future__ import annotations

import contextlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import DatabaseError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kechuang.core.permissions import is_staff

from .models import Job
from .reaper import is_stale, reap
from .runner import cancel, job_file

# How often an open job page asks for news (htmx polling), in seconds.
POLL_SECONDS = 1


def _job(request: HttpRequest, pk: int) -> Job:
    """The job if this user may see it (whoever started it, and staff); 404 otherwise, so ids of
    other people's jobs reveal nothing."""
    job = get_object_or_404(Job.objects.visible_to(request.user).select_related("user"), pk=pk)
    if is_stale(job):
        with contextlib.suppress(DatabaseError):  # busy database: the worker's reaper will see to it
            # No worker has heard of it for a while: restart or fail it now rather than show it busy.
            reap(job_ids=[job.pk])
        job.refresh_from_db()
    return job


def _context(request: HttpRequest, job: Job) -> dict[str, object]:
    return {
        "job": job,
        "poll": POLL_SECONDS,
        "can_cancel": not job.is_finished and (job.user_id == request.user.pk or is_staff(request.user)),
        "has_file": job.state == Job.State.SUCCEEDED and job_file(job) is not None,
        "show_detail": is_staff(request.user),
        "duration": round((job.finished_at - job.started_at).total_seconds())
        if job.finished_at and job.started_at
        else None,
    }


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    everyone = is_staff(request.user) and request.GET.get("all") == "1"
    qs = Job.objects.visible_to(request.user).select_related("user")
    if not everyone:
        qs = qs.filter(user=request.user)  # type: ignore[misc]
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    active = any(not j.is_finished for j in page.object_list)
    ctx = {"page": page, "everyone": everyone, "staff": is_staff(request.user), "active": active, "poll": 2}
    if request.headers.get("HX-Request"):
        return render(request, "core/jobs/_rows.html", ctx)
    return render(request, "core/jobs/list.html", ctx)


@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    return render(request, "core/jobs/detail.html", _context(request, job))


@login_required
def job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    return render(request, "core/jobs/_progress.html", _context(request, job))


@login_required
def job_download(request: HttpRequest, pk: int) -> FileResponse:
    job = _job(request, pk)
    path = job_file(job) if job.state == Job.State.SUCCEEDED else None
    if path is None:
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name)


@login_required
@require_POST
def job_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    if not _context(request, job)["can_cancel"]:
        messages.info(request, _("This task has already finished."))
    elif cancel(request.user, job):
        messages.success(request, _("Task cancelled."))
    return redirect("core:job_detail", pk=job.pk)
