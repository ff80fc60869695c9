"""`kechuang bench match` on a tiny BEIR folder written here, plus the metric functions and the
`reindex` / `embed` commands (`match` goes through the marketplace layer and is tested there)."""

from __future__ import annotations

import json
import math
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kechuang.matching.engine import Document, Engine
from kechuang.matching.engine.bench import load_beir, mrr_at, ndcg_at, recall_at

CORPUS = [
    {"_id": "d1", "title": "量子点发光二极管", "text": "量子点发光材料提高显示器件的效率"},
    {"_id": "d2", "title": "锂电池回收", "text": "废旧锂离子电池正极材料的湿法回收"},
    {"_id": "d3", "title": "风力发电机叶片", "text": "复合材料叶片的疲劳寿命"},
    {"_id": "d4", "title": "Propeller slipstream", "text": "wing lift in a propeller slipstream"},
    {"_id": "d5", "title": "光伏电池", "text": "钙钛矿太阳能电池的稳定性"},
]
QUERIES = [
    {"_id": "q1", "text": "量子点显示"},
    {"_id": "q2", "text": "电池回收工艺"},
    {"_id": "q3", "text": "propellers"},
]
QRELS = "query-id\tcorpus-id\tscore\nq1\td1\t2\nq2\td2\t1\nq2\td5\t0\nq3\td4\t1\n"


def write_beir(folder: Path, qrels: str = QRELS) -> Path:
    (folder / "qrels").mkdir(parents=True)
    (folder / "corpus.jsonl").write_text("\n".join(json.dumps(d, ensure_ascii=False) for d in CORPUS) + "\n")
    (folder / "queries.jsonl").write_text(
        "\n".join(json.dumps(q, ensure_ascii=False) for q in QUERIES) + "\n"
    )
    (folder / "qrels" / "test.tsv").write_text(qrels)
    return folder


def test_metrics_against_hand_computed_values() -> None:
    relevant = {"a": 2, "b": 1}
    assert ndcg_at(["a", "b", "c"], relevant) == pytest.approx(1.0)
    expected = (1 / math.log2(3)) / (2 + 1 / math.log2(3))  # b at rank 2 only
    assert ndcg_at(["x", "b"], relevant) == pytest.approx(expected)
    assert recall_at(["a", "x"], relevant) == 0.5
    assert mrr_at(["x", "y", "b"], relevant) == pytest.approx(1 / 3)
    assert mrr_at(["x"] * 10 + ["a"], relevant) == 0.0


def test_load_beir_drops_zero_scores_and_unjudged_queries(tmp_path: Path) -> None:
    beir = load_beir(write_beir(tmp_path / "tiny"))
    assert beir.split == "test"
    assert beir.qrels["q2"] == {"d2": 1}
    assert set(beir.queries) == {"q1", "q2", "q3"}


def test_bench_match_json_on_tiny_set(tmp_path: Path) -> None:
    out = StringIO()
    call_command(
        "bench", "match", "--dataset", str(write_beir(tmp_path / "tiny")), "--json", "--no-cache", stdout=out
    )
    report = json.loads(out.getvalue())
    assert report["documents"] == 5 and report["queries"] == 3 and report["embedded"] == 5
    assert set(report["methods"]) == {"lexical", "dense", "full"}
    for figures in report["methods"].values():
        assert set(figures) == {"ndcg@10", "recall@100", "mrr@10", "latency_p50_ms", "latency_p95_ms"}
    # Each query has one obvious lexical answer.
    assert report["methods"]["lexical"]["mrr@10"] == 1.0
    assert report["methods"]["full"]["ndcg@10"] >= 0.9


def test_bench_dump_holds_every_first_stage_list(tmp_path: Path) -> None:
    from kechuang.matching.engine.bench import run_bench

    dump = tmp_path / "tiny.dump.jsonl"
    run_bench(write_beir(tmp_path / "tiny"), methods=("full",), dump=dump)
    records = {r["qid"]: r for r in map(json.loads, dump.read_text(encoding="utf-8").splitlines())}
    assert set(records) == {"q1", "q2", "q3"}
    # The bigram-only list finds the quantum-dot item for a Chinese query; words alone find it too.
    assert records["q1"]["grams"][0][0] == "supply:d1" and records["q1"]["words"][0][0] == "supply:d1"
    assert records["q3"]["words"][0][0] == "supply:d4" and records["q3"]["dense"]


def test_bench_table_and_method_subset(tmp_path: Path) -> None:
    out = StringIO()
    folder = write_beir(tmp_path / "tiny")
    call_command("bench", "match", "--dataset", str(folder), "--methods", "lexical", "--quiet", stdout=out)
    text = out.getvalue()
    assert "nDCG@10" in text and "lexical" in text and "dense " not in text


def test_bench_limit_queries(tmp_path: Path) -> None:
    out = StringIO()
    folder = write_beir(tmp_path / "tiny")
    call_command(
        "bench",
        "match",
        "--dataset",
        str(folder),
        "--methods",
        "lexical",
        "--limit-queries",
        "1",
        "--json",
        stdout=out,
    )
    assert json.loads(out.getvalue())["queries"] == 1


def test_bench_errors_name_the_problem(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"missing corpus\.jsonl"):
        call_command("bench", "match", "--dataset", str(tmp_path))
    bad = write_beir(tmp_path / "bad", qrels="query-id\tcorpus-id\tscore\nq1\td1\n")
    with pytest.raises(CommandError, match=r"test.tsv:2"):
        call_command("bench", "match", "--dataset", str(bad), "--methods", "lexical")
    with pytest.raises(CommandError, match="unknown methods"):
        call_command("bench", "match", "--dataset", str(write_beir(tmp_path / "ok")), "--methods", "magic")


@pytest.mark.django_db
def test_reindex_and_embed_commands(engine: Engine) -> None:
    engine.upsert([Document(id="stale", kind="supply", title="过期条目")])
    out = StringIO()
    call_command("reindex", "--verbosity", "0", stdout=out)
    # The database has no published items: the rebuilt index is empty and the stale entry is gone.
    assert engine.stats().documents["supply"] == 0
    out = StringIO()
    call_command("embed", stdout=out)
    assert "pending 0" in out.getvalue()
