"""The navigator: run the rules over enterprises, explain each verdict, value each benefit.

`evaluate` runs the whole catalogue over a FactTable (one enterprise or a million) in one
vectorised OpenFisca simulation; `explain` turns one row of it into verdicts with reasons in
Chinese and English, near misses, missing facts, review steps and UNCONFIRMED flags.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
from openfisca_core import periods
from openfisca_core.errors import ParameterNotFound
from openfisca_core.simulation_builder import SimulationBuilder
from openfisca_core.simulations import Simulation
from openfisca_core.taxbenefitsystems import TaxBenefitSystem

from .catalogue import POLICIES, Condition, Policy
from .inputs import EnterpriseInput, FactTable, validate
from .rules import baseline
from .rules.base import CONDITION_STATES, FAIL, PASS, UNKNOWN, VERDICTS
from .rules.regime import REGIMES

NEAR_MISS_SHORTFALL = 0.25  # a failed threshold within 25% of the requirement counts as a near miss
GROUPS = ("eligible", "near_miss", "not_eligible", "undetermined")
CENT = Decimal("0.01")


@functools.lru_cache(maxsize=256)
def year_period(year: int) -> Any:
    """OpenFisca's period for a fiscal year, parsed once (parsing a string costs ~80 µs per call)."""
    return periods.period(str(year))


@functools.lru_cache(maxsize=256)
def year_start(year: int) -> Any:
    return periods.instant(f"{year}-01-01")


def simulate(table: FactTable, system: TaxBenefitSystem | None = None) -> Simulation:
    sim = SimulationBuilder().build_default_simulation(system or baseline(), count=table.size)
    for (name, year), values in table.columns.items():
        sim.set_input(name, year_period(year), values)
    return sim


@dataclass
class Evaluation:
    """Verdicts (FAIL / UNKNOWN / PASS) and benefits (yuan, NaN unknown) of every policy."""

    table: FactTable
    simulation: Simulation
    verdicts: dict[str, np.ndarray]
    benefits: dict[str, np.ndarray]

    def eligible_benefit(self, policy_id: str) -> np.ndarray:
        """The benefit where the verdict is eligible, else 0 (what a fiscal cost adds up)."""
        b = self.benefits[policy_id]
        return np.where((self.verdicts[policy_id] == PASS) & ~np.isnan(b), b, 0.0)


def evaluate(table: FactTable, system: TaxBenefitSystem | None = None) -> Evaluation:
    sim = simulate(table, system)
    period = year_period(table.year)
    verdicts = {p.id: np.asarray(sim.calculate(p.id, period)) for p in POLICIES}
    benefits = {
        p.id: np.asarray(sim.calculate(p.benefit, period), dtype=np.float64) for p in POLICIES if p.benefit
    }
    return Evaluation(table, sim, verdicts, benefits)


# -- one enterprise, explained -------------------------------------------------------------------


def yuan(value: float) -> Decimal | None:
    if value is None or math.isnan(value) or math.isinf(value):
        return None
    return Decimal(repr(float(value))).quantize(CENT, rounding=ROUND_HALF_UP)


def _wan(amount: float) -> str:
    return f"{amount / 1e4:,.1f}万元" if abs(amount) >= 1e4 else f"{amount:,.0f}元"


def _pct(x: float) -> str:
    return f"{x * 100:.1f}%"


def parameter_value(system: TaxBenefitSystem, path: str, year: int) -> float | None:
    node = system.get_parameters_at_instant(year_start(year))  # cached by OpenFisca per system
    try:
        for part in path.split("."):
            node = node[part]
    except (ParameterNotFound, KeyError, AttributeError):
        return None
    return float(node)


def _jsonable(value: float, unit: str) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if unit == "yuan":
        d = yuan(value)
        return str(d) if d is not None else None
    if unit == "flag":
        return bool(value)
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return round(float(value), 6)


class _Row:
    """Reads rule variables for one row of a simulation."""

    def __init__(self, sim: Simulation, index: int, year: int) -> None:
        self.sim, self.index, self.year = sim, index, year
        self.period = year_period(year)

    def __call__(self, name: str) -> float:
        return float(np.asarray(self.sim.calculate(name, self.period))[self.index])


def near_miss(
    cond: Condition, row: _Row, value: float, threshold: float | None
) -> tuple[float, dict[str, str]] | None:
    """(relative shortfall, {zh, en} advice) for a failed quantitative condition, else None."""
    if threshold is None or value is None or math.isnan(value) or math.isnan(threshold) or threshold == 0:
        return None
    kind = cond.advice
    short = (threshold - value) / abs(threshold)
    if kind.startswith("rd_3y:"):
        base = row(kind.split(":")[1])
        need = threshold * base - row("rd_expense_3y")
        return short, {
            "zh": f"{cond.zh} {_pct(value)}，需 {_pct(threshold)}：近三年需再增加研发投入 {_wan(need)}",
            "en": f"{cond.en} {_pct(value)}, {_pct(threshold)} needed: {need:,.0f} yuan more R&D over three years",
        }
    if kind.startswith("staff:"):
        part = row(kind.split(":")[1])
        staff = row("staff")
        extra = (
            math.ceil(max((threshold * staff - part) / (1 - threshold), 0) - 1e-9)
            if threshold < 1
            else math.inf
        )
        return short, {
            "zh": f"{cond.zh} {_pct(value)}，需 {_pct(threshold)}：再增加 {extra} 名相关人员",
            "en": f"{cond.en} {_pct(value)}, {_pct(threshold)} needed: {extra} more such staff",
        }
    if kind == "domestic_rd":
        rd3, dom3 = row("rd_expense_3y"), row("rd_expense_domestic_3y")
        need = (threshold * rd3 - dom3) / (1 - threshold)
        return short, {
            "zh": f"境内研发占比 {_pct(value)}，需 {_pct(threshold)}：再增加境内研发 {_wan(need)}",
            "en": f"Domestic R&D share {_pct(value)}, {_pct(threshold)} needed: {need:,.0f} yuan more R&D in China",
        }
    if kind.startswith("amount:"):
        _, num, den = kind.split(":")
        need = threshold * row(den) - row(num)
        return short, {
            "zh": f"{cond.zh} {_pct(value)}，需 {_pct(threshold)}：高新技术收入需再增加 {_wan(need)}",
            "en": f"{cond.en} {_pct(value)}, {_pct(threshold)} needed: {need:,.0f} yuan more high-tech revenue",
        }
    if kind == "points":
        gap = threshold - value
        return short, {
            "zh": f"得分 {value:g}，需 {threshold:g}：还差 {gap:g} 分",
            "en": f"Score {value:g}, {threshold:g} needed: {gap:g} points short",
        }
    if kind == "wait":
        gap = threshold - value
        return short, {
            "zh": f"注册 {value:g} 年，需 {threshold:g} 年：{gap:g} 年后可申请",
            "en": f"Registered {value:g} years, {threshold:g} needed: eligible in {gap:g} years",
        }
    if kind == "less":
        over = value - threshold
        shown_zh = _wan(over) if cond.unit == "yuan" else f"{over:,.0f}"
        shown_en = f"{over:,.0f} yuan" if cond.unit == "yuan" else f"{over:,.0f}"
        return over / abs(threshold), {
            "zh": f"{cond.zh}：超出 {shown_zh}",
            "en": f"{cond.en}: over by {shown_en}",
        }
    if kind == "more":
        gap = threshold - value
        if gap <= 0:
            return None  # above the band: growing will not help
        return short, {"zh": f"{cond.zh}：还差 {_wan(gap)}", "en": f"{cond.en}: {gap:,.0f} yuan short"}
    return None


def _threshold(cond: Condition, row: _Row, system: TaxBenefitSystem) -> float | None:
    if cond.threshold is None:
        return None
    if cond.threshold.startswith("param:"):
        return parameter_value(system, cond.threshold[6:], row.year)
    return row(cond.threshold)


def explain(evaluation: Evaluation, index: int = 0, system: TaxBenefitSystem | None = None) -> dict[str, Any]:
    """Every policy for row `index`: verdict, group, reasons, near misses, benefit, flags."""
    system = system or baseline()
    year = evaluation.table.year
    row = _Row(evaluation.simulation, index, year)
    regime_code = row("cit_regime")
    out: dict[str, Any] = {
        "year": year,
        "regime": {
            "code": None if math.isnan(regime_code) else REGIMES[int(regime_code)],
            "cit_payable": _jsonable(row("cit_payable"), "yuan"),
            "marginal_rate": _jsonable(row("marginal_cit_rate"), "ratio"),
        },
        "policies": [],
    }
    for policy in POLICIES:
        out["policies"].append(
            _explain_policy(policy, row, system, int(evaluation.verdicts[policy.id][index]))
        )
    return out


def _explain_policy(policy: Policy, row: _Row, system: TaxBenefitSystem, verdict: int) -> dict[str, Any]:
    conditions: list[dict[str, Any]] = []
    missing: list[str] = []
    reviews: list[str] = []
    misses: list[dict[str, str]] = []
    all_near = True
    for cond in policy.conditions:
        threshold = _threshold(cond, row, system)
        if cond.name == "hnte_rd_staff" and not threshold:
            continue  # only the 2008 rules had it
        state = int(row(cond.name))
        value = row(cond.value) if cond.value else math.nan
        op = cond.op
        shown_threshold = _jsonable(threshold, cond.unit) if threshold is not None else None
        if cond.unit == "flag":  # a yes/no condition: the required answer is the threshold
            op, shown_threshold = "=", cond.op != "== 0"
        entry = {
            "id": cond.name, "label": {"zh": cond.zh, "en": cond.en}, "state": CONDITION_STATES[state],
            "value": _jsonable(value, cond.unit), "threshold": shown_threshold,
            "op": op, "unit": cond.unit, "cite": cond.cite, "tag": cond.tag,
        }  # fmt: skip
        if state == UNKNOWN:
            if cond.review:
                entry["review"] = cond.review
                reviews.append(cond.review)
            entry["missing"] = list(cond.facts)
            missing.extend(f for f in cond.facts if f not in missing)
        if state == FAIL:
            advice = near_miss(cond, row, value, threshold) if cond.advice else None
            if advice is None or advice[0] > NEAR_MISS_SHORTFALL:
                all_near = False
            if advice is not None:
                entry["near_miss"] = advice[1]
                misses.append(advice[1])
        conditions.append(entry)
    group = VERDICTS[verdict]
    if verdict == FAIL:
        group = "near_miss" if all_near and misses else "not_eligible"
    benefit = yuan(row(policy.benefit)) if policy.benefit else None
    return {
        "id": policy.id, "name": {"zh": policy.zh, "en": policy.en}, "level": policy.level,
        "benefit_type": policy.benefit_type, "documents": policy.documents,
        "verdict": VERDICTS[verdict], "group": group if verdict != UNKNOWN else "undetermined",
        "benefit": {"amount": str(benefit) if benefit is not None else None, "is_ceiling": policy.benefit_is_ceiling,
                    "estimate": True, "assumptions": [{"zh": z, "en": e} for z, e in policy.assumptions]},
        "conditions": conditions, "near_miss": misses, "missing_facts": missing,
        "review_steps": reviews + [f"{z} / {e}" for z, e in policy.review_steps],
        "unconfirmed": [{"zh": z, "en": e} for z, e in policy.unconfirmed],
    }  # fmt: skip


def check(enterprise: EnterpriseInput, year: int, system: TaxBenefitSystem | None = None) -> dict[str, Any]:
    """Validate one enterprise's facts and explain every policy for `year`."""
    validate(enterprise, year)
    table = FactTable.from_inputs([enterprise], year)
    result = explain(evaluate(table, system), 0, system)
    result["enterprise"] = enterprise.name
    return result


def grouped(result: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {g: [] for g in GROUPS}
    for p in result["policies"]:
        out[p["group"]].append(p)
    return out


__all__ = ["PASS", "check", "evaluate", "explain", "grouped", "simulate"]
