"""P5a 上海市科技小巨人工程 (沪科规〔2021〕12号; 2023 guideline): 小巨人企业 and 小巨人培育企业."""

from __future__ import annotations

import numpy as np

from .base import (
    PASS,
    UNKNOWN,
    Money,
    Number,
    Tri,
    all_of,
    any_of,
    at_least,
    constant,
    ge,
    is_no,
    is_yes,
    le,
    ratio,
    tri,
)

FIRST_YEAR = 2021  # rules modelled from 沪科规〔2021〕12号; earlier years are left undetermined


def _p(period, parameters):  # type: ignore[no-untyped-def]
    when = period if period.start.year >= FIRST_YEAR else f"{FIRST_YEAR}"
    return parameters(when).sh_little_giant


class slg_rules_modelled(Tri):
    label = "Year covered by the modelled rules (from 2021)"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        return constant(enterprise.count, PASS if period.start.year >= FIRST_YEAR else UNKNOWN)


class slg_in_shanghai(Tri):
    label = "Registered in Shanghai"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        return is_yes(enterprise("in_shanghai", period))


class slg_years_registered(Tri):
    label = "Registered for at least 3 years"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        return at_least(
            enterprise("years_registered", period), _p(period, parameters).common.min_years_registered
        )


class slg_hnte(Tri):
    label = "Holds a valid HNTE certificate"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        return is_yes(enterprise("hnte_certificate_valid", period))


class slg_credit(Tri):
    label = "No credit restrictions"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        return is_yes(enterprise("credit_ok", period))


class slg_not_listed(Tri):
    label = "Not a listed company"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        return is_no(enterprise("is_listed", period))


COMMON = (
    "slg_rules_modelled",
    "slg_in_shanghai",
    "slg_years_registered",
    "slg_hnte",
    "slg_credit",
    "slg_not_listed",
)


class mbr_rd_ratio_3y(Number):
    label = "R&D expense / main business revenue over three years"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        return ratio(enterprise("rd_expense_3y", period), enterprise("main_business_revenue_3y", period))


def _tier_threshold(enterprise, period, tier) -> np.ndarray:  # type: ignore[no-untyped-def]
    manuf = enterprise("is_manufacturing", period)
    return np.where(
        np.isnan(manuf),
        np.nan,
        np.where(manuf == 1, tier.rd_staff_ratio_manufacturing, tier.rd_staff_ratio_services),
    )


def _tier_variables(tier_name: str, prefix: str) -> dict[str, type]:
    """The four tier conditions of one tier: R&D staff, R&D intensity, revenue band, growth or financing."""

    def tier(period, parameters):  # type: ignore[no-untyped-def]
        return getattr(_p(period, parameters), tier_name)

    class rd_staff_threshold(Number):
        label = "R&D staff share required (manufacturing / software and services)"

        def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
            return _tier_threshold(enterprise, period, tier(period, parameters))

    class rd_staff(Tri):
        label = "R&D staff share at least the floor for the industry"

        def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
            value = enterprise("rd_staff_share", period)
            floor = enterprise(f"{prefix}_rd_staff_threshold", period)
            return tri(~np.isnan(value) & ~np.isnan(floor), ge(value, floor))

    class rd_ratio(Tri):
        label = "Three-year R&D / main business revenue at least the floor"

        def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
            return at_least(enterprise("mbr_rd_ratio_3y", period), tier(period, parameters).rd_ratio)

    class revenue_band(Tri):
        label = "Main business revenue within the band (both ends inclusive)"

        def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
            t = tier(period, parameters)
            mbr = enterprise("main_business_revenue", period)
            return tri(~np.isnan(mbr), ge(mbr, t.revenue_min) & le(mbr, t.revenue_max))

    class growth(Tri):
        label = "Revenue or net-profit CAGR at least 20%, or equity financing above the floor"

        def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
            t = tier(period, parameters)
            equity = enterprise("equity_financing_3y", period)
            return any_of(
                at_least(enterprise("main_business_revenue_cagr", period), t.growth_min),
                at_least(enterprise("net_profit_cagr", period), t.growth_min),
                tri(~np.isnan(equity), equity > t.equity_financing_min),
            )

    conditions = (
        *COMMON,
        f"{prefix}_rd_staff",
        f"{prefix}_rd_ratio",
        f"{prefix}_revenue_band",
        f"{prefix}_growth",
    )

    class verdict(Tri):
        def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
            return all_of(*(enterprise(name, period) for name in conditions))

    class benefit(Money):
        label = "Municipal grant ceiling (UNCONFIRMED amount)"

        def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
            return np.full(enterprise.count, float(tier(period, parameters).grant_cap))

    out: dict[str, type] = {}
    for suffix, cls in (("_rd_staff_threshold", rd_staff_threshold), ("_rd_staff", rd_staff), ("_rd_ratio", rd_ratio),
                        ("_revenue_band", revenue_band), ("_growth", growth)):  # fmt: skip
        out[prefix + suffix] = cls
    out[VERDICT_NAMES[prefix]] = verdict
    out[BENEFIT_NAMES[prefix]] = benefit
    return out


VERDICT_NAMES = {"slg": "sh_little_giant", "slgc": "sh_little_giant_cultivation"}
VERDICT_LABELS = {
    "slg": "上海市科技小巨人企业 (S&T Little Giant)",
    "slgc": "上海市科技小巨人培育企业 (Little Giant cultivation tier)",
}
BENEFIT_NAMES = {"slg": "sh_little_giant_benefit", "slgc": "sh_little_giant_cultivation_benefit"}


def tier_variables() -> list[type]:
    """Variable classes for both tiers; OpenFisca names a variable after its class, so rename them."""
    classes: list[type] = []
    for prefix, tier_name in (("slg", "giant"), ("slgc", "cultivation")):
        for name, cls in _tier_variables(tier_name, prefix).items():
            label = VERDICT_LABELS[prefix] if name in VERDICT_NAMES.values() else getattr(cls, "label", name)
            named = type(name, (cls,), {"label": label, "__module__": __name__})
            classes.append(named)
    return classes
