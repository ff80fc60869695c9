"""Jobs whose worker died: started again while attempts remain, otherwise marked failed.

A worker killed mid-task (kill -9, out of memory, the machine restarted) leaves its job "running"
with a heartbeat that stops. Whatever the task had written in its open transaction was rolled back
by the database, so running it again is safe. `kechuang worker` runs this every few seconds; the
job page runs it for the job shown, so a job never looks busy forever even with no worker left.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Job
from .runner import enqueue, texts

log = logging.getLogger(__name__)


@dataclass
class Reaped:
    restarted: int = 0
    failed: int = 0
    requeued: int = 0
    task_rows_closed: int = 0

    def __bool__(self) -> bool:
        return bool(self.restarted or self.failed or self.requeued or self.task_rows_closed)


def stale_cutoff(now: dt.datetime | None = None) -> dt.datetime:
    return (now or timezone.now()) - dt.timedelta(seconds=float(settings.JOB_STALE_SECONDS))


def is_stale(job: Job, now: dt.datetime | None = None) -> bool:
    return (
        job.state in (Job.State.RUNNING, Job.State.QUEUED)
        and job.heartbeat_at is not None
        and job.heartbeat_at < stale_cutoff(now)
    )


def reap(job_ids: Iterable[int] | None = None, now: dt.datetime | None = None) -> Reaped:
    """Deal with every stale job (or only those of `job_ids`)."""
    now = now or timezone.now()
    cutoff = stale_cutoff(now)
    out = Reaped()
    scope = Job.objects.all() if job_ids is None else Job.objects.filter(pk__in=list(job_ids))
    for pk in scope.filter(state=Job.State.RUNNING, heartbeat_at__lt=cutoff).values_list("pk", flat=True):
        outcome = _reap_running(pk, cutoff, now)
        if outcome == "restarted":
            out.restarted += 1
        elif outcome == "failed":
            out.failed += 1
    if job_ids is None:
        out.task_rows_closed = _close_orphan_task_rows(cutoff, now)
    for job in scope.filter(state=Job.State.QUEUED, heartbeat_at__lt=cutoff):
        if not _queue_holds(job):
            enqueue_again = Job.objects.filter(pk=job.pk, state=Job.State.QUEUED, task_id=job.task_id)
            if enqueue_again.update(task_id="", heartbeat_at=now):
                enqueue(job.pk)
                out.requeued += 1
    if out:
        log.warning("reaped jobs: %s", out)
    return out


def _reap_running(pk: int, cutoff: dt.datetime, now: dt.datetime) -> str:
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=pk, state=Job.State.RUNNING).first()
        if job is None or job.heartbeat_at is None or job.heartbeat_at >= cutoff:
            return ""  # finished or heard from meanwhile
        if job.attempts < job.max_attempts:
            job.state = Job.State.QUEUED
            job.task_id = ""
            job.heartbeat_at = now
            job.message = texts(
                _("The worker stopped during attempt %(n)s; the task starts again."), n=job.attempts
            )
            job.save(update_fields=["state", "task_id", "heartbeat_at", "message"])
            transaction.on_commit(functools.partial(enqueue, job.pk))
            return "restarted"
        job.state = Job.State.FAILED
        job.finished_at = now
        job.error = texts(
            _(
                "The worker running this task stopped (attempt %(n)s of %(m)s). Nothing the task had "
                "started was saved; you can start it again."
            ),
            n=job.attempts,
            m=job.max_attempts,
        )
        job.save(update_fields=["state", "finished_at", "error"])
        return "failed"


def _queue_holds(job: Job) -> bool:
    """Whether the task backend still has this queued job's task waiting or running."""
    if not job.task_id:
        return False
    from django_tasks import TaskResultStatus, default_task_backend
    from django_tasks.exceptions import TaskResultDoesNotExist

    if not default_task_backend.supports_get_result:
        return True  # cannot tell: trust the queue
    try:
        result = default_task_backend.get_result(job.task_id)
    except TaskResultDoesNotExist:
        return False
    return result.status in (TaskResultStatus.READY, TaskResultStatus.RUNNING)


def _close_orphan_task_rows(cutoff: dt.datetime, now: dt.datetime) -> int:
    """The database backend's own rows of tasks whose worker died stay RUNNING: mark them failed
    (only rows of job tasks that no running job owns, started before the cutoff)."""
    if not apps.is_installed("django_tasks_db"):
        return 0
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    owned = Job.objects.filter(state=Job.State.RUNNING).exclude(task_id="").values_list("task_id", flat=True)
    kinds = Job.objects.values_list("kind", flat=True).distinct()
    rows = DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=cutoff, task_path__in=list(kinds)
    ).exclude(id__in=list(owned))
    return rows.update(
        status=TaskResultStatus.FAILED,
        finished_at=now,
        exception_class_path="kechuang.core.jobs.WorkerLost",
        traceback="The worker running this task stopped; see the job for what happened next.",
    )
