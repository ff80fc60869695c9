"""kechuang export KIND [--format csv|jsonl|xlsx] [-o FILE]"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kechuang.core.exporters import KINDS, export
from kechuang.core.tabular import FORMATS, guess_format


class Command(BaseCommand):
    help = "Export a registry (or the audit log) as CSV, JSON Lines or XLSX; the file imports back unchanged."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=KINDS)
        parser.add_argument("--format", choices=FORMATS, help="default: from the file name, else csv")
        parser.add_argument("-o", "--output", help="file to write (default: standard output)")

    def handle(self, *args: Any, **opts: Any) -> None:
        out_path = opts["output"]
        fmt = opts["format"] or (guess_format(out_path) if out_path and Path(out_path).suffix else "csv")
        if out_path is None:
            if fmt == "xlsx":
                raise CommandError("An XLSX export needs a file: add -o FILE.xlsx.", returncode=2)
            n = export(opts["kind"], self.stdout, fmt)
        else:
            path = Path(out_path)
            tmp = path.with_name(path.name + ".part")
            # Write beside the target and rename: an interrupted export never leaves half a file.
            if fmt == "xlsx":
                with tmp.open("wb") as fh:
                    n = export(opts["kind"], fh, fmt)
            else:
                with tmp.open("w", encoding="utf-8", newline="") as fh:
                    n = export(opts["kind"], fh, fmt)
            tmp.replace(path)
        self.stderr.write(f"{n} {opts['kind']} exported.")
