"""P5b 上海市科技创新券: who may use it and the yearly cap (amounts UNCONFIRMED)."""

from __future__ import annotations

import numpy as np

from .base import Money, Tri, all_of, is_yes, tri

FIRST_YEAR = 2015


def caps(period, parameters):  # type: ignore[no-untyped-def]
    when = period if period.start.year >= FIRST_YEAR else f"{FIRST_YEAR}"
    return parameters(when).sh_innovation_voucher.caps


class siv_in_shanghai(Tri):
    label = "Registered in Shanghai"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        return is_yes(enterprise("in_shanghai", period))


class siv_sme_staff(Tri):
    label = "SME by staff (fewer than 1,000)"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        staff = enterprise("staff", period)
        return tri(~np.isnan(staff), staff < caps(period, parameters).sme_staff_max)


class siv_sme_revenue(Tri):
    label = "SME by revenue (below 400 million yuan)"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        rev = enterprise("revenue", period)
        return tri(~np.isnan(rev), rev < caps(period, parameters).sme_revenue_max)


class sh_innovation_voucher(Tri):
    label = "Shanghai S&T innovation voucher (上海市科技创新券)"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        return all_of(*(enterprise(name, period) for name in SIV_CONDITIONS))


SIV_CONDITIONS = ("siv_in_shanghai", "siv_sme_staff", "siv_sme_revenue")


class sh_innovation_voucher_benefit(Money):
    label = "Voucher value for the year: half the eligible service spend, up to the cap (the cap when spend is unknown)"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        c = caps(period, parameters)
        spend = enterprise("voucher_service_spend", period)
        return np.where(
            np.isnan(spend), c.enterprise_cap, np.minimum(spend * c.share_of_contract, c.enterprise_cap)
        )
