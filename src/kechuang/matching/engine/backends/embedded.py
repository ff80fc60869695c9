"""The default backend: tantivy for BM25 over pre-analysed terms, SQLite + numpy/faiss for vectors.

Layout under the index directory (settings.DATA_DIR / "index" / "embedded"):

    CURRENT              name of the live generation (replaced atomically by os.replace)
    g-<time>-<rand>/     one generation: tantivy/ (lexical) and store.sqlite3 (documents, vectors)

Every write commits before returning, so updates survive a restart. A rebuild fills a new
generation and only then rewrites CURRENT; a crash mid-rebuild leaves the old generation serving
(the half-built directory is removed by the next rebuild). Readers notice a new CURRENT on their
next search and reopen.

A rebuild holds an exclusive lock on `build.lock` from start to swap (a second rebuild waits for
it), so a marker `BUILDING` whose lock nobody holds was left by a killed rebuild: writes stop
journalling for it, and `sweep_leftovers` (run when a server starts) removes the marker, its
journal and the orphan generation; `leftovers` reports them (`kechuang check`).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
import shutil
import sqlite3
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import tantivy

from kechuang.text.sqlrows import rows_in

from ..types import KINDS, Document
from .base import FIELD_BOOSTS, GRAM_WEIGHT, PASSAGE_FANOUT, DocTerms, IndexBackend, QueryTerms

FIELDS = tuple(FIELD_BOOSTS)
# Long queries (a pasted 20,000-character description) keep only their rarest terms: they carry
# the topic, and a boolean query of thousands of terms would be slow for nothing.
MAX_QUERY_TERMS = 48
# Exact inner product (faiss flat, one thread) takes ~1 ms per 10k vectors on this machine; above
# this many vectors per kind an HNSW graph answers in about a millisecond at a small recall cost.
# The graph is saved beside the store, keyed by the store version, so a restart does not rebuild it.
HNSW_THRESHOLD = 20_000
DIM = 384
# Reloading every vector of a kind (and rebuilding its HNSW graph) takes at most this share of the
# time: between reloads, items written since the last one are searched exactly in a small "delta"
# matrix beside it, so a new, changed or deleted item shows in dense results at once.
RELOAD_DUTY = 0.1
# A loaded matrix older than this is always reloaded before use, so a delete's tombstone (which
# hides the deleted item from matrices loaded before it) is no longer needed after it and is purged
# by a later delete.
TOMBSTONE_SECONDS = 24 * 3600


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("key", stored=True, tokenizer_name="raw")
    builder.add_text_field("kind", stored=False, tokenizer_name="raw")
    for name in FIELDS:
        builder.add_text_field(f"{name}_w", stored=False, tokenizer_name="whitespace")
        builder.add_text_field(f"{name}_g", stored=False, tokenizer_name="whitespace")
    return builder.build()


def _unpack(blob: bytes) -> np.ndarray:
    """A stored vector: (dim,) for one passage, (passages, dim) for several."""
    vector = np.frombuffer(blob, dtype=np.float32)
    return vector if vector.size <= DIM else vector.reshape(-1, DIM)


class _DenseMatrix:
    """Vectors of one kind held in faiss, rebuilt when the store's version changes.

    Searches run single-threaded: on a busy 2-core machine, multi-threaded BLAS/OpenMP for one
    query vector costs more in thread hand-offs (tens of ms) than the arithmetic (tens of µs).
    """

    def __init__(
        self, keys: list[str], matrix: np.ndarray, cache_file: Path | None = None, exact: bool = False
    ) -> None:
        import faiss

        self.keys = keys  # one per row: an item with several passages has several rows
        self.items = len(set(keys))
        dim = matrix.shape[1] if matrix.size else DIM
        if len(keys) >= HNSW_THRESHOLD and not exact:
            if cache_file is not None and cache_file.exists():
                index = faiss.read_index(str(cache_file))
            else:
                index = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
                index.hnsw.efConstruction = 80
                # Building is a batch job: use every core (searches below run on one thread).
                faiss.omp_set_num_threads(os.cpu_count() or 1)
                index.add(matrix)
                if cache_file is not None:
                    tmp = cache_file.with_suffix(".tmp")
                    faiss.write_index(index, str(tmp))
                    os.replace(tmp, cache_file)
                    for stale in cache_file.parent.glob(cache_file.name.rsplit("-", 1)[0] + "-*.faiss"):
                        if stale != cache_file:
                            stale.unlink(missing_ok=True)
            # Search breadth: recall@100 of the graph stays close to exact search at this setting.
            faiss.ParameterSpace().set_index_parameter(index, "efSearch", 128)
        else:
            index = faiss.IndexFlatIP(dim)
            if len(keys):
                index.add(matrix)
        self.index = index

    def search(self, vector: np.ndarray, limit: int) -> list[tuple[str, float]]:
        import faiss

        if not self.keys:
            return []
        faiss.omp_set_num_threads(1)
        # Items with several passages hold several rows: ask for more rows than items wanted, and
        # keep each item's best row (rows come best first).
        rows = min(len(self.keys), limit if self.items == len(self.keys) else limit * PASSAGE_FANOUT)
        sims, idx = self.index.search(np.asarray(vector, dtype=np.float32).reshape(1, -1), rows)
        out: dict[str, float] = {}
        for s, i in zip(sims[0], idx[0], strict=True):
            if i >= 0 and self.keys[i] not in out:
                out[self.keys[i]] = float(s)
                if len(out) == limit:
                    break
        return list(out.items())


def _rows(rows: list[tuple[str, bytes]]) -> tuple[list[str], np.ndarray]:
    """Matrix rows of (key, vector blob) pairs: a blob holds one vector per passage (usually one)."""
    keys = [r[0] for r in rows for _ in range(len(r[1]) // (4 * DIM))]
    matrix = (
        np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32).reshape(-1, DIM)
        if rows
        else np.zeros((0, DIM), dtype=np.float32)
    )
    return keys, matrix


class _DenseView:
    """The loaded matrix of a kind, corrected by what changed since it was loaded: items written
    since (`stale`) are dropped from its hits and searched in `delta` instead."""

    def __init__(
        self, base: _DenseMatrix, delta: _DenseMatrix | None = None, stale: frozenset[str] = frozenset()
    ) -> None:
        self.base, self.delta, self.stale = base, delta, stale

    def search(self, vector: np.ndarray, limit: int) -> list[tuple[str, float]]:
        if not self.stale:
            return self.base.search(vector, limit)
        # Fetch enough from the base that `limit` survive the stale ones (bounded: a huge delta
        # only happens just before the next reload).
        wanted = limit + min(len(self.stale), 4 * limit)
        best = {k: s for k, s in self.base.search(vector, wanted) if k not in self.stale}
        if self.delta is not None:
            for key, score in self.delta.search(vector, limit):
                if score > best.get(key, -2.0):
                    best[key] = score
        return sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]


class EmbeddedBackend(IndexBackend):
    name = "embedded"

    def __init__(self, root: Path, generation: str | None = None) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._pinned = generation is not None
        self._build_lock: Any = None  # the rebuild's lock file, on the generation being built
        self._finishing = False
        self._current_seen: tuple[int, int, int] | None = None
        self._gen = generation or self._current_or_create()
        self._open()

    # -- generations ---------------------------------------------------------------------------
    def _current_file(self) -> Path:
        return self.root / "CURRENT"

    def _read_current(self) -> str | None:
        try:
            name = self._current_file().read_text().strip()
        except FileNotFoundError:
            return None
        return name if name and (self.root / name).is_dir() else None

    def _current_or_create(self) -> str:
        name = self._read_current()
        if name is None:
            name = self._new_generation_dir()
            self._write_current(name)
        return name

    def _new_generation_dir(self) -> str:
        name = f"g-{time.strftime('%Y%m%d%H%M%S')}-{secrets.token_hex(3)}"
        (self.root / name / "tantivy").mkdir(parents=True)
        return name

    def _write_current(self, name: str) -> None:
        tmp = self.root / f"CURRENT.{secrets.token_hex(4)}.tmp"
        tmp.write_text(name)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, self._current_file())

    def _open(self) -> None:
        gen_dir = self.root / self._gen
        self._index = tantivy.Index(_schema(), path=str(gen_dir / "tantivy"), reuse=True)
        self._db = sqlite3.connect(gen_dir / "store.sqlite3", check_same_thread=False, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS docs (key TEXT PRIMARY KEY, kind TEXT NOT NULL, payload TEXT NOT NULL,"
            " text_hash TEXT NOT NULL, vector BLOB)"
        )
        self._db.execute("CREATE INDEX IF NOT EXISTS docs_pending ON docs(kind) WHERE vector IS NULL")
        # Lets has_vectors() answer from the index instead of scanning the vector blobs (a search
        # asks it every time; the scan took ~470 ms at 100k documents).
        self._db.execute("CREATE INDEX IF NOT EXISTS docs_embedded ON docs(kind) WHERE vector IS NOT NULL")
        self._db.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL)")
        self._db.execute("INSERT OR IGNORE INTO meta VALUES ('version', 0)")
        # Which store version last wrote each row, and which keys were deleted when: what changed
        # since a dense matrix was loaded (any process may write).
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(docs)")}
        if "changed" not in columns:
            self._db.execute("ALTER TABLE docs ADD COLUMN changed INTEGER NOT NULL DEFAULT 0")
        self._db.execute("CREATE INDEX IF NOT EXISTS docs_changed ON docs(kind, changed)")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS removed"
            " (key TEXT NOT NULL, kind TEXT NOT NULL, changed INTEGER NOT NULL, at REAL NOT NULL)"
        )
        self._db.execute("CREATE INDEX IF NOT EXISTS removed_changed ON removed(kind, changed)")
        if "at" not in {row[1] for row in self._db.execute("PRAGMA table_info(removed)")}:
            # Stores from before tombstones expired: their rows count as written now.
            self._db.execute("ALTER TABLE removed ADD COLUMN at REAL NOT NULL DEFAULT 0")
            self._db.execute("UPDATE removed SET at = ?", (time.time(),))
        self._db.commit()
        self._dense: dict[str, tuple[int, float, _DenseMatrix, float]] = {}
        self._delta: dict[str, tuple[int, _DenseMatrix, frozenset[str]]] = {}

    def _follow_current(self) -> None:
        """Reopen when another process (a `kechuang reindex`) swapped in a new generation."""
        if self._pinned:
            return
        # A swap replaces CURRENT with a new file (os.replace): one stat per search tells whether
        # to read it, instead of opening and reading it every time.
        try:
            st = os.stat(self._current_file())
            seen = (st.st_ino, st.st_mtime_ns, st.st_size)
        except FileNotFoundError:
            seen = None
        if seen is not None and seen == self._current_seen:
            return
        self._current_seen = seen
        name = self._read_current()
        if name and name != self._gen:
            with self._lock:
                self.close()
                self._gen = name
                self._open()

    def generation(self) -> str:
        return self._gen

    # While a rebuild runs, writes to the live generation (from any process) are also appended to
    # a journal, which the rebuild replays into the new generation just before the swap, under the
    # same file lock: an item saved during a reindex is not lost.
    @contextlib.contextmanager
    def _journal_lock(self):  # type: ignore[no-untyped-def]
        with open(self.root / "journal.lock", "a+") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def _journal(self, records: list[dict[str, object]]) -> None:
        if self._pinned:
            return
        marker = self.root / "BUILDING"
        if not marker.exists() or not _build_running(self.root):
            return  # no rebuild, or a killed one's marker: a journal nobody replays would only grow
        with self._journal_lock():
            building = marker.read_text().strip() if marker.exists() else ""
            if not building or not (self.root / building).is_dir():
                return
            with open(self.root / f"journal-{building}.jsonl", "a", encoding="utf-8") as fh:
                for record in records:
                    fh.write(json.dumps(record, ensure_ascii=False) + "\n")

    def begin_rebuild(self) -> EmbeddedBackend:
        # One rebuild at a time (a second one would remove the first one's generation below).
        build_lock = open(self.root / "build.lock", "a+")  # noqa: SIM115 (held until the swap)
        fcntl.flock(build_lock, fcntl.LOCK_EX)
        # Leftovers of crashed rebuilds (never made current) are removed first.
        live = self._read_current()
        for child in self.root.iterdir():
            if child.is_dir() and child.name.startswith("g-") and child.name not in {live, self._gen}:
                shutil.rmtree(child, ignore_errors=True)
            elif child.name.startswith("journal-g-"):
                child.unlink(missing_ok=True)
        name = self._new_generation_dir()
        (self.root / "BUILDING").write_text(name)
        fresh = EmbeddedBackend(self.root, generation=name)
        fresh._build_lock = build_lock
        return fresh

    def _replay(self, fresh: EmbeddedBackend) -> int:
        journal = self.root / f"journal-{fresh._gen}.jsonl"
        if not journal.exists():
            return 0
        count = 0
        with journal.open(encoding="utf-8") as fh:
            for line in fh:
                record = json.loads(line)
                if record["op"] == "upsert":
                    doc = Document.from_json(record["doc"])
                    terms = DocTerms(words=record["words"], grams=record["grams"])
                    fresh.upsert([doc], [terms], [record["hash"]])
                else:
                    fresh.delete([record["key"]])
                count += 1
        return count

    def finish_rebuild(self, fresh: IndexBackend) -> None:
        assert isinstance(fresh, EmbeddedBackend)
        old = self._gen
        with self._journal_lock():
            self._replay(fresh)
            fresh._finishing = True  # keep the build lock until CURRENT and the marker are written
            fresh.close()
            self._write_current(fresh._gen)
            (self.root / "BUILDING").unlink(missing_ok=True)
            (self.root / f"journal-{fresh._gen}.jsonl").unlink(missing_ok=True)
            fresh._release_build_lock()
        with self._lock:
            self.close()
            self._gen = fresh._gen
            self._open()
        # Other processes may still be reading the old generation for a moment; on POSIX their
        # open files stay valid after removal.
        shutil.rmtree(self.root / old, ignore_errors=True)

    def close(self) -> None:
        with self._lock:
            with contextlib.suppress(Exception):
                self._db.close()
            self._dense = {}
        if self._pinned and not self._finishing:
            self._release_build_lock()  # a rebuild given up (the caller closes it on failure)

    def _release_build_lock(self) -> None:
        lock, self._build_lock = self._build_lock, None
        if lock is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(lock, fcntl.LOCK_UN)
            lock.close()

    # -- writes --------------------------------------------------------------------------------
    def _bump(self) -> int:
        """Advance the store version (inside the caller's transaction) and return the new one."""
        self._db.execute("UPDATE meta SET value = value + 1 WHERE name = 'version'")
        return int(self._db.execute("SELECT value FROM meta WHERE name = 'version'").fetchone()[0])

    def upsert(self, docs: list[Document], terms: list[DocTerms], hashes: list[str]) -> None:
        if not docs:
            return
        self._follow_current()
        with self._lock:
            writer = self._index.writer(heap_size=64_000_000, num_threads=1)
            try:
                for doc, doc_terms in zip(docs, terms, strict=True):
                    writer.delete_documents_by_term("key", doc.key)
                    fields: dict[str, str] = {"key": doc.key, "kind": doc.kind}
                    for name in FIELDS:
                        fields[f"{name}_w"] = " ".join(doc_terms.words.get(name, []))
                        fields[f"{name}_g"] = " ".join(doc_terms.grams.get(name, []))
                    writer.add_document(tantivy.Document(**fields))
                with self._db:
                    version = self._bump()
                    for doc, text_hash in zip(docs, hashes, strict=True):
                        payload = json.dumps(doc.to_json(), ensure_ascii=False)
                        # Keep the vector when the embedded text did not change.
                        self._db.execute(
                            "INSERT INTO docs (key, kind, payload, text_hash, vector, changed)"
                            " VALUES (?, ?, ?, ?, NULL, ?)"
                            " ON CONFLICT(key) DO UPDATE SET kind=excluded.kind, payload=excluded.payload,"
                            " vector=CASE WHEN docs.text_hash = excluded.text_hash THEN docs.vector END,"
                            " changed=CASE WHEN docs.text_hash = excluded.text_hash THEN docs.changed"
                            " ELSE excluded.changed END, text_hash=excluded.text_hash",
                            (doc.key, doc.kind, payload, text_hash, version),
                        )
                    # The lexical commit happens inside the SQL transaction: if it fails, neither lands.
                    writer.commit()
                writer.wait_merging_threads()
            except BaseException:
                writer.rollback()
                raise
            self._index.reload()
        self._journal(
            [
                {"op": "upsert", "doc": d.to_json(), "words": t.words, "grams": t.grams, "hash": h}
                for d, t, h in zip(docs, terms, hashes, strict=True)
            ]
        )

    def delete(self, keys: Iterable[str]) -> None:
        keys = list(keys)
        if not keys:
            return
        self._follow_current()
        with self._lock:
            writer = self._index.writer(heap_size=15_000_000, num_threads=1)
            try:
                for key in keys:
                    writer.delete_documents_by_term("key", key)
                with self._db:
                    version = self._bump()
                    now = time.time()
                    self._db.execute("DELETE FROM removed WHERE at < ?", (now - TOMBSTONE_SECONDS,))
                    self._db.executemany(
                        "INSERT INTO removed (key, kind, changed, at) SELECT key, kind, ?, ? FROM docs WHERE key = ?",
                        [(version, now, k) for k in keys],
                    )
                    self._db.executemany("DELETE FROM docs WHERE key = ?", [(k,) for k in keys])
                    writer.commit()
                writer.wait_merging_threads()
            except BaseException:
                writer.rollback()
                raise
            self._index.reload()
        self._journal([{"op": "delete", "key": k} for k in keys])

    def bulk_load(self, docs: list[Document], terms: list[DocTerms], hashes: list[str]) -> None:
        """Fast path for a rebuild into an empty generation: one writer, one commit per batch."""
        self.upsert(docs, terms, hashes)

    def set_vectors(self, items: list[tuple[str, str, np.ndarray]]) -> None:
        if not items:
            return
        self._follow_current()
        with self._lock, self._db:
            version = self._bump()
            self._db.executemany(
                "UPDATE docs SET vector = ?, changed = ? WHERE key = ? AND text_hash = ?",
                [(np.asarray(v, dtype=np.float32).tobytes(), version, key, h) for key, h, v in items],
            )

    # -- reads ---------------------------------------------------------------------------------
    def _pick_terms(
        self, searcher: tantivy.Searcher, field: str, terms: list[str]
    ) -> list[tuple[str, float]]:
        counts: dict[str, int] = {}
        for term in terms:
            counts[term] = counts.get(term, 0) + 1
        unique = list(counts)
        if len(unique) > MAX_QUERY_TERMS:
            unique.sort(key=lambda t: searcher.doc_freq(field, t) or 10**9)
            unique = unique[:MAX_QUERY_TERMS]
        # A term repeated in the query counts a little more, sub-linearly.
        return [(t, 1.0 + 0.5 * np.log(counts[t])) for t in unique]

    def lexical_search(self, query: QueryTerms, kind: str, limit: int) -> list[tuple[str, float]]:
        self._follow_current()
        with self._lock:
            searcher = self._index.searcher()
            schema = self._index.schema
            should: list[tuple[tantivy.Occur, tantivy.Query]] = []
            for suffix, terms, weight in (("_w", query.words, 1.0), ("_g", query.grams, GRAM_WEIGHT)):
                if not terms:
                    continue
                picked = self._pick_terms(searcher, f"text{suffix}", terms)
                for name, boost in FIELD_BOOSTS.items():
                    for term, tf_boost in picked:
                        q = tantivy.Query.term_query(schema, f"{name}{suffix}", term)
                        should.append(
                            (tantivy.Occur.Should, tantivy.Query.boost_query(q, boost * weight * tf_boost))
                        )
            if not should:
                return []
            query_obj = tantivy.Query.boolean_query(
                [
                    (tantivy.Occur.Must, tantivy.Query.boolean_query(should)),
                    (tantivy.Occur.Must, tantivy.Query.term_query(schema, "kind", kind)),
                ]
            )
            result = searcher.search(query_obj, limit)
            out = []
            for score, address in result.hits:
                out.append((searcher.doc(address)["key"][0], float(score)))
            return out

    def _matrix(self, kind: str) -> _DenseView:
        version = self._db.execute("SELECT value FROM meta WHERE name = 'version'").fetchone()[0]
        cached = self._dense.get(kind)
        now = time.monotonic()
        if cached and cached[0] == version:
            return _DenseView(cached[2])
        if cached and now - cached[1] < min(cached[3], TOMBSTONE_SECONDS / 2):
            # Vectors arrive in a stream while embedding runs: never spend more than RELOAD_DUTY of
            # the time reloading (a 100k HNSW graph waits its turn); meanwhile what changed since
            # the load is searched exactly beside it.
            return self._with_delta(kind, version, cached[0], cached[2])
        rows = self._db.execute(
            "SELECT key, vector FROM docs WHERE kind = ? AND vector IS NOT NULL ORDER BY key", (kind,)
        ).fetchall()
        dense = _DenseMatrix(*_rows(rows), self.root / self._gen / f"hnsw-{kind}-{version}.faiss")
        built = time.monotonic()
        self._dense[kind] = (version, built, dense, (built - now) / RELOAD_DUTY)
        self._delta.pop(kind, None)
        return _DenseView(dense)

    def _with_delta(self, kind: str, version: int, loaded: int, base: _DenseMatrix) -> _DenseView:
        cached = self._delta.get(kind)
        if cached is None or cached[0] != version:
            rows = self._db.execute(
                "SELECT key, vector FROM docs WHERE kind = ? AND changed > ?", (kind, loaded)
            ).fetchall()
            gone = self._db.execute(
                "SELECT key FROM removed WHERE kind = ? AND changed > ?", (kind, loaded)
            ).fetchall()
            stale = frozenset(r[0] for r in rows) | frozenset(r[0] for r in gone)
            embedded = [r for r in rows if r[1] is not None]
            cached = (version, _DenseMatrix(*_rows(embedded), exact=True), stale)
            self._delta[kind] = cached
        return _DenseView(base, cached[1], cached[2])

    def dense_search(self, vector: np.ndarray, kind: str, limit: int) -> list[tuple[str, float]]:
        self._follow_current()
        with self._lock:
            return self._matrix(kind).search(vector, limit)

    def documents(self, keys: Iterable[str]) -> dict[str, Document]:
        with self._lock:
            rows = list(rows_in(self._db, "SELECT key, payload FROM docs WHERE key IN ({marks})", keys))
        return {key: Document.from_json(json.loads(payload)) for key, payload in rows}

    def vector(self, key: str) -> np.ndarray | None:
        return self.vectors([key]).get(key)

    def vectors(self, keys: Iterable[str]) -> dict[str, np.ndarray]:
        sql = "SELECT key, vector FROM docs WHERE key IN ({marks}) AND vector IS NOT NULL"
        with self._lock:
            rows = list(rows_in(self._db, sql, keys))
        return {key: _unpack(blob) for key, blob in rows}

    def pending(self, limit: int) -> list[tuple[Document, str]]:
        self._follow_current()
        with self._lock:
            rows = self._db.execute(
                "SELECT payload, text_hash FROM docs WHERE vector IS NULL ORDER BY rowid LIMIT ?", (limit,)
            ).fetchall()
        return [(Document.from_json(json.loads(p)), h) for p, h in rows]

    def has_vectors(self, kind: str) -> bool:
        self._follow_current()
        with self._lock:
            row = self._db.execute(
                "SELECT 1 FROM docs WHERE kind = ? AND vector IS NOT NULL LIMIT 1", (kind,)
            ).fetchone()
        return row is not None

    def counts(self) -> tuple[dict[str, int], dict[str, int]]:
        self._follow_current()
        docs = dict.fromkeys(KINDS, 0)
        embedded = dict.fromkeys(KINDS, 0)
        with self._lock:
            for kind, total, with_vector in self._db.execute(
                "SELECT kind, COUNT(*), COUNT(vector) FROM docs GROUP BY kind"
            ):
                docs[kind] = total
                embedded[kind] = with_vector
        return docs, embedded


# -- leftovers of killed rebuilds ---------------------------------------------------------------


def _build_running(root: Path) -> bool:
    """True while a rebuild (of any process) holds build.lock."""
    path = Path(root) / "build.lock"
    if not path.exists():
        return False
    with open(path, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(fh, fcntl.LOCK_UN)
    return False


def _leftover_paths(root: Path) -> list[Path]:
    current_file = root / "CURRENT"
    if not current_file.exists():
        return []  # nothing is live yet: no generation can be told an orphan
    live = current_file.read_text().strip()
    out = [root / "BUILDING"] if (root / "BUILDING").exists() else []
    for child in sorted(root.iterdir()):
        if (
            (child.is_dir() and child.name.startswith("g-") and child.name != live)
            or child.name.startswith("journal-g-")
            or (child.name.startswith("CURRENT.") and child.name.endswith(".tmp"))
        ):
            out.append(child)
    return out


def leftovers(root: Path) -> list[Path]:
    """What killed rebuilds left under the index directory (nothing while a rebuild runs)."""
    root = Path(root)
    if not root.is_dir() or _build_running(root):
        return []
    return _leftover_paths(root)


def sweep_leftovers(root: Path) -> list[Path]:
    """Remove what killed rebuilds left, unless a rebuild is running now; returns what was removed.

    Holds build.lock while it works, so no rebuild starts meanwhile."""
    root = Path(root)
    if not root.is_dir():
        return []
    with open(root / "build.lock", "a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return []  # a rebuild is running: its marker and generation are not leftovers
        try:
            with open(root / "journal.lock", "a+") as journal_lock:
                fcntl.flock(journal_lock, fcntl.LOCK_EX)
                removed = _leftover_paths(root)
                for path in removed:
                    if path.is_dir():
                        shutil.rmtree(path, ignore_errors=True)
                    else:
                        path.unlink(missing_ok=True)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return removed
