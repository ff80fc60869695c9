"""`kechuang export <kind>`: the registries as CSV, JSON Lines or XLSX.

The columns are the importers' columns, so an export imports back unchanged (`kechuang import`
matches every row to the record it came from). Rows come in a stable order so two exports of the
same data are identical. Passwords are never exported.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Prefetch

from .importers import IMPORTERS
from .models import Affiliation, AuditEntry, Carrier, EnterpriseFacts, Organisation, Person, User
from .services import FACT_FIELDS
from .tabular import write_rows

AUDIT_COLUMNS = ["id", "at", "actor", "action", "object_type", "object_id", "object_repr", "organisation_id",
                 "before", "after"]  # fmt: skip


def columns_of(kind: str) -> list[str]:
    if kind == "audit":
        return AUDIT_COLUMNS
    return [c for c in IMPORTERS[kind].columns if c != "password"]


KINDS = (*IMPORTERS, "audit")


def _codes(rel: Any) -> list[str]:
    return sorted(t.pk for t in rel.all())


def organisation_rows() -> Iterator[dict[str, Any]]:
    for org in Organisation.objects.prefetch_related("tech_fields").order_by("uscc").iterator(chunk_size=500):
        yield {
            "uscc": org.uscc, "name": org.name, "name_en": org.name_en, "kind": org.kind,
            "region": org.region_id, "industry": org.industry_id, "tech_fields": _codes(org.tech_fields),
            "founded_on": org.founded_on, "resident": org.resident, "address": org.address,
            "website": org.website, "description": org.description, "is_synthetic": org.is_synthetic,
        }  # fmt: skip


def facts_rows() -> Iterator[dict[str, Any]]:
    qs = EnterpriseFacts.objects.select_related("organisation").order_by("organisation__uscc", "year")
    for row in qs.iterator(chunk_size=1000):
        yield {"uscc": row.organisation.uscc, "year": row.year, **{f: getattr(row, f) for f in FACT_FIELDS}}


def people_rows() -> Iterator[dict[str, Any]]:
    current = Prefetch(
        "affiliations",
        queryset=Affiliation.objects.filter(end_date__isnull=True)
        .select_related("organisation")
        .order_by("id"),
        to_attr="current",
    )
    qs = Person.objects.prefetch_related("tech_fields", current).order_by("name", "orcid", "id")
    for person in qs.iterator(chunk_size=500):
        # The current affiliation only: the importer adds history line by line, not as a list.
        link = person.current[0] if person.current else None  # type: ignore[attr-defined]
        yield {
            "name": person.name, "name_en": person.name_en, "kind": person.kind, "orcid": person.orcid,
            "title": person.title, "email": person.email, "bio": person.bio,
            "tech_fields": _codes(person.tech_fields), "is_synthetic": person.is_synthetic,
            "organisation_uscc": link.organisation.uscc if link else "",
            "position": link.position if link else "", "start_date": link.start_date if link else None,
        }  # fmt: skip


def carrier_rows() -> Iterator[dict[str, Any]]:
    qs = (
        Carrier.objects.select_related("host")
        .prefetch_related("tech_fields")
        .order_by("name", "region_id", "id")
    )
    for c in qs.iterator(chunk_size=500):
        yield {
            "name": c.name, "name_en": c.name_en, "kind": c.kind, "host_uscc": c.host.uscc if c.host else "",
            "region": c.region_id, "tech_fields": _codes(c.tech_fields), "established_on": c.established_on,
            "recognised_on": c.recognised_on, "area_m2": c.area_m2, "firms_served": c.firms_served,
            "people_served": c.people_served, "firms_graduated": c.firms_graduated,
            "firms_listed": c.firms_listed, "description": c.description, "is_synthetic": c.is_synthetic,
        }  # fmt: skip


def user_rows() -> Iterator[dict[str, Any]]:
    for u in User.objects.select_related("organisation").order_by("username").iterator(chunk_size=500):
        yield {
            "username": u.username, "email": u.email, "first_name": u.first_name, "last_name": u.last_name,
            "role": u.role, "organisation_uscc": u.organisation.uscc if u.organisation else "",
            "is_active": u.is_active,
        }  # fmt: skip


def audit_rows() -> Iterator[dict[str, Any]]:
    for e in AuditEntry.objects.order_by("id").iterator(chunk_size=1000):
        yield {
            "id": e.id, "at": e.at, "actor": e.actor_repr, "action": e.action, "object_type": e.object_type,
            "object_id": e.object_id, "object_repr": e.object_repr, "organisation_id": e.organisation_id,
            "before": e.before, "after": e.after,
        }  # fmt: skip


ROWS = {
    "organisations": organisation_rows, "facts": facts_rows, "people": people_rows, "carriers": carrier_rows,
    "users": user_rows, "audit": audit_rows,
}  # fmt: skip


def export(kind: str, out: Any, fmt: str = "csv") -> int:
    """Write one registry to `out` (a text stream for csv/jsonl, a binary one for xlsx)."""
    return write_rows(out, fmt, columns_of(kind), ROWS[kind]())
