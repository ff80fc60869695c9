"""P1 高新技术企业认定 (国科发火〔2016〕32号 第十一条; 2008 rules before 2016) and its 15% rate."""

from __future__ import annotations

import numpy as np

from .base import Number, Tri, all_of, any_of, at_least, ge, is_no, is_yes, ratio, tri


class hnte_years_registered(Tri):
    label = "Registered for at least one year (第十一条（一）)"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        return at_least(enterprise("years_registered", period), parameters(period).hnte.min_years_registered)


class hnte_ip(Tri):
    label = "Owns class I or class II IP (第十一条（二）)"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        c1 = enterprise("ip_class1", period)
        c2 = enterprise("ip_class2", period)
        return any_of(at_least(c1, 1), at_least(c2, 1))


class hnte_tech_field(Tri):
    label = "Core technology within the 8 supported fields (第十一条（三）, reviewed)"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        return is_yes(enterprise("key_tech_field", period))


class st_staff_share(Number):
    label = "S&T staff / total staff"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        return ratio(enterprise("st_staff", period), enterprise("staff", period))


class rd_staff_share(Number):
    label = "R&D staff / total staff"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        return ratio(enterprise("rd_staff", period), enterprise("staff", period))


class hnte_st_staff(Tri):
    label = "S&T staff share at least the floor (第十一条（四）)"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        return at_least(enterprise("st_staff_share", period), parameters(period).hnte.st_staff_ratio)


class hnte_rd_staff(Tri):
    label = "R&D staff share at least the floor (2008 rules only)"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        floor = parameters(period).hnte.rd_staff_ratio
        if floor <= 0:  # no such rule in force: passes whatever is known
            return tri(np.ones(enterprise.count, dtype=bool), np.ones(enterprise.count, dtype=bool))
        return at_least(enterprise("rd_staff_share", period), floor)


class hnte_rd_ratio_threshold(Number):
    label = "Three-year R&D intensity required for this year's revenue tier"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        p = parameters(period).hnte.rd_ratio
        rev = enterprise("revenue", period)
        out = np.where(
            rev <= p.small_tier_max_revenue,
            p.small_tier,
            np.where(rev <= p.mid_tier_max_revenue, p.mid_tier, p.large_tier),
        )
        return np.where(np.isnan(rev), np.nan, out)


class rd_ratio_3y(Number):
    label = "R&D expense / sales revenue over three years"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        return ratio(enterprise("rd_expense_3y", period), enterprise("revenue_3y", period))


class hnte_rd_ratio(Tri):
    label = "Three-year R&D intensity at least the tier floor (第十一条（五）)"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        value = enterprise("rd_ratio_3y", period)
        floor = enterprise("hnte_rd_ratio_threshold", period)
        return tri(~np.isnan(value) & ~np.isnan(floor), ge(value, floor))


class domestic_rd_share_3y(Number):
    label = "Domestic R&D / total R&D over three years"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        return ratio(enterprise("rd_expense_domestic_3y", period), enterprise("rd_expense_3y", period))


class hnte_domestic_rd(Tri):
    label = "Domestic share of R&D at least 60% (第十一条（五）)"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        return at_least(enterprise("domestic_rd_share_3y", period), parameters(period).hnte.domestic_rd_share)


class high_tech_revenue_share(Number):
    label = "High-tech revenue / total income"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        return ratio(enterprise("high_tech_revenue", period), enterprise("total_income", period))


class hnte_high_tech_revenue(Tri):
    label = "High-tech revenue share at least 60% (第十一条（六）)"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        return at_least(
            enterprise("high_tech_revenue_share", period), parameters(period).hnte.high_tech_revenue_ratio
        )


class hnte_innovation_score(Tri):
    label = "Expert innovation-capacity score at least 70 (第十一条（七）; expert review)"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        return at_least(enterprise("innovation_score", period), parameters(period).hnte.innovation_score_min)


class hnte_no_major_incident(Tri):
    label = "No major safety, quality or environmental incident in the past year (第十一条（八）)"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        return is_no(enterprise("major_incident_1y", period))


class hnte(Tri):
    label = "High and new technology enterprise recognition (高新技术企业认定)"
    reference = "国科发火〔2016〕32号 第十一条"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        return all_of(*(enterprise(name, period) for name in HNTE_CONDITIONS))


HNTE_CONDITIONS = (
    "hnte_years_registered", "hnte_ip", "hnte_tech_field", "hnte_st_staff", "hnte_rd_staff", "hnte_rd_ratio",
    "hnte_domestic_rd", "hnte_high_tech_revenue", "hnte_innovation_score", "hnte_no_major_incident",
)  # fmt: skip


class hnte_rate_available(Tri):
    label = "The 15% rate is available: a valid certificate, or the recognition conditions are met"

    def formula(enterprise, period, parameters):  # type: ignore[no-untyped-def]
        return any_of(is_yes(enterprise("hnte_certificate_valid", period)), enterprise("hnte", period))
