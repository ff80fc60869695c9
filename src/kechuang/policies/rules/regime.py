"""The enterprise's own income-tax regime and what each policy is worth in it.

25% / 15% (HNTE) / small-and-low-profit rates are compared, never stacked: the enterprise pays the
lowest of the regimes open to it. Each benefit is a difference of two such "best" taxes (with and
without the policy), so the super deduction is valued at the firm's marginal rate and is zero in a
loss year (the deduction then only grows the loss carried forward).
"""

from __future__ import annotations

import numpy as np

from .base import PASS, Money, Number
from .rd_super_deduction import deduction_rate
from .small_micro import FIRST_YEAR as SM_FIRST_YEAR
from .small_micro import limits as sm_limits
from .small_micro import small_micro_tax

GENERAL, HNTE, SMALL_MICRO = 0, 1, 2
REGIMES = {GENERAL: "general_25", HNTE: "hnte_15", SMALL_MICRO: "small_micro"}


def _sm_size_ok(enterprise, period) -> np.ndarray:  # type: ignore[no-untyped-def]
    if period.start.year < SM_FIRST_YEAR:
        return np.zeros(enterprise.count, dtype=bool)
    return (enterprise("sm_staff", period) == PASS) & (enterprise("sm_assets", period) == PASS)


def best_tax(
    ti: np.ndarray,
    hnte_ok: np.ndarray,
    sm_ok: np.ndarray,
    period,
    parameters,  # type: ignore[no-untyped-def]
) -> tuple[np.ndarray, np.ndarray]:
    """(tax, regime) of the cheapest regime open to each enterprise at taxable income `ti`."""
    p = parameters(period)
    base = np.maximum(ti, 0.0)  # NaN (unknown income) stays NaN: every comparison below is False
    best = base * p.cit.general_rate
    regime = np.zeros(len(ti), dtype=np.int8)
    hnte = base * p.hnte.cit_rate
    cheaper = hnte_ok & (hnte < best)
    best = np.where(cheaper, hnte, best)
    regime[cheaper] = HNTE
    if period.start.year >= SM_FIRST_YEAR:
        sm = small_micro_tax(ti, period, parameters)
        cheaper = sm_ok & (ti <= sm_limits(period, parameters).limits.taxable_income_max) & (sm < best)
        best = np.where(cheaper, sm, best)
        regime[cheaper] = SMALL_MICRO
    return best, regime  # ties keep the general regime, then HNTE


def _hnte_ok(enterprise, period) -> np.ndarray:  # type: ignore[no-untyped-def]
    return enterprise("hnte_rate_available", period) == PASS


class taxable_income_after_deduction(Money):
    label = "Taxable income after the R&D super deduction"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        return enterprise("taxable_income", period) - enterprise("rd_super_deduction_applied", period)


# The three regimes' taxes on the year's taxable income (after the super deduction) are computed
# once; the chosen regime and the HNTE and small-and-low-profit benefits are minima over them.


class tax_at_general_rate(Money):
    label = "Income tax at the statutory 25%"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        ti = enterprise("taxable_income_after_deduction", period)
        return np.maximum(ti, 0.0) * parameters(period).cit.general_rate


class tax_at_hnte_rate(Money):
    label = "Income tax at the 15% HNTE rate (whether or not it is open to the enterprise)"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        ti = enterprise("taxable_income_after_deduction", period)
        return np.maximum(ti, 0.0) * parameters(period).hnte.cit_rate


class tax_at_small_micro_rates(Money):
    label = "Income tax at the small-and-low-profit rates; infinite above the income ceiling or before 2019"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        ti = enterprise("taxable_income_after_deduction", period)
        if period.start.year < SM_FIRST_YEAR:
            return np.full(enterprise.count, np.inf)
        open_ = ti <= sm_limits(period, parameters).limits.taxable_income_max
        return np.where(open_, small_micro_tax(ti, period, parameters), np.inf)


def _regime_taxes(enterprise, period) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # type: ignore[no-untyped-def]
    general = enterprise("tax_at_general_rate", period)
    hnte = np.where(_hnte_ok(enterprise, period), enterprise("tax_at_hnte_rate", period), np.inf)
    sm = np.where(_sm_size_ok(enterprise, period), enterprise("tax_at_small_micro_rates", period), np.inf)
    return general, hnte, sm


class cit_payable(Money):
    label = "Estimated corporate income tax in the best regime open to the enterprise"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        general, hnte, sm = _regime_taxes(enterprise, period)
        return np.minimum(np.minimum(general, hnte), sm)


class cit_regime(Number):
    label = "Regime chosen: 0 general 25%, 1 HNTE 15%, 2 small and low-profit"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        general, hnte, sm = _regime_taxes(enterprise, period)
        regime = np.where(hnte < general, HNTE, GENERAL).astype(np.float64)
        regime = np.where(sm < np.minimum(general, hnte), SMALL_MICRO, regime)
        return np.where(np.isnan(general), np.nan, regime)


class hnte_benefit(Money):
    label = "Tax saved by the 15% rate over the best other regime (yuan)"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        general = enterprise("tax_at_general_rate", period)
        sm = np.where(_sm_size_ok(enterprise, period), enterprise("tax_at_small_micro_rates", period), np.inf)
        without = np.minimum(general, sm)
        return without - np.minimum(without, enterprise("tax_at_hnte_rate", period))


class small_micro_benefit(Money):
    label = "Tax saved by the small-and-low-profit rates over the best other regime (yuan)"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        general = enterprise("tax_at_general_rate", period)
        hnte = np.where(_hnte_ok(enterprise, period), enterprise("tax_at_hnte_rate", period), np.inf)
        without = np.minimum(general, hnte)
        return without - np.minimum(without, enterprise("tax_at_small_micro_rates", period))


class rd_super_deduction_benefit(Money):
    label = "Tax saved by the super deduction at the firm's marginal rate (yuan; zero in a loss year)"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        ti = enterprise("taxable_income", period)
        extra = enterprise("rd_super_deduction_amount", period)
        hnte, sm = _hnte_ok(enterprise, period), _sm_size_ok(enterprise, period)
        without, _ = best_tax(ti, hnte, sm, period, parameters)
        with_, _ = best_tax(ti - extra, hnte, sm, period, parameters)
        return without - with_


class tech_sme_benefit(Money):
    label = "Tax saved by the higher super-deduction rate that tech-SME status gives (yuan)"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        ti = enterprise("taxable_income", period)
        rd = enterprise("rd_expense", period)
        p = parameters(period).rd_super_deduction.rate
        plain = deduction_rate(enterprise, period, parameters, with_tech_sme=False)
        boosted = np.maximum(plain, p.tech_sme)
        hnte, sm = _hnte_ok(enterprise, period), _sm_size_ok(enterprise, period)
        without, _ = best_tax(ti - rd * plain, hnte, sm, period, parameters)
        with_, _ = best_tax(ti - rd * boosted, hnte, sm, period, parameters)
        return without - with_


class marginal_cit_rate(Number):
    label = "Marginal income-tax rate in the chosen regime (0 in a loss year)"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        ti = enterprise("taxable_income_after_deduction", period)
        regime = enterprise("cit_regime", period)
        p = parameters(period)
        if period.start.year >= SM_FIRST_YEAR:
            r = sm_limits(period, parameters).effective_rate
            sm_rate = np.where(ti <= r.band_1_ceiling, r.band_1, r.band_2)
        else:
            sm_rate = np.full(enterprise.count, np.nan)
        rate = np.select(
            [regime == GENERAL, regime == HNTE, regime == SMALL_MICRO],
            [p.cit.general_rate, p.hnte.cit_rate, sm_rate],
            np.nan,
        )
        return np.where(ti > 0, rate, np.where(np.isnan(ti), np.nan, 0.0))


class tech_transfer_cit_benefit(Money):
    label = "Tax saved on technology-transfer income: first 5 million exempt, the excess at 12.5% (yuan)"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        p = parameters(period).tech_transfer_cit
        rate = enterprise("marginal_cit_rate", period)
        ti = enterprise("taxable_income_after_deduction", period)
        income = np.minimum(enterprise("tech_transfer_income", period), np.maximum(ti, 0.0))
        exempt = np.minimum(income, p.exempt_cap)
        excess = income - exempt
        # 国税函〔2010〕157号: the halved rate and 15% are not stacked; the excess keeps the lower of the two.
        return exempt * rate + excess * np.maximum(rate - p.excess_rate, 0.0)
