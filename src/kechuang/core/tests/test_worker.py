"""A real `kechuang worker` process killed with SIGKILL half-way through a task: the task's writes
are not half-applied, and the job is started again (or marked failed on its last attempt) instead
of staying "running" forever."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from kechuang.core.tests.site import Site, fresh_site

pytestmark = pytest.mark.slow

FAST = {"KECHUANG_JOB_HEARTBEAT_SECONDS": "0.2", "KECHUANG_JOB_STALE_SECONDS": "2"}
NOTES = "SELECT COUNT(*) FROM core_notification WHERE kind = 'test.note'"
START = """
from kechuang.core import jobs, services
from kechuang.core.models import User
from kechuang.core.tests import jobtasks
user = User.objects.filter(username="starter").first() or services.create_user(None, "starter", "pw-12345678", User.Role.VISITOR, None)
job = jobs.start(user, jobtasks.{task}, "kill test", count={count}, pause={pause})
print(job.pk)
"""


def wait_for(what: Callable[[], object], timeout: float, message: str) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = what()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s: {message}")


def stop(proc: subprocess.Popen[str], sig: int = signal.SIGTERM) -> str:
    if proc.poll() is None:
        os.killpg(proc.pid, sig)
    try:
        out, _ = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
    return out or ""


def start_job(site: Site, task: str, count: int, pause: float) -> int:
    return int(site.python(START.format(task=task, count=count, pause=pause)).splitlines()[-1])


def state(site: Site, job: int) -> tuple[str, int]:
    row = site.sql("SELECT state, attempts FROM core_job WHERE id = %s", job)[0]
    return str(row[0]), int(row[1])


def kill_inside_transaction(site: Site, worker: subprocess.Popen[str], job: int) -> None:
    writing = Path(site.data_dir) / "jobs" / str(job) / "writing"
    wait_for(writing.exists, 60, "the task never reached its write transaction")
    time.sleep(1.0)  # a few of its rows are written, none committed
    os.killpg(worker.pid, signal.SIGKILL)  # the worker and anything it started
    worker.wait(10)
    writing.unlink()


def test_a_worker_killed_mid_task_leaves_nothing_half_done(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with fresh_site(tmp_path, **FAST) as site:
        job = start_job(site, "write_notes", count=20, pause=0.15)
        worker = site.start("worker", "--interval", "0.2")
        try:
            kill_inside_transaction(site, worker, job)
            assert state(site, job) == ("running", 1)  # as the dead worker left it
            assert site.one(NOTES) == 0  # nothing of the interrupted transaction survived

            # A new worker notices the silent job, runs it again, and it completes exactly once.
            worker = site.start("worker", "--interval", "0.2")
            wait_for(lambda: state(site, job)[0] == "succeeded", 90, "the job was not run again")
            assert state(site, job) == ("succeeded", 2)
            assert site.one(NOTES) == 20
            assert site.one("SELECT done FROM core_job WHERE id = %s", job) == 20

            # On its last attempt, a job whose worker dies is marked failed, with nothing written.
            last = start_job(site, "write_notes_once", count=20, pause=0.15)
            kill_inside_transaction(site, worker, last)
            worker = site.start("worker", "--interval", "0.2")
            wait_for(lambda: state(site, last)[0] == "failed", 60, "the job was left running")
            assert state(site, last) == ("failed", 1)
            assert "worker" in str(site.one("SELECT error FROM core_job WHERE id = %s", last))
            assert site.one(NOTES) == 20
            # The queue's own rows of both killed attempts are closed, not left running.
            assert (
                site.one("SELECT COUNT(*) FROM django_tasks_database_dbtaskresult WHERE status = 'RUNNING'")
                == 0
            )
        finally:
            output = stop(worker)
        assert "Traceback" not in output, output
