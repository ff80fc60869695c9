"""Every matching test gets its own engine under a temporary data directory (no background thread:
tests call `engine.embed_pending()` when they want vectors), so tests never touch var/index."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kechuang.matching.engine import Engine, build_engine, set_engine


@pytest.fixture(scope="session")
def _embedding_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # One cache per test session: the same texts are embedded once, not once per test.
    return tmp_path_factory.mktemp("embeddings")


@pytest.fixture(autouse=True)
def engine(tmp_path: Path, _embedding_cache_dir: Path) -> Iterator[Engine]:
    built = build_engine(backend="embedded", data_dir=tmp_path, background=False)
    # Share the session-wide embedding cache.
    from kechuang.text.embedding import EmbeddingCache

    if built.cache is not None:
        embedder = built.cache.embedder
        built.cache.close()
        built.cache = EmbeddingCache(_embedding_cache_dir, embedder)
    previous = set_engine(built)
    yield built
    set_engine(previous)
    built.close()
