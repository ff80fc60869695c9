"""Tech-market statistics: database aggregation, YoY growth, public page, API, CSV and CLI."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from tests.conftest import client_for

from kechuang.contracts import queries
from kechuang.contracts.models import Contract, MarketTally

ROWS = [
    # (year, month, type, field, district, seller kind, buyer location, amount)
    (2021, 3, "transfer", "1", "310115", "university", "shanghai", "100.00"),
    (2021, 4, "development", "2", "310104", "enterprise", "yrd", "300.00"),
    (2022, 1, "transfer", "1", "310115", "university", "shanghai", "150.00"),
    (2022, 1, "transfer", "1", "310115", "institute", "abroad", "250.00"),
    (2022, 7, "development", "2", "310104", "enterprise", "china", "180.00"),
    (2022, 7, "service", "8", "310104", "other", "yrd", "20.00"),
]


@pytest.fixture
def market(own_org):
    objs = []
    for i, (year, month, ctype, field, district, kind, loc, amount) in enumerate(ROWS):
        objs.append(Contract(
            organisation=own_org, number=f"S-{i}", title="t", contract_type=ctype, subtype="consulting",
            seller_uscc=own_org.uscc, seller_name="s", seller_kind=kind, seller_region_id=district,
            buyer_name="b", buyer_region_id="310115", buyer_location=loc, signed_on=dt.date(year, month, 1),
            starts_on=dt.date(year, month, 1), ends_on=dt.date(year + 1, 1, 1), total_amount=Decimal(amount),
            tech_amount=Decimal(amount) / 2, primary_field_id=field, status="registered", year=year, month=month,
            registered_on=dt.date(year, month, 2), registration_number=f"R{i}",
        ))  # fmt: skip
    # Not registered: never counted.
    objs.append(Contract(
        organisation=own_org, number="D", title="t", contract_type="transfer", subtype="transfer_patent",
        seller_uscc=own_org.uscc, seller_name="s", seller_kind="enterprise", seller_region_id="310115",
        buyer_name="b", buyer_region_id="310115", buyer_location="shanghai", signed_on=dt.date(2022, 1, 1),
        starts_on=dt.date(2022, 1, 1), ends_on=dt.date(2023, 1, 1), total_amount=Decimal("999"),
        tech_amount=Decimal("999"), primary_field_id="1", status="submitted",
    ))  # fmt: skip
    Contract.objects.bulk_create(objs)
    queries.rebuild_statistics()


def test_year_summary_with_growth(market):
    s = queries.year_summary(2022)
    assert (s.count, s.amount, s.prev_count, s.prev_amount) == (4, Decimal("600.00"), 2, Decimal("400.00"))
    assert s.amount_growth == Decimal("50.0") and s.count_growth == Decimal("100.0")


@pytest.mark.parametrize(
    ("by", "expected"),
    [
        (
            "type",
            {
                "transfer": (2, "400.00", "-"),
                "development": (1, "180.00", "-40.0"),
                "service": (1, "20.00", None),
            },
        ),
        ("field", {"1": (2, "400.00", "300.0"), "2": (1, "180.00", "-40.0"), "8": (1, "20.00", None)}),
        ("district", {"310115": (2, "400.00", "300.0"), "310104": (2, "200.00", "-33.3")}),
        ("seller", {"university": (1, "150.00", "50.0"), "institute": (1, "250.00", None)}),
        (
            "buyer",
            {"shanghai": (1, "150.00", "50.0"), "abroad": (1, "250.00", None), "yrd": (1, "20.00", "-93.3")},
        ),
        ("month", {"1": (2, "400.00", None), "7": (2, "200.00", None), "3": (0, "0.00", "-100.0")}),
    ],
)
def test_breakdowns(market, by, expected):
    rows = {r.key: r for r in queries.breakdown(2022, by)}
    for key, (count, amount, g) in expected.items():
        assert rows[key].count == count and str(rows[key].amount) == amount
        if g != "-":
            assert (None if rows[key].amount_growth is None else str(rows[key].amount_growth)) == g
    assert sum(r.count for r in rows.values()) == 4


def test_breakdown_labels_follow_the_language(market):
    from django.utils import translation

    with translation.override("en"):
        labels = {r.key: r.label for r in queries.breakdown(2022, "district")}
    assert labels["310115"] == "Pudong New Area"


def test_public_page_api_and_csv(market, api_for):
    page = client_for(None).get("/contracts/?year=2022&by=buyer")
    assert page.status_code == 200 and b"breakdown-data" in page.content
    assert "S-0" not in page.content.decode()  # never single contracts
    r = api_for(None).get("/api/v1/contracts/stats", year=2022, by="seller")
    assert (
        r.status_code == 200
        and r.json()["total"]["count"] == 4
        and r.json()["total"]["amount_growth"] == "50.0"
    )
    bad = api_for(None).get("/api/v1/contracts/stats", year=2022, by="colour")
    assert bad.status_code == 422 and "by" in bad.json()["error"]["fields"]
    csv = client_for(None).get("/contracts/statistics.csv?year=2022&by=field")
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert (
        lines[0].startswith("year,dimension") and lines[1].startswith("2022,total,2022") and len(lines) == 5
    )


def test_cli_text_and_json(market):
    out = StringIO()
    call_command("contracts", "stats", "--year", "2022", "--by", "type", stdout=out)
    assert "4 contracts" in out.getvalue() and "+50.0%" in out.getvalue()
    out = StringIO()
    call_command("contracts", "stats", "--year", "2022", "--by", "buyer", "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["total"]["count"] == 4 and {r["key"] for r in data["rows"]} == {
        "shanghai",
        "yrd",
        "china",
        "abroad",
    }


def test_registration_adds_to_the_cells_and_rebuild_agrees(
    tmp_path, settings, enterprise_user, own_org, staff_user
):
    from .helpers import registered

    settings.DATA_DIR = tmp_path
    a = registered(enterprise_user, staff_user, own_org, on=dt.date(2026, 5, 1))
    registered(enterprise_user, staff_user, own_org, on=dt.date(2026, 5, 3), number="JS-2", total_amount="1000000",
               tech_amount="900000", ancillary_amount="0", instalments=[])  # fmt: skip
    s = queries.year_summary(2026)
    assert (s.count, s.amount) == (2, a.total_amount + Decimal("1000000"))
    assert queries.statistics_drift() == []
    before = list(MarketTally.objects.values_list("contracts", "total_amount"))
    queries.rebuild_statistics()
    assert list(MarketTally.objects.values_list("contracts", "total_amount")) == before


def test_cli_rebuild_and_check(market):
    MarketTally.objects.all().delete()
    out = StringIO()
    call_command("contracts", "check-stats", stdout=out)
    assert "2022" in out.getvalue()
    call_command("contracts", "rebuild-stats", stdout=StringIO())
    out = StringIO()
    call_command("contracts", "check-stats", stdout=out)
    assert "agree" in out.getvalue()
