"""Enterprise facts in, rule inputs out.

The navigator's input is one object per enterprise with the policy catalogue's fact names: static
facts plus one object per year (see docs/policies.md). Any fact may sit in either place; a yearly
value wins. A fact that is absent or null is missing (NaN in the rules), never zero.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MONEY_FACTS = (
    "revenue", "total_income", "main_business_revenue", "rd_expense", "rd_expense_domestic", "cost_expense",
    "high_tech_revenue", "total_assets", "net_assets", "taxable_income", "net_profit", "equity_financing_3y",
    "tech_transfer_income", "tech_contract_turnover", "voucher_service_spend",
)  # fmt: skip
SIGNED_MONEY = {"taxable_income", "net_profit", "net_assets", "tech_transfer_income"}
COUNT_FACTS = (
    "staff",
    "st_staff",
    "rd_staff",
    "ip_class1",
    "ip_class2",
    "innovation_score",
    "years_registered",
)
BOOL_FACTS = (
    "resident", "is_listed", "credit_ok", "major_incident_1y", "national_award_5y", "provincial_rd_institution",
    "led_standard_5y", "ic_or_machine_tool_listed", "key_tech_field", "tech_contracts_registered",
)  # fmt: skip
SPECIAL_FACTS = (
    "reg_date",
    "region",
    "industry_code",
    "collection_method",
    "hnte_cert_valid_until",
    "tech_sme_reg_no",
)
ALL_FACTS = frozenset(MONEY_FACTS + COUNT_FACTS + BOOL_FACTS + SPECIAL_FACTS)
# Facts read for the two years before the evaluated one (three-year sums, growth rates).
HISTORY_FACTS = ("revenue", "rd_expense", "rd_expense_domestic", "main_business_revenue", "net_profit")
COLLECTION_WORDS = {"audited": 1.0, "查账征收": 1.0, "deemed": 0.0, "核定征收": 0.0}

RULE_INPUTS = (
    MONEY_FACTS + COUNT_FACTS + BOOL_FACTS
    + ("in_shanghai", "industry_division", "audited_collection", "hnte_certificate_valid", "tech_sme_registered")
)  # fmt: skip


@dataclass
class EnterpriseInput:
    """One enterprise's facts: static ones and {year: {fact: value}}."""

    facts: dict[str, Any] = field(default_factory=dict)
    years: dict[int, dict[str, Any]] = field(default_factory=dict)
    name: str = ""
    region: str = ""  # for grouping (district code)
    industry: str = ""  # for grouping (GB/T 4754 section letter)

    def get(self, fact: str, year: int) -> Any:
        value = self.years.get(year, {}).get(fact)
        return self.facts.get(fact) if value is None else value


def _date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _number(value: Any) -> float:
    if value is None or value == "":
        return math.nan
    if isinstance(value, bool):
        raise ValueError("a number is expected")
    if isinstance(value, int | float | Decimal):
        return float(value)
    return float(Decimal(str(value)))  # text: Decimal refuses what float would guess at


def _flag(value: Any) -> float:
    if value is None or value == "":
        return math.nan
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if value in (0, 1):
        return float(value)
    raise ValueError("true or false is expected")


def industry_division(code: str | None) -> float:
    """Two-digit GB/T 4754 division from 'C39', '39' or '3911'; NaN for a section letter alone."""
    digits = re.sub(r"\D", "", code or "")
    return float(digits[:2]) if len(digits) >= 2 else math.nan


def rule_values(enterprise: EnterpriseInput, year: int) -> dict[str, float]:
    """The rule inputs for one year (floats, NaN = missing). Raises ValueError on a bad value."""
    out: dict[str, float] = {}
    for name in MONEY_FACTS + COUNT_FACTS:
        out[name] = _number(enterprise.get(name, year))
    for name in BOOL_FACTS:
        out[name] = _flag(enterprise.get(name, year))
    reg_date = _date(enterprise.get("reg_date", year))
    if reg_date is not None and math.isnan(out["years_registered"]):
        year_end = dt.date(year, 12, 31)
        out["years_registered"] = (
            float(max(0, (year_end - reg_date).days // 365.25)) if reg_date <= year_end else math.nan
        )
    region = enterprise.get("region", year) or enterprise.region
    out["in_shanghai"] = math.nan if not region else float(str(region).startswith("31"))
    out["industry_division"] = industry_division(enterprise.get("industry_code", year))
    method = enterprise.get("collection_method", year)
    out["audited_collection"] = COLLECTION_WORDS[method] if method else math.nan
    valid_until = _date(enterprise.get("hnte_cert_valid_until", year))
    # A certificate counts for a year when it is still valid at the year end. No date: none held,
    # unless the facts say nothing at all about certificates (then unknown).
    if valid_until is not None:
        out["hnte_certificate_valid"] = float(valid_until >= dt.date(year, 12, 31))
    else:
        out["hnte_certificate_valid"] = 0.0 if "hnte_cert_valid_until" in enterprise.facts else math.nan
    reg_no = enterprise.get("tech_sme_reg_no", year)
    out["tech_sme_registered"] = float(bool(reg_no)) if reg_no is not None else math.nan
    return out


def validate(enterprise: EnterpriseInput, year: int) -> None:
    """Field-level errors (Chinese and English via the catalogue) for unknown facts and bad values."""
    errors: dict[str, list[Any]] = {}
    places: list[tuple[str, Mapping[str, Any]]] = [("facts", enterprise.facts)]
    places += [(f"years.{y}", v) for y, v in enterprise.years.items()]
    for where, values in places:
        for name, value in values.items():
            key = f"{where}.{name}"
            if name not in ALL_FACTS:
                errors[key] = [_("Unknown fact name.")]
                continue
            try:
                if name in MONEY_FACTS or name in COUNT_FACTS:
                    number = _number(value)
                    if number < 0 and name not in SIGNED_MONEY:
                        errors[key] = [_("Must not be negative.")]
                elif name in BOOL_FACTS:
                    _flag(value)
                elif name in ("reg_date", "hnte_cert_valid_until"):
                    _date(value)
                elif name == "collection_method" and value and value not in COLLECTION_WORDS:
                    errors[key] = [_("Use audited or deemed.")]
            except (ValueError, TypeError, ArithmeticError):
                errors[key] = [_("This value is not valid for the fact.")]
    if not errors:
        values = rule_values(enterprise, year)
        for part in ("st_staff", "rd_staff"):
            if values[part] > values["staff"]:
                errors[f"years.{year}.{part}"] = [_("Cannot exceed the total staff.")]
        if values["rd_expense_domestic"] > values["rd_expense"]:
            errors[f"years.{year}.rd_expense_domestic"] = [_("Cannot exceed the total R&D expense.")]
        if values["innovation_score"] > 100:
            errors[f"years.{year}.innovation_score"] = [_("The score is out of 100.")]
    if errors:
        raise ValidationError(errors)


def parse_document(data: Any) -> EnterpriseInput:
    """An input file (docs/policies.md) as an EnterpriseInput; structure errors are field errors."""
    if not isinstance(data, dict):
        raise ValidationError({"__all__": [_("The file must hold one JSON object.")]})
    unknown = set(data) - {"name", "facts", "years"}
    if unknown:
        raise ValidationError({k: [_("Unknown key: use name, facts and years.")] for k in sorted(unknown)})
    facts = data.get("facts") or {}
    years_raw = data.get("years") or {}
    if not isinstance(facts, dict):
        raise ValidationError({"facts": [_("Must be an object of fact names and values.")]})
    if not isinstance(years_raw, dict):
        raise ValidationError({"years": [_("Must be an object keyed by year.")]})
    years: dict[int, dict[str, Any]] = {}
    for key, values in years_raw.items():
        if not str(key).isdigit() or not 1990 <= int(key) <= 2100 or not isinstance(values, dict):
            raise ValidationError({f"years.{key}": [_("Use a four-digit year with an object of facts.")]})
        years[int(key)] = values
    return EnterpriseInput(
        facts=facts, years=years, name=str(data.get("name", "")), region=str(facts.get("region", ""))
    )


@dataclass
class FactTable:
    """Rule inputs for N enterprises: {(variable, year): float array}, plus grouping codes."""

    size: int
    year: int
    columns: dict[tuple[str, int], np.ndarray]
    region: np.ndarray  # district codes (str)
    industry: np.ndarray  # section letters (str)
    keys: list[Any] = field(default_factory=list)  # e.g. organisation ids, in row order
    cache: dict[str, Any] = field(default_factory=dict, repr=False)  # derived once per table (groupings)

    @classmethod
    def from_inputs(
        cls, enterprises: Iterable[EnterpriseInput], year: int, keys: list[Any] | None = None
    ) -> FactTable:
        rows = list(enterprises)
        n = len(rows)
        columns: dict[tuple[str, int], np.ndarray] = {}
        for y in (year, year - 1, year - 2):
            names = RULE_INPUTS if y == year else HISTORY_FACTS
            block = np.full((len(names), n), np.nan)
            for i, ent in enumerate(rows):
                values = (
                    rule_values(ent, y)
                    if y == year
                    else {k: _number(ent.years.get(y, {}).get(k)) for k in names}
                )
                for j, name in enumerate(names):
                    block[j, i] = values[name]
            for j, name in enumerate(names):
                columns[(name, y)] = block[j]
        return cls(
            size=n, year=year, columns=columns,
            region=np.array([e.region or "" for e in rows], dtype=object),
            industry=np.array([e.industry or "" for e in rows], dtype=object),
            keys=list(keys) if keys is not None else list(range(n)),
        )  # fmt: skip
