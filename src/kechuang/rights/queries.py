"""Reads of results' rights: what a user may see, and the public aggregate figures."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from kechuang.core.permissions import is_staff

from .models import EmpowermentTransfer, ExchangeListing, RightsEmpowerment, ValuationWorksheet


def _org_filter(user: Any, field: str) -> Q | None:
    """None: everything (staff); Q(pk__in=[]) for outsiders."""
    if is_staff(user):
        return None
    org_id = getattr(user, "organisation_id", None) if getattr(user, "is_authenticated", False) else None
    return Q(**{field: org_id}) if org_id else Q(pk__in=[])


def visible_empowerments(user: Any) -> QuerySet[RightsEmpowerment]:
    qs = (
        RightsEmpowerment.objects.select_related("pilot_unit")
        .annotate(transferred=Sum("transfers__amount"))
        .order_by("-granted_on", "-id")
    )
    f = _org_filter(user, "pilot_unit_id")
    return qs if f is None else qs.filter(f)


def visible_valuations(user: Any) -> QuerySet[ValuationWorksheet]:
    qs = ValuationWorksheet.objects.select_related("organisation")
    f = _org_filter(user, "organisation_id")
    return qs if f is None else qs.filter(f)


def visible_listings(user: Any) -> QuerySet[ExchangeListing]:
    qs = ExchangeListing.objects.select_related("organisation")
    f = _org_filter(user, "organisation_id")
    return qs if f is None else qs.filter(f)


def pilot_figures() -> dict[str, Any]:
    """Pilot units, empowered results and the amount of their later transfers (public aggregate)."""
    e = RightsEmpowerment.objects.aggregate(units=Count("pilot_unit", distinct=True), results=Count("id"))
    amount = EmpowermentTransfer.objects.aggregate(s=Sum("amount"))["s"] or Decimal(0)
    by_grant = dict(RightsEmpowerment.objects.values_list("grant").annotate(n=Count("id")).order_by())
    return {"units": e["units"], "results": e["results"], "transfer_amount": Decimal(str(amount)).quantize(Decimal("0.01")),
            "by_grant": by_grant}  # fmt: skip


def exchange_figures() -> dict[str, Any]:
    """Results listed on the exchange, deals and their value (public aggregate)."""
    a = ExchangeListing.objects.aggregate(
        listed=Count("id"), deals=Count("deal_value"), value=Sum("deal_value")
    )
    return {"listed": a["listed"], "deals": a["deals"],
            "deal_value": Decimal(str(a["value"] or 0)).quantize(Decimal("0.01"))}  # fmt: skip
