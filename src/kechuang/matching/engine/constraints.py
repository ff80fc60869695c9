"""Structured compatibility: each criterion of Constraints is met, missed or unknown for a document."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .types import Constraints, Document

# A soft criterion met (missed) adds (subtracts) this fraction of the best fused score in the list:
# relative to the list, so it means the same whatever the scale of the fused scores.
CONSTRAINT_WEIGHT = 0.15


def _field_match(wanted: list[str], offered: list[str]) -> bool:
    return any(o == w or o.startswith(w + ".") or w.startswith(o + ".") for w in wanted for o in offered)


def _region_prefix(code: str) -> str:
    """310000 → 31, 310100 → 3101, 310115 → 310115: a province or city code covers its parts."""
    code = str(code)
    while code.endswith("00") and len(code) > 2:
        code = code[:-2]
    return code


def _overlap(lo1: Any, hi1: Any, lo2: Any, hi2: Any) -> bool:
    lo = max(x for x in (lo1, lo2) if x is not None) if (lo1 is not None or lo2 is not None) else None
    hi = min(x for x in (hi1, hi2) if x is not None) if (hi1 is not None or hi2 is not None) else None
    return lo is None or hi is None or lo <= hi


def _money(value: Any) -> Decimal | None:
    return None if value is None or value == "" else Decimal(str(value))


def evaluate(constraints: Constraints, doc: Document) -> tuple[list[str], list[str], list[str]]:
    """(met, missed, unknown) criterion names for one document."""
    met: list[str] = []
    missed: list[str] = []
    unknown: list[str] = []
    attrs = doc.attrs

    def verdict(name: str, result: bool | None) -> None:
        (unknown if result is None else met if result else missed).append(name)

    if constraints.fields:
        verdict("fields", _field_match(constraints.fields, doc.fields) if doc.fields else None)
    if constraints.trl_min is not None or constraints.trl_max is not None:
        lo = attrs.get("trl_min", attrs.get("trl"))
        hi = attrs.get("trl_max", attrs.get("trl"))
        if lo is None and hi is None:
            verdict("trl", None)
        else:
            verdict("trl", _overlap(constraints.trl_min, constraints.trl_max, lo, hi))
    if constraints.budget_min is not None or constraints.budget_max is not None:
        if attrs.get("budget") is not None:
            lo, hi = Decimal(0), _money(attrs.get("budget"))
        else:
            lo, hi = _money(attrs.get("price_min")), _money(attrs.get("price_max"))
        if lo is None and hi is None:
            verdict("budget", None)
        else:
            verdict("budget", _overlap(constraints.budget_min, constraints.budget_max, lo, hi))
    if constraints.regions:
        region = attrs.get("region")
        verdict(
            "region",
            None
            if not region
            else any(str(region).startswith(_region_prefix(r)) for r in constraints.regions),
        )
    for name in ("transfer_modes", "cooperation_modes"):
        wanted = getattr(constraints, name)
        if wanted:
            offered = attrs.get(name)
            verdict(name, None if not offered else bool(set(wanted) & set(offered)))
    return met, missed, unknown


def adjust(score: float, met: list[str], missed: list[str], best: float) -> float:
    """Soft re-rank: each criterion met lifts, each missed lowers, the fused score by a share of `best`."""
    return score + CONSTRAINT_WEIGHT * best * (len(met) - len(missed))
