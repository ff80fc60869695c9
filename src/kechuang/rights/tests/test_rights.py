"""Results' rights: empowerment records and transfers, valuation worksheets with comparables from the
contract registry, exchange listings and deals; bad input and who may see what."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from tests.conftest import client_for

from kechuang.contracts.models import Contract
from kechuang.core.models import AuditEntry
from kechuang.rights import queries as rights_queries
from kechuang.rights import services as rights_services
from kechuang.rights.models import EmpowermentTransfer, RightsEmpowerment, ValuationWorksheet

WHO = ["anonymous", "other", "own", "staff"]


@pytest.fixture
def people(enterprise_user, other_user, staff_user):
    return {"anonymous": None, "other": other_user, "own": enterprise_user, "staff": staff_user}


@pytest.fixture
def empowerment(enterprise_user, own_org):
    e = rights_services.record_empowerment(enterprise_user, own_org, grant="ownership", ownership_share="70",
                                           granted_on="2022-03-01", result_title="一种高效催化剂")  # fmt: skip
    rights_services.record_empowerment_transfer(enterprise_user, e, transferred_on="2022-09-01", amount="3000000",
                                                transferee="上海某企业")  # fmt: skip
    return e


@pytest.fixture
def registry(own_org):
    """Registered transfer contracts in field 4 (three in range, one too old, one of another field)."""
    rows = [("2024-05-01", "4", "100000"), ("2025-01-10", "4", "300000"), ("2025-06-01", "4", "500000"),
            ("2020-01-01", "4", "9000000"), ("2025-02-01", "1", "7000000")]  # fmt: skip
    objs = []
    for i, (day, field, amount) in enumerate(rows):
        d = dt.date.fromisoformat(day)
        objs.append(Contract(
            organisation=own_org, number=f"C{i}", title="t", contract_type="transfer", subtype="transfer_patent",
            seller_uscc=own_org.uscc, seller_name="s", seller_kind="enterprise", seller_region_id="310115",
            buyer_name="b", buyer_region_id="310115", buyer_location="shanghai", signed_on=d, starts_on=d,
            ends_on=d, total_amount=Decimal(amount), tech_amount=Decimal(amount), primary_field_id=field,
            status="registered", registered_on=d, year=d.year, month=d.month, registration_number=f"R{i}",
        ))  # fmt: skip
    Contract.objects.bulk_create(objs)


def test_empowerment_and_transfers_make_the_pilot_figures(empowerment, enterprise_user, own_org):
    rights_services.record_empowerment(enterprise_user, own_org, grant="long_term_use", use_term_years=10,
                                       granted_on="2022-04-01", result_title="另一成果")  # fmt: skip
    f = rights_queries.pilot_figures()
    assert (f["units"], f["results"], f["transfer_amount"]) == (1, 2, Decimal("3000000.00"))
    assert AuditEntry.objects.filter(action="empowerment.transfer").count() == 1


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"grant": "ownership", "ownership_share": "0"}, "ownership_share"),
        ({"grant": "ownership", "ownership_share": "120"}, "ownership_share"),
        ({"grant": "ownership"}, "ownership_share"),
        ({"grant": "long_term_use"}, "use_term_years"),
        ({"grant": "gift"}, "grant"),
        ({"grant": "ownership", "ownership_share": "50", "granted_on": "2022-13-01"}, "granted_on"),
        ({"grant": "ownership", "ownership_share": "50", "result_title": ""}, "result_title"),
    ],
)
def test_bad_empowerment_input(enterprise_user, own_org, kwargs, field):
    args = {"granted_on": "2022-03-01", "result_title": "成果"} | kwargs
    with pytest.raises(ValidationError) as exc:
        rights_services.record_empowerment(enterprise_user, own_org, **args)
    assert field in exc.value.message_dict and RightsEmpowerment.objects.count() == 0


def test_bad_transfer_input(empowerment, enterprise_user):
    for kwargs, field in [({"amount": "0"}, "amount"), ({"transferred_on": "2021-01-01"}, "transferred_on"),
                          ({"transferee": " "}, "transferee")]:  # fmt: skip
        args = {"transferred_on": "2023-01-01", "amount": "10", "transferee": "X"} | kwargs
        with pytest.raises(ValidationError) as exc:
            rights_services.record_empowerment_transfer(enterprise_user, empowerment, **args)
        assert field in exc.value.message_dict
    assert EmpowermentTransfer.objects.count() == 1


def test_only_the_pilot_unit_or_staff_record(other_user, own_org, empowerment):
    with pytest.raises(PermissionDenied):
        rights_services.record_empowerment(other_user, own_org, grant="ownership", ownership_share="10",
                                           granted_on="2022-01-01", result_title="x")  # fmt: skip
    with pytest.raises(PermissionDenied):
        rights_services.record_empowerment_transfer(other_user, empowerment, transferred_on="2023-01-01",
                                                    amount="1", transferee="x")  # fmt: skip


def test_income_and_cost_approaches():
    # 1,000,000 a year × 5% over 3 years at 10%: 50,000 × (1/1.1 + 1/1.21 + 1/1.331).
    assert rights_services.income_value([Decimal(1_000_000)], Decimal("0.05"), Decimal("0.10"), 3) == Decimal(
        "124342.60"
    )
    assert rights_services.cost_value(Decimal(200_000), Decimal("0.25")) == Decimal("150000.00")


def test_valuation_uses_and_shows_comparables_and_saves_the_range(registry, enterprise_user, own_org):
    v = rights_services.value_result(
        enterprise_user, own_org, valued_on="2025-12-01", result_title="催化剂", revenue_forecast=["1000000"],
        royalty_rate="0.05", discount_rate="0.10", economic_life_years=3, replacement_cost="200000",
        obsolescence_rate="0.25", field_code="4.2", contract_type="transfer",
    )  # fmt: skip
    assert sorted(c["registration_number"] for c in v.comparables) == ["R0", "R1", "R2"]
    assert v.market_value == Decimal("300000.00")
    assert v.income_value == Decimal("124342.60") and v.cost_value == Decimal("150000.00")
    assert v.range_low == Decimal("124342.60") and v.range_high == Decimal(
        "400000.00"
    )  # third quartile of 1,3,5 ×100k
    assert v.assumptions["income"]["royalty_rate"] == "0.05" and v.assumptions["market"]["count"] == 3


def test_valuation_errors(registry, enterprise_user, own_org):
    with pytest.raises(ValidationError) as exc:
        rights_services.value_result(enterprise_user, own_org, valued_on="2025-12-01", result_title="x")
    assert "__all__" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        rights_services.value_result(enterprise_user, own_org, valued_on="2025-12-01", result_title="x",
                                     royalty_rate="1.5", discount_rate="0.1", economic_life_years=3)  # fmt: skip
    assert {"royalty_rate", "revenue_forecast"} <= set(exc.value.message_dict)
    with pytest.raises(ValidationError) as exc:
        rights_services.value_result(enterprise_user, own_org, valued_on="2025-12-01", result_title="x",
                                     field_code="7", contract_type="transfer")  # fmt: skip
    assert "field_code" in exc.value.message_dict
    assert ValuationWorksheet.objects.count() == 0


def test_listing_and_deal_make_the_exchange_figures(enterprise_user, own_org):
    listing = rights_services.list_on_exchange(enterprise_user, own_org, listed_on="2022-05-01", result_title="x",
                                               asking_price="1000000")  # fmt: skip
    with pytest.raises(ValidationError):
        rights_services.record_deal(enterprise_user, listing, deal_on="2022-04-01", deal_value="900000")
    rights_services.record_deal(enterprise_user, listing, deal_on="2022-06-01", deal_value="900000")
    with pytest.raises(ValidationError):
        rights_services.record_deal(enterprise_user, listing, deal_on="2022-06-02", deal_value="1")
    assert rights_queries.exchange_figures() == {"listed": 1, "deals": 1, "deal_value": Decimal("900000.00")}


# --- permissions: every page and endpoint -----------------------------------------------------


@pytest.mark.parametrize("who", WHO)
def test_public_figures(people, empowerment, api_for, who):
    r = client_for(people[who]).get("/rights/")
    assert r.status_code == 200 and b'data-testid="pilot-results">1<' in r.content
    assert "一种高效催化剂" not in r.content.decode()
    assert api_for(people[who]).get("/api/v1/rights/figures").json()["empowerment"]["results"] == 1


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize(
    "page", ["empowerments/", "empowerments/{pk}/", "valuations/", "valuations/{v}/", "listings/"]
)
def test_private_pages(people, empowerment, enterprise_user, own_org, who, page):
    v = rights_services.value_result(enterprise_user, own_org, valued_on="2025-01-01", result_title="x",
                                     replacement_cost="100", obsolescence_rate="0")  # fmt: skip
    r = client_for(people[who]).get("/rights/" + page.format(pk=empowerment.pk, v=v.pk))
    if who == "anonymous":
        assert r.status_code == 302
    elif who == "other" and "{" in page:
        assert r.status_code == 404
    else:
        assert r.status_code == 200
        listed = "一种高效催化剂" in r.content.decode()
        if page == "empowerments/":
            assert listed == (who in {"own", "staff"})


@pytest.mark.parametrize("who", WHO)
def test_api_private_endpoints(people, empowerment, api_for, who):
    client = api_for(people[who])
    detail = client.get(f"/api/v1/rights/empowerments/{empowerment.pk}")
    assert detail.status_code == {"anonymous": 401, "other": 404, "own": 200, "staff": 200}[who]
    listing = client.get("/api/v1/rights/empowerments")
    if who == "anonymous":
        assert listing.status_code == 401
    else:
        assert listing.json()["count"] == (1 if who in {"own", "staff"} else 0)
    t = client.post(f"/api/v1/rights/empowerments/{empowerment.pk}/transfers",
                    {"transferred_on": "2023-01-01", "amount": "5", "transferee": "x"})  # fmt: skip
    assert t.status_code == {"anonymous": 401, "other": 404, "own": 201, "staff": 201}[who]


def test_api_valuation_and_listing_round(registry, enterprise_user, api_for):
    api = api_for(enterprise_user)
    bad = api.post("/api/v1/rights/valuations", {"valued_on": "2025-12-01", "result_title": "x",
                                                               "field_code": "4", "contract_type": "service"})  # fmt: skip
    assert bad.status_code == 422 and "contract_type" in bad.json()["error"]["fields"]
    v = api.post("/api/v1/rights/valuations", {"valued_on": "2025-12-01", "result_title": "x",
                                                             "field_code": "4", "contract_type": "transfer"})  # fmt: skip
    assert v.status_code == 201 and len(v.json()["comparables"]) == 3
    listing = api.post("/api/v1/rights/listings", {"listed_on": "2025-12-02", "result_title": "x",
                                                                 "valuation_id": v.json()["id"]})  # fmt: skip
    assert listing.status_code == 201
    deal = api.post(f"/api/v1/rights/listings/{listing.json()['id']}/deal",
                    {"deal_on": "2025-12-20", "deal_value": "320000"})  # fmt: skip
    assert deal.status_code == 200 and deal.json()["deal_value"] == "320000.00"


def test_web_forms(registry, enterprise_user):
    client = client_for(enterprise_user)
    r = client.post("/rights/empowerments/", {"result_title": "成果A", "grant": "ownership",
                                                            "ownership_share": "60", "granted_on": "2022-03-01"})  # fmt: skip
    assert r.status_code == 302
    bad = client.post("/rights/empowerments/", {"result_title": "成果B", "grant": "ownership",
                                                              "ownership_share": "600", "granted_on": "2022-03-01"})  # fmt: skip
    assert bad.status_code == 422 and 'data-field="ownership_share"' in bad.content.decode()
    r = client.post("/rights/valuations/", {"result_title": "成果A", "valued_on": "2025-12-01",
                                                          "field_code": "4", "contract_type": "transfer"})  # fmt: skip
    assert r.status_code == 302
    detail = client.get(r["Location"])
    assert detail.content.decode().count('data-testid="comparable"') == 3


@pytest.mark.parametrize("who", WHO)
def test_api_valuations_and_listings_per_role(people, enterprise_user, own_org, api_for, who):
    v = rights_services.value_result(enterprise_user, own_org, valued_on="2025-01-01", result_title="x",
                                     replacement_cost="100", obsolescence_rate="0")  # fmt: skip
    listing = rights_services.list_on_exchange(
        enterprise_user, own_org, listed_on="2025-02-01", result_title="x"
    )
    client = api_for(people[who])
    private = {"anonymous": 401, "other": 404, "own": 200, "staff": 200}[who]
    assert client.get(f"/api/v1/rights/valuations/{v.pk}").status_code == private
    deal = client.post(
        f"/api/v1/rights/listings/{listing.pk}/deal",
        {"deal_on": "2025-03-01", "deal_value": "10"},
    )
    assert deal.status_code == private
    for path in ("/api/v1/rights/valuations", "/api/v1/rights/listings"):
        r = client.get(path)
        if who == "anonymous":
            assert r.status_code == 401
        else:
            assert r.json()["count"] == (1 if who in {"own", "staff"} else 0)
    created = client.post("/api/v1/rights/listings", {"listed_on": "2025-04-01", "result_title": "y"})
    # Staff record on behalf of a named organisation only.
    assert created.status_code == {"anonymous": 401, "other": 201, "own": 201, "staff": 403}[who]


@pytest.mark.parametrize("who", WHO)
def test_web_deal_per_role(people, enterprise_user, own_org, who):
    listing = rights_services.list_on_exchange(
        enterprise_user, own_org, listed_on="2025-02-01", result_title="x"
    )
    r = client_for(people[who]).post(f"/rights/listings/{listing.pk}/deal/",
                                     {"deal_on": "2025-03-01", "deal_value": "10"})  # fmt: skip
    assert r.status_code == {"anonymous": 302, "other": 404, "own": 302, "staff": 302}[who]
    listing.refresh_from_db()
    assert (listing.deal_value is not None) == (who in {"own", "staff"})
