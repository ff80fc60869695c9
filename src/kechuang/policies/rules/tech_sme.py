"""P3 科技型中小企业评价 (国科发政〔2017〕115号 第六、七、八条)."""

from __future__ import annotations

import numpy as np

from .base import FAIL, PASS, UNKNOWN, Number, Tri, all_of, any_of, at_most, constant, is_no, is_yes, ratio

FIRST_YEAR = 2017  # the evaluation scheme started in 2017 (国科发政〔2017〕115号)


class ts_scheme_in_force(Tri):
    label = "The evaluation scheme exists in the year (from 2017)"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        return constant(enterprise.count, PASS if period.start.year >= FIRST_YEAR else FAIL)


def _limits(period, parameters):  # type: ignore[no-untyped-def]
    # Before 2017 the parameters do not exist; the scheme condition above already fails.
    when = period if period.start.year >= FIRST_YEAR else f"{FIRST_YEAR}"
    return parameters(when).tech_sme


class ts_resident(Tri):
    label = "Resident enterprise in mainland China (第六条（一）)"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        return is_yes(enterprise("resident", period))


class ts_staff(Tri):
    label = "Staff at most 500 (第六条（二）)"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        return at_most(enterprise("staff", period), _limits(period, parameters).limits.staff_max)


class ts_revenue(Tri):
    label = "Annual revenue at most 200 million yuan (第六条（二）)"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        return at_most(enterprise("revenue", period), _limits(period, parameters).limits.revenue_max)


class ts_assets(Tri):
    label = "Total assets at most 200 million yuan (第六条（二）)"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        return at_most(enterprise("total_assets", period), _limits(period, parameters).limits.assets_max)


class ts_integrity(Tri):
    label = "No major incident and no credit restriction (第六条（四）)"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        return all_of(is_no(enterprise("major_incident_1y", period)), is_yes(enterprise("credit_ok", period)))


def _points(
    scale, value: np.ndarray, missing_low: float, missing_high: float
) -> tuple[np.ndarray, np.ndarray]:  # type: ignore[no-untyped-def]
    """Points from a scale as a (lowest, highest) pair: a missing input may score anything in between."""
    known = ~np.isnan(value)
    pts = scale.calc(np.where(known, value, 0.0)).astype(np.float64)
    return np.where(known, pts, missing_low), np.where(known, pts, missing_high)


class tech_sme_staff_points(Number):
    label = "Points for the S&T staff share (max 20)"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        share = enterprise("st_staff_share", period)
        pts = _limits(period, parameters).score.st_staff_share.calc(np.where(np.isnan(share), 0.0, share))
        return np.where(np.isnan(share), np.nan, pts)


def _score_bounds(enterprise, period, parameters) -> tuple[np.ndarray, np.ndarray]:  # type: ignore[no-untyped-def]
    # Both bounds come out of one pass; keep them on the simulation so the second variable is free.
    memo = enterprise.simulation.__dict__.setdefault("_tech_sme_score_bounds", {})
    key = str(period)
    if key not in memo:
        memo[key] = _compute_score_bounds(enterprise, period, parameters)
    return memo[key]


def _compute_score_bounds(enterprise, period, parameters) -> tuple[np.ndarray, np.ndarray]:  # type: ignore[no-untyped-def]
    s = _limits(period, parameters).score
    rd = enterprise("rd_expense", period)
    by_rev_lo, by_rev_hi = _points(s.rd_to_revenue, ratio(rd, enterprise("revenue", period)), 0, 50)
    by_cost_lo, by_cost_hi = _points(s.rd_to_cost, ratio(rd, enterprise("cost_expense", period)), 0, 50)
    c1 = enterprise("ip_class1", period)
    c2 = enterprise("ip_class2", period)
    c2_lo, c2_hi = _points(s.ip_class2_count, c2, 0, 24)
    top = float(s.ip_class1_points)
    ip_lo = np.where(c1 >= 1, top, c2_lo)
    ip_hi = np.where(c1 >= 1, top, np.where(np.isnan(c1), top, c2_hi))
    staff_pts = enterprise("tech_sme_staff_points", period)
    low = staff_pts + np.maximum(by_rev_lo, by_cost_lo) + ip_lo
    high = staff_pts + np.maximum(by_rev_hi, by_cost_hi) + ip_hi
    return low, high


class tech_sme_score_low(Number):
    label = "Lowest score the known facts allow"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        return _score_bounds(enterprise, period, parameters)[0]


class tech_sme_score_high(Number):
    label = "Highest score the known facts allow"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        return _score_bounds(enterprise, period, parameters)[1]


class tech_sme_score(Number):
    label = "Evaluation score out of 100 (第七条); missing when any part is unknown"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        low, high = enterprise("tech_sme_score_low", period), enterprise("tech_sme_score_high", period)
        return np.where(low == high, low, np.nan)


class ts_score(Tri):
    label = "Score at least 60 with S&T staff points above zero (第六条（五）)"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        low, high = enterprise("tech_sme_score_low", period), enterprise("tech_sme_score_high", period)
        floor = _limits(period, parameters).limits.score_min
        staff_pts = enterprise("tech_sme_staff_points", period)
        passed = (low >= floor) & (staff_pts > 0)
        failed = (high < floor) | (staff_pts == 0)
        return np.where(passed, PASS, np.where(failed, FAIL, UNKNOWN)).astype(np.int8)


class ts_direct_route(Tri):
    label = "Direct qualification: valid HNTE certificate, national award, provincial R&D institution or led a standard (第八条)"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        return any_of(*(is_yes(enterprise(name, period)) for name in TS_DIRECT_ROUTES))


TS_DIRECT_ROUTES = (
    "hnte_certificate_valid",
    "national_award_5y",
    "provincial_rd_institution",
    "led_standard_5y",
)


class ts_qualifies(Tri):
    label = "Score route or a direct route"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        return any_of(enterprise("ts_score", period), enterprise("ts_direct_route", period))


class tech_sme(Tri):
    label = "Technology-based SME evaluation (科技型中小企业评价)"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        return all_of(*(enterprise(name, period) for name in TS_CONDITIONS))


TS_CONDITIONS = (
    "ts_scheme_in_force",
    "ts_resident",
    "ts_staff",
    "ts_revenue",
    "ts_assets",
    "ts_integrity",
    "ts_qualifies",
)
