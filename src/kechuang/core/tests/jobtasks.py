"""Tasks the job tests run (their own messages are not in the catalogue: English in both languages) (in-process and in a real worker process that the tests kill)."""

from __future__ import annotations

import time

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from kechuang.core import services
from kechuang.core.jobs import JobContext, JobFailed, job_task


def _write_notes(
    job: JobContext, count: int, pause: float, fail_at: int | None, crash_at: int | None
) -> None:
    """Counts (progress shown), then writes `count` notes to the starter in one transaction, pausing
    between them; the job's outcome commits with them."""
    for i in range(3):
        job.progress(i, 3, _("Preparing"))
    with transaction.atomic():
        job.path("writing").touch()  # lets a test kill the worker inside the transaction
        for i in range(count):
            job.progress(i, count, _("Writing note %(n)s"), n=i + 1)
            if fail_at == i:
                raise JobFailed(_("Stopped at note %(n)s on purpose."), n=i + 1)
            if crash_at == i:
                raise RuntimeError("a bug in the task")
            services.notify(None, "test.note", f"note {i + 1}", user=job.user)
            time.sleep(pause)
        job.succeed(result={"written": count}, url="/inbox/", label=_("Open the result"))


@job_task(max_attempts=2)
def write_notes(
    job: JobContext, count: int, pause: float = 0.0, fail_at: int | None = None, crash_at: int | None = None
) -> None:
    _write_notes(job, count, pause, fail_at, crash_at)


@job_task(max_attempts=1)
def write_notes_once(job: JobContext, count: int, pause: float = 0.0) -> None:
    _write_notes(job, count, pause, None, None)


@job_task()
def make_file(job: JobContext, text: str) -> None:
    path = job.path("hello.txt")
    path.write_text(text, encoding="utf-8")
    job.succeed(file_name=path.name)


@task()
def plain_task() -> None:
    """A task of the framework not made with job_task: jobs.start refuses it."""
