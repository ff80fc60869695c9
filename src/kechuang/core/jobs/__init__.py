"""Background jobs: long work runs in a worker, not in the web request, with its progress and
outcome in the database (the `Job` row) for the person who started it.

How an app uses it (docs/architecture.md, "Background tasks"):

    # <app>/tasks.py
    from kechuang.core.jobs import JobContext, job_task

    @job_task()
    def export_things(job: JobContext, year: int) -> None:
        rows = list(...)                                   # read; no writes yet
        for i, row in enumerate(rows):
            job.progress(i, len(rows), _("Writing %(n)s rows"), n=len(rows))
            ...
        with transaction.atomic():                         # every write, and the job's outcome,
            thing = services.make_thing(...)               # in one transaction: a worker killed
            job.succeed(url=thing.get_absolute_url(), label=_("Open the thing"))   # half-way
                                                           # leaves nothing behind
    # <app>/views.py
    job = jobs.start(request.user, tasks.export_things, _("Export for %(year)s") , year=2023)
    return redirect(job_url(job))                          # the job page polls its progress

The task framework is django-tasks (DEP 14's backport of Django 6's django.tasks); its database
backend keeps the queue in the platform's own database and `kechuang worker` runs it.
"""

from .runner import (
    JobContext,
    JobFailed,
    JobStopped,
    cancel,
    enqueue,
    job_file,
    job_task,
    start,
    texts,
    worker_started,
)

__all__ = [
    "JobContext",
    "JobFailed",
    "JobStopped",
    "cancel",
    "enqueue",
    "job_file",
    "job_task",
    "start",
    "texts",
    "worker_started",
]
