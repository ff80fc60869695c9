"""P2 研发费用税前加计扣除: who may claim, at which rate (the highest applicable), and how much."""

from __future__ import annotations

from typing import Any

import numpy as np

from .base import PASS, Money, Number, Tri, all_of, is_no, is_yes, tri


def excluded_divisions(node: Any) -> list[str]:
    """The GB/T 4754 divisions ("16", "51"…) on the negative list at one instant (parameters d16…)."""
    return [name[1:] for name, value in node._children.items() if value]


class in_negative_list(Number):
    label = "Industry on the super-deduction negative list (财税〔2015〕119号 第四条)"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        div = enterprise("industry_division", period)
        excluded = [int(d) for d in excluded_divisions(parameters(period).rd_super_deduction.negative_list)]
        return np.where(np.isnan(div), np.nan, np.isin(div, excluded).astype(np.float64))


class rdsd_resident(Tri):
    label = "Resident enterprise"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        return is_yes(enterprise("resident", period))


class rdsd_audited_collection(Tri):
    label = "Income tax assessed on accounts (查账征收), not deemed"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        return is_yes(enterprise("audited_collection", period))


class rdsd_industry(Tri):
    label = "Not in an excluded industry (财税〔2015〕119号 第四条)"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        return is_no(enterprise("in_negative_list", period))


class rdsd_has_rd(Tri):
    label = "Has eligible R&D expense in the year"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        rd = enterprise("rd_expense", period)
        return tri(~np.isnan(rd), rd > 0)


class rd_super_deduction(Tri):
    label = "R&D super deduction (研发费用加计扣除)"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        return all_of(*(enterprise(name, period) for name in RDSD_CONDITIONS))


RDSD_CONDITIONS = ("rdsd_resident", "rdsd_audited_collection", "rdsd_industry", "rdsd_has_rd")


def deduction_rate(enterprise, period, parameters, with_tech_sme: bool = True) -> np.ndarray:  # type: ignore[no-untyped-def]
    """The highest rate the enterprise's groups give; a group whose membership is unknown is not assumed."""
    p = parameters(period).rd_super_deduction.rate
    rate = np.full(enterprise.count, float(p.general))
    rate = np.where(enterprise("is_manufacturing", period) == 1, np.maximum(rate, p.manufacturing), rate)
    if with_tech_sme:
        sme = (enterprise("tech_sme_registered", period) == 1) | (enterprise("tech_sme", period) == PASS)
        rate = np.where(sme, np.maximum(rate, p.tech_sme), rate)
    rate = np.where(
        enterprise("ic_or_machine_tool_listed", period) == 1, np.maximum(rate, p.ic_machine_tool), rate
    )
    return rate


class rd_super_deduction_rate(Number):
    label = "Super-deduction rate that applies to the enterprise"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        return deduction_rate(enterprise, period, parameters)


class rd_super_deduction_amount(Money):
    label = "Extra deduction from taxable income, if claimed (yuan)"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        return enterprise("rd_expense", period) * enterprise("rd_super_deduction_rate", period)


class rd_super_deduction_applied(Money):
    label = "Extra deduction actually applied (zero unless eligible)"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        amount = enterprise("rd_super_deduction_amount", period)
        return np.where(enterprise("rd_super_deduction", period) == PASS, amount, 0.0)
