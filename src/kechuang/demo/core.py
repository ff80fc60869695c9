"""Demo step `core`: the registries of "Shanghai 2022".

- enterprises with annual facts 2020–2022 and designations: synthetic, from `generator` (calibrated);
- universities and institutes: the real 依托单位 of the NSFC corpus (generated credit codes);
- researchers: the real NSFC principal investigators, one Person per (name, institution);
- innovation carriers, service providers, banks and investors, government bodies: synthetic
  (except the names of government bodies and national labs, which are real; their codes are not).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict
from decimal import Decimal
from typing import Any

from kechuang.core.identifiers import make_uscc
from kechuang.core.models import Affiliation, Carrier, EnterpriseFacts, Organisation, Person

from . import generator, showcase
from .context import DemoContext
from .models import EnterpriseDesignation

VERSION = 1
DEPENDS: list[str] = []
# No `unload`: other apps' rows point at these organisations; a new VERSION needs `kechuang demo --reset`.

# Where an institution is when its name says so (province or city names), else a short list of
# well-known ones; the rest are placed by a seeded draw (marked in docs/demo-data.md).
PLACE_WORDS: dict[str, str] = {
    "北京": "110000", "天津": "120000", "河北": "130000", "石家庄": "130000", "山西": "140000", "太原": "140000",
    "内蒙古": "150000", "辽宁": "210000", "大连": "210000", "沈阳": "210000", "东北": "210000", "吉林": "220000",
    "长春": "220000", "黑龙江": "230000", "哈尔滨": "230000", "江苏": "320000", "南京": "320100", "苏州": "320500",
    "无锡": "320200", "常州": "320400", "扬州": "321000", "江南": "320200", "浙江": "330000", "杭州": "330100",
    "宁波": "330200", "温州": "330300", "安徽": "340000", "合肥": "340100", "福建": "350000", "福州": "350000",
    "厦门": "350000", "江西": "360000", "南昌": "360000", "山东": "370000", "济南": "370000", "青岛": "370000",
    "河南": "410000", "郑州": "410000", "湖北": "420000", "武汉": "420000", "华中": "420000", "湖南": "430000",
    "长沙": "430000", "中南": "430000", "广东": "440000", "广州": "440000", "深圳": "440000", "暨南": "440000",
    "华南": "440000", "汕头": "440000", "广西": "450000", "海南": "460000", "重庆": "500000", "四川": "510000",
    "成都": "510000", "西南": "510000", "贵州": "520000", "云南": "530000", "昆明": "530000", "西藏": "540000",
    "陕西": "610000", "西安": "610000", "西北": "610000", "甘肃": "620000", "兰州": "620000", "青海": "630000",
    "宁夏": "640000", "新疆": "650000", "香港": "810000", "澳门": "820000", "上海": "310000", "华东": "310000",
}  # fmt: skip
KNOWN_INSTITUTIONS: dict[str, str] = {
    "清华大学": "110000", "北京大学": "110000", "中国人民大学": "110000", "北京航空航天大学": "110000",
    "中央财经大学": "110000", "对外经济贸易大学": "110000", "中国科学院": "110000", "南开大学": "120000",
    "复旦大学": "310110", "上海交通大学": "310104", "同济大学": "310110", "上海财经大学": "310110",
    "华东师范大学": "310107", "华东理工大学": "310104", "东华大学": "310105", "上海大学": "310113",
    "浙江大学": "330100", "武汉大学": "420000", "中山大学": "440000", "东南大学": "320100", "河海大学": "320100",
    "中国科学技术大学": "340100", "电子科技大学": "510000", "中国矿业大学": "320300", "江南大学": "320200",
    "东北大学": "210000", "东北财经大学": "210000", "湖南大学": "430000", "重庆大学": "500000",
    "四川大学": "510000", "兰州大学": "620000", "山东大学": "370000", "吉林大学": "220000", "厦门大学": "350000",
}  # fmt: skip
SHANGHAI_DISTRICT_OF: dict[str, str] = {
    "上海海事大学": "310115",
    "上海理工大学": "310110",
    "上海师范大学": "310104",
}


def institution_region(name: str, rng: random.Random) -> tuple[str, bool]:
    """(region code, known): from the name, the short list, or a seeded guess (known=False)."""
    for known, code in {**KNOWN_INSTITUTIONS, **SHANGHAI_DISTRICT_OF}.items():
        if name.startswith(known):
            return code, True
    for word, code in PLACE_WORDS.items():
        if word in name:
            return code, True
    guess = rng.choice(["110000", "320000", "330000", "420000", "440000", "510000", "610000", "370000"])
    return guess, False


def load(ctx: DemoContext) -> dict[str, int]:
    counts: dict[str, int] = {}
    counts.update(_load_enterprises(ctx))
    counts.update(_load_institutions_and_people(ctx))
    counts.update(_load_other_organisations(ctx))
    counts.update(_load_carriers(ctx))
    return counts


# -- enterprises --------------------------------------------------------------------------------------
def _load_enterprises(ctx: DemoContext) -> dict[str, int]:
    specs = generator.generate_enterprises(ctx.random, ctx.scale)
    orgs = ctx.bulk_create(
        Organisation,
        (
            Organisation(
                uscc=s.uscc,
                name=s.name,
                name_en=s.name_en,
                kind=Organisation.Kind.ENTERPRISE,
                region_id=s.region,
                industry_id=s.industry,
                founded_on=s.founded_on,
                resident=True,
                is_synthetic=True,
            )
            for s in specs
        ),
        total=len(specs),
        desc="enterprises",
    )
    through = Organisation.tech_fields.through
    ctx.insert_rows(
        through,
        (
            {"organisation_id": o.pk, "techfield_id": f}
            for o, s in zip(orgs, specs, strict=True)
            for f in s.tech_fields
        ),
        desc="technology fields",
    )
    n_facts = ctx.insert_rows(
        EnterpriseFacts,
        (
            {"organisation_id": o.pk, "year": year, "is_synthetic": True, **facts}
            for o, s in zip(orgs, specs, strict=True)
            for year, facts in sorted(s.facts.items())
        ),
        total=sum(len(s.facts) for s in specs),
        desc="annual facts",
    )
    n_designations = ctx.insert_rows(
        EnterpriseDesignation,
        (
            {"organisation_id": o.pk, "kind": d.kind, "since": d.since, "value": d.value, "flags": d.flags}
            for o, s in zip(orgs, specs, strict=True)
            for d in s.designations
        ),
        desc="designations",
    )
    return {"enterprises": len(orgs), "enterprise_facts": n_facts, "designations": n_designations}


# -- universities, institutes and their researchers (real NSFC data) ----------------------------------
def _load_institutions_and_people(ctx: DemoContext) -> dict[str, int]:
    projects_of: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    institutions: Counter[str] = Counter()
    for rec in ctx.corpus("nsfc_projects"):
        inst, pi = (rec.get("依托单位") or "").strip(), (rec.get("负责人") or "").strip()
        if inst and pi:
            projects_of[(pi, inst)].append(rec)
            institutions[inst] += 1
    # Small runs keep the busiest institutions (always the showcase university).
    keep = [name for name, _ in institutions.most_common(ctx.scaled(len(institutions), minimum=5))]
    if showcase.UNIVERSITY_NAME not in keep:
        keep.append(showcase.UNIVERSITY_NAME)
    rng = ctx.random
    orgs: list[Organisation] = []
    for i, name in enumerate(sorted(keep), start=1):
        region, _known = institution_region(name, rng)
        kind = (
            Organisation.Kind.UNIVERSITY
            if ("大学" in name or "学院" in name)
            else Organisation.Kind.INSTITUTE
        )
        uscc = (
            showcase.UNIVERSITY_USCC
            if name == showcase.UNIVERSITY_NAME
            else generator.institution_uscc(region, i)
        )
        orgs.append(
            Organisation(
                uscc=uscc,
                name=name,
                name_en=showcase.UNIVERSITY_NAME_EN if name == showcase.UNIVERSITY_NAME else "",
                kind=kind,
                region_id=region,
                is_synthetic=True,
                description="名称来自国家自然科学基金资助项目数据（真实）；统一社会信用代码为演示生成，并非真实代码。",
            )
        )
    created = {o.name: o for o in ctx.bulk_create(Organisation, orgs, total=len(orgs), desc="institutions")}
    pairs = sorted(k for k in projects_of if k[1] in created)
    pairs = (
        pairs
        if ctx.scale >= 1
        else [p for p in pairs if p[1] == showcase.UNIVERSITY_NAME]
        + [p for p in pairs if p[1] != showcase.UNIVERSITY_NAME][: ctx.scaled(len(pairs))]
    )
    people = []
    for pi, inst in pairs:
        projects = sorted(projects_of[(pi, inst)], key=lambda r: r.get("开始") or "")
        titles = "；".join(r["项目名称"] for r in projects[:3])
        people.append(
            Person(
                name=pi,
                kind=Person.Kind.RESEARCHER,
                title="项目负责人",
                bio=f"国家自然科学基金项目负责人（{len(projects)} 项）：{titles}",
                is_synthetic=False,
            )
        )
    people = ctx.bulk_create(Person, people, total=len(people), desc="researchers")

    def start(pair: tuple[str, str]) -> dt.date | None:
        first = min((r.get("开始") or "9999-12") for r in projects_of[pair])
        return dt.date(int(first[:4]), int(first[5:7]), 1) if first[:4].isdigit() else None

    affs = (
        Affiliation(
            person_id=p.pk,
            organisation_id=created[inst].pk,
            position="项目负责人",
            start_date=start((pi, inst)),
        )
        for p, (pi, inst) in zip(people, pairs, strict=True)
    )
    n_aff = len(ctx.bulk_create(Affiliation, affs, total=len(pairs), desc="affiliations"))
    return {"institutions": len(created), "researchers": len(people), "affiliations": n_aff}


# -- service providers, banks and investors, government bodies ----------------------------------------
PROVIDERS = ["上海浦江知识产权代理有限公司", "上海张江技术经纪服务有限公司", "上海临港科技咨询有限公司", "上海徐汇检验检测技术服务有限公司",
             "上海杨浦创新创业服务有限公司", "上海漕河泾科技评估有限公司", "上海紫竹技术转移中心有限公司"]  # fmt: skip
FINANCIAL = ["上海浦江科创银行（演示）", "上海黄浦科技支行（演示）", "上海张江科创投资基金管理有限公司", "上海临港天使投资有限公司",
             "上海科技融资担保有限公司（演示）", "上海长三角科创投资合伙企业（有限合伙）", "上海徐汇科技小额贷款有限公司"]  # fmt: skip
GOVERNMENT = [("上海市科学技术委员会", "Science and Technology Commission of Shanghai Municipality"),
              ("上海市经济和信息化委员会", "Shanghai Municipal Commission of Economy and Informatization"),
              ("上海市财政局", "Shanghai Municipal Finance Bureau"),
              ("国家税务总局上海市税务局", "Shanghai Municipal Tax Service, STA"),
              ("上海市知识产权局", "Shanghai Intellectual Property Administration"),
              ("浦东新区科技和经济委员会", "Pudong New Area Science, Technology and Economy Commission")]  # fmt: skip


def _load_other_organisations(ctx: DemoContext) -> dict[str, int]:
    rng = ctx.random
    rows = [
        Organisation(
            uscc=showcase.PROVIDER_USCC,
            name=showcase.PROVIDER_NAME,
            name_en=showcase.PROVIDER_NAME_EN,
            kind=Organisation.Kind.SERVICE_PROVIDER,
            region_id="310104",
            industry_id="75",
            is_synthetic=True,
        )
    ]
    for i, name in enumerate(PROVIDERS, start=1):
        district = generator._weighted(rng, generator.SHANGHAI_DISTRICTS)
        rows.append(Organisation(uscc=make_uscc(f"91{district}MC8{i:06d}"), name=name, kind=Organisation.Kind.SERVICE_PROVIDER,
                                 region_id=district, industry_id=rng.choice(["75", "72", "74"]), is_synthetic=True))  # fmt: skip
    for i, name in enumerate(FINANCIAL, start=1):
        rows.append(Organisation(uscc=make_uscc(f"91310115MD9{i:06d}"), name=name, kind=Organisation.Kind.FINANCIAL,
                                 region_id="310115", industry_id=rng.choice(["66", "67", "69"]), is_synthetic=True))  # fmt: skip
    for i, (name, name_en) in enumerate(GOVERNMENT, start=1):
        region = "310115" if name.startswith("浦东") else "310000"
        rows.append(Organisation(uscc=make_uscc(f"11{region}MB{i:07d}"), name=name, name_en=name_en,
                                 kind=Organisation.Kind.GOVERNMENT, region_id=region, industry_id="92", is_synthetic=True,
                                 description="真实机构名称；统一社会信用代码为演示生成。"))  # fmt: skip
    Organisation.objects.bulk_create(rows)
    return {
        "service_providers": 1 + len(PROVIDERS),
        "financial": len(FINANCIAL),
        "government": len(GOVERNMENT),
    }


# -- innovation carriers ------------------------------------------------------------------------------
CARRIER_TARGETS = {
    # kind: (full-scale count, name pattern)
    "lab_national": 3,
    "lab_national_key": 44,  # 全国重点实验室 44 (25 of them reorganised in 2022)
    "lab_municipal": 120,  # not a report figure; includes 34 Belt-and-Road joint labs below
    "joint_centre": 230,
    "incubator": 250,  # incubators + maker spaces = 418 incubation carriers
    "maker_space": 168,
    "popsci_base": 273 + 29,  # 273 bases + 29 youth science innovation stations
    "foreign_rd": 531,
    "rd_platform": 18,
    "transfer_platform": 6,
}
INCUBATION_TOTALS = {
    "area_m2": 3_660_000,
    "firms_served": 30_000,
    "people_served": 130_000,
    "firms_graduated": 5_000,
    "firms_listed": 200,
}
REORGANISED_LABS = 25
YOUTH_STATIONS = 29
BELT_ROAD_LABS = 34
NATIONAL_LABS = [
    ("张江实验室", "Zhangjiang Laboratory"),
    ("临港实验室", "Lingang Laboratory"),
    ("浦江实验室", "Pujiang Laboratory"),
]
LAB_TOPICS = ["集成电路", "人工智能", "生物医药", "脑科学", "量子信息", "先进材料", "海洋工程", "新能源", "智能制造", "遥感", "基因组学",
              "免疫学", "高分子", "光学", "船舶", "化学工程", "环境科学", "信息安全", "金属材料", "医学影像"]  # fmt: skip
COMPANIES = ["西门子", "强生", "罗氏", "通用电气", "霍尼韦尔", "巴斯夫", "拜耳", "飞利浦", "博世", "诺华", "阿斯利康", "微软", "英特尔",
             "杜邦", "3M", "赛诺菲", "雅培", "ABB", "米其林", "欧莱雅"]  # fmt: skip


def _split_total(rng: random.Random, total: int, n: int, sigma: float = 0.9) -> list[int]:
    """n positive integers summing exactly to total, log-normally spread."""
    weights = [rng.lognormvariate(0, sigma) for _ in range(n)]
    s = sum(weights)
    parts = [int(total * w / s) for w in weights]
    for i in range(total - sum(parts)):
        parts[i % n] += 1
    return parts


def _load_carriers(ctx: DemoContext) -> dict[str, int]:
    rng = ctx.random
    hosts = list(
        Organisation.objects.filter(
            kind__in=["university", "institute"], region__code__startswith="31"
        ).values_list("pk", flat=True)
    )
    firms = list(
        Organisation.objects.filter(kind="enterprise", region__code__startswith="31").values_list(
            "pk", flat=True
        )[:5000]
    )
    districts = generator.SHANGHAI_DISTRICTS
    rows: list[Carrier] = []
    n = {k: ctx.scaled(v) for k, v in CARRIER_TARGETS.items()}

    def add(kind: str, name: str, **kw: Any) -> None:
        rows.append(Carrier(kind=kind, name=name, region_id=kw.pop("region", generator._weighted(rng, districts)),
                            is_synthetic=True, **kw))  # fmt: skip

    for name, en in NATIONAL_LABS[: n["lab_national"]]:
        add("lab_national", name, name_en=en, established_on=dt.date(rng.choice([2017, 2021, 2021]), 1, 1),
            description="真实名称；其余属性为演示数据。")  # fmt: skip
    n_reorg = min(ctx.scaled(REORGANISED_LABS), n["lab_national_key"])
    for i in range(n["lab_national_key"]):
        topic = LAB_TOPICS[i % len(LAB_TOPICS)]
        reorganised = i < n_reorg
        add("lab_national_key", f"{topic}全国重点实验室（演示{i + 1}）", host_id=rng.choice(hosts) if hosts else None,
            recognised_on=dt.date(2022, rng.randint(1, 12), 1) if reorganised else dt.date(rng.randint(1990, 2018), 1, 1),
            description="2022年完成重组" if reorganised else "")  # fmt: skip
    n_br = min(ctx.scaled(BELT_ROAD_LABS), n["lab_municipal"])
    for i in range(n["lab_municipal"]):
        topic = rng.choice(LAB_TOPICS)
        name = (
            f"{topic}“一带一路”国际联合实验室（演示{i + 1}）"
            if i < n_br
            else f"上海市{topic}重点实验室（演示{i + 1}）"
        )
        add("lab_municipal", name, host_id=rng.choice(hosts) if hosts else None,
            description="一带一路国际联合实验室" if i < n_br else "")  # fmt: skip
    for i in range(n["joint_centre"]):
        add("joint_centre", f"长三角国家技术创新中心{rng.choice(LAB_TOPICS)}企业联合创新中心（演示{i + 1}）",
            host_id=rng.choice(firms) if firms else None, established_on=dt.date(rng.choice([2021, 2022]), rng.randint(1, 12), 1))  # fmt: skip
    n_inc = n["incubator"] + n["maker_space"]
    scale = min(1.0, ctx.scale)
    splits = {k: _split_total(rng, round(v * scale), n_inc) for k, v in INCUBATION_TOTALS.items()}
    for i in range(n_inc):
        kind = "incubator" if i < n["incubator"] else "maker_space"
        label = "科技企业孵化器" if kind == "incubator" else "众创空间"
        add(kind, f"上海{rng.choice(generator.BRAND_CHARS)}{rng.choice(generator.BRAND_CHARS)}{label}（演示{i + 1}）",
            area_m2=Decimal(splits["area_m2"][i]), firms_served=splits["firms_served"][i],
            people_served=splits["people_served"][i], firms_graduated=splits["firms_graduated"][i],
            firms_listed=splits["firms_listed"][i], established_on=dt.date(rng.randint(2000, 2021), 1, 1))  # fmt: skip
    n_youth = min(ctx.scaled(YOUTH_STATIONS), n["popsci_base"])
    for i in range(n["popsci_base"]):
        youth = i >= n["popsci_base"] - n_youth
        name = (
            f"青少年科学创新实践工作站（演示{i + 1}）"
            if youth
            else f"上海市{rng.choice(LAB_TOPICS)}科普基地（演示{i + 1}）"
        )
        add("popsci_base", name, description="青少年科学创新实践工作站" if youth else "市级科普基地")
    for i in range(n["foreign_rd"]):
        add("foreign_rd", f"{rng.choice(COMPANIES)}（中国）{rng.choice(LAB_TOPICS)}研发中心（演示{i + 1}）",
            established_on=dt.date(rng.randint(1995, 2022), 1, 1))  # fmt: skip
    for i in range(n["rd_platform"]):
        add("rd_platform", f"上海{rng.choice(LAB_TOPICS)}研发与转化功能型平台（演示{i + 1}）")
    for i in range(n["transfer_platform"]):
        add("transfer_platform", f"技术转移服务平台（演示{i + 1}）")
    created = ctx.bulk_create(Carrier, rows, total=len(rows), desc="carriers")
    return {"carriers": len(created)}
