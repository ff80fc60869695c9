"""`kechuang embed [--watch SECONDS]`: embed every indexed item that has no vector yet.

Run it once after an import, or as a long-running worker with --watch (web processes also embed
in a background thread unless KECHUANG_EMBED_IN_BACKGROUND=0)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kechuang.matching.engine import get_engine

from .reindex import embed_all


class Command(BaseCommand):
    help = "Embed indexed items that have no vector yet (optionally keep watching)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--watch", type=float, default=None, help="poll for new items every N seconds")

    def handle(self, *args: Any, **options: Any) -> None:
        engine = get_engine()
        engine.background = False
        while True:
            done = embed_all(engine, options["verbosity"])
            if options["verbosity"]:
                self.stdout.write(f"embedded {done}; pending {engine.stats().pending_embeddings}")
            if options["watch"] is None:
                return
            time.sleep(options["watch"])
