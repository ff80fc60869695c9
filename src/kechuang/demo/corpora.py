"""Reading the real corpora shipped in data/corpora (gzip-compressed JSONL, one record per line)."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings

CORPORA_DIR = Path(settings.REPO_DIR) / "data" / "corpora"
NAMES = ("csl", "patents", "nsfc_projects", "law_articles")


def corpus_path(name: str, directory: Path | None = None) -> Path:
    if name not in NAMES:
        raise ValueError(f"Unknown corpus {name!r}; the corpora are {', '.join(NAMES)}.")
    directory = directory or CORPORA_DIR
    packed = directory / f"{name}.jsonl.gz"
    return packed if packed.exists() else directory / f"{name}.jsonl"


def iter_records(name: str, directory: Path | None = None) -> Iterator[dict[str, Any]]:
    """Yield the records of corpus `name` (csl, patents, nsfc_projects, law_articles) in file order."""
    path = corpus_path(name, directory)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:  # type: ignore[operator]
        for line in fh:
            if line.strip():
                yield json.loads(line)
