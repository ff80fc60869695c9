"""`kechuang reindex [--kind supply|demand|expert] [--no-embed]`: rebuild the search index.

The new index is built beside the live one (which keeps serving) and swapped in when complete;
then the items without a cached vector are embedded, with a progress bar (lexical search already
works on the new index while that runs)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from kechuang.matching.engine import KINDS, Document, get_engine


class Command(BaseCommand):
    help = "Rebuild the matching index beside the live one, swap atomically, then embed what is missing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-embed", action="store_true", help="leave embedding to `kechuang embed`")

    def handle(self, *args: Any, **options: Any) -> None:
        from kechuang.matching.indexing import all_documents

        engine = get_engine()
        engine.background = False  # this process embeds in the foreground below
        docs: list[Document] = []
        for kind in KINDS:
            docs.extend(all_documents(kind))
        with tqdm(total=len(docs), desc="index", unit="doc", disable=options["verbosity"] == 0) as bar:

            def progress(done: int, _total: int | None) -> None:
                bar.update(done - bar.n)

            def stream() -> Iterator[Document]:
                yield from docs

            count = engine.rebuild(stream(), total=len(docs), progress=progress)
        self.stdout.write(f"indexed {count} documents (generation {engine.stats().generation})")
        if not options["no_embed"]:
            embed_all(engine, options["verbosity"])


def embed_all(engine: Any, verbosity: int = 1) -> int:
    pending = engine.stats().pending_embeddings
    with tqdm(total=pending, desc="embed", unit="doc", disable=verbosity == 0) as bar:
        done = engine.embed_pending(progress=lambda n, _t: bar.update(n - bar.n))
    return int(done)
