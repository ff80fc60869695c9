"""A `kechuang reindex` killed mid-build (SIGKILL, a real process) leaves a BUILDING marker, an
orphan generation and a journal: the journal stops growing, `kechuang check` reports the rest, and
the sweep a server runs at start-up removes it; never while a rebuild is running."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from kechuang.matching.engine import Document, build_engine
from kechuang.matching.engine.backends.embedded import leftovers, sweep_leftovers

BUILDER = """
import sys, time
from kechuang.matching.engine import Document, build_engine
engine = build_engine(backend="embedded", data_dir=sys.argv[1], background=False, dense=False)
def docs():
    yield Document(id="r1", kind="supply", title="重建中的量子点材料")
    print("building", flush=True)
    time.sleep(120)
    yield Document(id="r2", kind="supply", title="never reached")
engine.rebuild(docs(), batch=1)
"""


def _start_builder(data_dir: Path) -> subprocess.Popen[str]:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="kechuang.settings", KECHUANG_DATA_DIR=str(data_dir))
    proc = subprocess.Popen(
        [sys.executable, "-c", BUILDER, str(data_dir)], env=env, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "building"
    return proc


def test_a_killed_reindex_is_reported_and_swept_but_a_running_one_is_left_alone(tmp_path: Path) -> None:
    data = tmp_path / "d"
    web = build_engine(backend="embedded", data_dir=data, background=False, dense=False)
    web.upsert([Document(id="1", kind="supply", title="锂电池正极材料回收")])
    root = data / "index" / "embedded"
    live = (root / "CURRENT").read_text()

    builder = _start_builder(data)
    try:
        # While it runs: writes are journalled for it, and nothing is a leftover or swept.
        web.upsert([Document(id="2", kind="supply", title="氢燃料电池催化剂")])
        journal = next(root.glob("journal-g-*.jsonl"))
        assert journal.stat().st_size > 0
        assert leftovers(root) == [] and sweep_leftovers(root) == []
        assert (root / "BUILDING").exists()
    finally:
        builder.send_signal(signal.SIGKILL)
        builder.wait()

    building = (root / "BUILDING").read_text()
    size = journal.stat().st_size
    web.upsert([Document(id="3", kind="supply", title="固态电池电解质")])
    assert journal.stat().st_size == size  # no rebuild will replay it: it no longer grows

    found = {p.name for p in leftovers(root)}
    assert {"BUILDING", building, journal.name} <= found and live not in found

    removed = {p.name for p in sweep_leftovers(root)}
    assert removed == found
    assert not (root / "BUILDING").exists() and not (root / building).exists() and not journal.exists()
    assert (root / "CURRENT").read_text() == live and leftovers(root) == []
    assert [h.id for h in web.search("固态电池", "supply")][:1] == ["3"]  # the live index is intact
    # The next rebuild works as usual.
    web.rebuild([Document(id="9", kind="supply", title="新一代光刻胶")])
    assert [h.id for h in web.search("光刻胶", "supply")] == ["9"] and leftovers(root) == []
    web.close()


def test_the_sanity_check_reports_index_leftovers(tmp_path: Path, settings) -> None:  # type: ignore[no-untyped-def]
    from kechuang.core.management.commands.sanitycheck import check_app_files

    settings.DATA_DIR = tmp_path
    engine = build_engine(backend="embedded", data_dir=tmp_path, background=False, dense=False)
    assert [f.level for f in check_app_files()] == ["ok"]
    root = tmp_path / "index" / "embedded"
    (root / "g-20260101000000-abcdef").mkdir()
    (root / "BUILDING").write_text("g-20260101000000-abcdef")
    findings = check_app_files()
    assert [(f.level, f.code) for f in findings] == [("warning", "matching.W001")]
    assert "g-20260101000000-abcdef" in findings[0].render()
    engine.close()


def test_a_second_rebuild_waits_for_the_first(tmp_path: Path) -> None:
    data = tmp_path / "d"
    web = build_engine(backend="embedded", data_dir=data, background=False, dense=False)
    web.upsert([Document(id="1", kind="supply", title="锂电池正极材料回收")])
    builder = _start_builder(data)
    try:
        started = time.monotonic()
        import threading

        done: list[float] = []
        t = threading.Thread(target=lambda: (web.rebuild([Document(id="5", kind="supply", title="光伏")]),
                                             done.append(time.monotonic())))  # fmt: skip
        t.start()
        time.sleep(1.0)
        assert not done  # blocked on the running rebuild's lock, not deleting its generation
    finally:
        builder.send_signal(signal.SIGKILL)
        builder.wait()
    t.join(30)
    assert done and done[0] - started >= 1.0
    assert [h.id for h in web.search("光伏", "supply")] == ["5"]
    web.close()
