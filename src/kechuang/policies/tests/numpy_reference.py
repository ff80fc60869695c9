"""A plain-numpy reference of the catalogue's rules for fiscal year 2023, written apart from the
OpenFisca system (constants typed from docs/policy catalogue, no shared code). The tests check that
the engine agrees with it (verdicts equal, benefits within 1 yuan); the benchmark times both.

Three-valued logic: 0 fail, 1 unknown, 2 pass; AND = min, OR = max; NaN input = unknown.
"""

from __future__ import annotations

import numpy as np

EPS = 1e-10


def _t(known: np.ndarray, ok: np.ndarray) -> np.ndarray:
    return np.where(known, np.where(ok, 2, 0), 1).astype(np.int8)


def _ge(v: np.ndarray, t: float | np.ndarray) -> np.ndarray:
    return _t(~np.isnan(v), v >= t - EPS * np.maximum(1, np.abs(t)))


def _le(v: np.ndarray, t: float | np.ndarray) -> np.ndarray:
    return _t(~np.isnan(v), v <= t + EPS * np.maximum(1, np.abs(t)))


def _yes(v: np.ndarray) -> np.ndarray:
    return _t(~np.isnan(v), v == 1)


def _no(v: np.ndarray) -> np.ndarray:
    return _t(~np.isnan(v), v == 0)


def _div(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        r = a / b
    return np.where(b == 0, np.where(a > 0, np.inf, np.where(a == 0, 0.0, np.nan)), r)


def _and(*xs: np.ndarray) -> np.ndarray:
    return np.minimum.reduce(xs)


def _or(*xs: np.ndarray) -> np.ndarray:
    return np.maximum.reduce(xs)


def _band(x: np.ndarray, edges: list[float], points: list[float]) -> np.ndarray:
    out = np.zeros_like(x)
    for e, p in zip(edges, points, strict=True):
        out = np.where(x >= e, p, out)
    return out


def run(
    cols: dict[tuple[str, int], np.ndarray], y: int = 2023
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    assert y >= 2023, "the reference encodes the 2023 parameters"
    c = lambda name, yy=y: cols[(name, yy)]  # noqa: E731
    n = len(c("revenue"))
    age = c("years_registered")

    def sum3(name: str) -> np.ndarray:
        total = c(name).copy()
        for back in (1, 2):
            e = cols.get((name, y - back), np.full(n, np.nan))
            total = total + np.where(np.isnan(e) & (age <= back), 0.0, e)
        return total

    rev3, rd3, dom3, mbr3 = (
        sum3("revenue"),
        sum3("rd_expense"),
        sum3("rd_expense_domestic"),
        sum3("main_business_revenue"),
    )
    staff = c("staff")
    div = c("industry_division")
    manuf = np.where(np.isnan(div), np.nan, ((div >= 13) & (div <= 43)).astype(float))
    rev = c("revenue")

    # HNTE (国科发火〔2016〕32号)
    tier = np.where(rev <= 5e7, 0.05, np.where(rev <= 2e8, 0.04, 0.03))
    rd_ratio = _div(rd3, rev3)
    hnte = _and(
        _ge(age, 1), _or(_ge(c("ip_class1"), 1), _ge(c("ip_class2"), 1)), _yes(c("key_tech_field")),
        _ge(_div(c("st_staff"), staff), 0.10), _t(~np.isnan(rd_ratio) & ~np.isnan(rev), rd_ratio >= tier - EPS),
        _ge(_div(dom3, rd3), 0.60), _ge(_div(c("high_tech_revenue"), c("total_income")), 0.60),
        _ge(c("innovation_score"), 70), _no(c("major_incident_1y")),
    )  # fmt: skip
    # Tech SME (国科发政〔2017〕115号)
    st_pts = _band(
        np.nan_to_num(_div(c("st_staff"), staff)), [0.10, 0.15, 0.20, 0.25, 0.30], [4, 8, 12, 16, 20]
    )
    st_pts = np.where(np.isnan(_div(c("st_staff"), staff)), np.nan, st_pts)
    rr, rc = _div(c("rd_expense"), rev), _div(c("rd_expense"), c("cost_expense"))
    pr = _band(np.nan_to_num(rr), [0.02, 0.03, 0.04, 0.05, 0.06], [10, 20, 30, 40, 50])
    pc = _band(np.nan_to_num(rc), [0.10, 0.15, 0.20, 0.25, 0.30], [10, 20, 30, 40, 50])
    rd_lo = np.maximum(np.where(np.isnan(rr), 0, pr), np.where(np.isnan(rc), 0, pc))
    rd_hi = np.maximum(np.where(np.isnan(rr), 50, pr), np.where(np.isnan(rc), 50, pc))
    c1, c2 = c("ip_class1"), c("ip_class2")
    p2 = _band(np.nan_to_num(c2), [1, 2, 3, 4], [6, 12, 18, 24])
    ip_lo = np.where(c1 >= 1, 30, np.where(np.isnan(c2), 0, p2))
    ip_hi = np.where(c1 >= 1, 30, np.where(np.isnan(c1), 30, np.where(np.isnan(c2), 24, p2)))
    lo, hi = st_pts + rd_lo + ip_lo, st_pts + rd_hi + ip_hi
    score = np.where((lo >= 60) & (st_pts > 0), 2, np.where((hi < 60) | (st_pts == 0), 0, 1)).astype(np.int8)
    direct = _or(
        _yes(c("hnte_certificate_valid")),
        _yes(c("national_award_5y")),
        _yes(c("provincial_rd_institution")),
        _yes(c("led_standard_5y")),
    )
    tech_sme = _and(_yes(c("resident")), _le(staff, 500), _le(rev, 2e8), _le(c("total_assets"), 2e8),
                    _and(_no(c("major_incident_1y")), _yes(c("credit_ok"))), _or(score, direct))  # fmt: skip
    # Super deduction (公告2023年第7号, 第44号)
    negative = np.isin(div, [16, 51, 52, 61, 62, 70, 71, 72, 90]).astype(float)
    negative = np.where(np.isnan(div), np.nan, negative)
    rd = c("rd_expense")
    rdsd = _and(_yes(c("resident")), _yes(c("audited_collection")), _no(negative), _t(~np.isnan(rd), rd > 0))
    rate = np.where(c("ic_or_machine_tool_listed") == 1, 1.2 if y <= 2027 else 1.0, 1.0)
    deduction = np.where(rdsd == 2, rd * rate, 0.0)
    # Regimes: 25%, 15%, small and low-profit 5% (公告2023年第12号)
    ti = c("taxable_income")
    hnte_ok = (c("hnte_certificate_valid") == 1) | (hnte == 2)
    sm_size = (_le(staff, 300) == 2) & (_le(c("total_assets"), 5e7) == 2)

    def best(x: np.ndarray, h: np.ndarray, s: np.ndarray) -> np.ndarray:
        b = np.maximum(x, 0)
        return np.minimum.reduce(
            [b * 0.25, np.where(h, b * 0.15, np.inf), np.where(s & (x <= 3e6 + EPS * 3e6), b * 0.05, np.inf)]
        )

    ti_after = ti - deduction
    small_micro = _and(_le(ti_after, 3e6), _le(staff, 300), _le(c("total_assets"), 5e7))
    zeros, ones = np.zeros(n, bool), np.ones(n, bool)
    tax = best(ti_after, hnte_ok, sm_size)
    b_hnte = best(ti_after, zeros, sm_size) - best(ti_after, ones, sm_size)
    b_sm = best(ti_after, hnte_ok, zeros) - best(ti_after, hnte_ok, ones)
    b_rdsd = best(ti, hnte_ok, sm_size) - best(ti - rd * rate, hnte_ok, sm_size)
    regime_rate = np.where(
        tax == np.maximum(ti_after, 0) * 0.25,
        0.25,
        np.where(hnte_ok & (tax == np.maximum(ti_after, 0) * 0.15), 0.15, 0.05),
    )
    marginal = np.where(ti_after > 0, regime_rate, 0.0)
    income = np.minimum(c("tech_transfer_income"), np.maximum(ti_after, 0))
    exempt = np.minimum(income, 5e6)
    b_ttc = exempt * marginal + (income - exempt) * np.maximum(marginal - 0.125, 0)
    ttc = _and(
        _yes(c("resident")),
        _t(~np.isnan(c("tech_transfer_income")), c("tech_transfer_income") > 0),
        _yes(c("tech_contracts_registered")),
    )
    tcv = _and(
        _t(~np.isnan(c("tech_contract_turnover")), c("tech_contract_turnover") > 0),
        _yes(c("tech_contracts_registered")),
    )
    # Little giants (沪科规〔2021〕12号)
    common = _and(
        _yes(c("in_shanghai")),
        _ge(age, 3),
        _yes(c("hnte_certificate_valid")),
        _yes(c("credit_ok")),
        _no(c("is_listed")),
    )
    rd_share = _div(c("rd_staff"), staff)
    mbr = c("main_business_revenue")

    def cagr(name: str) -> np.ndarray:
        now, base = c(name), cols[(name, y - 2)]
        with np.errstate(divide="ignore", invalid="ignore"):
            g = np.sqrt(np.where(base > 0, now / base, np.nan)) - 1
        return np.where(np.isnan(now) | np.isnan(base), np.nan, np.where(base > 0, g, -np.inf))

    growth_r, growth_p, eq = cagr("main_business_revenue"), cagr("net_profit"), c("equity_financing_3y")

    def giant(
        staff_m: float, staff_s: float, ratio: float, lo_: float, hi_: float, equity: float
    ) -> np.ndarray:
        floor = np.where(np.isnan(manuf), np.nan, np.where(manuf == 1, staff_m, staff_s))
        return _and(common, _t(~np.isnan(rd_share) & ~np.isnan(floor), rd_share >= floor - EPS), _ge(_div(rd3, mbr3), ratio),
                    _t(~np.isnan(mbr), (mbr >= lo_ - EPS * lo_) & (mbr <= hi_ + EPS * hi_)),
                    _or(_ge(growth_r, 0.2), _ge(growth_p, 0.2), _t(~np.isnan(eq), eq > equity)))  # fmt: skip

    voucher = _and(_yes(c("in_shanghai")), _t(~np.isnan(staff), staff < 1000), _t(~np.isnan(rev), rev < 4e8))
    spend = c("voucher_service_spend")
    verdicts = {
        "hnte": hnte, "rd_super_deduction": rdsd, "tech_sme": tech_sme, "tech_transfer_cit": ttc, "tech_contract_vat": tcv,
        "sh_little_giant": giant(0.2, 0.5, 0.05, 1e8, 1e9, 8e7), "sh_little_giant_cultivation": giant(0.1, 0.3, 0.06, 3e7, 1e8, 5e7),
        "small_micro": small_micro, "sh_innovation_voucher": voucher,
    }  # fmt: skip
    benefits = {
        "hnte": b_hnte, "rd_super_deduction": b_rdsd, "small_micro": b_sm, "tech_transfer_cit": b_ttc,
        "tech_contract_vat": c("tech_contract_turnover") * 0.06,
        "sh_innovation_voucher": np.where(np.isnan(spend), 3e5, np.minimum(spend * 0.5, 3e5)),
        "cit_payable": tax,
    }  # fmt: skip
    return verdicts, benefits
