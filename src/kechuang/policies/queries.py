"""Reads shared by the pages, the API and the CLI: the library, and enterprise facts as rule inputs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db.models import Q, QuerySet

from kechuang.core.models import EnterpriseFacts, Organisation

from .inputs import EnterpriseInput, FactTable
from .models import PolicyDocument, SupplementaryFacts

SEARCH_FIELDS = ("title", "title_en", "doc_number", "authority", "full_text", "target_groups")


def _terms(q: str) -> list[str]:
    """Query terms through the shared text pipeline (t2s, segmentation), falling back to the raw query."""
    try:
        from kechuang.text.analysis import tokens
    except ImportError:  # pragma: no cover - the text app is part of the project
        return [q]
    terms = [t for t in tokens(q) if len(t) > 1 or not t.isascii()]
    return terms or [q]


def search_documents(
    q: str = "",
    level: str = "",
    benefit_type: str = "",
    policy: str = "",
    in_force: bool = False,
    semantic: bool = False,
) -> QuerySet[PolicyDocument] | list[PolicyDocument]:
    """Filtered documents; with `semantic`, the filtered ones ranked by meaning (top 20), lexical
    matches first among equals."""
    q = q.strip()
    if semantic and q:
        from .semantic import rank

        candidates = list(search_documents("", level, benefit_type, policy, in_force))
        lexical = set(search_documents(q, level, benefit_type, policy, in_force).values_list("pk", flat=True))  # type: ignore[union-attr]
        return rank(q, candidates, lexical)
    qs = PolicyDocument.objects.all()
    if q:
        # Every term must appear in some field; a document number is matched as typed as well.
        exact = Q(doc_number__icontains=q) | Q(title__icontains=q)
        combined = Q()
        for term in _terms(q):
            any_field = Q()
            for f in SEARCH_FIELDS:
                any_field |= Q(**{f"{f}__icontains": term})
            combined &= any_field
        qs = qs.filter(exact | combined)
    if level:
        qs = qs.filter(level=level)
    if benefit_type:
        qs = qs.filter(benefit_type=benefit_type)
    if policy:
        qs = qs.filter(policy_ids__icontains=policy)
    if in_force:
        today = dt.date.today()
        qs = qs.filter(Q(effective_from__isnull=True) | Q(effective_from__lte=today))
        qs = qs.filter(Q(effective_until__isnull=True) | Q(effective_until__gte=today))
    return qs


CORE_FACTS = (
    "revenue", "total_income", "main_business_revenue", "rd_expense", "rd_expense_domestic", "cost_expense",
    "high_tech_revenue", "total_assets", "net_assets", "taxable_income", "net_profit", "equity_financing_3y",
    "staff", "st_staff", "rd_staff", "ip_class1", "ip_class2", "innovation_score", "is_listed", "credit_ok",
    "major_incident_1y",
)  # fmt: skip


YEAR_FIELDS = (*CORE_FACTS, "collection_method", "tech_sme_reg_no", "hnte_cert_valid_until")


def _year_values(row: EnterpriseFacts | dict[str, Any]) -> dict[str, Any]:
    get = row.get if isinstance(row, dict) else (lambda name: getattr(row, name))
    values: dict[str, Any] = {name: get(name) for name in YEAR_FIELDS}
    # Empty text means "not recorded"; a missing certificate date stays missing (not "none held").
    return {k: v for k, v in values.items() if v is not None and v != ""}


def _static(org: Organisation) -> dict[str, Any]:
    facts: dict[str, Any] = {"region": org.region_id, "resident": org.resident}
    if org.founded_on:
        facts["reg_date"] = org.founded_on
    if org.industry_id:
        facts["industry_code"] = org.industry_id
    return facts


def _section(org: Organisation) -> str:
    code = org.industry_id or ""
    if code.isalpha():
        return code
    return (org.industry.parent_id or "") if org.industry is not None else ""


def enterprise_input(org: Organisation, year: int) -> EnterpriseInput:
    """One organisation's registered facts (core annual facts + supplementary) for `year` and the two before."""
    ent = EnterpriseInput(facts=_static(org), name=str(org), region=org.region_id, industry=_section(org))
    for row in EnterpriseFacts.objects.filter(organisation=org, year__in=(year, year - 1, year - 2)):
        ent.years[row.year] = _year_values(row)
    for extra in SupplementaryFacts.objects.filter(organisation=org, year=year):
        ent.years.setdefault(year, {}).update(
            {f: getattr(extra, f) for f in SupplementaryFacts.FACTS if getattr(extra, f) is not None}
        )
    return ent


def _no_fraction(fraction: float) -> None:
    pass


def registry_inputs(
    year: int, fraction: Callable[[float], None] = _no_fraction
) -> tuple[list[int], list[EnterpriseInput]]:
    """Every enterprise with annual facts for `year`, as rule inputs. Three queries read as plain
    rows (no model instances: building 100,000 of them costs more than the rules). `fraction(f)`
    is told how far the reading is (0 to 1): it takes tens of seconds over a city's registry."""
    orgs = Organisation.objects.filter(kind=Organisation.Kind.ENTERPRISE, facts__year=year).values(
        "pk", "region_id", "industry_id", "industry__parent_id", "founded_on", "resident"
    )
    by_org: dict[int, EnterpriseInput] = {}
    for o in orgs:
        facts: dict[str, Any] = {"region": o["region_id"], "resident": o["resident"]}
        if o["founded_on"]:
            facts["reg_date"] = o["founded_on"]
        code = o["industry_id"] or ""
        if code:
            facts["industry_code"] = code
        section = code if code.isalpha() else (o["industry__parent_id"] or "")
        by_org[o["pk"]] = EnterpriseInput(facts=facts, region=o["region_id"], industry=section)
    fraction(0.1)
    rows = EnterpriseFacts.objects.filter(organisation_id__in=by_org, year__in=(year, year - 1, year - 2))
    expected = 3 * len(by_org) or 1  # at most three years each
    for n, row in enumerate(rows.values("organisation_id", "year", *YEAR_FIELDS).iterator(chunk_size=5000)):
        by_org[row["organisation_id"]].years[row["year"]] = _year_values(row)
        if n % 5000 == 0:
            fraction(0.1 + 0.8 * min(1.0, n / expected))
    extras = SupplementaryFacts.objects.filter(organisation_id__in=by_org, year=year)
    for extra in extras.values("organisation_id", *SupplementaryFacts.FACTS):
        values = {f: extra[f] for f in SupplementaryFacts.FACTS if extra[f] is not None}
        by_org[extra["organisation_id"]].years.setdefault(year, {}).update(values)
    keys = sorted(by_org)
    return keys, [by_org[k] for k in keys]


def registry_table(year: int, fraction: Callable[[float], None] = _no_fraction) -> FactTable:
    """The registry's enterprises for `year` as the rules' table; `fraction(f)` as for registry_inputs
    (reading is about two thirds of the time, building the table the rest)."""
    keys, inputs = registry_inputs(year, lambda f: fraction(0.7 * f))
    fraction(0.7)
    table = FactTable.from_inputs(inputs, year, keys=keys)
    fraction(1.0)
    return table
