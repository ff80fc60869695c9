"""Read-side helpers shared by the web pages, the API and the CLI."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from .models import AuditEntry, Carrier, Organisation, Person


def contains(field: str, q: str) -> Q:
    """`field` contains `q`, ignoring case only when `q` has letters with a case: a Chinese query
    compares plainly, which on PostgreSQL is several times faster than UPPER(…) LIKE UPPER(…) over
    every row (a search of the 44,000 demo organisations for 科技: 32–45 ms instead of 100–117 ms)."""
    return Q(**{f"{field}__icontains" if q.lower() != q.upper() else f"{field}__contains": q})


def search_organisations(q: str = "", kind: str = "", region: str = "") -> QuerySet[Organisation]:
    qs = Organisation.objects.select_related("region", "industry")
    if q:
        qs = qs.filter(contains("name", q) | contains("name_en", q) | Q(uscc__iexact=q.strip()))
    if kind:
        qs = qs.filter(kind=kind)
    if region:
        qs = qs.filter(Q(region_id=region) | Q(region__parent_id=region))
    return qs.order_by("name")


def search_people(q: str = "", kind: str = "") -> QuerySet[Person]:
    qs = Person.objects.prefetch_related("affiliations__organisation")
    if q:
        qs = qs.filter(
            contains("name", q) | contains("name_en", q) | contains("affiliations__organisation__name", q)
        )
    if kind:
        qs = qs.filter(kind=kind)
    return qs.distinct().order_by("name", "id")


def search_carriers(q: str = "", kind: str = "") -> QuerySet[Carrier]:
    qs = Carrier.objects.select_related("region", "host")
    if q:
        qs = qs.filter(contains("name", q) | contains("name_en", q))
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("kind", "name")


def audit_entries(object_type: str = "", actor: str = "", q: str = "") -> QuerySet[AuditEntry]:
    qs = AuditEntry.objects.all()
    if object_type:
        qs = qs.filter(object_type=object_type)
    if actor:
        qs = qs.filter(actor_repr=actor)
    if q:
        qs = qs.filter(Q(object_repr__icontains=q) | Q(action__icontains=q))
    return qs
