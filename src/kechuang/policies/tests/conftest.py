"""Fixtures of the policies tests: an enterprise with three years of registered facts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kechuang.core import services as core_services
from kechuang.core.models import Industry, Organisation

YEAR = 2023


def register_facts(org: Organisation, rd_2023: str = "2800000", credit_ok: bool = True) -> None:
    history = {2021: ("60000000", "2400000"), 2022: ("70000000", "2600000")}
    for year, (rev, rd) in history.items():
        core_services.record_enterprise_facts(
            None, org, year, revenue=Decimal(rev), rd_expense=Decimal(rd), rd_expense_domestic=Decimal(rd),
            main_business_revenue=Decimal(rev), net_profit=Decimal("5000000"),
        )  # fmt: skip
    core_services.record_enterprise_facts(
        None, org, YEAR, revenue=Decimal("80000000"), total_income=Decimal("82000000"),
        main_business_revenue=Decimal("78000000"), rd_expense=Decimal(rd_2023), rd_expense_domestic=Decimal(rd_2023),
        cost_expense=Decimal("70000000"), high_tech_revenue=Decimal("60000000"), total_assets=Decimal("90000000"),
        taxable_income=Decimal("10000000"), net_profit=Decimal("8000000"), staff=200, st_staff=40, rd_staff=30,
        ip_class1=2, ip_class2=5, credit_ok=credit_ok, major_incident_1y=False, collection_method="audited", is_listed=False,
    )  # fmt: skip


@pytest.fixture
def manufacturer_industry(db) -> Industry:  # type: ignore[no-untyped-def]
    return Industry.objects.get(pk="39")


@pytest.fixture
def own_firm(own_org, manufacturer_industry) -> Organisation:  # type: ignore[no-untyped-def]
    core_services.update_organisation(
        None, own_org, industry=manufacturer_industry, founded_on=dt.date(2015, 3, 1)
    )
    register_facts(own_org)
    return own_org
