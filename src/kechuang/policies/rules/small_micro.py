"""P5e 小型微利企业 relief (财税〔2019〕13号 … 公告2023年第12号), modelled from 2019."""

from __future__ import annotations

import numpy as np

from .base import PASS, UNKNOWN, Tri, all_of, at_most, constant

FIRST_YEAR = 2019


def limits(period, parameters):  # type: ignore[no-untyped-def]
    when = period if period.start.year >= FIRST_YEAR else f"{FIRST_YEAR}"
    return parameters(when).small_micro


class sm_rules_modelled(Tri):
    label = "Year covered by the modelled rules (from 2019)"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        return constant(enterprise.count, PASS if period.start.year >= FIRST_YEAR else UNKNOWN)


class sm_taxable_income(Tri):
    label = "Taxable income after the super deduction at most 3 million yuan"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        ti = enterprise("taxable_income_after_deduction", period)
        return at_most(ti, limits(period, parameters).limits.taxable_income_max)


class sm_staff(Tri):
    label = "Staff at most 300"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        return at_most(enterprise("staff", period), limits(period, parameters).limits.staff_max)


class sm_assets(Tri):
    label = "Total assets at most 50 million yuan"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        return at_most(enterprise("total_assets", period), limits(period, parameters).limits.assets_max)


class small_micro(Tri):
    label = "Small and low-profit enterprise relief (小型微利企业)"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        return all_of(*(enterprise(name, period) for name in SM_CONDITIONS))


SM_CONDITIONS = ("sm_rules_modelled", "sm_taxable_income", "sm_staff", "sm_assets")


def small_micro_tax(ti: np.ndarray, period, parameters) -> np.ndarray:  # type: ignore[no-untyped-def]
    r = limits(period, parameters).effective_rate
    base = np.maximum(ti, 0.0)
    first = np.minimum(base, r.band_1_ceiling)
    return first * r.band_1 + (base - first) * r.band_2
