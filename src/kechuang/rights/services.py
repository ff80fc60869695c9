"""Every state change of results' rights: empowerment records, their later transfers, valuation
worksheets and exchange listings. Each validates, writes in one transaction and is audited.

The market approach reads comparable registered contracts from the platform's own registry
(kechuang.contracts), so a valuation shows exactly which contracts it rests on.
"""

from __future__ import annotations

import datetime as dt
import statistics
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from kechuang.achievements.models import TechSupply
from kechuang.contracts.queries import comparables as registered_comparables
from kechuang.core import audit
from kechuang.core.models import Organisation, User
from kechuang.core.permissions import belongs_to, is_staff

from .models import EmpowermentTransfer, ExchangeListing, RightsEmpowerment, ValuationWorksheet

CENT = Decimal("0.01")
COMPARABLE_YEARS = 3
COMPARABLE_TYPES = ("transfer", "licence", "development")


def can_manage(actor: Any, organisation: Organisation | int | None) -> bool:
    return actor is None or is_staff(actor) or belongs_to(actor, organisation)


def _require(actor: User | None, organisation: Organisation) -> None:
    if not can_manage(actor, organisation):
        raise PermissionDenied("You may only record rights of your own organisation.")


class _Errors(dict[str, list[Any]]):
    def add(self, field: str, message: Any) -> None:
        self.setdefault(field, []).append(message)

    def raise_if_any(self) -> None:
        if self:
            raise ValidationError(dict(self))


def _decimal(value: Any, field: str, errors: _Errors, *, required: bool = False, low: Decimal | None = None,
             high: Decimal | None = None, positive: bool = False) -> Decimal | None:  # fmt: skip
    if value in (None, ""):
        if required:
            errors.add(field, _("This field is required."))
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        errors.add(field, _("Enter a number."))
        return None
    if not number.is_finite():
        errors.add(field, _("Enter a number."))
        return None
    if positive and number <= 0:
        errors.add(field, _("The value must be greater than zero."))
    elif (low is not None and number < low) or (high is not None and number > high):
        errors.add(field, _("The value is outside the allowed range."))
    return number


def _date(value: Any, field: str, errors: _Errors) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        errors.add(field, _("Enter the date as YYYY-MM-DD."))
        return None


def _checked(day: dt.date | None) -> dt.date:
    """A date already validated: errors.raise_if_any() has run, so it is present."""
    if day is None:  # pragma: no cover - unreachable after validation
        raise ValidationError({"__all__": _("Enter the date as YYYY-MM-DD.")})
    return day


def _result_title(result: TechSupply | None, title: str, errors: _Errors) -> str:
    title = (title or "").strip() or (result.title if result else "")
    if not title:
        errors.add("result_title", _("Name the research result (or choose one of the platform's results)."))
    return title[:300]


# -- empowerment -------------------------------------------------------------------------------


@transaction.atomic
def record_empowerment(
    actor: User | None,
    pilot_unit: Organisation,
    *,
    grant: str,
    granted_on: Any,
    result: TechSupply | None = None,
    result_title: str = "",
    ownership_share: Any = None,
    use_term_years: Any = None,
    inventor_names: str = "",
    inventors: Any = None,
    is_synthetic: bool = False,
) -> RightsEmpowerment:
    _require(actor, pilot_unit)
    errors = _Errors()
    title = _result_title(result, result_title, errors)
    day = _date(granted_on, "granted_on", errors)
    share = years = None
    if grant == RightsEmpowerment.Grant.OWNERSHIP:
        share = _decimal(
            ownership_share, "ownership_share", errors, required=True, positive=True, high=Decimal(100)
        )
    elif grant == RightsEmpowerment.Grant.LONG_TERM_USE:
        term = _decimal(
            use_term_years, "use_term_years", errors, required=True, positive=True, high=Decimal(50)
        )
        years = int(term) if term is not None else None
    else:
        errors.add("grant", _("Choose ownership share or long-term use rights."))
    if result is not None and result.owner_id != pilot_unit.pk:
        errors.add("result", _("The result belongs to another organisation."))
    errors.raise_if_any()
    row = RightsEmpowerment(
        pilot_unit=pilot_unit, result=result, result_title=title, grant=grant, ownership_share=share,
        use_term_years=years, granted_on=_checked(day), inventor_names=(inventor_names or "")[:300], is_synthetic=is_synthetic,
    )  # fmt: skip
    row.full_clean()
    row.save()
    if inventors:
        row.inventors.set(inventors)
    audit.record(actor, "empowerment.create", row, None, audit.snapshot(row), pilot_unit)
    return row


@transaction.atomic
def record_empowerment_transfer(
    actor: User | None, empowerment: RightsEmpowerment, *, transferred_on: Any, amount: Any, transferee: str,
    contract_number: str = "", is_synthetic: bool = False,
) -> EmpowermentTransfer:  # fmt: skip
    _require(actor, empowerment.pilot_unit)
    errors = _Errors()
    day = _date(transferred_on, "transferred_on", errors)
    value = _decimal(amount, "amount", errors, required=True, positive=True)
    if day and day < empowerment.granted_on:
        errors.add("transferred_on", _("The transfer cannot be before the rights were granted."))
    if not (transferee or "").strip():
        errors.add("transferee", _("This field is required."))
    errors.raise_if_any()
    row = EmpowermentTransfer(
        empowerment=empowerment, transferred_on=_checked(day), amount=value.quantize(CENT),  # type: ignore[union-attr]
        transferee=transferee.strip()[:200], contract_number=(contract_number or "")[:24], is_synthetic=is_synthetic,
    )  # fmt: skip
    row.full_clean()
    row.save()
    audit.record(actor, "empowerment.transfer", row, None, audit.snapshot(row), empowerment.pilot_unit)
    return row


# -- valuation ---------------------------------------------------------------------------------


def income_value(revenue: list[Decimal], rate: Decimal, discount: Decimal, life: int) -> Decimal:
    """Present value of the royalty (or profit share) on forecast revenue over the economic life.
    A forecast shorter than the life holds its last year's revenue for the remaining years."""
    total = Decimal(0)
    for year in range(1, life + 1):
        r = revenue[min(year, len(revenue)) - 1]
        total += r * rate / (1 + discount) ** year
    return total.quantize(CENT, rounding=ROUND_HALF_UP)


def cost_value(replacement_cost: Decimal, obsolescence: Decimal) -> Decimal:
    return (replacement_cost * (1 - obsolescence)).quantize(CENT, rounding=ROUND_HALF_UP)


def market_comparables(field_code: str, contract_type: str, on: dt.date) -> list[dict[str, Any]]:
    """Registered contracts of the same domain and type from the last three years."""
    since = (
        on.replace(year=on.year - COMPARABLE_YEARS)
        if not (on.month == 2 and on.day == 29)
        else on - dt.timedelta(days=365 * 3)
    )
    return [
        {"id": c.pk, "registration_number": c.registration_number, "registered_on": c.registered_on.isoformat(),
         "contract_type": c.contract_type, "field": c.primary_field_id, "tech_amount": str(c.tech_amount)}
        for c in registered_comparables(field_code, contract_type, since)
        if c.registered_on and c.registered_on <= on
    ]  # fmt: skip


def _quartiles(values: list[Decimal]) -> tuple[Decimal, Decimal, Decimal]:
    if len(values) == 1:
        return values[0], values[0], values[0]
    q1, q2, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return q1, q2, q3


@transaction.atomic
def value_result(
    actor: User | None,
    organisation: Organisation,
    *,
    valued_on: Any,
    result: TechSupply | None = None,
    result_title: str = "",
    revenue_forecast: Any = None,
    royalty_rate: Any = None,
    discount_rate: Any = None,
    economic_life_years: Any = None,
    replacement_cost: Any = None,
    obsolescence_rate: Any = None,
    field_code: str = "",
    contract_type: str = "",
    notes: str = "",
    is_synthetic: bool = False,
) -> ValuationWorksheet:
    """Value a result by whichever approaches have their inputs; save the range with every assumption."""
    _require(actor, organisation)
    errors = _Errors()
    title = _result_title(result, result_title, errors)
    day = _date(valued_on, "valued_on", errors)
    values: dict[str, Decimal] = {}
    assumptions: dict[str, Any] = {}

    forecast: list[Decimal] = []
    for i, v in enumerate(revenue_forecast or [], start=1):
        d = _decimal(v, f"revenue_forecast.{i}", errors, low=Decimal(0))
        if d is not None:
            forecast.append(d)
    income_inputs = [forecast, royalty_rate, discount_rate, economic_life_years]
    if any(x not in (None, "", []) for x in income_inputs):
        rate = _decimal(royalty_rate, "royalty_rate", errors, required=True, positive=True, high=Decimal(1))
        disc = _decimal(
            discount_rate, "discount_rate", errors, required=True, low=Decimal(0), high=Decimal(1)
        )
        life = _decimal(
            economic_life_years, "economic_life_years", errors, required=True, positive=True, high=Decimal(30)
        )
        if not forecast:
            errors.add("revenue_forecast", _("Give the revenue forecast, one amount per year."))
        if rate is not None and disc is not None and life is not None and forecast:
            values["income"] = income_value(forecast, rate, disc, int(life))
            assumptions["income"] = {"revenue_forecast": [str(f) for f in forecast], "royalty_rate": str(rate),
                                     "discount_rate": str(disc), "economic_life_years": int(life)}  # fmt: skip

    if replacement_cost not in (None, "") or obsolescence_rate not in (None, ""):
        cost = _decimal(replacement_cost, "replacement_cost", errors, required=True, positive=True)
        obs = _decimal(
            obsolescence_rate, "obsolescence_rate", errors, required=True, low=Decimal(0), high=Decimal(1)
        )
        if cost is not None and obs is not None:
            values["cost"] = cost_value(cost, obs)
            assumptions["cost"] = {"replacement_cost": str(cost), "obsolescence_rate": str(obs)}

    comps: list[dict[str, Any]] = []
    if field_code or contract_type:
        if contract_type not in COMPARABLE_TYPES:
            errors.add("contract_type", _("Compare with transfer, licence or development contracts."))
        if not field_code:
            errors.add("field_code", _("Choose the technology field of the result."))
        if day and field_code and contract_type in COMPARABLE_TYPES:
            comps = market_comparables(field_code, contract_type, day)
            if not comps:
                errors.add(
                    "field_code", _("No registered contract of this field and type in the last three years.")
                )
            else:
                q1, median, q3 = _quartiles(sorted(Decimal(c["tech_amount"]) for c in comps))
                values["market"] = median.quantize(CENT)
                assumptions["market"] = {
                    "field": field_code.split(".")[0], "contract_type": contract_type, "since_years": COMPARABLE_YEARS,
                    "count": len(comps), "quartile_1": str(q1.quantize(CENT)), "median": str(median.quantize(CENT)),
                    "quartile_3": str(q3.quantize(CENT)),
                }  # fmt: skip
    if not values and not errors:
        errors.add("__all__", _("Fill in the inputs of at least one approach: income, cost or market."))
    errors.raise_if_any()

    low, high = min(values.values()), max(values.values())
    if "market" in assumptions:
        # The comparables' interquartile range widens the range where it reaches further.
        low = min(low, Decimal(assumptions["market"]["quartile_1"]))
        high = max(high, Decimal(assumptions["market"]["quartile_3"]))
    assumptions["range"] = {"rule": "lowest to highest of the approaches used and the comparables' quartiles"}
    row = ValuationWorksheet(
        organisation=organisation, result=result, result_title=title, valued_on=_checked(day),
        prepared_by=actor if actor is not None and actor.pk else None,
        revenue_forecast=[str(f) for f in forecast], royalty_rate=_maybe(royalty_rate), discount_rate=_maybe(discount_rate),
        economic_life_years=int(economic_life_years) if economic_life_years not in (None, "") else None,
        replacement_cost=_maybe(replacement_cost), obsolescence_rate=_maybe(obsolescence_rate),
        field_code=field_code or "", contract_type=contract_type or "", comparables=comps,
        income_value=values.get("income"), cost_value=values.get("cost"), market_value=values.get("market"),
        range_low=low.quantize(CENT), range_high=high.quantize(CENT), assumptions=assumptions,
        notes=notes or "", is_synthetic=is_synthetic,
    )  # fmt: skip
    row.full_clean()
    row.save()
    audit.record(actor, "valuation.create", row, None, audit.snapshot(row), organisation)
    return row


def _maybe(value: Any) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


# -- exchange listings -------------------------------------------------------------------------


@transaction.atomic
def list_on_exchange(
    actor: User | None,
    organisation: Organisation,
    *,
    listed_on: Any,
    result: TechSupply | None = None,
    result_title: str = "",
    asking_price: Any = None,
    valuation: ValuationWorksheet | None = None,
    exchange: str = "上海技术交易所",
    is_synthetic: bool = False,
) -> ExchangeListing:
    _require(actor, organisation)
    errors = _Errors()
    title = _result_title(result, result_title, errors)
    day = _date(listed_on, "listed_on", errors)
    price = _decimal(asking_price, "asking_price", errors, positive=True)
    if valuation is not None and valuation.organisation_id != organisation.pk:
        errors.add("valuation", _("The valuation belongs to another organisation."))
    errors.raise_if_any()
    row = ExchangeListing(organisation=organisation, result=result, result_title=title, listed_on=_checked(day),
                          asking_price=price, valuation=valuation, exchange=exchange, is_synthetic=is_synthetic)  # fmt: skip
    row.full_clean()
    row.save()
    audit.record(actor, "listing.create", row, None, audit.snapshot(row), organisation)
    return row


@transaction.atomic
def record_deal(
    actor: User | None, listing: ExchangeListing, *, deal_on: Any, deal_value: Any
) -> ExchangeListing:
    row = ExchangeListing.objects.select_for_update().get(pk=listing.pk)
    _require(actor, row.organisation)
    errors = _Errors()
    day = _date(deal_on, "deal_on", errors)
    value = _decimal(deal_value, "deal_value", errors, required=True, positive=True)
    if day and day < row.listed_on:
        errors.add("deal_on", _("The deal cannot be before the listing."))
    if row.deal_value is not None:
        errors.add("__all__", _("This listing already has its deal recorded."))
    errors.raise_if_any()
    before = audit.snapshot(row)
    row.deal_on, row.deal_value = day, value.quantize(CENT)  # type: ignore[union-attr]
    row.save()
    audit.record(actor, "listing.deal", row, before, audit.snapshot(row), row.organisation)
    return row
