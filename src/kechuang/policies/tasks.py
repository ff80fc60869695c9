"""The policy pages' long operations as background jobs (core/jobs): 免申即享 over the registry,
what-if over the population, the run's CSV/XLSX export and the notification fan-out.

Each reads first, then writes and marks itself done in one transaction (or, for the fan-out, in
batches that a second attempt continues), so a worker killed half-way leaves nothing half done."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kechuang.core.jobs import JobContext, JobFailed, job_task
from kechuang.core.permissions import is_staff

from . import exports, queries, services
from .models import ProactiveRun
from .whatif import compare, validate_changes


def _staff(job: JobContext) -> None:
    if not is_staff(job.user):  # checked when started too; a role may have changed meanwhile
        raise JobFailed(_("Only platform staff may do this."))


def _run(job: JobContext, run_id: int) -> ProactiveRun:
    run = ProactiveRun.objects.filter(pk=run_id).first()
    if run is None:
        raise JobFailed(_("Run #%(id)s no longer exists."), id=run_id)
    return run


@job_task()
def proactive_run(job: JobContext, year: int, policies: list[str] | None = None) -> None:
    """免申即享: every policy of the catalogue over every enterprise with facts for `year`."""
    _staff(job)

    def done(run: ProactiveRun) -> None:
        job.succeed(
            result={"run": run.pk, "enterprises": run.enterprises, "screened_out": run.screened_out,
                    "matches": run.matches.count()},
            url=reverse("policies:proactive_detail", args=[run.pk]),
            label=_("Open run #%(id)s"), id=run.pk,
        )  # fmt: skip

    services.run_proactive(job.user, year, policies, progress=job.progress, committing=done)


@job_task()
def simulate(job: JobContext, year: int, changes: dict[str, float]) -> None:
    """What-if: the catalogue before and after `changes` over the registry's enterprises."""
    _staff(job)
    clean = validate_changes(changes, year)
    job.progress(0, 100, _("Reading the registry's facts for %(year)s"), year=year)
    table = queries.registry_table(year, lambda f: job.progress(int(80 * f), 100))
    job.progress(80, 100, _("Simulating %(n)s enterprises before and after"), n=f"{table.size:,}")
    result = compare(table, clean)
    job.progress(100, 100)
    job.succeed(
        result=result, url=reverse("policies:simulate_result", args=[job.id]), label=_("See the comparison")
    )


@job_task()
def export_run(job: JobContext, run_id: int, fmt: str) -> None:
    """The eligible list of a run as a CSV or XLSX file to download from the job's page."""
    _staff(job)
    if fmt not in exports.FORMATS:
        raise JobFailed(_("Use csv or xlsx."))
    run = _run(job, run_id)
    path = job.path(exports.file_name(run, fmt))
    rows = exports.write(run, fmt, path, progress=job.progress)
    job.succeed(result={"run": run.pk, "format": fmt, "rows": rows}, file_name=path.name)


@job_task()
def notify_run(job: JobContext, run_id: int, policies: list[str] | None = None) -> None:
    """Tell the enterprises of a run (of some of its policies) what they can enjoy without applying."""
    _staff(job)
    run = _run(job, run_id)
    told = services.notify_run(job.user, run, policies, progress=job.progress)
    with transaction.atomic():
        job.succeed(
            result={"run": run.pk, "organisations_notified": told, "policies": policies},
            url=reverse("policies:proactive_detail", args=[run.pk]),
            label=_("Back to run #%(id)s"), id=run.pk,
        )  # fmt: skip
