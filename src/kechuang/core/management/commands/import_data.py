"""kechuang import KIND FILE [--partial] [--dry-run] [--lang zh|en] [--format F] [--json] [--actor USERNAME]"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from kechuang.core.importers import IMPORTERS, import_file
from kechuang.core.models import User
from kechuang.core.tabular import FORMATS, TableError

EXIT_BAD_ROWS = 1
EXIT_BAD_FILE = 2


class Command(BaseCommand):
    help = (
        "Import a registry from CSV, JSON Lines or XLSX. All or nothing: one bad row and nothing is "
        "saved, with every bad row reported by line number and column. Exit status 1 when rows are bad, "
        "2 when the file cannot be read."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=sorted(IMPORTERS))
        parser.add_argument("file")
        parser.add_argument("--format", choices=FORMATS, help="default: from the file name")
        parser.add_argument(
            "--partial", action="store_true", help="keep the good rows even when some are bad"
        )
        parser.add_argument("--dry-run", action="store_true", help="check everything, save nothing")
        parser.add_argument("--lang", choices=["zh", "en"], default="zh", help="language of the report")
        parser.add_argument("--json", action="store_true", help="print the report as JSON")
        parser.add_argument("--actor", help="username recorded in the audit log (default: system)")

    def handle(self, *args: Any, **opts: Any) -> None:
        lang = opts["lang"]
        actor = None
        if opts["actor"]:
            actor = User.objects.filter(username=opts["actor"]).first()
            if actor is None:
                raise CommandError(f"No user {opts['actor']!r}.", returncode=EXIT_BAD_FILE)
        try:
            report = import_file(
                opts["kind"], opts["file"], fmt=opts["format"], actor=actor,
                partial=opts["partial"], dry_run=opts["dry_run"],
            )  # fmt: skip
        except TableError as exc:
            with translation.override("en" if lang == "en" else "zh-hans"):
                message = exc.render()
            raise CommandError(message, returncode=EXIT_BAD_FILE) from exc
        if opts["json"]:
            self.stdout.write(json.dumps(report.as_dict(lang), ensure_ascii=False, indent=2))
        else:
            lines = report.lines(lang)
            for line in lines[:-1]:
                self.stdout.write(line)
            style = self.style.SUCCESS if report.ok else self.style.ERROR
            self.stdout.write(style(lines[-1]))
        if not report.ok:
            raise SystemExit(EXIT_BAD_ROWS)
