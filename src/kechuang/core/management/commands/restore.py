"""`kechuang restore FILE [--yes]`: replace the platform's state with a backup's (core/backup.py).
Stop the server and workers first. A damaged archive, one of another database vendor or of a newer
schema is refused before anything changes; if the database step fails the files are put back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kechuang.core.backup import BackupError, check_compatible, iter_problems, read_manifest, restore


class Command(BaseCommand):
    help = "Restore a backup written by `kechuang backup` (stop the server first)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path)
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args: Any, **options: Any) -> None:
        archive: Path = options["archive"]
        try:
            manifest = read_manifest(archive)
            check_compatible(manifest)
            if not options["yes"]:
                answer = input(f"Replace the current database and data files with {archive} "
                               f"(made {manifest['created_at']})? Type 'yes': ")  # fmt: skip
                if answer.strip().lower() != "yes":
                    raise CommandError("not restored")
            restore(archive)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        problems = list(iter_problems(manifest))
        if problems:
            raise CommandError(
                "restored, but the row counts differ from the archive's: " + "; ".join(problems[:5])
            )
        call_command("migrate", verbosity=0)  # an archive of an older version is brought up to date
        rows = sum(manifest["counts"].values())
        self.stdout.write(f"restored {archive} (made {manifest['created_at']}): {rows} rows, "
                          f"{sum(1 for n in manifest['files'] if n.startswith('data/'))} files; restart the server")  # fmt: skip
