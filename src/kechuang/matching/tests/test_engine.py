"""The engine facade end to end on the embedded backend: index, search, explain, constrain, persist."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from kechuang.matching.engine import Constraints, Document, Engine, build_engine, get_engine

SUPPLIES = [
    Document(
        id="1",
        kind="supply",
        title="量子点发光二极管制备方法",
        text="本发明公开了一种量子点发光二极管的制备方法，提高了器件的发光效率和寿命。",
        keywords=["量子点", "发光二极管"],
        fields=["new_materials.display"],
        attrs={
            "trl": 6,
            "price_min": Decimal("100000"),
            "price_max": Decimal("500000"),
            "region": "310115",
            "transfer_modes": ["licence"],
        },
    ),
    Document(
        id="2",
        kind="supply",
        title="高镍三元锂电池正极材料回收工艺",
        text="一种从废旧锂离子电池中回收高镍三元正极材料的湿法冶金工艺。",
        keywords=["锂电池", "回收"],
        fields=["new_energy"],
        attrs={"trl": 3, "price_min": Decimal("2000000"), "region": "320500", "transfer_modes": ["transfer"]},
    ),
    Document(
        id="3",
        kind="supply",
        title="Wing aerodynamics in a propeller slipstream",
        text="An experimental investigation of the lift of wings behind running propellers.",
        keywords=["aerodynamics"],
        fields=["aerospace"],
        attrs={},
    ),
]


def ids(hits) -> list[str]:  # type: ignore[no-untyped-def]
    return [h.id for h in hits]


def test_get_engine_is_the_test_engine(engine: Engine) -> None:
    assert get_engine() is engine


def test_lexical_search_works_before_embedding(engine: Engine) -> None:
    engine.upsert(SUPPLIES)
    assert engine.stats().pending_embeddings == 3
    hits = engine.search("量子點發光器件", "supply")  # traditional script on the query side
    assert ids(hits)[:1] == ["1"]
    assert hits[0].band == "unknown" and hits[0].dense_similarity is None
    assert "量子点" in hits[0].matched_terms
    assert "<mark>量子点" in hits[0].highlights["title"]


def test_english_stemming_matches_inflections(engine: Engine) -> None:
    engine.upsert(SUPPLIES)
    hits = engine.search("propellers and a wing", "supply")
    assert ids(hits)[:1] == ["3"]
    assert "<mark>Wing</mark>" in hits[0].highlights["title"]
    assert "<mark>propellers</mark>" in hits[0].highlights["text"]


def test_dense_after_embedding_gives_band_and_similarity(engine: Engine) -> None:
    engine.upsert(SUPPLIES)
    assert engine.embed_pending() == 3
    assert engine.stats().pending_embeddings == 0
    hits = engine.search("如何提升LED显示屏的发光效率", "supply")
    assert hits[0].id == "1"
    assert hits[0].dense_similarity is not None and hits[0].band in {"high", "medium"}
    # Unrelated items are not padded in from the dense list.
    assert "3" not in ids(hits)


def test_constraints_rerank_and_hard_filter(engine: Engine) -> None:
    engine.upsert(SUPPLIES)
    query = "正极材料回收 发光"
    assert ids(engine.search(query, "supply"))[:2] == ["2", "1"]
    wanted = Constraints(trl_min=5, budget_max=Decimal("600000"), regions=["310000"])
    soft = engine.search(query, "supply", wanted)
    assert ids(soft)[:2] == ["1", "2"]
    top = soft[0]
    assert set(top.constraints_met) == {"trl", "budget", "region"} and top.constraints_missed == []
    other = next(h for h in soft if h.id == "2")
    assert set(other.constraints_missed) == {"trl", "budget", "region"}
    hard = engine.search(query, "supply", Constraints(trl_min=5, hard={"trl"}))
    assert "2" not in ids(hard)


def test_unknown_attribute_is_kept_and_reported(engine: Engine) -> None:
    engine.upsert(SUPPLIES)
    hits = engine.search("wing propeller", "supply", Constraints(trl_min=5, hard={"trl"}))
    assert ids(hits) == ["3"]
    assert hits[0].constraints_unknown == ["trl"]


def test_unknown_hard_constraint_name_is_rejected() -> None:
    with pytest.raises(ValueError):
        Constraints(hard={"colour"})


def test_delete_and_reupsert(engine: Engine) -> None:
    engine.upsert(SUPPLIES)
    engine.delete(["1"], kind="supply")
    assert "1" not in ids(engine.search("量子点", "supply"))
    changed = Document(id="2", kind="supply", title="量子点显示面板", text="量子点膜")
    engine.upsert([changed])
    assert ids(engine.search("量子点", "supply")) == ["2"]
    assert engine.stats().documents["supply"] == 2


def test_kinds_are_separate(engine: Engine) -> None:
    engine.upsert([*SUPPLIES, Document(id="1", kind="demand", title="寻求量子点发光材料", text="")])
    assert ids(engine.search("量子点", "demand")) == ["1"]
    assert [h.kind for h in engine.search("量子点", "supply")] == ["supply"]


def test_similar_excludes_itself(engine: Engine) -> None:
    engine.upsert(
        [*SUPPLIES, Document(id="4", kind="supply", title="钙钛矿量子点发光材料", text="发光二极管")]
    )
    assert "4" in ids(engine.similar("1", "supply"))[:2]
    assert "1" not in ids(engine.similar("1", "supply"))
    assert engine.similar("404", "supply") == []


def test_index_survives_restart(tmp_path: Path, engine: Engine) -> None:
    first = build_engine(backend="embedded", data_dir=tmp_path / "d", background=False, dense=False)
    first.upsert(SUPPLIES)
    first.delete(["2"], kind="supply")
    first.close()
    second = build_engine(backend="embedded", data_dir=tmp_path / "d", background=False, dense=False)
    assert ids(second.search("量子点 锂电池", "supply")) == ["1"]
    second.close()


def test_rebuild_swaps_and_crash_leaves_old_index(tmp_path: Path) -> None:
    eng = build_engine(backend="embedded", data_dir=tmp_path / "d", background=False, dense=False)
    eng.upsert(SUPPLIES)
    old_generation = eng.stats().generation

    def exploding():  # type: ignore[no-untyped-def]
        yield SUPPLIES[0]
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        eng.rebuild(exploding(), batch=1)
    assert eng.stats().generation == old_generation
    assert ids(eng.search("锂电池", "supply")) == ["2"]
    seen: list[int] = []
    assert eng.rebuild(iter(SUPPLIES[:1]), total=1, progress=lambda done, total: seen.append(done)) == 1
    assert seen == [1]
    assert eng.stats().generation != old_generation
    assert eng.search("锂电池", "supply") == []
    # A second process opened on the same directory follows the swap.
    other = build_engine(backend="embedded", data_dir=tmp_path / "d", background=False, dense=False)
    assert other.stats().documents["supply"] == 1
    eng.close()
    other.close()


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "😀😀😀",
        "<script>alert(1)</script>量子点",
        "'; DROP TABLE docs; --",
        "量子点" * 7000,
        "AND OR NOT * ? : ( ) [ ]",
    ],
)
def test_hostile_input_gives_sane_results(engine: Engine, text: str) -> None:
    engine.upsert(SUPPLIES)
    hits = engine.search(text, "supply")
    for hit in hits:
        assert "<script>" not in hit.highlights["title"] + hit.highlights["text"]


def test_highlights_escape_document_html(engine: Engine) -> None:
    engine.upsert(
        [Document(id="9", kind="supply", title="<b>量子点</b>", text="<img src=x onerror=alert(1)>量子点")]
    )
    hit = engine.search("量子点", "supply")[0]
    assert hit.highlights["title"] == "&lt;b&gt;<mark>量子点</mark>&lt;/b&gt;"
    assert "<img" not in hit.highlights["text"]


def test_unknown_kind_is_rejected(engine: Engine) -> None:
    with pytest.raises(ValueError):
        engine.search("x", "patent")


def test_background_thread_embeds_after_upsert(tmp_path: Path, engine: Engine) -> None:
    assert engine.cache is not None
    background = Engine(engine.backend, engine.cache, background=True)
    background.upsert([Document(id="bg", kind="supply", title="后台嵌入测试：超导量子比特读出电路")])
    background.wait_for_embeddings(60)
    assert background.stats().pending_embeddings == 0
    assert engine.backend.vector("supply:bg") is not None


def test_hnsw_graph_is_used_and_saved_above_threshold(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kechuang.matching.engine.backends import embedded

    monkeypatch.setattr(embedded, "HNSW_THRESHOLD", 2)
    engine.upsert(SUPPLIES)
    engine.embed_pending()
    hits = engine.search("如何提升LED显示屏的发光效率", "supply")
    assert hits[0].id == "1" and hits[0].dense_rank == 1
    backend = engine.backend
    assert isinstance(backend, embedded.EmbeddedBackend)
    assert list((backend.root / backend.generation()).glob("hnsw-supply-*.faiss"))


def test_writes_during_a_rebuild_reach_the_new_index(tmp_path: Path) -> None:
    rebuilding = build_engine(backend="embedded", data_dir=tmp_path / "d", background=False, dense=False)
    rebuilding.upsert(SUPPLIES)
    # Another process (here: another engine on the same directory) saves items mid-rebuild.
    web = build_engine(backend="embedded", data_dir=tmp_path / "d", background=False, dense=False)

    def docs_with_concurrent_writes():  # type: ignore[no-untyped-def]
        yield SUPPLIES[0]
        web.upsert([Document(id="new", kind="supply", title="重建期间新增的氢燃料电池催化剂")])
        web.delete(["1"], kind="supply")
        yield SUPPLIES[1]

    rebuilding.rebuild(docs_with_concurrent_writes(), batch=1)
    assert ids(rebuilding.search("氢燃料电池", "supply"))[0] == "new"
    assert ids(rebuilding.search("量子点", "supply")) == []
    assert ids(web.search("氢燃料电池", "supply"))[0] == "new"  # the other process follows the swap
    assert not (tmp_path / "d" / "index" / "embedded" / "BUILDING").exists()
    rebuilding.close()
    web.close()


def test_list_items_finds_lists_of_titles_not_sentences() -> None:
    from kechuang.matching.engine.engine import list_items

    assert list_items("城市交通拥堵控制策略研究；水稻抗旱基因的克隆") == [
        "城市交通拥堵控制策略研究",
        "水稻抗旱基因的克隆",
    ]
    assert list_items("Wing lift in slipstreams\nBoundary layers at Mach 2") == [
        "Wing lift in slipstreams",
        "Boundary layers at Mach 2",
    ]
    # Sentences split at semicolons are not a list of works; neither is one title or long text.
    assert list_items("固化剂与土壤成分发生化学反应;生成胶凝性物质.并指出其意义.") == []
    assert list_items("只有一个标题") == []
    assert list_items("甲" * 81 + "；乙") == []


def test_passage_texts_and_hash() -> None:
    from kechuang.matching.engine.engine import MAX_PASSAGES, passage_hash, passage_text, passage_texts
    from kechuang.text.embedding import text_hash

    plain = Document(id="1", kind="supply", title="量子点", text="提高发光效率。")
    assert passage_texts(plain) == [passage_text(plain)]
    # One passage: the hash is the one vectors were stored under before passages existed.
    assert passage_hash(plain) == text_hash("passage", passage_text(plain))
    works = [f"课题{i}" for i in range(40)]
    expert = Document(
        id="2", kind="expert", title="张三", text="\n".join(works), passages=[*works, "课题1", " "]
    )
    texts = passage_texts(expert)
    assert texts[0] == passage_text(expert) and texts[1:] == works[:MAX_PASSAGES]
    # Other works, another hash: vectors stored for the old works are no longer current.
    fewer = Document(id="2", kind="expert", title="张三", text="\n".join(works), passages=works[:3])
    assert passage_hash(expert) != passage_hash(fewer)
    # Without explicit passages, a text that is a list of titles gives one passage per title.
    listed = Document(id="3", kind="expert", text="课题甲；课题乙")
    assert passage_texts(listed)[1:] == ["课题甲", "课题乙"]


def test_search_without_explanations_keeps_the_order(engine: Engine) -> None:
    engine.upsert(SUPPLIES)
    explained = engine.search("量子点 材料", "supply")
    bare = engine.search("量子点 材料", "supply", explain_hits=False)
    assert ids(bare) == ids(explained) and explained[0].highlights["title"]
    assert all(h.highlights == {} and h.matched_terms == [] for h in bare)
