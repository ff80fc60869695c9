"""Results' rights API, mounted under /api/v1/rights/…

Public: the aggregate figures (pilot empowerment, exchange listings and deals).
Organisation users and staff: their empowerment records, transfers, valuations and listings.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from kechuang.achievements.models import TechSupply
from kechuang.core.api_support import Pages
from kechuang.core.models import Organisation, User
from kechuang.core.permissions import is_staff

from . import queries, services
from .models import ExchangeListing, RightsEmpowerment, ValuationWorksheet

router = Router()


class EmpowermentIn(Schema):
    result_id: int | None = None
    result_title: str = ""
    grant: str
    ownership_share: str | None = None
    use_term_years: int | None = None
    granted_on: str
    inventor_names: str = ""
    pilot_unit_id: int | None = None


class EmpowermentOut(Schema):
    id: int
    pilot_unit_id: int
    result_id: int | None
    result_title: str
    grant: str
    ownership_share: Decimal | None
    use_term_years: int | None
    granted_on: dt.date
    inventor_names: str
    basis: str
    transferred: Decimal | None = None


class TransferIn(Schema):
    transferred_on: str
    amount: str
    transferee: str
    contract_number: str = ""


class TransferOut(Schema):
    id: int
    transferred_on: dt.date
    amount: Decimal
    transferee: str
    contract_number: str


class ValuationIn(Schema):
    result_id: int | None = None
    result_title: str = ""
    valued_on: str
    revenue_forecast: list[str] = []
    royalty_rate: str | None = None
    discount_rate: str | None = None
    economic_life_years: int | None = None
    replacement_cost: str | None = None
    obsolescence_rate: str | None = None
    field_code: str = ""
    contract_type: str = ""
    notes: str = ""
    organisation_id: int | None = None


class ValuationOut(Schema):
    id: int
    organisation_id: int
    result_id: int | None
    result_title: str
    valued_on: dt.date
    income_value: Decimal | None
    cost_value: Decimal | None
    market_value: Decimal | None
    range_low: Decimal
    range_high: Decimal
    comparables: list[dict[str, Any]]
    assumptions: dict[str, Any]
    notes: str


class ListingIn(Schema):
    result_id: int | None = None
    result_title: str = ""
    listed_on: str
    asking_price: str | None = None
    valuation_id: int | None = None
    organisation_id: int | None = None


class DealIn(Schema):
    deal_on: str
    deal_value: str


class ListingOut(Schema):
    id: int
    organisation_id: int
    result_id: int | None
    result_title: str
    exchange: str
    valuation_id: int | None
    listed_on: dt.date
    asking_price: Decimal | None
    deal_on: dt.date | None
    deal_value: Decimal | None


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _acting_org(user: User, organisation_id: int | None) -> Organisation:
    if is_staff(user) and organisation_id:
        return get_object_or_404(Organisation, pk=organisation_id)
    if not user.organisation_id:
        raise PermissionDenied("Only organisation users record rights.")
    return user.organisation  # type: ignore[return-value]


def _result(result_id: int | None) -> TechSupply | None:
    return get_object_or_404(TechSupply, pk=result_id) if result_id else None


@router.get("/figures", auth=None)
def figures(request: HttpRequest) -> dict[str, Any]:
    p, e = queries.pilot_figures(), queries.exchange_figures()
    return {
        "empowerment": {
            "units": p["units"],
            "results": p["results"],
            "transfer_amount": str(p["transfer_amount"]),
        },
        "exchange": {"listed": e["listed"], "deals": e["deals"], "deal_value": str(e["deal_value"])},
    }


@router.get("/empowerments", response=list[EmpowermentOut])
@paginate(Pages)
def empowerments(request: HttpRequest):  # type: ignore[no-untyped-def]
    return queries.visible_empowerments(_user(request))


@router.post("/empowerments", response={201: EmpowermentOut})
def create_empowerment(request: HttpRequest, payload: EmpowermentIn):  # type: ignore[no-untyped-def]
    user = _user(request)
    org = _acting_org(user, payload.pilot_unit_id)
    data = payload.dict(exclude={"result_id", "pilot_unit_id"})
    return Status(201, services.record_empowerment(user, org, result=_result(payload.result_id), **data))


def _empowerment(request: HttpRequest, pk: int) -> RightsEmpowerment:
    try:
        return queries.visible_empowerments(_user(request)).get(pk=pk)
    except RightsEmpowerment.DoesNotExist as exc:
        raise Http404 from exc


@router.get("/empowerments/{pk}", response=EmpowermentOut)
def get_empowerment(request: HttpRequest, pk: int):  # type: ignore[no-untyped-def]
    return _empowerment(request, pk)


@router.get("/empowerments/{pk}/transfers", response=list[TransferOut])
def transfers(request: HttpRequest, pk: int):  # type: ignore[no-untyped-def]
    return list(_empowerment(request, pk).transfers.all())


@router.post("/empowerments/{pk}/transfers", response={201: TransferOut})
def add_transfer(request: HttpRequest, pk: int, payload: TransferIn):  # type: ignore[no-untyped-def]
    row = services.record_empowerment_transfer(_user(request), _empowerment(request, pk), **payload.dict())
    return Status(201, row)


@router.get("/valuations", response=list[ValuationOut])
@paginate(Pages)
def valuations(request: HttpRequest):  # type: ignore[no-untyped-def]
    return queries.visible_valuations(_user(request))


@router.post("/valuations", response={201: ValuationOut})
def create_valuation(request: HttpRequest, payload: ValuationIn):  # type: ignore[no-untyped-def]
    user = _user(request)
    org = _acting_org(user, payload.organisation_id)
    data = payload.dict(exclude={"result_id", "organisation_id"})
    return Status(201, services.value_result(user, org, result=_result(payload.result_id), **data))


@router.get("/valuations/{pk}", response=ValuationOut)
def get_valuation(request: HttpRequest, pk: int):  # type: ignore[no-untyped-def]
    try:
        return queries.visible_valuations(_user(request)).get(pk=pk)
    except ValuationWorksheet.DoesNotExist as exc:
        raise Http404 from exc


@router.get("/listings", response=list[ListingOut])
@paginate(Pages)
def listings(request: HttpRequest):  # type: ignore[no-untyped-def]
    return queries.visible_listings(_user(request))


@router.post("/listings", response={201: ListingOut})
def create_listing(request: HttpRequest, payload: ListingIn):  # type: ignore[no-untyped-def]
    user = _user(request)
    org = _acting_org(user, payload.organisation_id)
    valuation = None
    if payload.valuation_id:
        valuation = get_object_or_404(queries.visible_valuations(user), pk=payload.valuation_id)
    data = payload.dict(exclude={"result_id", "organisation_id", "valuation_id"})
    row = services.list_on_exchange(user, org, result=_result(payload.result_id), valuation=valuation, **data)
    return Status(201, row)


@router.post("/listings/{pk}/deal", response=ListingOut)
def deal(request: HttpRequest, pk: int, payload: DealIn):  # type: ignore[no-untyped-def]
    try:
        listing = queries.visible_listings(_user(request)).get(pk=pk)
    except ExchangeListing.DoesNotExist as exc:
        raise Http404 from exc
    return services.record_deal(_user(request), listing, **payload.dict())
