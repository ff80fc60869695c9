"""A synthetic population of enterprises as rule inputs, for benchmarks and what-if trials.

Built directly as arrays (no Python loop per enterprise). Distributions are rough: log-normal
revenue, R&D intensity around 3–5%, a few percent of each fact missing. Not calibrated data.
"""

from __future__ import annotations

import numpy as np

from .inputs import HISTORY_FACTS, RULE_INPUTS, FactTable

SHANGHAI_DISTRICTS = np.array(
    ["310101", "310104", "310105", "310106", "310107", "310109", "310110", "310112", "310113", "310114",
     "310115", "310116", "310117", "310118", "310120", "310151"], dtype=object,
)  # fmt: skip
SECTIONS = np.array(["C", "I", "M", "F", "L", "K", "H"], dtype=object)
SECTION_WEIGHTS = np.array([0.40, 0.25, 0.15, 0.08, 0.06, 0.03, 0.03])
SECTION_DIVISIONS = {
    "C": (13, 43),
    "I": (63, 65),
    "M": (73, 75),
    "F": (51, 52),
    "L": (71, 72),
    "K": (70, 70),
    "H": (61, 62),
}


def population(n: int, year: int, seed: int = 2022, missing: float = 0.03) -> FactTable:
    rng = np.random.default_rng(seed)
    cols: dict[tuple[str, int], np.ndarray] = {}
    section = rng.choice(np.arange(len(SECTIONS)), size=n, p=SECTION_WEIGHTS)
    lo = np.array([SECTION_DIVISIONS[s][0] for s in SECTIONS])[section]
    hi = np.array([SECTION_DIVISIONS[s][1] for s in SECTIONS])[section]
    division = lo + np.floor(rng.random(n) * (hi - lo + 1))
    revenue = np.round(np.exp(rng.normal(17.3, 1.4, n)), 2)  # median ≈ 3,300万
    growth = rng.normal(0.12, 0.2, (2, n))
    rd_ratio = np.clip(rng.normal(0.045, 0.02, n), 0, 0.3)
    staff = np.maximum(1, np.round(revenue / rng.uniform(3e5, 1.5e6, n)))
    st_share = np.clip(rng.normal(0.2, 0.1, n), 0, 1)
    taxable = np.round(revenue * rng.normal(0.06, 0.08, n), 2)
    total_income = np.round(revenue * rng.uniform(1.0, 1.1, n), 2)
    values = {
        "revenue": revenue, "total_income": total_income, "main_business_revenue": np.round(revenue * 0.95, 2),
        "rd_expense": np.round(revenue * rd_ratio, 2), "rd_expense_domestic": np.round(revenue * rd_ratio * rng.uniform(0.5, 1, n), 2),
        "cost_expense": np.round(revenue * rng.uniform(0.7, 1.0, n), 2),
        "high_tech_revenue": np.round(total_income * rng.uniform(0.2, 0.95, n), 2),
        "total_assets": np.round(revenue * rng.uniform(0.6, 2.0, n), 2), "net_assets": np.round(revenue * 0.6, 2),
        "taxable_income": taxable, "net_profit": np.round(taxable * 0.8, 2),
        "equity_financing_3y": np.where(rng.random(n) < 0.1, np.round(rng.uniform(1e6, 1.5e8, n), 2), 0.0),
        "tech_transfer_income": np.where(rng.random(n) < 0.05, np.round(rng.uniform(1e5, 1e7, n), 2), 0.0),
        "tech_contract_turnover": np.where(rng.random(n) < 0.1, np.round(rng.uniform(1e5, 2e7, n), 2), 0.0),
        "voucher_service_spend": np.where(rng.random(n) < 0.1, np.round(rng.uniform(1e4, 1e6, n), 2), 0.0),
        "staff": staff, "st_staff": np.floor(staff * st_share), "rd_staff": np.floor(staff * st_share * 0.8),
        "ip_class1": rng.poisson(0.8, n).astype(np.float64), "ip_class2": rng.poisson(3, n).astype(np.float64),
        "innovation_score": np.where(rng.random(n) < 0.3, rng.integers(40, 95, n).astype(np.float64), np.nan),
        "years_registered": rng.integers(0, 25, n).astype(np.float64),
        "resident": np.ones(n), "is_listed": (rng.random(n) < 0.02).astype(np.float64),
        "credit_ok": (rng.random(n) > 0.03).astype(np.float64), "major_incident_1y": (rng.random(n) < 0.01).astype(np.float64),
        "national_award_5y": (rng.random(n) < 0.005).astype(np.float64),
        "provincial_rd_institution": (rng.random(n) < 0.03).astype(np.float64),
        "led_standard_5y": (rng.random(n) < 0.02).astype(np.float64),
        "ic_or_machine_tool_listed": (rng.random(n) < 0.003).astype(np.float64),
        "key_tech_field": (rng.random(n) < 0.7).astype(np.float64),
        "tech_contracts_registered": (rng.random(n) < 0.8).astype(np.float64),
        "in_shanghai": np.ones(n), "industry_division": division,
        "audited_collection": (rng.random(n) < 0.92).astype(np.float64),
        "hnte_certificate_valid": (rng.random(n) < 0.2).astype(np.float64),
        "tech_sme_registered": (rng.random(n) < 0.3).astype(np.float64),
    }  # fmt: skip
    for name in RULE_INPUTS:
        arr = values[name].astype(np.float64)
        if missing and name not in ("resident", "in_shanghai"):
            arr[rng.random(n) < missing] = np.nan
        cols[(name, year)] = arr
    for back, g in ((1, growth[0]), (2, growth[1])):
        shrink = 1.0 / (1.0 + g) ** back
        for name in HISTORY_FACTS:
            cols[(name, year - back)] = np.round(values[name] * shrink, 2)
    return FactTable(
        size=n, year=year, columns=cols, region=SHANGHAI_DISTRICTS[rng.integers(0, len(SHANGHAI_DISTRICTS), n)],
        industry=SECTIONS[section],
    )  # fmt: skip
