"""What-if simulation: change parameters, compare eligible counts and fiscal cost before and after.

A change is applied as an OpenFisca reform from 1 January of the simulated year onwards, so the
baseline system is never touched.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from openfisca_core import periods
from openfisca_core.parameters import Parameter, ParameterNode
from openfisca_core.reforms import Reform
from openfisca_core.taxbenefitsystems import TaxBenefitSystem

from .catalogue import POLICIES
from .inputs import FactTable
from .navigator import Evaluation, evaluate
from .rules import baseline


@dataclass(frozen=True)
class EditableParameter:
    path: str
    zh: str
    en: str
    unit: str
    reference: str
    tag: str
    value: float


def editable_parameters(year: int, system: TaxBenefitSystem | None = None) -> list[EditableParameter]:
    """Every scalar numeric parameter with a value on 1 January of `year` (scales are left out)."""
    system = system or baseline()
    instant = f"{year}-01-01"
    out: list[EditableParameter] = []

    def walk(node: ParameterNode, prefix: str) -> None:
        for name, child in node.children.items():
            path = f"{prefix}{name}"
            if isinstance(child, ParameterNode):
                walk(child, path + ".")
            elif isinstance(child, Parameter):
                try:
                    value = child(instant)
                except Exception:
                    continue
                if value is None or isinstance(value, bool):
                    continue
                m = child.metadata or {}
                out.append(EditableParameter(
                    path, m.get("label_zh", name), m.get("label_en", name), m.get("unit", ""),
                    str(m.get("reference", "")), str(m.get("tag", "")), float(value),
                ))  # fmt: skip

    walk(system.parameters, "")
    return out


def validate_changes(
    changes: dict[str, Any], year: int, system: TaxBenefitSystem | None = None
) -> dict[str, float]:
    known = {p.path: p for p in editable_parameters(year, system)}
    clean: dict[str, float] = {}
    errors: dict[str, list[Any]] = {}
    for path, raw in changes.items():
        key = f"changes.{path}"
        if path not in known:
            errors[key] = [_("Unknown parameter.")]
            continue
        try:
            value = float(raw)
        except (TypeError, ValueError):
            errors[key] = [_("A number is expected.")]
            continue
        if not np.isfinite(value) or value < 0:
            errors[key] = [_("Must be a finite number, zero or more.")]
            continue
        if known[path].unit == "ratio" and value > 10:
            errors[key] = [_("A rate is a fraction: 0.15 means 15%.")]
            continue
        clean[path] = value
    if errors:
        raise ValidationError(errors)
    return clean


def reformed(
    changes: dict[str, float], year: int, system: TaxBenefitSystem | None = None
) -> TaxBenefitSystem:
    base = system or baseline()
    start = periods.instant(f"{year}-01-01")

    def modify(parameters: ParameterNode) -> ParameterNode:
        for path, value in changes.items():
            node: Any = parameters
            for part in path.split("."):
                node = node.children[part]
            node.update(start=start, value=value)
        return parameters

    class WhatIf(Reform):
        name = "what-if"

        def apply(self) -> None:
            self.modify_parameters(modifier_function=modify)

    return WhatIf(base)


def _groups(codes: np.ndarray) -> tuple[list[str], np.ndarray]:
    """Labels and row → label index. Hash-based (pandas.factorize): sorting a million strings with
    numpy.unique takes seconds."""
    import pandas as pd

    inverse, labels = pd.factorize(codes, sort=True)
    return [str(x) for x in labels], inverse


def summarise(ev: Evaluation, by_group: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {}
    groups: dict[str, tuple[list[str], np.ndarray]] = {}
    if by_group:
        cache = ev.table.cache
        if "groups" not in cache:
            cache["groups"] = {
                "by_district": _groups(ev.table.region),
                "by_industry": _groups(ev.table.industry),
            }
        groups = cache["groups"]
    for policy in POLICIES:
        eligible = ev.verdicts[policy.id] == 2
        cost = ev.eligible_benefit(policy.id) if policy.benefit else np.zeros(ev.table.size)
        entry: dict[str, Any] = {"eligible": int(eligible.sum()), "fiscal_cost": round(float(cost.sum()), 2)}
        for key, (labels, inverse) in groups.items():
            counts = np.bincount(inverse, weights=eligible, minlength=len(labels))
            costs = np.bincount(inverse, weights=cost, minlength=len(labels))
            entry[key] = {
                label: {"eligible": int(n), "fiscal_cost": round(float(c), 2)}
                for label, n, c in zip(labels, counts, costs, strict=True)
            }
        out[policy.id] = entry
    return out


def compare(table: FactTable, changes: dict[str, float], by_group: bool = True) -> dict[str, Any]:
    """Before and after for the whole catalogue over `table`."""
    before = evaluate(table)
    after = evaluate(table, reformed(changes, table.year))
    b, a = summarise(before, by_group), summarise(after, by_group)
    return {
        "year": table.year, "enterprises": table.size, "changes": changes,
        "policies": {pid: {"before": b[pid], "after": a[pid]} for pid in b},
        "note": "Per-policy values are marginal (each with the others in place); they are not additive.",
    }  # fmt: skip
