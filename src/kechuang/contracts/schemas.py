"""API schemas of technology contracts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Schema


class InstalmentIO(Schema):
    due_on: str
    amount: str
    note: str = ""


class IPItemIO(Schema):
    kind: str
    number: str = ""
    title: str


class ContractIn(Schema):
    number: str
    title: str
    contract_type: str
    subtype: str
    seller_uscc: str
    seller_name: str = ""
    seller_kind: str = ""
    seller_region: str = ""
    buyer_uscc: str = ""
    buyer_name: str = ""
    buyer_region: str = ""
    signed_on: str
    starts_on: str
    ends_on: str
    total_amount: str
    tech_amount: str
    ancillary_amount: str = "0"
    ancillary_same_invoice: bool = False
    tech_fields: list[str] = []
    instalments: list[InstalmentIO] = []
    ip_items: list[IPItemIO] = []
    client_key: str = ""
    # Staff may file on behalf of an organisation; organisation users always file for their own.
    organisation_id: int | None = None


class EventOut(Schema):
    at: dt.datetime
    actor: str | None
    action: str
    from_status: str
    to_status: str
    note: str
    reasons: dict[str, Any]

    @staticmethod
    def resolve_actor(obj) -> str | None:  # type: ignore[no-untyped-def]
        return obj.actor.get_username() if obj.actor else None


class ContractOut(Schema):
    id: int
    organisation_id: int
    number: str
    title: str
    contract_type: str
    subtype: str
    seller_uscc: str
    seller_name: str
    seller_id: int | None
    seller_kind: str
    seller_region_id: str
    buyer_uscc: str
    buyer_name: str
    buyer_id: int | None
    buyer_region_id: str
    buyer_location: str
    signed_on: dt.date
    starts_on: dt.date
    ends_on: dt.date
    total_amount: Decimal
    tech_amount: Decimal
    ancillary_amount: Decimal
    ancillary_same_invoice: bool
    tech_fields: list[str]
    primary_field_id: str
    instalments: list[InstalmentIO]
    ip_items: list[IPItemIO]
    has_pdf: bool
    status: str
    rules_code: str
    submitted_at: dt.datetime | None
    review_due_on: dt.date | None
    reviewer: str | None
    returned_reasons: dict[str, Any]
    correction_due_on: dt.date | None
    refusal_reason: str
    registration_number: str | None
    registered_on: dt.date | None
    match_lead_id: int | None
    is_synthetic: bool

    @staticmethod
    def resolve_tech_fields(obj) -> list[str]:  # type: ignore[no-untyped-def]
        return [f.pk for f in obj.tech_fields.all()]

    @staticmethod
    def resolve_instalments(obj) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
        return [
            {"due_on": p.due_on.isoformat(), "amount": str(p.amount), "note": p.note}
            for p in obj.instalments.all()
        ]

    @staticmethod
    def resolve_ip_items(obj) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
        return [{"kind": i.kind, "number": i.number, "title": i.title} for i in obj.ip_items.all()]

    @staticmethod
    def resolve_has_pdf(obj) -> bool:  # type: ignore[no-untyped-def]
        return bool(obj.pdf_path)

    @staticmethod
    def resolve_reviewer(obj) -> str | None:  # type: ignore[no-untyped-def]
        return obj.reviewer.get_username() if obj.reviewer else None


class QueueOut(Schema):
    id: int
    number: str
    title: str
    status: str
    organisation: str
    submitted_at: dt.datetime | None
    age_days: int | None
    review_due_on: dt.date | None
    reviewer: str | None


class ReturnIn(Schema):
    reasons: dict[str, str]
    correct_by: dt.date | None = None


class RefuseIn(Schema):
    reason: str


class LeadIn(Schema):
    lead_id: int


class StatRowOut(Schema):
    key: str
    label: str
    count: int
    amount: str
    amount_yi: str
    tech_amount: str
    prev_count: int
    prev_amount: str
    count_growth: str | None
    amount_growth: str | None


class StatsOut(Schema):
    year: int
    by: str | None
    total: StatRowOut
    rows: list[StatRowOut]
