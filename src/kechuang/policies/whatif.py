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
from openfisca_core.parameters import Parameter, ParameterNode, ParameterScale
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

    def add(path: str, param: Parameter, zh: str, en: str, meta: dict[str, Any], unit: str) -> None:
        try:
            value = param(instant)
        except Exception:  # not in force that year (no value yet)
            return
        if value is None or isinstance(value, bool):
            return
        out.append(
            EditableParameter(
                path, zh, en, unit, str(meta.get("reference", "")), str(meta.get("tag", "")), float(value)
            )
        )

    def walk(node: ParameterNode, prefix: str) -> None:
        for name, child in node.children.items():
            path = f"{prefix}{name}"
            if isinstance(child, ParameterNode):
                walk(child, path + ".")
            elif isinstance(child, ParameterScale):
                # Scoring tables: each band's lower bound and points are parameters too.
                m = child.metadata or {}
                for i, bracket in enumerate(child.brackets):
                    for part, unit_key, zh, en in (
                        ("threshold", "threshold_unit", "下限", "lower bound"),
                        ("amount", "amount_unit", "得分", "points"),
                    ):
                        label_zh = f"{m.get('label_zh', name)}：第{i + 1}档{zh}"
                        label_en = f"{m.get('label_en', name)}: band {i + 1} {en}"
                        add(
                            f"{path}.brackets.{i}.{part}",
                            bracket.children[part],
                            label_zh,
                            label_en,
                            m,
                            m.get(unit_key, ""),
                        )
            elif isinstance(child, Parameter):
                m = child.metadata or {}
                add(path, child, m.get("label_zh", name), m.get("label_en", name), m, m.get("unit", ""))

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
            parts = path.split(".")
            for i, part in enumerate(parts):
                if part == "brackets":  # a scale: brackets.<n>.<threshold|amount>
                    node = node.brackets[int(parts[i + 1])].children[parts[i + 2]]
                    break
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
