"""kechuang worker [--batch] [--max-tasks N] [--queues a,b] [--interval S] [--reap-only]

Runs the background tasks queued in the database (django-tasks' database backend, whose worker it
wraps) and looks after jobs whose worker died: every few seconds, jobs silent for longer than
KECHUANG_JOB_STALE_SECONDS are started again or marked failed (core/jobs/reaper.py).

Several workers may run at once, on one machine or several sharing the database. With another task
backend (RQ, Celery: docs/deploy.md) that backend's own worker runs the tasks and
`kechuang worker --reap-only` keeps an eye on the jobs.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, connections

from kechuang.core.jobs import worker_started
from kechuang.core.jobs.reaper import reap

log = logging.getLogger("kechuang.worker")


def reap_every(seconds: float, stop: threading.Event) -> None:
    """The reaper's loop, in a thread beside the worker's (which is busy while a task runs)."""
    try:
        while not stop.wait(seconds):
            try:
                reap()
            except DatabaseError:
                log.warning("could not look for stale jobs this time", exc_info=True)
    finally:
        connections.close_all()


class Command(BaseCommand):
    help = "Run the background task worker (and restart or fail the jobs of workers that died)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--queues", default="*", help="Queues to take tasks from, comma separated (default all)."
        )
        parser.add_argument(
            "--interval", type=float, default=1.0, help="Seconds between looks at an empty queue."
        )
        parser.add_argument("--batch", action="store_true", help="Run what is queued, then exit.")
        parser.add_argument("--max-tasks", type=int, default=None, help="Exit after this many tasks.")
        parser.add_argument(
            "--reap-only",
            action="store_true",
            help="Only look after stale jobs (another backend runs the tasks).",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        from django_tasks import task_backends
        from django_tasks_db import DatabaseBackend

        reap()
        period = max(0.5, float(settings.JOB_STALE_SECONDS) / 4)
        stop = threading.Event()
        reaper = threading.Thread(target=reap_every, args=(period, stop), name="job-reaper", daemon=True)
        reaper.start()
        try:
            if opts["reap_only"]:
                self.stdout.write(f"Looking after stale jobs every {period:g}s (Ctrl-C stops).")
                while True:
                    time.sleep(3600)
            if not isinstance(task_backends["default"], DatabaseBackend):
                raise CommandError(
                    f"The task backend is {settings.TASKS['default']['BACKEND']}: run its own worker "
                    "(see docs/deploy.md) and `kechuang worker --reap-only` beside it."
                )
            worker_started.send(sender=self.__class__)
            options: dict[str, Any] = {
                "queue_name": opts["queues"],
                "interval": opts["interval"],
                "batch": opts["batch"],
                "reload": False,
                "startup_delay": False,
                "verbosity": opts["verbosity"],
            }
            if opts["max_tasks"]:
                options["max_tasks"] = opts["max_tasks"]
            call_command("db_worker", **options)
        except KeyboardInterrupt:
            pass
        finally:
            stop.set()
