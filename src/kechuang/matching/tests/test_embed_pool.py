"""Background embedding in worker processes: the engine stores the pool's vectors and its cache."""

from __future__ import annotations

import uuid

import numpy as np
import pytest

from kechuang.matching.engine import Document, Engine, passage_text
from kechuang.text.embedding import EmbeddingPool, text_hash
from kechuang.text.tests.test_embedding import TEXTS


def test_background_embedding_with_workers_stores_vectors_and_cache(engine: Engine) -> None:
    # Fresh texts, so nothing comes from the session's embedding cache and the pool must compute them.
    tag = uuid.uuid4().hex[:8]
    docs = [
        Document(id=str(i), kind="supply", title=f"{title} {tag}", text=title, keywords=[])
        for i, title in enumerate(TEXTS)
    ]
    engine.upsert(docs)
    assert engine.stats().pending_embeddings == len(docs)
    seen: list[tuple[int, int | None]] = []
    assert engine.embed_pending(batch=2, workers=2, progress=lambda n, t: seen.append((n, t))) == len(docs)
    assert engine.stats().pending_embeddings == 0
    assert seen and seen[-1] == (len(docs), len(docs))
    assert engine.cache is not None
    texts = [passage_text(d) for d in docs]
    cached = engine.cache.lookup([text_hash("passage", t) for t in texts])
    assert len(cached) == len(docs)
    stored = engine.backend.vectors([d.key for d in docs])
    expected = engine.cache.embedder.passages(texts)
    for i, doc in enumerate(docs):
        np.testing.assert_allclose(stored[doc.key], expected[i], atol=1e-6)
    # Dense search finds the item by meaning once embedded.
    hits = engine.search("废旧锂电池材料回收再利用", kind="supply")
    assert hits and hits[0].id == "0"


def test_embed_command_uses_workers(engine: Engine) -> None:
    from io import StringIO

    from django.core.management import call_command

    tag = uuid.uuid4().hex[:8]
    engine.upsert([Document(id="cli", kind="supply", title=f"石墨烯导热膜 {tag}", text="", keywords=[])])
    out = StringIO()
    call_command("embed", workers=1, verbosity=1, stdout=out)
    assert "embedded 1; pending 0" in out.getvalue()
    assert engine.stats().pending_embeddings == 0


def test_broken_workers_fall_back_to_in_process(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    from concurrent.futures.process import BrokenProcessPool

    def broken(self: EmbeddingPool, texts: list[str], chunk: int = 16) -> np.ndarray:
        raise BrokenProcessPool("a worker died")

    monkeypatch.setattr(EmbeddingPool, "passages", broken)
    tag = uuid.uuid4().hex[:8]
    engine.upsert(
        [Document(id=str(i), kind="supply", title=f"{t} {tag}", text="") for i, t in enumerate(TEXTS)]
    )
    assert engine.embed_pending(batch=1, workers=2) == len(TEXTS)
    assert engine.stats().pending_embeddings == 0
