"""Shared reads: what a user may see, the reviewer queue, and tech-market statistics.

Statistics aggregate in the database, never row by row in Python: registrations add to per-dimension
tallies (MarketTally) and `rebuild_statistics` recomputes them with INSERT … SELECT … GROUP BY, so a
year's statistics read about fifty rows whatever the number of contracts (benchmark: 1,000,000).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from kechuang.core.models import Region, TechField
from kechuang.core.permissions import is_staff

from .models import BuyerLocation, Contract, ContractType, MarketTally, SellerKind

DIMENSIONS = {
    "type": "contract_type",
    "field": "primary_field",
    "district": "seller_region",
    "seller": "seller_kind",
    "buyer": "buyer_location",
    "month": "month",
}
YI = Decimal("100000000")  # 1 亿 yuan


def visible_contracts(user: Any) -> QuerySet[Contract]:
    """Staff see all; organisation users see contracts their organisation filed or is a party to."""
    qs = Contract.objects.select_related("organisation", "reviewer")
    if is_staff(user):
        return qs
    org_id = getattr(user, "organisation_id", None) if getattr(user, "is_authenticated", False) else None
    if not org_id:
        return qs.none()
    return qs.filter(Q(organisation_id=org_id) | Q(seller_id=org_id) | Q(buyer_id=org_id))


def can_view(user: Any, contract: Contract) -> bool:
    if is_staff(user):
        return True
    org_id = getattr(user, "organisation_id", None) if getattr(user, "is_authenticated", False) else None
    return bool(org_id) and org_id in contract.party_org_ids


def can_edit(user: Any, contract: Contract) -> bool:
    org_id = getattr(user, "organisation_id", None) if getattr(user, "is_authenticated", False) else None
    return contract.is_editable and (is_staff(user) or (bool(org_id) and org_id == contract.organisation_id))


def review_queue() -> QuerySet[Contract]:
    """Submitted and under-review contracts, oldest first."""
    return (
        Contract.objects.filter(status__in=[Contract.Status.SUBMITTED, Contract.Status.UNDER_REVIEW])
        .select_related("organisation", "reviewer")
        .order_by("submitted_at", "id")
    )


def age_days(contract: Contract, now: dt.datetime | None = None) -> int | None:
    if contract.submitted_at is None:
        return None
    return ((now or timezone.now()) - contract.submitted_at).days


def seller_year_transfer_income(seller_uscc: str, year: int, exclude_pk: int | None = None) -> Decimal:
    """Registered transfer and licence amounts of one seller in one year (for the 5-million cap)."""
    qs = Contract.objects.filter(
        seller_uscc=seller_uscc, year=year, status=Contract.Status.REGISTERED,
        contract_type__in=[ContractType.TRANSFER, ContractType.LICENCE],
    )  # fmt: skip
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.aggregate(s=Sum("tech_amount"))["s"] or Decimal("0")


# ---------------------------------------------------------------------------------------------
# Statistics


def _dec(value: Any) -> Decimal:
    # SQLite returns sums of decimals as floats: round to the fen.
    return Decimal(str(value or 0)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def growth(current: Decimal | int, previous: Decimal | int) -> Decimal | None:
    """Year-on-year growth in percent with one decimal, None when there is no base."""
    if not previous:
        return None
    return ((Decimal(current) - Decimal(previous)) * 100 / Decimal(previous)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


@dataclass
class StatRow:
    key: str
    label: str
    count: int
    amount: Decimal
    tech_amount: Decimal
    prev_count: int
    prev_amount: Decimal

    @property
    def amount_yi(self) -> Decimal:
        return (self.amount / YI).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    @property
    def count_growth(self) -> Decimal | None:
        return growth(self.count, self.prev_count)

    @property
    def amount_growth(self) -> Decimal | None:
        return growth(self.amount, self.prev_amount)

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key, "label": self.label, "count": self.count, "amount": str(self.amount),
            "amount_yi": str(self.amount_yi), "tech_amount": str(self.tech_amount),
            "prev_count": self.prev_count, "prev_amount": str(self.prev_amount),
            "count_growth": None if self.count_growth is None else str(self.count_growth),
            "amount_growth": None if self.amount_growth is None else str(self.amount_growth),
        }  # fmt: skip


def _labels(by: str, keys: list[str]) -> dict[str, str]:
    if by == "type":
        return {k: str(v) for k, v in ContractType.choices}
    if by == "seller":
        return {k: str(v) for k, v in SellerKind.choices}
    if by == "buyer":
        return {k: str(v) for k, v in BuyerLocation.choices}
    if by == "field":
        return {f.pk: f.name for f in TechField.objects.filter(pk__in=keys)}
    if by == "district":
        return {r.pk: r.name for r in Region.objects.filter(pk__in=keys)}
    return {k: k for k in keys}


def year_summary(year: int) -> StatRow:
    """One year's totals with the previous year's."""
    rows: dict[int, dict[str, Any]] = {
        r["year"]: dict(r)
        for r in MarketTally.objects.filter(year__in=[year, year - 1], dimension="total")
        .values("year")
        .annotate(n=Sum("contracts"), a=Sum("total_amount"), t=Sum("tech_amount"))
        .order_by()
    }
    now: dict[str, Any] = rows.get(year, {})
    prev: dict[str, Any] = rows.get(year - 1, {})
    return StatRow(str(year), str(year), now.get("n") or 0, _dec(now.get("a")), _dec(now.get("t")),
                   prev.get("n") or 0, _dec(prev.get("a")))  # fmt: skip


def breakdown(year: int, by: str) -> list[StatRow]:
    """Counts and amounts of `year` grouped by a dimension, each with last year's figures."""
    if by not in DIMENSIONS:
        raise ValueError(f"unknown dimension {by!r}; use one of {', '.join(DIMENSIONS)}")
    rows = (
        MarketTally.objects.filter(year__in=[year, year - 1], dimension=by)
        .values("year", "key")
        .annotate(n=Sum("contracts"), a=Sum("total_amount"), t=Sum("tech_amount"))
        .order_by()
    )
    current: dict[str, dict[str, Any]] = {}
    previous: dict[str, dict[str, Any]] = {}
    for r in rows:
        key = str(r["key"])
        (current if r["year"] == year else previous)[key] = dict(r)
    keys = sorted(set(current) | set(previous), key=lambda k: int(k) if by == "month" else k)
    labels = _labels(by, keys)
    out = []
    for k in keys:
        c, p = current.get(k, {}), previous.get(k, {})
        out.append(StatRow(k, labels.get(k, k), c.get("n", 0), _dec(c.get("a")), _dec(c.get("t")),
                           p.get("n", 0), _dec(p.get("a"))))  # fmt: skip
    if by != "month":
        out.sort(key=lambda r: -r.amount)
    return out


def years_available() -> list[int]:
    return sorted(MarketTally.objects.filter(dimension="total").values_list("year", flat=True).distinct())


def tally_keys(contract: Contract) -> dict[str, str]:
    """The key of each dimension's tally that a registered contract counts in."""
    return {
        by: "" if column is None else str(getattr(contract, column)) for by, column in TALLY_COLUMNS.items()
    }


# The dimension's column on Contract ("total" has one tally per year).
TALLY_COLUMNS: dict[str, str | None] = {
    "total": None, "type": "contract_type", "field": "primary_field_id", "district": "seller_region_id",
    "seller": "seller_kind", "buyer": "buyer_location", "month": "month",
}  # fmt: skip


def rebuild_statistics() -> int:
    """Recompute every tally from the registered contracts, in the database, atomically."""
    tallies, contracts = MarketTally._meta.db_table, Contract._meta.db_table
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"DELETE FROM {tallies}")
        for by, column in TALLY_COLUMNS.items():
            key = "''" if column is None else f"CAST({column} AS VARCHAR(24))"
            group = "year" if column is None else f"year, {column}"
            cur.execute(
                f"INSERT INTO {tallies} (year, dimension, key, contracts, total_amount, tech_amount) "
                f"SELECT year, %s, {key}, COUNT(*), SUM(total_amount), SUM(tech_amount) FROM {contracts} "
                f"WHERE status = %s GROUP BY {group}",
                [by, Contract.Status.REGISTERED],
            )
    return MarketTally.objects.count()


def statistics_drift() -> list[dict[str, Any]]:
    """Years whose tallies disagree with the contracts (a sanity check; empty when all is well)."""
    direct: dict[Any, Any] = {
        r["year"]: (r["n"], _dec(r["a"]))
        for r in Contract.objects.filter(status=Contract.Status.REGISTERED)
        .values("year").annotate(n=Count("id"), a=Sum("total_amount")).order_by()
    }  # fmt: skip
    cells: dict[Any, Any] = {
        r["year"]: (r["n"], _dec(r["a"]))
        for r in MarketTally.objects.filter(dimension="total")
        .values("year")
        .annotate(n=Sum("contracts"), a=Sum("total_amount"))
        .order_by()
    }
    return [
        {"year": y, "contracts": direct.get(y), "cells": cells.get(y)}
        for y in sorted(set(direct) | set(cells))
        if direct.get(y) != cells.get(y)
    ]


def comparables(field_code: str, contract_type: str, since: dt.date, limit: int = 20) -> QuerySet[Contract]:
    """Recent registered contracts of the same domain and type, for the market approach of a valuation."""
    domain = field_code.split(".")[0]
    return Contract.objects.filter(
        status=Contract.Status.REGISTERED,
        primary_field_id=domain,
        contract_type=contract_type,
        registered_on__gte=since,
    ).order_by("-registered_on", "-id")[:limit]
