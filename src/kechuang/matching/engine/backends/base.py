"""The IndexBackend interface every backend implements (embedded tantivy+numpy, Milvus).

A backend stores documents by key ("kind:id"), the analysed terms of their fields, and (once
embedded) their normalised vectors: one, or one per passage (an expert's works; the first row is
always the item's compact text). It answers two first-stage questions: the best keys by BM25
over the analysed terms, and the best keys by cosine similarity (of an item's best passage). Everything else (fusion,
constraints, explanations) happens above it so that every backend ranks alike.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from ..types import Document

# Field boosts. Each field has its own BM25 (with its own length normalisation, which already
# favours a match in a short title), and the fields' scores add up; an extra title boost double
# counted (measured: title x2 cost 0.01-0.04 nDCG@10 on four of five bench sets). Keywords are
# curated descriptors chosen by the owner: a mild boost (not measurable on the bench sets, which
# have no keyword field).
FIELD_BOOSTS = {"title": 1.0, "keywords": 1.5, "text": 1.0}
# Bigram fields recover words the dictionary does not know; they get a lower weight than words.
GRAM_WEIGHT = 0.7
# A dense search asks for this many vectors per item wanted when items may have several passages
# (an expert's works), then keeps each item's best: enough that `limit` distinct items survive.
PASSAGE_FANOUT = 4


@dataclass
class DocTerms:
    """Analysed terms of one document, per field: words (segmented, stemmed) and CJK bigrams."""

    words: dict[str, list[str]]
    grams: dict[str, list[str]]


@dataclass
class QueryTerms:
    words: list[str]
    grams: list[str]


class IndexBackend(ABC):
    name: str = "abstract"

    @abstractmethod
    def upsert(self, docs: list[Document], terms: list[DocTerms], hashes: list[str]) -> None:
        """Insert or replace documents with the hash of their embedding text; a replaced document
        whose hash changed loses its vector until it is embedded again."""

    @abstractmethod
    def delete(self, keys: Iterable[str]) -> None: ...

    @abstractmethod
    def lexical_search(self, query: QueryTerms, kind: str, limit: int) -> list[tuple[str, float]]:
        """(key, score) best first; scores are positive, larger is better."""

    @abstractmethod
    def set_vectors(self, items: list[tuple[str, str, np.ndarray]]) -> None:
        """Store (key, text_hash, vector); ignored for keys whose text hash has changed since.

        `vector` is (dim,) or (passages, dim); `vector()` / `vectors()` give it back in that shape."""

    @abstractmethod
    def dense_search(self, vector: np.ndarray, kind: str, limit: int) -> list[tuple[str, float]]:
        """(key, cosine similarity) best first, among embedded documents of `kind`; a document with
        several passages appears once, with its best passage's similarity."""

    @abstractmethod
    def documents(self, keys: Iterable[str]) -> dict[str, Document]: ...

    @abstractmethod
    def vector(self, key: str) -> np.ndarray | None: ...

    def vectors(self, keys: Iterable[str]) -> dict[str, np.ndarray]:
        """Vectors of the embedded ones among `keys` (one round trip where the backend allows)."""
        out = {}
        for key in keys:
            vec = self.vector(key)
            if vec is not None:
                out[key] = vec
        return out

    @abstractmethod
    def pending(self, limit: int) -> list[tuple[Document, str]]:
        """Documents that still need a vector, with the hash of the text to embed."""

    @abstractmethod
    def counts(self) -> tuple[dict[str, int], dict[str, int]]:
        """(documents per kind, embedded documents per kind)."""

    def has_vectors(self, kind: str) -> bool:
        """Whether any document of `kind` has a vector (so a query is worth embedding).

        Asked on every search: backends override it with something cheaper than `counts()`."""
        return bool(self.counts()[1].get(kind))

    @abstractmethod
    def generation(self) -> str: ...

    @abstractmethod
    def begin_rebuild(self) -> IndexBackend:
        """A fresh, empty backend built beside the live one; the live one keeps serving."""

    @abstractmethod
    def finish_rebuild(self, fresh: IndexBackend) -> None:
        """Atomically make `fresh` the live index."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release files and connections."""
