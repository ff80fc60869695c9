"""`kechuang backup [-o FILE]`: the database, uploaded files, search indexes and embedding cache in
one archive with a manifest (core/backup.py). Default: KECHUANG_DATA_DIR/backups/kechuang-<time>.tar.gz."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kechuang.core.backup import BackupError, backup


class Command(BaseCommand):
    help = "Write one archive of the database, uploaded files, search indexes and embedding cache."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("-o", "--output", type=Path, help="the archive to write (.tar.gz)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = backup(options["output"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        m = result.manifest
        rows = sum(m["counts"].values())
        files = sum(1 for name in m["files"] if name.startswith("data/"))
        self.stdout.write(f"wrote {result.path}: {m['database']['vendor']} database ({rows} rows in "
                          f"{len(m['counts'])} tables), {files} files")  # fmt: skip
