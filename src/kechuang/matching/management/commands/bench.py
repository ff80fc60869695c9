"""`kechuang bench match --dataset DIR [--json] [--methods lexical,dense,full] [--limit-queries N]`"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kechuang.matching.engine.bench import METHODS, BenchError, format_table, run_bench, stderr_progress


class Command(BaseCommand):
    help = "Retrieval benchmarks. `bench match --dataset DIR`: nDCG@10, Recall@100, MRR@10 and latency on a BEIR folder."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        match = sub.add_parser("match", help="evaluate the matching engine on a BEIR-format folder")
        match.add_argument("--dataset", required=True, action="append", help="BEIR folder (repeatable)")
        match.add_argument("--methods", default=",".join(METHODS), help="comma-separated: lexical,dense,full")
        match.add_argument("--limit-queries", type=int, default=None)
        match.add_argument("--split", default=None, help="qrels split (default: test, else dev)")
        match.add_argument("--json", action="store_true", help="print one JSON object")
        match.add_argument("--dump", default=None, help="write both first-stage lists per query (JSONL) here")
        match.add_argument("--quiet", action="store_true", help="no progress on stderr")
        match.add_argument(
            "--no-cache",
            action="store_true",
            help="do not reuse the embedding cache under the data directory",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        methods = tuple(m.strip() for m in options["methods"].split(",") if m.strip())
        cache_dir = None if options["no_cache"] else Path(settings.DATA_DIR) / "embeddings"
        reports = []
        for folder in options["dataset"]:
            if options["limit_queries"] is not None and options["limit_queries"] < 1:
                raise CommandError("--limit-queries must be at least 1")
            try:
                report = run_bench(
                    Path(folder),
                    methods=methods,
                    limit_queries=options["limit_queries"],
                    split=options["split"],
                    cache_dir=cache_dir,
                    dump=Path(options["dump"]) if options["dump"] else None,
                    progress=None if options["quiet"] or options["json"] else stderr_progress,
                )
            except (BenchError, FileNotFoundError) as exc:
                raise CommandError(str(exc)) from exc
            reports.append(report)
            if not options["json"]:
                self.stdout.write(format_table(report) + "\n")
        if options["json"]:
            self.stdout.write(json.dumps(reports[0] if len(reports) == 1 else reports, ensure_ascii=False))
