"""One conformance suite for every IndexBackend: the embedded one and Milvus (on milvus-lite).

The Milvus side starts `python -m milvus_lite server` on loopback once per session; if it cannot
start here the Milvus cases are skipped with the reason."""

from __future__ import annotations

import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from kechuang.matching.engine import Constraints, Document, Engine
from kechuang.matching.engine.backends.base import IndexBackend
from kechuang.matching.engine.backends.embedded import EmbeddedBackend
from kechuang.text.embedding import EmbeddingCache

DOCS = [
    Document(id="1", kind="supply", title="量子点发光二极管制备方法", text="提高发光效率", keywords=["量子点"],
             attrs={"trl": 6}),
    Document(id="2", kind="supply", title="锂电池正极材料回收", text="湿法冶金回收高镍三元材料", attrs={"trl": 3}),
    Document(id="3", kind="supply", title="Propeller slipstream wing lift", text="wind tunnel experiments"),
    Document(id="1", kind="demand", title="寻找量子点显示技术", text="需要量子点膜"),
]  # fmt: skip


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def milvus_uri(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = _free_port()
    data_dir = tmp_path_factory.mktemp("milvus")
    log = (data_dir / "server.log").open("w")
    cmd = [
        sys.executable,
        "-m",
        "milvus_lite",
        "server",
        "--data-dir",
        str(data_dir / "db"),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    try:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    except OSError as exc:
        pytest.skip(f"milvus-lite server cannot start: {exc}")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.skip(
                f"milvus-lite server exited with {proc.returncode}: {(data_dir / 'server.log').read_text()[-500:]}"
            )
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            time.sleep(0.2)
    else:
        proc.terminate()
        pytest.skip("milvus-lite server did not listen within 60 s")
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(params=["embedded", "milvus"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[IndexBackend]:
    if request.param == "embedded":
        made: IndexBackend = EmbeddedBackend(tmp_path / "index")
        yield made
        made.close()
        return
    from kechuang.matching.engine.backends.milvus import MilvusBackend

    uri = request.getfixturevalue("milvus_uri")
    milvus = MilvusBackend(uri, alias=f"t_{secrets.token_hex(4)}")
    yield milvus
    milvus.drop_all()
    milvus.close()


@pytest.fixture
def backend_engine(backend: IndexBackend, engine: Engine, tmp_path: Path) -> Iterator[Engine]:
    # A fresh embedding cache, so that "pending" really means not embedded yet.
    assert engine.cache is not None
    cache = EmbeddingCache(tmp_path / "embeddings", engine.cache.embedder)
    yield Engine(backend, cache, background=False)
    cache.close()


def ids(hits) -> list[str]:  # type: ignore[no-untyped-def]
    return [h.id for h in hits]


def test_lexical_search_and_kinds(backend_engine: Engine) -> None:
    backend_engine.upsert(DOCS)
    assert ids(backend_engine.search("量子点", "supply"))[:1] == ["1"]
    assert ids(backend_engine.search("量子点", "demand")) == ["1"]
    assert ids(backend_engine.search("propellers", "supply")) == ["3"]
    assert backend_engine.stats().documents == {"supply": 3, "demand": 1, "expert": 0}


def test_lexical_scores_are_positive_and_ordered(backend: IndexBackend, backend_engine: Engine) -> None:
    backend_engine.upsert(DOCS)
    _t, lexical, _d, _w, _f = backend_engine.retrieve("量子点 发光 材料", "supply", ("lexical",))
    scores = [s for _k, s in lexical]
    assert scores and all(s > 0 for s in scores) and scores == sorted(scores, reverse=True)
    assert lexical[0][0] == "supply:1"


def test_dense_vectors_and_search(backend: IndexBackend, backend_engine: Engine) -> None:
    backend_engine.upsert(DOCS)
    assert len(backend.pending(100)) == 4
    assert not backend.has_vectors("supply") and not backend.has_vectors("demand")
    assert backend_engine.embed_pending() == 4
    assert backend.has_vectors("supply") and backend.has_vectors("demand")
    assert not backend.has_vectors("expert")
    assert backend.pending(100) == []
    vec = backend.vector("supply:1")
    assert vec is not None and abs(float(np.linalg.norm(vec)) - 1.0) < 1e-3
    dense = backend.dense_search(vec, "supply", 10)
    assert dense[0][0] == "supply:1" and dense[0][1] == pytest.approx(1.0, abs=1e-3)
    hits = backend_engine.search("显示屏发光效率", "supply")
    assert hits[0].id == "1" and hits[0].band != "unknown"


def test_vector_kept_when_text_unchanged_and_dropped_when_changed(
    backend: IndexBackend, backend_engine: Engine
) -> None:
    backend_engine.upsert(DOCS)
    backend_engine.embed_pending()
    backend_engine.upsert([Document(id="1", kind="supply", title=DOCS[0].title, text=DOCS[0].text,
                                    keywords=DOCS[0].keywords, attrs={"trl": 7})])  # fmt: skip
    assert backend.vector("supply:1") is not None
    assert backend.documents(["supply:1"])["supply:1"].attrs["trl"] == 7
    # Changed text: the old vector no longer describes it. (The cache fills it again at once if
    # this exact text was embedded before, so use a text never embedded.)
    backend.upsert([Document(id="2", kind="supply", title=f"新标题 {secrets.token_hex(4)}")],
                   [backend_engine_terms(backend_engine, "新标题")], ["changed-hash"])  # fmt: skip
    assert backend.vector("supply:2") is None


def backend_engine_terms(_engine: Engine, title: str):  # type: ignore[no-untyped-def]
    from kechuang.matching.engine.engine import document_terms

    return document_terms(Document(id="x", kind="supply", title=title))


def test_delete(backend: IndexBackend, backend_engine: Engine) -> None:
    backend_engine.upsert(DOCS)
    backend_engine.delete(["1"], kind="supply")
    assert "1" not in ids(backend_engine.search("量子点", "supply"))
    assert backend.documents(["supply:1", "demand:1"]).keys() == {"demand:1"}


def test_constraints_are_applied_alike(backend_engine: Engine) -> None:
    backend_engine.upsert(DOCS)
    hits = backend_engine.search("量子点 锂电池 材料", "supply", Constraints(trl_min=5, hard={"trl"}))
    assert ids(hits) == ["1"]


def test_rebuild_swaps(backend: IndexBackend, backend_engine: Engine) -> None:
    backend_engine.upsert(DOCS)
    before = backend.generation()
    assert backend_engine.rebuild(iter(DOCS[:2]), total=2) == 2
    assert backend.generation() != before
    assert backend_engine.stats().documents["supply"] == 2
    assert ids(backend_engine.search("propeller", "supply")) == []


EXPERT = Document(
    id="9", kind="expert", title="张三 研究员",
    text="城市交通拥堵控制策略研究\n锂离子电池正极材料失效机理\n水稻抗旱基因的克隆与功能分析",
    passages=["城市交通拥堵控制策略研究", "锂离子电池正极材料失效机理", "水稻抗旱基因的克隆与功能分析"],
)  # fmt: skip


def test_passages_are_stored_scored_by_the_best_one_and_removed_with_the_item(
    backend: IndexBackend, backend_engine: Engine
) -> None:
    from kechuang.matching.engine.engine import best_similarity, passage_texts

    other = Document(id="8", kind="expert", title="李四 教授", text="高镍三元正极材料的回收工艺")
    backend_engine.upsert([EXPERT, other])
    assert backend_engine.embed_pending() == 2
    stored = backend.vector("expert:9")
    assert stored is not None and stored.shape == (len(passage_texts(EXPERT)), 384)
    assert backend.vectors(["expert:8"])["expert:8"].shape == (384,)
    assert backend_engine.stats().documents["expert"] == 2 and backend_engine.stats().embedded["expert"] == 2
    assert backend.pending(10) == []
    # A query about one of the works: the expert's similarity is that work's, and it appears once.
    assert backend_engine.cache is not None
    query = backend_engine.cache.embed("query", ["水稻抗旱基因"])[0]
    dense = backend.dense_search(query, "expert", 10)
    assert [k for k, _s in dense].count("expert:9") == 1
    score = dict(dense)["expert:9"]
    assert score == pytest.approx(best_similarity(stored, query), abs=1e-4)
    assert score > float(stored[0] @ query) + 1e-4  # the work, not the whole profile, matched
    # The item's own vector (for "similar items") is its compact text's.
    hits = backend_engine.similar("9", "expert")
    assert "9" not in ids(hits)
    # Changed works: the old passages go with the old text; deleting the item removes them all.
    changed = Document(id="9", kind="expert", title=EXPERT.title, text="城市交通拥堵控制策略研究",
                       passages=["城市交通拥堵控制策略研究"])  # fmt: skip
    backend_engine.upsert([changed])
    backend_engine.embed_pending()
    refreshed = backend.vector("expert:9")
    assert refreshed is not None and refreshed.shape == (2, 384)
    backend_engine.delete(["9"], kind="expert")
    assert backend.vector("expert:9") is None
    # (The embedded backend may serve its dense matrix a moment longer; results are checked
    # against the store, so a deleted item never reaches a hit.)
    assert ids(backend_engine.search("水稻抗旱基因", "expert", vector=query)) in ([], ["8"])
    assert backend_engine.stats().documents["expert"] == 1


def _loaded_embedded(tmp_path: Path, engine: Engine) -> tuple[EmbeddedBackend, Engine, np.ndarray]:
    """Three embedded supplies in a backend of their own, the supply matrix loaded by one search."""
    backend = EmbeddedBackend(tmp_path / "index")
    assert engine.cache is not None
    eng = Engine(backend, engine.cache, background=False)
    eng.upsert(DOCS[:3])
    eng.embed_pending()
    query = engine.cache.embed("query", ["锂电池回收"])[0]
    backend.dense_search(query, "supply", 10)
    return backend, eng, query


def test_embedded_dense_results_follow_writes_between_reloads(
    tmp_path: Path, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Between two full reloads of the vectors (rare at 100k), new, changed and deleted items are
    searched from a delta beside the loaded matrix (here an HNSW graph): dense results follow at once."""
    from kechuang.matching.engine.backends import embedded

    monkeypatch.setattr(embedded, "HNSW_THRESHOLD", 3)
    monkeypatch.setattr(embedded, "RELOAD_DUTY", 1e-9)  # the loaded matrix is never reloaded here
    backend, eng, query = _loaded_embedded(tmp_path, engine)
    first = backend.dense_search(query, "supply", 10)
    assert [k for k, _s in first][:1] == ["supply:2"]
    loaded = backend._dense["supply"][2]
    # A new item, embedded after the load, is found at once and ranks by its own similarity.
    eng.upsert([Document(id="4", kind="supply", title="废旧锂电池回收利用", text="锂电池回收")])
    eng.embed_pending()
    after_new = dict(backend.dense_search(query, "supply", 10))
    assert "supply:4" in after_new and backend._dense["supply"][2] is loaded  # no reload happened
    # A deleted item disappears; a changed text loses its old vector until it is embedded again.
    eng.delete(["2"], kind="supply")
    eng.upsert([Document(id="1", kind="supply", title=f"全新的标题 {secrets.token_hex(3)}")])
    keys = [k for k, _s in backend.dense_search(query, "supply", 10)]
    assert "supply:2" not in keys and "supply:1" not in keys and "supply:4" in keys
    assert len(keys) == len(set(keys))
    eng.embed_pending()
    assert "supply:1" in dict(backend.dense_search(query, "supply", 10))
    backend.close()


def test_embedded_tombstones_expire_and_old_matrices_reload(
    tmp_path: Path, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A delete leaves a tombstone for matrices loaded before it; once no matrix can be that old,
    the next delete purges it, and a matrix past that age is reloaded instead of patched."""
    from kechuang.matching.engine.backends import embedded

    monkeypatch.setattr(embedded, "RELOAD_DUTY", 1e-9)  # only the age limit forces a reload
    backend, eng, query = _loaded_embedded(tmp_path, engine)
    loaded = backend._dense["supply"][2]
    eng.delete(["2"], kind="supply")
    assert [r[0] for r in backend._db.execute("SELECT key FROM removed")] == ["supply:2"]
    assert "supply:2" not in dict(backend.dense_search(query, "supply", 10))
    assert backend._dense["supply"][2] is loaded  # patched by the delta, not reloaded

    clock = time.time()
    monkeypatch.setattr(embedded.time, "time", lambda: clock + embedded.TOMBSTONE_SECONDS + 1)
    eng.delete(["3"], kind="supply")
    assert [r[0] for r in backend._db.execute("SELECT key FROM removed")] == ["supply:3"]

    mono = time.monotonic()
    monkeypatch.setattr(embedded.time, "monotonic", lambda: mono + embedded.TOMBSTONE_SECONDS)
    keys = [k for k, _s in backend.dense_search(query, "supply", 10)]
    assert backend._dense["supply"][2] is not loaded
    assert keys == ["supply:1"]
    backend.close()
