"""Demo step `marketplace`: the technology supply and the matching market of "Shanghai 2022".

Real text, demo links (see docs/marketplace.md):
- research results: CSL core-journal papers (real title, abstract, author keywords); the owner
  institution is drawn among the NSFC institutions of the `core` step (synthetic link). Management
  and economics papers get one NSFC researcher as inventor, drawn at random (synthetic link);
- patents: the CN patent corpus (real publication number, title, IPC subclasses); owner drawn among
  enterprises and institutions (synthetic link);
- funded projects: the NSFC grants (real number, type, title, institution, PI, amount, period),
  linked to the Person (name + institution) the `core` step made;
- expert profiles: built from each researcher's projects and results;
- demands (a few hundred), two open calls with applications, and leads at every funnel stage:
  synthetic, flagged `is_synthetic`; demand texts are written from templates around real keywords.
Prices, TRLs and transfer modes of the supply are synthetic too (the corpora do not carry them).
At the end every public item is indexed (lexical; `kechuang embed` adds the vectors).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal

from django.utils import timezone

from kechuang.achievements.models import FundedProject, TechSupply, patent_number_problem
from kechuang.core.models import Affiliation, Organisation, Person, Region

from . import showcase
from .context import DemoContext

VERSION = 1
DEPENDS = ["core", "accounts"]

TECH_CATEGORIES = {"工学", "农学", "医学", "理学"}
SERVICE_CATEGORIES = {"管理学", "经济学"}  # decision and management methods: high-tech services (field 5)

# CSL discipline → 国家重点支持的高新技术领域 (top-level code); unlisted disciplines get no field.
DISCIPLINE_FIELD = {
    "计算机科学与技术": "1", "信息与通信工程": "1", "电子科学与技术": "1", "光学工程": "1",
    "中医学/中药学": "2", "药学": "2", "基础医学/临床医学": "2", "口腔医学": "2", "公共卫生与预防医学": "2",
    "生物学/生物科学与工程": "2", "食品科学与工程": "2", "园艺学": "2", "作物学": "2", "水产": "2",
    "畜牧学/兽医学": "2", "林学/林业工程": "2", "植物保护": "2",
    "航空宇航科学与技术": "3", "兵器科学与技术": "3",
    "材料科学与工程": "4", "纺织科学与工程": "4", "冶金工程": "4", "化学/化学工程与技术": "4",
    "电气工程": "6", "动力工程及工程热物理": "6", "核科学与技术": "6", "石油与天然气工程": "6",
    "环境科学与工程": "7", "水利工程": "7", "地质学/地质资源与地质工程": "7", "大气科学": "7",
    "海洋科学": "7", "矿业工程": "7", "农业资源利用": "7", "地理学": "7",
    "机械工程": "8", "控制科学与工程": "8", "交通运输工程": "8", "船舶与海洋工程": "8", "土木工程": "8",
    "农业工程": "8", "测绘科学与技术": "8", "力学": "8",
}  # fmt: skip
# IPC prefix → field (longest prefix wins).
IPC_FIELD = {
    "G06": "1", "H04": "1", "H01L": "1", "G09": "1", "G11": "1", "H03": "1", "H05K": "1",
    "A61": "2", "C12": "2", "C07K": "2", "A01": "2", "A23": "2",
    "B64": "3", "F42": "3",
    "C08": "4", "C04": "4", "C22": "4", "C01": "4", "C09": "4", "B32": "4", "D01": "4",
    "H01M": "6", "H02J": "6", "H02S": "6", "F24S": "6", "F03D": "6", "H02": "6",
    "B01D": "7", "C02F": "7", "B09": "7", "E02": "7", "F23J": "7",
    "B23": "8", "B25": "8", "G05B": "8", "B65": "8", "F16": "8", "B21": "8", "B22": "8", "B24": "8",
    "G01": "8", "B60": "8", "B62": "8",
}  # fmt: skip
MODES = ["transfer", "licence", "equity", "co_develop"]
PROBLEMS = [
    "我司在{topic}方面遇到技术瓶颈，希望引进{kw}相关技术，提升产品性能和良率。",
    "现有{topic}工艺成本高、效率低，寻求在{kw}方向有成熟成果的团队合作攻关。",
    "面向{topic}的产业化需求，需要解决{kw}的关键技术问题，欢迎高校院所揭榜。",
    "计划开发新一代{topic}产品，需要{kw}技术支持，可采用许可或合作开发方式。",
]
OUTCOMES = ["形成可量产的工艺方案", "完成中试验证", "获得可许可的专利组合", "交付样机并通过第三方检测"]
STAGE_WEIGHTS = [("recommended", 40), ("viewed", 22), ("contacted", 12), ("nda", 7), ("negotiating", 6),
                 ("signed", 5), ("closed", 8)]  # fmt: skip
FUNNEL = ["recommended", "viewed", "contacted", "nda", "negotiating", "signed"]
CLOSE_REASONS = ["not_relevant", "price", "no_response", "solved_elsewhere"]


def _month(value: str | None, end: bool = False) -> dt.date | None:
    """'2018-01' → 2018-01-01 (start) or the month's last day (end)."""
    if not value or len(value) < 7 or not value[:4].isdigit() or not value[5:7].isdigit():
        return None
    year, month = int(value[:4]), int(value[5:7])
    if not 1 <= month <= 12:
        return None
    if not end:
        return dt.date(year, month, 1)
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def ipc_field(ipcs: list[str]) -> str | None:
    for ipc in ipcs:
        for n in (4, 3):
            code = IPC_FIELD.get(ipc[:n])
            if code:
                return code
    return None


def _price(rng: random.Random) -> tuple[Decimal, Decimal]:
    low = Decimal(rng.choice([5, 10, 20, 30, 50, 80, 100, 150, 200, 300])) * Decimal("10000")
    return low, low * Decimal(rng.choice([2, 3, 4, 5]))


def load(ctx: DemoContext) -> dict[str, int]:
    rng = ctx.random
    counts: dict[str, int] = {}
    institutions = {o.name: o for o in Organisation.objects.filter(kind__in=["university", "institute"])}
    enterprises = list(
        Organisation.objects.filter(kind="enterprise").order_by("pk").values_list("pk", flat=True)
    )
    people = _people_by_name_and_institution()
    counts.update(_load_projects(ctx, institutions, people))
    results, inventor_of = _load_results(ctx, rng, institutions, people)
    counts["research_results"] = results
    counts["patents"] = _load_patents(ctx, rng, list(institutions.values()), enterprises)
    counts["expert_profiles"] = _load_experts(ctx, inventor_of)
    demand_ids = _load_demands(ctx, rng, enterprises)
    counts["demands"] = len(demand_ids)
    counts["open_calls"], counts["call_applications"] = _load_calls(ctx, rng, list(institutions.values()))
    counts["documents_indexed"], counts["leads"] = _index_and_lead(ctx, rng, demand_ids)
    return counts


def unload(ctx: DemoContext) -> None:
    from kechuang.matching.models import (
        CallApplication,
        Demand,
        ExpertProfile,
        MatchLead,
        NdaAcceptance,
        OpenCall,
    )

    MatchLead.objects.filter(is_synthetic=True).delete()
    CallApplication.objects.filter(call__demand__is_synthetic=True).delete()
    OpenCall.objects.filter(demand__is_synthetic=True).delete()
    NdaAcceptance.objects.filter(demand__is_synthetic=True).delete()
    Demand.objects.filter(is_synthetic=True).delete()
    ExpertProfile.objects.all().delete()
    TechSupply.objects.filter(source__startswith="demo:").delete()
    FundedProject.objects.filter(source__startswith="demo:").delete()


def _people_by_name_and_institution() -> dict[tuple[str, str], int]:
    rows = Affiliation.objects.values_list("person__name", "organisation__name", "person_id")
    return {(name, org): pk for name, org, pk in rows}


def _load_projects(
    ctx: DemoContext, institutions: dict[str, Organisation], people: dict[tuple[str, str], int]
) -> dict[str, int]:
    rows = []
    seen: set[str] = set()
    for rec in ctx.corpus("nsfc_projects"):
        inst, pi = (rec.get("依托单位") or "").strip(), (rec.get("负责人") or "").strip()
        number = str(rec.get("项目批准号") or rec.get("id") or "").strip()
        # Small runs keep the projects whose institution the `core` step kept.
        if not number or number in seen or inst not in institutions:
            continue
        seen.add(number)
        amount = rec.get("金额_万元")
        rows.append(
            FundedProject(
                number=number, funder="NSFC", project_type=(rec.get("项目类别") or "")[:100],
                title=(rec.get("项目名称") or "")[:300], institution=institutions[inst], institution_name=inst[:200],
                principal_id=people.get((pi, inst)), principal_name=pi[:100],
                amount=(Decimal(str(amount)) * Decimal("10000")).quantize(Decimal("0.01")) if amount is not None else None,
                start=_month(rec.get("开始")), end=_month(rec.get("结束"), end=True),
                source="demo: NSFC corpus (Tsai1993/Fund)",
            )
        )  # fmt: skip
    created = ctx.bulk_create(FundedProject, rows, total=len(rows), desc="funded projects")
    return {"funded_projects": len(created)}


def _load_results(ctx: DemoContext, rng: random.Random, institutions: dict[str, Organisation],
                  people: dict[tuple[str, str], int]) -> tuple[int, dict[int, list[int]]]:  # fmt: skip
    records = [r for r in ctx.corpus("csl") if r.get("category") in TECH_CATEGORIES | SERVICE_CATEGORIES]
    records = records[: ctx.scaled(len(records), minimum=20)]
    owners = sorted(institutions.values(), key=lambda o: o.pk)
    researchers = sorted(people.items())
    now = timezone.now()
    rows, inventors, fields = [], [], []
    for rec in records:
        service = rec.get("category") in SERVICE_CATEGORIES
        inventor = rng.choice(researchers) if service and researchers else None
        owner = institutions[inventor[0][1]] if inventor else rng.choice(owners)
        low, high = _price(rng)
        rows.append(
            TechSupply(
                kind=TechSupply.Kind.RESULT, title=rec["title"][:300], abstract=rec.get("abstract") or "",
                keywords=[k for k in rec.get("keywords") or [] if isinstance(k, str)][:30], trl=rng.randint(2, 7),
                transfer_modes=sorted(rng.sample(MODES, rng.randint(1, 3))), price_min=low, price_max=high,
                owner=owner, status=TechSupply.Status.PUBLISHED, published_at=now,
                source="demo: CSL (ydli-ai/CSL), owner assigned for the demo", source_ref=str(rec.get("id", ""))[:100],
                is_synthetic=True,
            )
        )  # fmt: skip
        inventors.append(inventor[1] if inventor else None)
        fields.append("5" if service else DISCIPLINE_FIELD.get(rec.get("discipline") or ""))
    created = ctx.bulk_create(TechSupply, rows, total=len(rows), desc="research results")
    inventor_of: dict[int, list[int]] = defaultdict(list)
    through_inv = TechSupply.inventors.through
    through_fld = TechSupply.tech_fields.through
    ctx.bulk_create(
        through_inv,
        (through_inv(techsupply_id=s.pk, person_id=p) for s, p in zip(created, inventors, strict=True) if p),
    )
    ctx.bulk_create(
        through_fld,
        (through_fld(techsupply_id=s.pk, techfield_id=f) for s, f in zip(created, fields, strict=True) if f),
    )
    for s, p in zip(created, inventors, strict=True):
        if p:
            inventor_of[p].append(s.pk)
    return len(created), inventor_of


def _load_patents(
    ctx: DemoContext, rng: random.Random, institutions: list[Organisation], enterprises: list[int]
) -> int:
    records = list(ctx.corpus("patents"))
    records = records[: ctx.scaled(len(records), minimum=20)]
    inst_ids = sorted(o.pk for o in institutions)
    now = timezone.now()
    rows, fields = [], []
    for rec in records:
        number = str(rec.get("id") or "")
        if patent_number_problem(number):
            continue
        ipcs = [i for i in rec.get("ipc") or [] if isinstance(i, str)][:10]
        owner = rng.choice(enterprises) if enterprises and rng.random() < 0.7 else rng.choice(inst_ids)
        low, high = _price(rng)
        rows.append(
            TechSupply(
                kind=TechSupply.Kind.PATENT, title=(rec.get("title") or number)[:300], patent_number=number,
                ipc_classes=ipcs, trl=rng.randint(4, 8), transfer_modes=sorted(rng.sample(MODES, rng.randint(1, 2))),
                price_min=low, price_max=high, owner_id=owner, status=TechSupply.Status.PUBLISHED, published_at=now,
                source="demo: CN patents (lxingy3/chinese-patent-ipc-classifier), owner assigned for the demo",
                source_ref=number, is_synthetic=True,
            )
        )  # fmt: skip
        fields.append(ipc_field(ipcs))
    created = ctx.bulk_create(TechSupply, rows, total=len(rows), desc="patents")
    through_fld = TechSupply.tech_fields.through
    ctx.bulk_create(
        through_fld,
        (through_fld(techsupply_id=s.pk, techfield_id=f) for s, f in zip(created, fields, strict=True) if f),
    )
    return len(created)


def _load_experts(ctx: DemoContext, inventor_of: dict[int, list[int]]) -> int:
    from kechuang.matching.models import ExpertProfile

    projects: dict[int, list[FundedProject]] = defaultdict(list)
    for p in FundedProject.objects.filter(principal__isnull=False).order_by("-start"):
        projects[p.principal_id].append(p)  # type: ignore[index]
    supplies = {
        s.pk: s for s in TechSupply.objects.filter(pk__in=[i for ids in inventor_of.values() for i in ids])
    }
    person_ids = sorted(set(projects) | set(inventor_of))
    persons = {p.pk: p for p in Person.objects.filter(pk__in=person_ids)}
    current = dict(
        Affiliation.objects.filter(person_id__in=person_ids, end_date__isnull=True).values_list(
            "person_id", "organisation_id"
        )
    )
    rows = []
    for pid in person_ids:
        person = persons[pid]
        mine = [supplies[i] for i in inventor_of.get(pid, []) if i in supplies]
        grants = projects.get(pid, [])
        keywords = list(dict.fromkeys(k for s in mine for k in s.keywords))[:40]
        summary = "\n".join([s.title for s in mine] + [g.title for g in grants])[:8000]
        total = sum((g.amount or Decimal(0)) for g in grants)
        rows.append(
            ExpertProfile(
                person_id=pid, organisation_id=current.get(pid), headline=person.title, summary=summary,
                keywords=keywords, result_count=len(mine), patent_count=0, project_count=len(grants),
                funding_total=total if grants else None, is_synthetic=bool(mine),
            )
        )  # fmt: skip
    created = ctx.bulk_create(ExpertProfile, rows, total=len(rows), desc="expert profiles")
    through = ExpertProfile.tech_fields.through
    ctx.bulk_create(
        through, (through(expertprofile_id=e.pk, techfield_id="5") for e in created if e.result_count)
    )
    return len(created)


def _load_demands(ctx: DemoContext, rng: random.Random, enterprises: list[int]) -> list[int]:
    from kechuang.matching.models import Demand

    if not enterprises:
        return []
    showcase_org = Organisation.objects.filter(uscc=showcase.ENTERPRISE_USCC).first()
    pool = list(
        TechSupply.objects.filter(source__startswith="demo:")
        .exclude(keywords=[])
        .order_by("pk")
        .values_list("pk", flat=True)
    ) or list(
        TechSupply.objects.filter(source__startswith="demo:").order_by("pk").values_list("pk", flat=True)
    )
    n = ctx.scaled(300, minimum=12)
    picks = rng.sample(pool, min(n, len(pool)))
    seeds = {s.pk: s for s in TechSupply.objects.filter(pk__in=picks).prefetch_related("tech_fields")}
    shanghai = Region.objects.filter(pk="310000").first()
    today = dt.date(ctx.year, 12, 31)
    rows, field_of = [], []
    for i, pk in enumerate(picks):
        s = seeds[pk]
        words = s.keywords[:3] or [s.title[:12]]
        topic = words[0]
        kw = "、".join(words[1:]) or s.title[:20]
        confidential = rng.random() < 0.2
        budget = Decimal(rng.choice([20, 50, 80, 100, 200, 500])) * Decimal("10000")
        org_id = showcase_org.pk if (showcase_org and i < 5) else rng.choice(enterprises)
        rows.append(
            Demand(
                title=f"寻求{topic}相关技术"[:200], summary=rng.choice(PROBLEMS).format(topic=topic, kw=kw),
                desired_outcome=rng.choice(OUTCOMES),
                details="（演示数据）内部工艺参数与目标指标：良率≥98%，成本降低 20%。" if confidential else "",
                confidential=confidential, nda_text="双方对交流内容保密三年。" if confidential else "",
                budget_min=budget / 2, budget_max=budget, deadline=today + dt.timedelta(days=rng.randint(30, 400)),
                region_preference=shanghai if rng.random() < 0.3 else None,
                cooperation_mode=rng.choice(MODES), trl_min=rng.choice([None, 4, 5, 6]),
                organisation_id=org_id, status=Demand.Status.OPEN, is_synthetic=True,
            )
        )  # fmt: skip
        field_of.append([f.pk for f in s.tech_fields.all()])
    created = ctx.bulk_create(Demand, rows, total=len(rows), desc="demands")
    through = Demand.tech_fields.through
    ctx.bulk_create(
        through,
        (
            through(demand_id=d.pk, techfield_id=f)
            for d, fs in zip(created, field_of, strict=True)
            for f in fs
        ),
    )
    return [d.pk for d in created]


def _load_calls(ctx: DemoContext, rng: random.Random, institutions: list[Organisation]) -> tuple[int, int]:
    from kechuang.matching.models import CallApplication, Demand, OpenCall

    showcase_org = Organisation.objects.filter(uscc=showcase.ENTERPRISE_USCC).first()
    demands = (
        list(Demand.objects.filter(is_synthetic=True, organisation=showcase_org).order_by("pk")[:2])
        if showcase_org
        else []
    )
    if not demands:
        demands = list(Demand.objects.filter(is_synthetic=True).order_by("pk")[:2])
    today = timezone.localdate()
    calls = []
    windows = [(dt.date(ctx.year, 3, 1), dt.date(ctx.year, 6, 30), OpenCall.Status.CLOSED),
               (today - dt.timedelta(days=10), today + dt.timedelta(days=60), OpenCall.Status.OPEN)]  # fmt: skip
    for d, (opens, closes, status) in zip(demands, windows, strict=False):
        calls.append(OpenCall(demand=d, prize=Decimal("5000000"), eligibility="在中国境内注册的企业、高校和科研院所，可联合申报。",
                              evaluation="专家评审：技术先进性 40%、可行性 30%、产业化路径 30%；入围者路演答辩。",
                              opens_on=opens, closes_on=closes, status=status))  # fmt: skip
    calls = ctx.bulk_create(OpenCall, calls, desc="open calls")
    apps = []
    solvers = sorted(institutions, key=lambda o: o.pk)
    for call in calls:
        chosen = rng.sample(solvers, min(3, len(solvers)))
        outcomes = [("shortlisted", ""), ("rejected", "too_early"), ("submitted", "")]
        for org, (outcome, reason) in zip(chosen, outcomes, strict=False):
            decided = outcome != "submitted"
            apps.append(CallApplication(
                call=call, organisation=org, proposal=f"{org.name}拟基于已有研究成果揭榜：{call.demand.title}。",
                status=outcome, rejection_reason=reason,
                decision_note="技术成熟度不足，建议完成中试后再申报。" if reason else ("请准备路演材料。" if decided else ""),
                respond_by=call.closes_on + dt.timedelta(days=30) if decided else None,
                decided_at=timezone.now() if decided else None,
            ))  # fmt: skip
    ctx.bulk_create(CallApplication, apps, desc="applications")
    return len(calls), len(apps)


def _index_and_lead(ctx: DemoContext, rng: random.Random, demand_ids: list[int]) -> tuple[int, int]:
    """Index everything lexically (vectors are left to `kechuang embed`), then record leads for each
    demand's best matches, spread over the funnel stages."""
    from kechuang.matching import indexing
    from kechuang.matching.engine import KINDS, Engine, get_engine, set_engine
    from kechuang.matching.models import Demand, LeadTransition, MatchLead

    live = get_engine()
    lexical = Engine(live.backend, None, background=False)  # same index, no embedding in this process
    docs = [doc for kind in KINDS for doc in indexing.all_documents(kind)]
    count = lexical.rebuild(iter(docs), total=len(docs))
    previous = set_engine(lexical)
    try:
        leads, stages = [], []
        for demand in ctx.progress(Demand.objects.filter(pk__in=demand_ids).prefetch_related("tech_fields"),
                                   total=len(demand_ids), desc="leads"):  # fmt: skip
            for result in indexing.match_demand(demand, kind="supply", limit=4):
                stage = rng.choices([s for s, _w in STAGE_WEIGHTS], [w for _s, w in STAGE_WEIGHTS])[0]
                furthest = FUNNEL.index(stage) if stage in FUNNEL else rng.randint(0, 4)
                signed = stage == "signed"
                leads.append(MatchLead(
                    demand=demand, supply=result.obj, supplier_id=result.obj.owner_id, score=result.score,
                    stage=stage, furthest=furthest, close_reason=rng.choice(CLOSE_REASONS) if stage == "closed" else "",
                    contract_ref=f"DEMO-{ctx.year}-{demand.pk:05d}-{result.obj.pk}" if signed else "",
                    contract_amount=demand.budget_max if signed else None, is_synthetic=True,
                ))  # fmt: skip
                stages.append((stage, furthest))
        created = ctx.bulk_create(MatchLead, leads, desc="leads")
        history = []
        for lead, (stage, furthest) in zip(created, stages, strict=True):
            path = FUNNEL[: furthest + 1] + (["closed"] if stage == "closed" else [])
            for prev, nxt in zip(["", *path], path, strict=False):
                history.append(LeadTransition(lead=lead, from_stage=prev, to_stage=nxt, note="demo"))
        ctx.bulk_create(LeadTransition, history, desc="lead history")
    finally:
        set_engine(previous)
    return count, len(created)
