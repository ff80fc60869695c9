"""Defining, starting and running jobs (see the package docstring for the pattern)."""

from __future__ import annotations

import functools
import json
import logging
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connections, transaction
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

# The task framework. On Django 6 these become `django.tasks`, `django.tasks.base`: the
# backport has the same API (DEP 14).
from django_tasks import TaskContext
from django_tasks import task as framework_task
from django_tasks.base import Task

from kechuang.core import events

from .models import Job

log = logging.getLogger(__name__)

# Sent by `kechuang worker` once it is ready to take tasks (see core/events.py).
worker_started = events.worker_started

Texts = dict[str, str]


class JobStopped(Exception):
    """The job was cancelled, or given to another worker after this one was thought lost."""


class JobFailed(Exception):
    """Raise from a task to end it with a message for the person who started it.

    `message` is translatable (gettext_lazy) with %(name)s placeholders filled from `args`."""

    def __init__(self, message: Any, **args: Any) -> None:
        super().__init__(str(message))
        self.message = message
        self.values = args


def texts(message: Any, **args: Any) -> Texts:
    """`message` (a lazy translation, with %(name)s placeholders) in every language of the site."""
    out: Texts = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            text = str(message)
            out[code] = text % {k: str(v) for k, v in args.items()} if args else text
    return out


def job_task(*, max_attempts: int = 2, queue_name: str = "default", priority: int = 0) -> Callable[..., Task]:
    """Make `func(job: JobContext, **params)` a task that runs on behalf of a Job row.

    The task on the queue takes only the job's id; the parameters live on the Job. `max_attempts`:
    how many times the job is started in all when its worker dies under it (the work must be safe
    to repeat: write results only in the transaction that calls `job.succeed`)."""

    def wrap(func: Callable[..., Any]) -> Task:
        def runner(context: TaskContext, job_id: int) -> dict[str, Any] | None:
            return _run(func, context, job_id)

        # The runner takes the function's module and name, so the task's path is the module
        # attribute that holds it: what a worker imports to find it. (Not functools.wraps: the
        # framework reads the signature, which must stay the runner's own.)
        for attr in ("__module__", "__name__", "__qualname__", "__doc__"):
            setattr(runner, attr, getattr(func, attr))
        runner._kechuang_job = True  # type: ignore[attr-defined]
        runner._kechuang_max_attempts = max_attempts  # type: ignore[attr-defined]
        return framework_task(takes_context=True, queue_name=queue_name, priority=priority)(runner)

    return wrap


@transaction.atomic
def start(user: Any, task: Task, title: Texts | Any, /, **params: Any) -> Job:
    """Record a job for `user` and queue it once the current transaction commits.

    `title` is a lazy translation (or a Texts dict already made); `params` must be JSON values."""
    if not getattr(task.func, "_kechuang_job", False):
        raise TypeError(f"{task.module_path} is not a job task (define it with @job_task)")
    json.dumps(params)  # fail here, in the request, rather than in the worker
    job = Job.objects.create(
        kind=task.module_path,
        title=title if isinstance(title, dict) else texts(title),
        params=params,
        user=user if getattr(user, "is_authenticated", False) else None,
        max_attempts=getattr(task.func, "_kechuang_max_attempts", 2),
        heartbeat_at=timezone.now(),
    )
    from kechuang.core import audit  # not at the top: core.models imports this package

    audit.record(job.user, "job.start", job, None, {"kind": job.kind, "params": params})
    transaction.on_commit(functools.partial(enqueue, job.pk))
    return job


def enqueue(job_id: int) -> None:
    """Hand a queued job to the task backend (after the transaction that recorded it commits)."""
    job = Job.objects.filter(pk=job_id, state=Job.State.QUEUED).first()
    if job is None:
        return
    task: Task = import_string(job.kind)
    result = task.enqueue(job_id)
    Job.objects.filter(pk=job_id, state=Job.State.QUEUED, task_id="").update(
        task_id=str(result.id), heartbeat_at=timezone.now()
    )


@transaction.atomic
def cancel(actor: Any, job: Job) -> bool:
    """Stop a waiting or running job; a running one stops at its next progress report, and what it
    had not committed is rolled back."""
    from kechuang.core import audit

    before = job.state
    stopped = Job.objects.filter(pk=job.pk, state__in=[Job.State.QUEUED, Job.State.RUNNING]).update(
        state=Job.State.CANCELLED, finished_at=timezone.now(), message=texts(_("Cancelled."))
    )
    if stopped:
        audit.record(actor, "job.cancel", job, {"state": before}, {"state": Job.State.CANCELLED})
    return bool(stopped)


def job_file(job: Job) -> Path | None:
    """The file a finished job produced, if it still exists."""
    if not job.file_name:
        return None
    path = _job_dir(job.pk) / job.file_name
    return path if path.is_file() else None


def _job_dir(job_id: int) -> Path:
    return Path(settings.DATA_DIR) / "jobs" / str(int(job_id))


def _claim(job_id: int, task_id: str) -> Job | None:
    """Mark the job running for this delivery of its task; None when it is not this one's to run
    (finished, cancelled, or queued again under another task id after this worker was given up)."""
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.state != Job.State.QUEUED or job.task_id not in ("", task_id):
            return None
        now = timezone.now()
        job.state = Job.State.RUNNING
        job.attempts += 1
        job.task_id = task_id
        job.started_at = now
        job.heartbeat_at = now
        job.save(update_fields=["state", "attempts", "task_id", "started_at", "heartbeat_at"])
        return job


def _run(func: Callable[..., Any], context: TaskContext, job_id: int) -> dict[str, Any] | None:
    job = _claim(job_id, str(context.task_result.id))
    if job is None:
        log.info("job %s: not started (finished, cancelled or queued again elsewhere)", job_id)
        return None
    run = JobContext(job)
    try:
        func(run, **job.params)
        if not run.finished:
            run.succeed()
    except JobStopped:
        log.info("job %s stopped (cancelled or taken over)", job_id)
        return None
    except Exception as exc:
        run.fail(exc)
        raise
    finally:
        run.close()
    return {"job": job_id}


class JobContext:
    """What a task function gets: its job, progress reporting, a place for files, and `succeed`.

    Progress is kept in memory and written by a heartbeat thread with a connection of its own, so
    it shows while the task is inside a long transaction. When the job is run inside a transaction
    already (the tests' in-process worker), progress is written directly instead."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self.id = job.pk
        self.attempt = job.attempts
        self.user = job.user
        self.finished = False
        self._done = 0
        self._total: int | None = job.total
        self._message: Texts = {}
        self._stopped = False
        self._last_write = 0.0
        self._progress_at = 0.0
        self._lock = threading.Lock()
        self._quit = threading.Event()
        self._thread: threading.Thread | None = None
        if not transaction.get_connection().in_atomic_block:
            self._thread = threading.Thread(target=self._beat, name=f"job-{job.pk}-heartbeat", daemon=True)
            self._thread.start()

    # -- what a task calls -------------------------------------------------------------------------
    def progress(self, done: int, total: int | None = None, message: Any = None, **args: Any) -> None:
        """Report `done` of `total` units, with an optional message (translatable, %(name)s args).
        Raises JobStopped once the job was cancelled: let it propagate."""
        self.check()
        with self._lock:
            self._done = max(0, int(done))
            if total is not None:
                self._total = max(0, int(total))
            if message is not None:
                self._message = texts(message, **args)
            self._progress_at = time.monotonic()
        if self._thread is None and time.monotonic() - self._last_write > 0.2:
            self._write()

    def check(self) -> None:
        """Raise JobStopped if the job was cancelled (call it between steps of long work)."""
        if self._stopped:
            raise JobStopped

    def path(self, name: str) -> Path:
        """Where to write a file this job produces (one directory per job under the data dir)."""
        if "/" in name or "\\" in name or name.startswith("."):
            raise ValueError(f"not a plain file name: {name!r}")
        directory = _job_dir(self.id)
        directory.mkdir(parents=True, exist_ok=True)
        return directory / name

    def succeed(
        self,
        result: dict[str, Any] | None = None,
        url: str = "",
        label: Any = None,
        file_name: str = "",
        **label_args: Any,
    ) -> None:
        """Mark the job done. Call it inside the transaction that writes the task's results: the
        results and the job's state then commit together, or neither does."""
        with transaction.atomic():
            row = Job.objects.select_for_update().get(pk=self.id)
            if row.state != Job.State.RUNNING or row.attempts != self.attempt:
                self._stopped = True
                raise JobStopped
            row.state = Job.State.SUCCEEDED
            row.finished_at = row.heartbeat_at = timezone.now()
            row.result = json.loads(json.dumps(result, default=str)) if result is not None else None
            row.result_url = url
            row.result_label = texts(label, **label_args) if label is not None else {}
            row.file_name = file_name
            with self._lock:
                row.total = self._total
                row.done = self._total if self._total is not None else self._done
                row.message = {}  # the last step's message ("Writing…") no longer holds
            row.save()
        self.finished = True

    # -- the runner's side -------------------------------------------------------------------------
    def fail(self, exc: BaseException) -> None:
        if isinstance(exc, JobFailed):
            error = texts(exc.message, **exc.values)
        elif isinstance(exc, ValidationError):
            error = {}
            for code, _name in settings.LANGUAGES:
                with translation.override(code):
                    error[code] = " ".join(str(m) for m in exc.messages)
        elif isinstance(exc, PermissionDenied):
            error = texts(_("You are not allowed to do this."))
        else:
            error = texts(_("The task failed unexpectedly. The administrators can see the details."))
        detail = "".join(traceback.format_exception(exc))[-20000:]
        Job.objects.filter(pk=self.id, state=Job.State.RUNNING, attempts=self.attempt).update(
            state=Job.State.FAILED, finished_at=timezone.now(), error=error, error_detail=detail
        )

    def close(self) -> None:
        self._quit.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def _write(self) -> None:
        with self._lock:
            values = {"done": self._done, "total": self._total, "message": self._message}
        n = Job.objects.filter(pk=self.id, state=Job.State.RUNNING, attempts=self.attempt).update(
            heartbeat_at=timezone.now(), **values
        )
        self._last_write = time.monotonic()
        if n == 0 and not self.finished:
            self._stopped = True

    def _beat(self) -> None:
        interval = max(0.05, min(1.0, float(settings.JOB_HEARTBEAT_SECONDS)))
        heartbeat = float(settings.JOB_HEARTBEAT_SECONDS)
        last = 0.0
        try:
            while not self._quit.wait(interval):
                # Progress shows within a second; without news the row is touched once a heartbeat.
                if time.monotonic() - last < heartbeat and self._progress_at <= last:
                    continue
                try:
                    self._write()
                    last = time.monotonic()
                except DatabaseError:  # e.g. SQLite busy while the task holds a long write
                    log.debug("job %s: heartbeat not written this time", self.id, exc_info=True)
        finally:
            connections.close_all()
