"""`kechuang demo [--serve] [--addr HOST:PORT] [--reset] [--seed N] [--scale X] [--only STEP ...]`

Migrates the database (SQLite under KECHUANG_DATA_DIR by default), loads the "Shanghai 2022" demo
dataset step by step (completed steps are skipped, so a second run takes seconds and keeps data),
prints the demo accounts and, with --serve, serves the platform.
"""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kechuang.demo.context import DemoContext
from kechuang.demo.runner import run_steps
from kechuang.demo.steps import STEPS


class Command(BaseCommand):
    help = "Set up the demo database with the 'Shanghai 2022' dataset and optionally serve it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--serve", action="store_true", help="Serve the platform after loading.")
        parser.add_argument(
            "--addr", default="127.0.0.1:8000", help="Address to serve on (default 127.0.0.1:8000)."
        )
        parser.add_argument(
            "--reset", action="store_true", help="Empty the database first and load everything again."
        )
        parser.add_argument("--seed", type=int, default=2022, help="Seed of the generator (default 2022).")
        parser.add_argument(
            "--scale", type=float, default=1.0, help="Fraction of the full population (tests, quick looks)."
        )
        parser.add_argument("--only", nargs="+", choices=STEPS, help="Run only these steps.")
        parser.add_argument(
            "--figures", action="store_true", help="Print the report figures computed from the data."
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        if not 0 < opts["scale"] <= 1:
            raise CommandError("--scale must be in (0, 1].")
        started = time.perf_counter()
        db = settings.DATABASES["default"]
        self.stdout.write(f"Database: {db['ENGINE'].rsplit('.', 1)[-1]} {db.get('NAME')}")
        call_command("migrate", interactive=False, verbosity=0)
        if opts["reset"]:
            self.stdout.write("Emptying the database (--reset)…")
            # flush empties every table and re-emits post_migrate, which reloads the reference tables.
            call_command("flush", interactive=False, verbosity=0)

        ctx = DemoContext(
            seed=opts["seed"], scale=opts["scale"], out=self.stdout, quiet=opts["verbosity"] == 0
        )
        results = run_steps(ctx, opts["only"])
        failed = False
        for r in results:
            if r.status == "missing":
                continue
            counts = ", ".join(f"{k} {v:,}" for k, v in r.counts.items())
            line = f"  {r.name:<13} {r.status:<8} {r.seconds:7.1f}s  {counts} {r.message}".rstrip()
            if r.status in {"failed", "stale", "blocked"}:
                failed = failed or r.status == "failed"
                self.stderr.write(line)
            else:
                self.stdout.write(line)
        self.stdout.write(f"Demo data ready in {time.perf_counter() - started:.1f}s.")
        self._print_accounts()
        if opts["figures"]:
            self._print_figures()
        if failed and not opts["serve"]:
            raise CommandError("Some demo steps failed (see above); they will be retried on the next run.")
        if opts["serve"]:
            self.stdout.write(f"Serving at http://{opts['addr']}/ (Ctrl-C stops)")
            self.stdout.write(f"Dataset status and figures (staff accounts): http://{opts['addr']}/demo/")
            self.stdout.flush()
            # The server and the task worker get fresh processes (runserver --insecure --noreload):
            # the loader's memory (tens of thousands of generated rows) is not carried into them.
            # One command starts both and Ctrl-C stops both.
            from kechuang.core.serving import Child, kechuang_argv, supervise

            status = supervise(
                [
                    Child("web server", kechuang_argv("runserver", "--insecure", "--noreload", opts["addr"])),
                    Child("task worker", kechuang_argv("worker")),
                ],
                grace=10,
                out=self.stdout,
            )
            if status:
                raise CommandError(f"stopped: a process exited with status {status}", returncode=status)

    def _print_figures(self) -> None:
        from kechuang.demo.queries import REPORT_TARGETS, report_figures

        self.stdout.write("Figures of the 2022 report computed from the data (target at full scale):")
        for key, value in report_figures().items():
            shown = f"{value:,}" if isinstance(value, int | Decimal) else str(value)
            self.stdout.write(f"  {key:<32} {shown:>24}   {REPORT_TARGETS.get(key, '')}")

    def _print_accounts(self) -> None:
        from kechuang.demo.accounts import account_table

        rows = account_table()
        if not rows:
            return
        self.stdout.write("Demo accounts (username / password / role / organisation):")
        for username, password, role, org in rows:
            self.stdout.write(f"  {username:<12} {password:<14} {role:<20} {org}")
