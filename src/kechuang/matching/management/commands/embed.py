"""`kechuang embed [--workers N] [--watch SECONDS] [--status]`: embed every indexed item that has no vector yet.

Run it once after an import, or as a long-running worker with --watch (web processes also embed
in the background unless KECHUANG_EMBED_IN_BACKGROUND=0). Passages are embedded by N worker
processes (default KECHUANG_EMBED_WORKERS, else one per core up to 8; 0 = in this process).
`--status` only prints, per kind, how many items the index holds and how many have vectors."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from kechuang.matching.engine import get_engine
from kechuang.matching.queries import index_progress
from kechuang.text.embedding import default_workers


class Command(BaseCommand):
    help = "Embed indexed items that have no vector yet (optionally keep watching)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--watch", type=float, default=None, help="poll for new items every N seconds")
        parser.add_argument("--status", action="store_true", help="print what is embedded so far and stop")
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="embedding worker processes (default: KECHUANG_EMBED_WORKERS or one per core, at most 8; 0 = in-process)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        engine = get_engine()
        engine.background = False
        if options["status"]:
            progress = index_progress()
            for kind, total in progress.documents.items():
                done = progress.embedded.get(kind, 0)
                self.stdout.write(
                    f"{kind:<8} {done:>9,} / {total:<9,} embedded  {progress.kind_percent(kind)}%"
                )
            self.stdout.write(f"pending {progress.pending:,}; model {progress.model}")
            return
        workers = default_workers() if options["workers"] is None else max(0, options["workers"])
        verbosity = options["verbosity"]
        while True:
            pending = engine.stats().pending_embeddings
            done = 0
            if pending:
                with tqdm(total=pending, desc="embed", unit="doc", disable=verbosity == 0) as bar:
                    done = engine.embed_pending(progress=lambda n, _t: bar.update(n - bar.n), workers=workers)
            if verbosity:
                self.stdout.write(f"embedded {done}; pending {engine.stats().pending_embeddings}")
            if options["watch"] is None:
                return
            time.sleep(options["watch"])
