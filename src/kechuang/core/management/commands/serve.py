"""kechuang serve [--bind HOST:PORT] [--workers N] [--threads N] [--task-workers N]

Production serving on one machine: gunicorn runs the platform (static files collected and served
by WhiteNoise under hashed names) and `kechuang worker` runs the background tasks beside it. One
command starts both and stops both (Ctrl-C or SIGTERM); if either dies, the other is stopped too,
so a process manager (systemd) sees the failure and restarts the whole.

Environment (each also an option): KECHUANG_BIND (127.0.0.1:8000), KECHUANG_WEB_WORKERS (one per
CPU core, at least 2), KECHUANG_WEB_THREADS (4), KECHUANG_TASK_WORKERS (1; 0 on web-only machines
of a larger deployment). See docs/deploy.md.
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from kechuang.core.serving import Child, kechuang_argv, supervise


def default_web_workers() -> int:
    """One process per core (at least two, so one slow request never blocks the site), each with a
    few threads. Processes rather than more threads for CPU-bound pages; not the usual 2×cores+1,
    since every process that serves a semantic search holds its own copy of the embedding model."""
    return max(2, os.cpu_count() or 1)


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    try:
        return int(raw) if raw else default
    except ValueError as exc:
        raise CommandError(f"{name} must be a whole number, not {raw!r}") from exc


class Command(BaseCommand):
    help = "Serve the platform in production: gunicorn + WhiteNoise static files + the task worker."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=os.environ.get("KECHUANG_BIND", "127.0.0.1:8000"))
        parser.add_argument(
            "--workers", type=int, default=None, help="Web server processes (default: CPU cores, ≥ 2)."
        )
        parser.add_argument("--threads", type=int, default=None, help="Threads per web process (default 4).")
        parser.add_argument(
            "--task-workers",
            type=int,
            default=None,
            help="Task worker processes (default 1; 0 for a web-only machine).",
        )
        parser.add_argument(
            "--timeout", type=int, default=120, help="Seconds before a stuck request's process is replaced."
        )
        parser.add_argument(
            "--no-collectstatic", action="store_true", help="Serve the static files collected before."
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        workers = opts["workers"] or _env_int("KECHUANG_WEB_WORKERS", default_web_workers())
        threads = opts["threads"] or _env_int("KECHUANG_WEB_THREADS", 4)
        task_workers = opts["task_workers"]
        if task_workers is None:
            task_workers = _env_int("KECHUANG_TASK_WORKERS", 1)
        if workers < 1 or threads < 1 or task_workers < 0:
            raise CommandError("--workers and --threads must be at least 1, --task-workers at least 0.")
        self._check_migrated()
        # Static files under hashed names, served by WhiteNoise; background embedding resumes in the
        # (first) task worker, not in every web process, each of which would load a model for it.
        env = {"KECHUANG_SERVE_STATIC": "1", "KECHUANG_EMBED_RESUME": "worker"}
        if not opts["no_collectstatic"]:
            self.stdout.write("Collecting static files…")
            subprocess.run(
                kechuang_argv("collectstatic", "--noinput", "--verbosity", "0"),
                env={**os.environ, **env},
                check=True,
            )
        gunicorn = [
            sys.executable, "-m", "gunicorn", "kechuang.wsgi:application",
            "--bind", opts["bind"], "--workers", str(workers), "--threads", str(threads),
            "--worker-class", "gthread", "--timeout", str(opts["timeout"]), "--graceful-timeout", "30",
            "--access-logfile", "-", "--no-control-socket", "--name", "kechuang",
            # Longer than a client's or a proxy's idle keep-alive connection: with gunicorn's 2 s, a
            # client reusing a connection as the server closes it gets "connection reset" (seen in
            # benchmarks/load_serve.py).
            "--keep-alive", "75",
        ]  # fmt: skip
        children = [Child("web server (gunicorn)", gunicorn, env)]
        for n in range(task_workers):
            worker_env = {**env, "KECHUANG_EMBED_RESUME": "worker" if n == 0 else "none"}
            children.append(Child(f"task worker {n + 1}", kechuang_argv("worker"), worker_env))
        self.stdout.write(
            f"Serving at http://{opts['bind']}/ with {workers} web processes × {threads} threads and "
            f"{task_workers} task worker(s) (Ctrl-C stops all)."
        )
        self.stdout.flush()
        status = supervise(children, out=self.stdout)
        if status:
            raise CommandError(f"stopped: a process exited with status {status}", returncode=status)

    def _check_migrated(self) -> None:
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            raise CommandError("The database is not up to date: run `kechuang migrate` first.")
