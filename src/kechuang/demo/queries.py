"""The report's figures recomputed from the rows in the database, with the definitions of
docs/demo-data.md. `kechuang demo --figures` prints them beside the targets; the tests use them.

The indicators app owns the real annual report; this is the demo's own calibration check.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum

from kechuang.core.models import Carrier, EnterpriseFacts

from . import generator
from .models import EnterpriseDesignation


def report_figures(year: int = generator.YEAR) -> dict[str, Any]:
    sh_facts = EnterpriseFacts.objects.filter(
        year=year, organisation__kind="enterprise", organisation__region__code__startswith="31"
    )
    year_end = dt.date(year, 12, 31)
    claimants = sh_facts.filter(
        organisation__resident=True, collection_method="audited", rd_expense__gt=0
    ).exclude(organisation__industry__code__in=generator.negative_list_divisions(year))
    extra = Decimal(0)
    for rd, industry, reg_no in claimants.values_list(
        "rd_expense", "organisation__industry_id", "tech_sme_reg_no"
    ):
        extra += generator.extra_deduction({"rd_expense": rd, "tech_sme_reg_no": reg_no}, industry or "")
    hnte = sh_facts.filter(hnte_cert_valid_until__gte=year_end)
    ti_max, staff_max, assets_max = generator.small_low_profit_limits(year)
    small = Q(taxable_income__lte=ti_max, staff__lte=staff_max, total_assets__lte=assets_max)
    hnte15 = hnte.filter(collection_method="audited", taxable_income__gt=0).exclude(small)
    relief = (hnte15.aggregate(s=Sum("taxable_income"))["s"] or Decimal(0)) * generator.hnte_relief_rate(year)

    des = EnterpriseDesignation.objects.filter(organisation__region__code__startswith="31")

    def count(kind: str, **kw: Any) -> int:
        return des.filter(kind=kind, **kw).values("organisation").distinct().count()

    def total(kind: str) -> Decimal:
        return des.filter(kind=kind).aggregate(s=Sum("value"))["s"] or Decimal(0)

    carriers = dict(Carrier.objects.values_list("kind").annotate(n=Count("id")))
    incubation = Carrier.objects.filter(kind__in=["incubator", "maker_space"]).aggregate(
        area=Sum("area_m2"), firms=Sum("firms_served"), people=Sum("people_served"),
        graduated=Sum("firms_graduated"), listed=Sum("firms_listed"),
    )  # fmt: skip
    credit = des.filter(kind="tech_credit")
    return {
        "hnte_valid": hnte.count(),
        "rd_claimants": claimants.count(),
        "rd_extra_deduction": extra,
        "rd_tax_reduced_25pct": (extra * generator.statutory_cit_rate(year)).quantize(Decimal("0.01")),
        "hnte_15_rate": hnte15.count(),
        "hnte_relief": relief.quantize(Decimal("0.01")),
        "little_giant_incl_cultivation": count("little_giant") + count("little_giant_cultivation"),
        "ipo_pool": count("ipo_pool"),
        "star_listed": count("star_listed"),
        "star_listed_2022": count("star_listed", since__year=year),
        "star_market_value": total("star_listed"),
        "unicorns": count("unicorn"),
        "tech_credit_firms": count("tech_credit"),
        "tech_credit": total("tech_credit"),
        "tech_credit_sme_share": round(credit.filter(flags__sme=True).count() / max(1, credit.count()), 4),
        "tech_credit_first_loan_share": round(
            credit.filter(flags__first_loan=True).count() / max(1, credit.count()), 4
        ),
        "hnte_loan_firms": count("hnte_loan"),
        "hnte_loan": total("hnte_loan"),
        "national_key_labs": carriers.get("lab_national_key", 0),
        "national_key_labs_reorganised": Carrier.objects.filter(
            kind="lab_national_key", recognised_on__year=year
        ).count(),
        "joint_innovation_centres": carriers.get("joint_centre", 0),
        "incubation_carriers": carriers.get("incubator", 0) + carriers.get("maker_space", 0),
        "incubation_area_m2": incubation["area"] or 0,
        "incubation_firms_served": incubation["firms"] or 0,
        "incubation_people": incubation["people"] or 0,
        "incubation_graduated": incubation["graduated"] or 0,
        "incubation_listed": incubation["listed"] or 0,
        "popsci_bases": Carrier.objects.filter(kind="popsci_base")
        .exclude(description="青少年科学创新实践工作站")
        .count(),
        "youth_stations": Carrier.objects.filter(
            kind="popsci_base", description="青少年科学创新实践工作站"
        ).count(),
        "foreign_rd_centres": carriers.get("foreign_rd", 0),
        "belt_road_joint_labs": Carrier.objects.filter(
            kind="lab_municipal", description="一带一路国际联合实验室"
        ).count(),
    }


# Full-scale targets to print beside the figures (the README of the 2022 report).
REPORT_TARGETS: dict[str, str] = {
    "hnte_valid": "> 22,000",
    "rd_claimants": "35,686",
    "rd_extra_deduction": "2,622.14 亿元",
    "rd_tax_reduced_25pct": "655.54 亿元",
    "hnte_15_rate": "3,221",
    "hnte_relief": "243 亿元",
    "little_giant_incl_cultivation": "> 2,600",
    "ipo_pool": "1,750",
    "star_listed": "78",
    "star_listed_2022": "35",
    "star_market_value": "1.3 万亿元",
    "unicorns": "71",
    "tech_credit_firms": "6,547",
    "tech_credit": "1,951.4 亿元",
    "tech_credit_sme_share": "97%",
    "tech_credit_first_loan_share": "15%",
    "hnte_loan_firms": "5,800+",
    "hnte_loan": "> 1,886 亿元",
    "national_key_labs": "44",
    "national_key_labs_reorganised": "25",
    "joint_innovation_centres": "230",
    "incubation_carriers": "418",
    "incubation_area_m2": "> 365 万 m²",
    "incubation_firms_served": "~3 万",
    "incubation_people": "~13 万",
    "incubation_graduated": "~5,000",
    "incubation_listed": "~200",
    "popsci_bases": "273",
    "youth_stations": "29",
    "foreign_rd_centres": "531",
    "belt_road_joint_labs": "34",
}
