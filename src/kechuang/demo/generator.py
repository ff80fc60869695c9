"""The seeded generator of the synthetic enterprise registry of "Shanghai 2022".

Pure Python, no database: `generate_enterprises(rng, scale)` returns plain specs that the `core`
step writes, and `report_figures(specs)` recomputes the figures of the 2022 report from them with
the definitions documented in docs/demo-data.md. The thresholds and rates of the policies the
figures rest on (小型微利 limits, the super-deduction negative list, the CIT rates…) are read from
the policy engine's dated parameters (`law`), never copied here. Calibration works by construction: the
population is split into exact groups first (HNTEs, claimants, …), then sizes are drawn per group,
then the money totals are scaled to their targets and the last cent is put on one firm.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import random
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from kechuang.core.identifiers import USCC_CHARSET, make_uscc

from . import showcase

YEARS = (2020, 2021, 2022)
YEAR = 2022
YI = 100_000_000  # 亿 (yuan)
WAN = 10_000  # 万 (yuan)
YEAR_END = dt.date(2022, 12, 31)

# -- targets: the figures of the 2022 report (shared reference README; see docs/demo-data.md) -------
TARGETS: dict[str, int] = {
    "shanghai_enterprises": 42_000,
    "yrd_enterprises": 2_000,
    "hnte_valid": 22_450,  # "> 2.2 万" valid high-tech enterprises at end-2022
    "rd_claimants": 35_686,
    "hnte_15_rate": 3_221,
    "little_giant": 660,
    "little_giant_cultivation": 1_980,  # with the above: "> 2600 (incl. cultivation)"
    "ipo_pool": 1_750,
    "star_listed_2022": 35,
    "star_listed": 78,
    "unicorns": 71,
    "tech_credit_firms": 6_547,
    "hnte_loan_firms": 5_830,  # 高企贷 "5800+"
    "other_listed": 300,  # listed elsewhere (main boards, HK): context for is_listed only
    "expired_hnte": 1_500,  # certificate lapsed before end-2022: not counted as valid
}
MONEY_TARGETS: dict[str, Decimal] = {
    "rd_extra_deduction": Decimal("262214000000.00"),  # 2,622.14 亿元 (see the definition chosen)
    "hnte_relief": Decimal("24300000000.00"),  # 243 亿元 = Σ taxable income × (25% − 15%)
    "star_market_value": Decimal("1300000000000.00"),  # 1.3 万亿元
    "tech_credit": Decimal("195140000000.00"),  # 1,951.4 亿元
    "hnte_loan": Decimal("189000000000.00"),  # "> 1,886 亿元"
}
TECH_CREDIT_SME_SHARE = 0.97
TECH_CREDIT_FIRST_LOAN_SHARE = 0.15

MANUFACTURING_DIVISIONS = frozenset(f"{n:02d}" for n in range(13, 44))
# 2022: the others 75% for Q1–Q3 and 100% for Q4 (公告2022年第28号, a one-quarter measure the
# parameters do not hold), i.e. 81.25% with R&D spent evenly over the year.
RATE_OTHERS_2022 = Decimal("0.8125")


@functools.cache
def law(year: int = YEAR) -> Any:
    """The policy parameters in force at the end of `year`: kechuang.policies' dated YAML files,
    the one source of every threshold and rate the dataset is built around."""
    from kechuang.policies.rules import baseline

    return baseline().get_parameters_at_instant(f"{year}-12-31")


def _decimal(value: Any) -> Decimal:
    return Decimal(str(value))


@functools.cache
def negative_list_divisions(year: int = YEAR) -> frozenset[str]:
    """Industries that cannot claim the R&D super deduction (财税〔2015〕119号, GB/T 4754 divisions)."""
    from kechuang.policies.rules.rd_super_deduction import excluded_divisions

    return frozenset(excluded_divisions(law(year).rd_super_deduction.negative_list))


def small_low_profit_limits(year: int = YEAR) -> tuple[Decimal, int, Decimal]:
    """小型微利企业: taxable income, staff and total assets at most (财税〔2019〕13号)."""
    limits = law(year).small_micro.limits
    return _decimal(limits.taxable_income_max), int(limits.staff_max), _decimal(limits.assets_max)


def tech_sme_limits(year: int = YEAR) -> tuple[int, Decimal]:
    """科技型中小企业: staff and annual revenue at most (国科发政〔2017〕115号)."""
    limits = law(year).tech_sme.limits
    return int(limits.staff_max), _decimal(limits.revenue_max)


def statutory_cit_rate(year: int = YEAR) -> Decimal:
    return _decimal(law(year).cit.general_rate)


def hnte_relief_rate(year: int = YEAR) -> Decimal:
    """What an HNTE saves per yuan of taxable income: the statutory rate less the HNTE rate."""
    return statutory_cit_rate(year) - _decimal(law(year).hnte.cit_rate)


def full_deduction_rate(year: int = YEAR) -> Decimal:
    """The super-deduction rate of manufacturing firms and registered tech SMEs (公告2021年第13号,
    公告2022年第16号): 100% in 2022."""
    rates = law(year).rd_super_deduction.rate
    return max(_decimal(rates.manufacturing), _decimal(rates.tech_sme))


SHANGHAI_DISTRICTS: list[tuple[str, float]] = [
    ("310115", 24), ("310112", 10), ("310114", 8), ("310117", 7), ("310104", 6), ("310110", 6),
    ("310113", 5), ("310107", 4), ("310118", 5), ("310120", 4), ("310116", 3), ("310106", 4),
    ("310105", 3), ("310109", 3), ("310101", 3), ("310151", 1),
]  # fmt: skip
YRD_CITIES = [
    "320500",
    "320100",
    "320200",
    "320400",
    "330100",
    "330200",
    "330400",
    "340100",
    "340200",
    "320600",
]
CITY_NAMES = {
    "320500": "苏州", "320100": "南京", "320200": "无锡", "320400": "常州", "330100": "杭州",
    "330200": "宁波", "330400": "嘉兴", "340100": "合肥", "340200": "芜湖", "320600": "南通",
}  # fmt: skip

# Industries of firms doing R&D: manufacturing ~40%, software/internet ~25%, R&D services ~20%.
RD_INDUSTRIES: list[tuple[str, float]] = [
    ("39", 9), ("35", 5), ("34", 4), ("38", 4), ("27", 4), ("26", 3), ("40", 3), ("36", 2), ("37", 1),
    ("29", 1.5), ("33", 1.5), ("30", 0.5), ("32", 0.5), ("41", 0.5), ("14", 0.5),
    ("65", 17), ("64", 6), ("63", 2),
    ("73", 7), ("74", 8), ("75", 5),
    ("44", 1), ("48", 1.5), ("58", 1), ("77", 1.5), ("84", 1), ("05", 0.5), ("87", 1), ("67", 0.5),
]  # fmt: skip
NEGATIVE_INDUSTRIES: list[tuple[str, float]] = [
    ("51", 5),
    ("52", 2),
    ("72", 4),
    ("70", 1),
    ("62", 1),
    ("71", 1),
    ("90", 0.5),
]
# The high-tech domain that usually goes with an industry (国家重点支持的高新技术领域 codes).
INDUSTRY_FIELDS: dict[str, list[str]] = {
    "39": ["1.2", "1.3", "1.4", "1.6"], "35": ["8.4", "8.5", "2.5"], "34": ["8.4", "8.5"], "38": ["6.3", "8.6", "6.4"],
    "27": ["2.1", "2.3", "2.4", "2.2"], "26": ["4.5", "4.3"], "40": ["8.3", "8.1"], "36": ["8.7", "6.3"],
    "37": ["3.1", "3.2", "8.8"], "29": ["4.3"], "33": ["4.1"], "30": ["4.2"], "32": ["4.1"], "41": ["8.4"],
    "14": ["2.6"], "65": ["1.1", "5.3", "1.7"], "64": ["1.3", "5.6"], "63": ["1.4", "1.5"], "73": ["5.1", "2.1"],
    "74": ["5.2", "5.4", "7.5"], "75": ["5.5", "5.1"], "44": ["6.1", "6.4"], "48": ["8.2", "7.6"], "58": ["5.6"],
    "77": ["7.1", "7.2", "7.3"], "84": ["2.5"], "05": ["2.7"], "87": ["5.8", "1.5"], "67": ["5.4"],
}  # fmt: skip
FIELD_WORDS = {
    "1": ["信息技术", "微电子", "网络科技", "通信技术", "软件"], "2": ["生物科技", "医药科技", "生物医药", "医疗器械"],
    "3": ["航空科技", "航天技术"], "4": ["新材料", "材料科技", "化学科技"], "5": ["技术服务", "检测技术", "数据科技"],
    "6": ["新能源", "能源科技", "储能技术"], "7": ["环保科技", "环境技术"], "8": ["智能装备", "自动化", "精密机械"],
}  # fmt: skip
BRAND_CHARS = "瀚微芯联创睿博泰华鼎昊宇晟德信达益恒源盛峰锐迅捷凯嘉禾朗晨曜澜启航光谷星辰云图天智远景汇川蓝海新元宏安正和致泓腾跃卓越中科君实立衡科琪灵犀思拓极"


@dataclass
class Designation:
    kind: str
    since: dt.date
    value: Decimal | None = None
    flags: dict[str, Any] = field(default_factory=dict)


@dataclass
class EnterpriseSpec:
    index: int
    uscc: str
    name: str
    region: str
    industry: str
    founded_on: dt.date
    group: str  # hnte15 | hnte_small | hnte_loss | claimant | negative | deemed | no_rd | yrd
    tech_fields: list[str] = field(default_factory=list)
    facts: dict[int, dict[str, Any]] = field(default_factory=dict)
    designations: list[Designation] = field(default_factory=list)
    name_en: str = ""

    @property
    def in_shanghai(self) -> bool:
        return self.region.startswith("31")


# -- small helpers -----------------------------------------------------------------------------------
def _weighted(rng: random.Random, table: list[tuple[str, float]]) -> str:
    return rng.choices([k for k, _ in table], weights=[w for _, w in table])[0]


def _money(x: float) -> Decimal:
    return Decimal(round(x * 100)).scaleb(-2)


def _lognormal(rng: random.Random, median: float, sigma: float) -> float:
    return median * math.exp(rng.gauss(0.0, sigma))


def _base31(n: int, width: int) -> str:
    out = ""
    while n:
        n, r = divmod(n, 31)
        out = USCC_CHARSET[r] + out
    return out.rjust(width, "0")


def enterprise_uscc(rng: random.Random, region: str, index: int) -> str:
    """91 (企业, 工商) + region + an organisation code "MA…" unique by index + the check character."""
    return make_uscc(f"91{region}MA{rng.choice('123456789')}{_base31(index, 6)}")


def institution_uscc(region: str, index: int, public: bool = True) -> str:
    """12 (事业单位) for public universities and institutes; the code is generated, not the real one."""
    return make_uscc(f"{'12' if public else '52'}{region}MB{_base31(index, 7)}")


def extra_deduction_rate(industry: str, tech_sme_reg_no: str) -> Decimal:
    """The 2022 super-deduction rate the dataset assumes for a claimant (see docs/demo-data.md)."""
    return (
        full_deduction_rate() if industry in MANUFACTURING_DIVISIONS or tech_sme_reg_no else RATE_OTHERS_2022
    )


def extra_deduction(facts: dict[str, Any], industry: str) -> Decimal:
    rate = extra_deduction_rate(industry, facts.get("tech_sme_reg_no") or "")
    return (facts["rd_expense"] * rate).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def is_small_low_profit(facts: dict[str, Any]) -> bool:
    """小型微利企业 (2022): within the limits on taxable income, staff and total assets."""
    ti, staff, assets = facts.get("taxable_income"), facts.get("staff"), facts.get("total_assets")
    if ti is None or staff is None or assets is None:
        return False
    ti_max, staff_max, assets_max = small_low_profit_limits()
    return 0 < ti <= ti_max and staff <= staff_max and assets <= assets_max


def hnte_valid_at_year_end(facts: dict[str, Any], year: int = YEAR) -> bool:
    until = facts.get("hnte_cert_valid_until")
    return until is not None and until >= dt.date(year, 12, 31)


def claims_rd_super_deduction(spec_region: str, industry: str, facts: dict[str, Any] | None) -> bool:
    """A Shanghai resident enterprise on audit collection, outside the negative list, with R&D > 0."""
    return bool(
        facts
        and spec_region.startswith("31")
        and facts.get("collection_method") == "audited"
        and industry not in negative_list_divisions()
        and (facts.get("rd_expense") or 0) > 0
    )


def takes_hnte_rate(spec_region: str, facts: dict[str, Any] | None) -> bool:
    """An HNTE with positive taxable income that is better off at 15% than as a 小型微利 firm."""
    return bool(
        facts
        and spec_region.startswith("31")
        and hnte_valid_at_year_end(facts)
        and facts.get("collection_method") == "audited"
        and (facts.get("taxable_income") or 0) > 0
        and not is_small_low_profit(facts)
    )


def _scale_to(values: list[float], target: Decimal) -> list[Decimal]:
    """Decimals proportional to `values` that sum exactly to `target` (the cents go on the largest)."""
    total = sum(values)
    out = [_money(v * float(target) / total) for v in values]
    biggest = max(range(len(out)), key=lambda i: out[i])
    out[biggest] += target - sum(out)
    return out


class _Names:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = {showcase.ENTERPRISE_NAME}

    def company(self, place: str, domain: str) -> str:
        for _ in range(50):
            brand = self.rng.choice(BRAND_CHARS) + self.rng.choice(BRAND_CHARS)
            word = self.rng.choice(FIELD_WORDS[domain])
            suffix = "股份有限公司" if self.rng.random() < 0.15 else "有限公司"
            name = f"{place}{brand}{word}{suffix}"
            if name not in self.used:
                self.used.add(name)
                return name
        name = f"{place}{brand}{word}{len(self.used)}号有限公司"
        self.used.add(name)
        return name


# -- the generator ---------------------------------------------------------------------------------
def scaled_targets(scale: float) -> dict[str, int]:
    if scale >= 1:
        return dict(TARGETS)
    return {k: max(1, round(v * scale)) for k, v in TARGETS.items()}


def scaled_money(scale: float) -> dict[str, Decimal]:
    if scale >= 1:
        return dict(MONEY_TARGETS)
    return {k: _money(float(v) * scale) for k, v in MONEY_TARGETS.items()}


def generate_enterprises(rng: random.Random, scale: float = 1.0) -> list[EnterpriseSpec]:
    t = scaled_targets(scale)
    money = scaled_money(scale)
    names = _Names(rng)
    n_sh = t["shanghai_enterprises"]
    groups: list[str] = (
        ["hnte"] * t["hnte_valid"]
        + ["claimant"] * (t["rd_claimants"] - t["hnte_valid"])
        + ["non_claimant"] * (n_sh - t["rd_claimants"])
    )
    specs: list[EnterpriseSpec] = []
    for i, group in enumerate(groups + ["yrd"] * t["yrd_enterprises"]):
        if group == "non_claimant":
            group = rng.choices(["negative", "deemed", "no_rd"], weights=[45, 20, 35])[0]
        if group == "yrd":
            region = rng.choice(YRD_CITIES)
            place = CITY_NAMES[region]
        else:
            region = _weighted(rng, SHANGHAI_DISTRICTS)
            place = "上海"
        industry = _weighted(rng, NEGATIVE_INDUSTRIES if group == "negative" else RD_INDUSTRIES)
        fields = INDUSTRY_FIELDS.get(industry, ["5.4"])
        spec = EnterpriseSpec(
            index=i, uscc=enterprise_uscc(rng, region, i + 1), name="", region=region, industry=industry,
            founded_on=dt.date(2000, 1, 1), group=group,
        )  # fmt: skip
        if group in {"hnte", "claimant"} or rng.random() < 0.3:
            spec.tech_fields = sorted(set(rng.sample(fields, k=min(len(fields), rng.choice([1, 1, 2])))))
        domain = (spec.tech_fields or fields)[0].split(".")[0]
        spec.name = names.company(place, domain)
        specs.append(spec)

    sh = [s for s in specs if s.in_shanghai]
    hntes = [s for s in sh if s.group == "hnte"]
    # The enterprise demo account's own firm: a small manufacturing HNTE in Pudong.
    show = hntes[-1]
    show.uscc, show.name, show.name_en = (
        showcase.ENTERPRISE_USCC,
        showcase.ENTERPRISE_NAME,
        showcase.ENTERPRISE_NAME_EN,
    )
    show.region, show.industry, show.tech_fields = "310115", "39", ["1.2", "1.6"]

    # HNTE sub-groups: profitable at 15% (exact count), the rest small or loss-making.
    rng.shuffle(hntes)
    hntes.remove(show)
    for s in hntes[: t["hnte_15_rate"]]:
        s.group = "hnte15"
    for s in [*hntes[t["hnte_15_rate"] :], show]:
        s.group = "hnte_other"

    for s in specs:
        _draw_facts(rng, s)
    _force_showcase(show)

    # Expired certificates among the other claimants (they do not count as valid at end-2022).
    others = [s for s in sh if s.group == "claimant"]
    for s in rng.sample(others, min(t["expired_hnte"], len(others))):
        issued = dt.date(rng.choice([2018, 2019]), rng.choice([11, 12]), rng.randint(1, 20))
        until = dt.date(issued.year + 3, issued.month, issued.day) - dt.timedelta(days=1)
        for y, f in s.facts.items():
            f["hnte_cert_valid_until"] = until if y >= issued.year else None

    _calibrate_rd(rng, sh, money["rd_extra_deduction"])
    for s in sh:  # scaling may have made a small profitable HNTE too big for 小型微利: it then makes a loss
        f = s.facts[YEAR]
        if s.group == "hnte_other" and f["taxable_income"] > 0 and not is_small_low_profit(f):
            f["taxable_income"] = -f["taxable_income"]
            f["net_profit"] = _money(float(f["taxable_income"]) * 0.8)
    _calibrate_hnte_relief([s for s in sh if s.group == "hnte15"], money["hnte_relief"])
    _designate(rng, sh, t, money)
    return specs


def _draw_facts(rng: random.Random, s: EnterpriseSpec) -> None:
    g = s.group
    hnte = g in {"hnte15", "hnte_other"}
    if g == "hnte15":
        revenue = max(_lognormal(rng, 2.5 * YI, 1.1), 6_000 * WAN)
    elif hnte:
        revenue = _lognormal(rng, 2_500 * WAN, 1.4)
    elif g == "claimant":
        revenue = _lognormal(rng, 1_200 * WAN, 1.5)
    else:
        revenue = _lognormal(rng, 800 * WAN, 1.6)
    revenue = min(max(revenue, 30 * WAN), 800 * YI)
    staff = max(3, min(60_000, round(revenue / _lognormal(rng, 90 * WAN, 0.5))))
    # Founded before the first certificate (HNTEs need a year of registration).
    issued_year = rng.choice([2020, 2021, 2022]) if hnte else None
    latest = (issued_year - 1) if issued_year else 2021
    founded = dt.date(rng.randint(1996, latest), rng.randint(1, 12), rng.randint(1, 28))
    if g == "hnte15":
        founded = dt.date(rng.randint(1996, min(latest, 2016)), founded.month, founded.day)
    s.founded_on = founded
    if hnte:
        intensity = 0.052 + abs(rng.gauss(0, 0.05))
    elif g in {"claimant", "deemed", "yrd"}:
        intensity = _lognormal(rng, 0.035, 0.6)
    elif g == "negative":
        intensity = 0.01 if rng.random() < 0.4 else 0.0
    else:
        intensity = 0.0
    intensity = min(intensity, 0.6)
    ti_max, small_staff, small_assets = small_low_profit_limits()
    sme_staff, sme_revenue = tech_sme_limits()
    small = (
        staff <= small_staff and revenue <= 4_000 * WAN
    )  # 4000万: a small firm's revenue, not a policy limit
    tech_sme = (
        g in {"claimant", "hnte_other"}
        and staff <= sme_staff
        and revenue <= sme_revenue
        and rng.random() < 0.6
    )
    listed_other = False
    growth = [rng.gauss(1.12, 0.12) for _ in YEARS]
    for k, year in enumerate(reversed(YEARS)):
        if year < founded.year:
            continue
        shrink = math.prod(max(0.5, x) for x in growth[:k])
        rev = revenue / shrink
        st = staff if k == 0 else max(3, round(staff / shrink))
        rd = rev * intensity * rng.uniform(0.93, 1.07) if intensity else 0.0
        if hnte:
            rd = max(rd, rev * 0.051)
        total_income = rev * rng.uniform(1.0, 1.06)
        assets = rev * _lognormal(rng, 1.1, 0.45)
        cost = rev * rng.uniform(0.82, 1.04)
        st_share = rng.uniform(0.14, 0.65) if hnte else rng.uniform(0.02, 0.4)
        st_staff = max(1, round(st * st_share)) if hnte or rng.random() < 0.8 else None
        facts: dict[str, Any] = {
            "revenue": _money(rev),
            "total_income": _money(total_income),
            "main_business_revenue": _money(rev * rng.uniform(0.86, 0.99)),
            "rd_expense": _money(rd),
            "rd_expense_domestic": _money(rd * rng.uniform(0.82, 1.0)),
            "cost_expense": _money(cost),
            "high_tech_revenue": _money(
                total_income * (rng.uniform(0.62, 0.95) if hnte else rng.uniform(0.0, 0.55))
            )
            if hnte or rng.random() < 0.7
            else None,
            "total_assets": _money(assets),
            "net_assets": _money(assets * rng.uniform(0.3, 0.75)),
            "taxable_income": _money(rev * rng.uniform(-0.15, 0.12)),
            "equity_financing_3y": _money(_lognormal(rng, 3_000 * WAN, 1.2))
            if rng.random() < (0.25 if hnte else 0.05)
            else Decimal("0.00"),
            "staff": st,
            "st_staff": st_staff,
            "rd_staff": None if st_staff is None else max(0, round(st_staff * rng.uniform(0.5, 0.95))),
            "ip_class1": rng.randint(1, 30) if hnte and rng.random() < 0.6 else rng.randint(0, 3),
            "ip_class2": rng.randint(1, 60) if hnte else rng.randint(0, 8),
            "hnte_cert_valid_until": None,
            "tech_sme_reg_no": f"{year}{s.region}{s.index % 10**8:08d}" if tech_sme else "",
            "is_listed": listed_other,
            "credit_ok": rng.random() > 0.015,
            "major_incident_1y": rng.random() < 0.004,
            "collection_method": "deemed" if g == "deemed" else "audited",
            "innovation_score": rng.randint(71, 96)
            if hnte
            else (rng.randint(30, 85) if rng.random() < 0.2 else None),
        }
        if hnte:
            facts["ip_class1"] = max(facts["ip_class1"], 0)
            facts["ip_class2"] = max(facts["ip_class2"], 1)
            facts["major_incident_1y"] = False
            facts["credit_ok"] = True
            assert issued_year is not None
            issued = dt.date(issued_year, rng.choice([11, 12]), rng.randint(1, 20))
            until = dt.date(issued.year + 3, issued.month, issued.day) - dt.timedelta(days=1)
            if year >= issued_year:
                facts["hnte_cert_valid_until"] = until
            elif rng.random() < 0.6:  # re-certified: the previous certificate covered the earlier year
                facts["hnte_cert_valid_until"] = issued - dt.timedelta(days=1)
        if year == YEAR:
            if g == "hnte15":
                facts["taxable_income"] = _money(rev * rng.uniform(0.05, 0.2))  # rescaled later
            elif g == "hnte_other":
                if small and facts["total_assets"] <= small_assets and rng.random() < 0.5:
                    facts["taxable_income"] = _money(rng.uniform(5 * WAN, float(ti_max)))
                else:
                    facts["taxable_income"] = _money(-rev * rng.uniform(0.0, 0.2))
            if g == "no_rd":
                facts["rd_expense"] = facts["rd_expense_domestic"] = Decimal("0.00")
            # Real registries have gaps: a few non-essential facts are missing (NULL, never zero).
            if g in {"negative", "no_rd", "yrd"} and rng.random() < 0.05:
                facts["net_assets"] = None
        facts["net_profit"] = _money(float(facts["taxable_income"]) * 0.8)
        s.facts[year] = facts


def _force_showcase(show: EnterpriseSpec) -> None:
    """Deterministic, policy-friendly facts for the enterprise demo account."""
    show.founded_on = dt.date(2015, 6, 18)
    base = {2020: 4_200, 2021: 5_300, 2022: 6_800}  # 万元 revenue
    for year, rev_wan in base.items():
        rev = Decimal(rev_wan * WAN)
        show.facts[year] = {
            "revenue": rev, "total_income": rev + Decimal("1200000"), "main_business_revenue": rev * Decimal("0.96"),
            "rd_expense": rev * Decimal("0.082"), "rd_expense_domestic": rev * Decimal("0.08"),
            "cost_expense": rev * Decimal("0.9"), "high_tech_revenue": rev * Decimal("0.78"),
            "total_assets": rev * Decimal("0.7"), "net_assets": rev * Decimal("0.45"),
            "taxable_income": Decimal("2400000.00") if year == 2022 else Decimal("1800000.00"),
            "net_profit": Decimal("1920000.00"), "equity_financing_3y": Decimal("30000000.00"),
            "staff": 120 + (year - 2020) * 25, "st_staff": 48 + (year - 2020) * 10, "rd_staff": 36 + (year - 2020) * 8,
            "ip_class1": 4 + (year - 2020), "ip_class2": 12, "hnte_cert_valid_until": dt.date(2023, 11, 30),
            "tech_sme_reg_no": f"{year}31011500000001", "is_listed": False, "credit_ok": True,
            "major_incident_1y": False, "collection_method": "audited", "innovation_score": 82,
        }  # fmt: skip
        for k in (
            "main_business_revenue",
            "rd_expense",
            "rd_expense_domestic",
            "cost_expense",
            "high_tech_revenue",
            "total_assets",
            "net_assets",
        ):
            show.facts[year][k] = show.facts[year][k].quantize(Decimal("0.01"))
    show.group = "hnte_other"


def _calibrate_rd(rng: random.Random, sh: list[EnterpriseSpec], target: Decimal) -> None:
    """Scale 2022 R&D (and revenue, to keep each firm's intensity) so Σ extra deduction = target."""
    claimants = [s for s in sh if claims_rd_super_deduction(s.region, s.industry, s.facts.get(YEAR))]
    fixed = [s for s in claimants if s.uscc == showcase.ENTERPRISE_USCC]
    scalable = [s for s in claimants if s not in fixed]
    fixed_total = sum((extra_deduction(s.facts[YEAR], s.industry) for s in fixed), Decimal(0))
    current = sum((extra_deduction(s.facts[YEAR], s.industry) for s in scalable), Decimal(0))
    k = (target - fixed_total) / current
    money_fields = ("revenue", "total_income", "main_business_revenue", "rd_expense", "rd_expense_domestic",
                    "cost_expense", "high_tech_revenue", "total_assets", "net_assets")  # fmt: skip
    for s in scalable:
        for f in s.facts.values():  # every year, so growth and 3-year intensities are kept
            for name in money_fields:
                if f.get(name) is not None:
                    f[name] = (f[name] * k).quantize(Decimal("0.01"))
    # Put the remaining cents on the largest 100%-rate claimant (its extra deduction = its R&D).
    full = max((s for s in scalable if extra_deduction_rate(s.industry, s.facts[YEAR]["tech_sme_reg_no"]) == 1),
               key=lambda s: s.facts[YEAR]["rd_expense"])  # fmt: skip
    total = fixed_total + sum((extra_deduction(s.facts[YEAR], s.industry) for s in scalable), Decimal(0))
    full.facts[YEAR]["rd_expense"] += target - total
    full.facts[YEAR]["rd_expense_domestic"] = min(
        full.facts[YEAR]["rd_expense_domestic"], full.facts[YEAR]["rd_expense"]
    )


def _calibrate_hnte_relief(group: list[EnterpriseSpec], target_relief: Decimal) -> None:
    """Σ taxable income of the HNTEs at 15% = relief / (25% − 15%); a floor above the 小型微利 limit on
    taxable income keeps them out of it."""
    base = [float(s.facts[YEAR]["taxable_income"]) for s in group]
    values = _scale_to(base, target_relief / hnte_relief_rate())
    for s, v in zip(group, values, strict=True):
        s.facts[YEAR]["taxable_income"] = v
        s.facts[YEAR]["net_profit"] = _money(float(v) * 0.8)
    ti_max = small_low_profit_limits()[0]
    low = [s for s in group if s.facts[YEAR]["taxable_income"] <= ti_max]
    if low:  # lift the few small ones above the threshold, taking the difference from the largest
        top = max(group, key=lambda s: s.facts[YEAR]["taxable_income"])
        for s in low:
            need = Decimal("3500000.00") - s.facts[YEAR]["taxable_income"]
            s.facts[YEAR]["taxable_income"] += need
            top.facts[YEAR]["taxable_income"] -= need


def _date_in(rng: random.Random, year: int) -> dt.date:
    return dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))


def _designate(
    rng: random.Random, sh: list[EnterpriseSpec], t: dict[str, int], money: dict[str, Decimal]
) -> None:
    """The lists the report counts that are not facts: 小巨人, IPO pool, STAR listings, unicorns, loans."""
    hntes = [
        s for s in sh if s.facts[YEAR]["hnte_cert_valid_until"] and hnte_valid_at_year_end(s.facts[YEAR])
    ]
    rng.shuffle(hntes)
    taken: set[int] = set()

    def pick(pool: list[EnterpriseSpec], n: int, ok: Any) -> list[EnterpriseSpec]:
        chosen = [s for s in pool if s.index not in taken and ok(s)][:n]
        if len(chosen) < n:  # small test populations: relax the condition rather than miss a target
            chosen += [s for s in pool if s.index not in taken and s not in chosen][: n - len(chosen)]
        taken.update(s.index for s in chosen)
        return chosen

    def mbr(s: EnterpriseSpec) -> Decimal:
        return s.facts[YEAR]["main_business_revenue"] or Decimal(0)

    for s in pick(hntes, t["little_giant"], lambda s: YI <= mbr(s) <= 10 * YI):
        s.designations.append(
            Designation("little_giant", _date_in(rng, rng.choice([2018, 2019, 2020, 2021, 2022])))
        )
    for s in pick(hntes, t["little_giant_cultivation"], lambda s: 2_000 * WAN <= mbr(s) < YI):
        s.designations.append(
            Designation("little_giant_cultivation", _date_in(rng, rng.choice([2019, 2020, 2021, 2022])))
        )

    taken.clear()
    big = sorted(hntes, key=mbr, reverse=True)
    star_earlier = pick(
        big[: max(400, t["star_listed"] * 5)][::3], t["star_listed"] - t["star_listed_2022"], lambda s: True
    )
    pool = pick(hntes, t["ipo_pool"], lambda s: mbr(s) >= 5_000 * WAN)
    listed_2022 = sorted(pool, key=mbr, reverse=True)[: t["star_listed_2022"]]
    caps = _scale_to(
        [float(mbr(s)) * rng.uniform(2, 12) for s in star_earlier + listed_2022], money["star_market_value"]
    )
    for s in pool:
        s.designations.append(Designation("ipo_pool", _date_in(rng, rng.choice([2020, 2021, 2022]))))
    for s, cap in zip(star_earlier + listed_2022, caps, strict=True):
        year = 2022 if s in listed_2022 else rng.choice([2019, 2020, 2021])
        s.designations.append(Designation("star_listed", _date_in(rng, year), cap, {"board": "STAR"}))
        for y, f in s.facts.items():
            f["is_listed"] = y >= year
    others = [s for s in sorted(sh, key=mbr, reverse=True)[: t["other_listed"] * 3] if s.index not in taken]
    for s in others[: t["other_listed"]]:
        for f in s.facts.values():
            f["is_listed"] = True
        taken.add(s.index)

    young = [s for s in sh if s.founded_on.year >= 2011 and s.index not in taken]
    rng.shuffle(young)
    values = _scale_to([_lognormal(rng, 1.3, 0.7) for _ in range(min(t["unicorns"], len(young)))],
                       Decimal(t["unicorns"]) * Decimal("14000000000"))  # fmt: skip
    for s, v in zip(young[: t["unicorns"]], values, strict=False):
        s.designations.append(
            Designation("unicorn", dt.date(2022, 12, 31), max(v, Decimal("7000000000")), {"currency": "CNY"})
        )

    # Tech credit (科技信贷) in 2022: 97% SMEs, 15% first loans; 高企贷 to HNTEs.
    eligible = [
        s for s in sh if s.group in {"hnte15", "hnte_other", "claimant"} and s.facts[YEAR]["credit_ok"]
    ]
    rng.shuffle(eligible)
    smes = [s for s in eligible if is_sme(s.facts[YEAR])]
    large = [s for s in eligible if not is_sme(s.facts[YEAR])]
    n_sme = round(t["tech_credit_firms"] * TECH_CREDIT_SME_SHARE)
    borrowers = smes[:n_sme] + large[: t["tech_credit_firms"] - n_sme]
    borrowers = borrowers + smes[n_sme : n_sme + t["tech_credit_firms"] - len(borrowers)]
    amounts = _scale_to([_lognormal(rng, 1.0, 1.0) for _ in borrowers], money["tech_credit"])
    n_first = round(len(borrowers) * TECH_CREDIT_FIRST_LOAN_SHARE)
    for k, (s, amount) in enumerate(zip(borrowers, amounts, strict=True)):
        s.designations.append(Designation("tech_credit", _date_in(rng, YEAR), amount,
                                          {"first_loan": k < n_first, "sme": is_sme(s.facts[YEAR])}))  # fmt: skip
    hnte_borrowers = [s for s in hntes if s.facts[YEAR]["credit_ok"]][: t["hnte_loan_firms"]]
    for s, amount in zip(
        hnte_borrowers,
        _scale_to([_lognormal(rng, 1.0, 0.9) for _ in hnte_borrowers], money["hnte_loan"]),
        strict=True,
    ):
        s.designations.append(Designation("hnte_loan", _date_in(rng, YEAR), amount))


def is_sme(facts: dict[str, Any]) -> bool:
    """中小企业 for the credit figure (simplified 工信部联企业〔2011〕300号): < 1000 staff and < 4亿 revenue."""
    return (facts.get("staff") or 0) < 1000 and (facts.get("revenue") or 0) < 4 * YI


# -- the report's figures, recomputed from the specs ----------------------------------------------------
def report_figures(specs: list[EnterpriseSpec]) -> dict[str, Any]:
    sh = [s for s in specs if s.in_shanghai]
    f22 = {s.index: s.facts.get(YEAR) for s in sh}
    claimants = [s for s in sh if claims_rd_super_deduction(s.region, s.industry, f22[s.index])]
    hnte15 = [s for s in sh if takes_hnte_rate(s.region, f22[s.index])]
    extra = sum((extra_deduction(f22[s.index], s.industry) for s in claimants), Decimal(0))  # type: ignore[arg-type]

    def designated(kind: str, year: int | None = None) -> list[tuple[EnterpriseSpec, Designation]]:
        return [
            (s, d)
            for s in sh
            for d in s.designations
            if d.kind == kind and (year is None or d.since.year == year)
        ]

    credit = designated("tech_credit")
    return {
        "hnte_valid": sum(1 for s in sh if (f := f22[s.index]) is not None and hnte_valid_at_year_end(f)),
        "rd_claimants": len(claimants),
        "rd_extra_deduction": extra,
        "rd_tax_reduced_25pct": (extra * statutory_cit_rate()).quantize(Decimal("0.01")),
        "hnte_15_rate": len(hnte15),
        "hnte_relief": sum((f22[s.index]["taxable_income"] for s in hnte15), Decimal(0)) * hnte_relief_rate(),  # type: ignore[index]
        "little_giant_incl_cultivation": len(designated("little_giant"))
        + len(designated("little_giant_cultivation")),
        "ipo_pool": len(designated("ipo_pool")),
        "star_listed": len(designated("star_listed")),
        "star_listed_2022": len(designated("star_listed", YEAR)),
        "star_market_value": sum((d.value or Decimal(0) for _, d in designated("star_listed")), Decimal(0)),
        "star_listed_2022_from_pool": sum(
            1 for s, _ in designated("star_listed", YEAR) if any(d.kind == "ipo_pool" for d in s.designations)
        ),
        "unicorns": len(designated("unicorn")),
        "tech_credit_firms": len(credit),
        "tech_credit": sum((d.value or Decimal(0) for _, d in credit), Decimal(0)),
        "tech_credit_sme_share": sum(1 for _, d in credit if d.flags["sme"]) / max(1, len(credit)),
        "tech_credit_first_loan_share": sum(1 for _, d in credit if d.flags["first_loan"])
        / max(1, len(credit)),
        "hnte_loan_firms": len(designated("hnte_loan")),
        "hnte_loan": sum((d.value or Decimal(0) for _, d in designated("hnte_loan")), Decimal(0)),
    }
