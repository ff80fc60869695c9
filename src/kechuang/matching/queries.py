"""Shared reads of the marketplace: visible demands, leads per side, and the funnel counts."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from kechuang.core.permissions import is_staff

from .models import CallApplication, Demand, ExpertProfile, MatchLead, OpenCall


def visible_demands(user: Any) -> QuerySet[Demand]:
    qs = Demand.objects.select_related("organisation")
    if is_staff(user):
        return qs
    cond = ~Q(status=Demand.Status.DRAFT)
    org_id = getattr(user, "organisation_id", None) if getattr(user, "is_authenticated", False) else None
    if org_id:
        cond |= Q(organisation_id=org_id)
    return qs.filter(cond)


def search_demands(qs: QuerySet[Demand], q: str = "", status: str = "", field: str = "") -> QuerySet[Demand]:
    # Only public columns are searched: a confidential detail must not make a demand findable.
    q = (q or "").replace("\x00", "").strip()[:200]
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(summary__icontains=q) | Q(desired_outcome__icontains=q))
    if status:
        qs = qs.filter(status=status)
    if field:
        qs = qs.filter(Q(tech_fields__pk=field) | Q(tech_fields__parent_id=field)).distinct()
    return qs


def visible_experts(q: str = "") -> QuerySet[ExpertProfile]:
    qs = ExpertProfile.objects.filter(visible=True).select_related("person", "organisation")
    q = (q or "").replace("\x00", "").strip()[:100]
    if q:
        qs = qs.filter(Q(person__name__icontains=q) | Q(headline__icontains=q) | Q(summary__icontains=q))
    return qs


def leads_for(user: Any) -> QuerySet[MatchLead]:
    """Leads the user's organisation is a side of (as the demand's poster or as the supplier)."""
    qs = MatchLead.objects.select_related(
        "demand", "demand__organisation", "supply", "expert__person", "supplier"
    )
    org_id = getattr(user, "organisation_id", None) if getattr(user, "is_authenticated", False) else None
    if not org_id:
        return qs.none()
    return qs.filter(Q(demand__organisation_id=org_id) | Q(supplier_id=org_id))


def funnel(leads: QuerySet[MatchLead]) -> list[dict[str, Any]]:
    """Leads that reached at least each stage (a closed lead counts up to where it got), and closed ones."""
    reached = dict(leads.values_list("furthest").annotate(n=Count("id")).order_by())
    total = sum(reached.values())
    rows = []
    labels = dict(MatchLead.Stage.choices)
    running = total
    for i, stage in enumerate(MatchLead.FUNNEL):
        rows.append({"stage": stage, "label": str(labels[stage]), "count": running,
                     "share": round(100 * running / total, 1) if total else 0.0})  # fmt: skip
        running -= reached.get(i, 0)
    closed = leads.filter(stage=MatchLead.Stage.CLOSED).count()
    rows.append({"stage": "closed", "label": str(labels["closed"]), "count": closed,
                 "share": round(100 * closed / total, 1) if total else 0.0})  # fmt: skip
    return rows


def funnel_by_organisation(limit: int = 20) -> list[dict[str, Any]]:
    """City-wide: leads per demand-posting organisation, with how many got to a contract."""
    rows = (
        MatchLead.objects.values("demand__organisation_id", "demand__organisation__name")
        .annotate(leads=Count("id"), signed=Count("id", filter=Q(stage=MatchLead.Stage.SIGNED)))
        .order_by("-leads")[:limit]
    )
    return [{"organisation_id": r["demand__organisation_id"], "organisation": r["demand__organisation__name"],
             "leads": r["leads"], "signed": r["signed"]} for r in rows]  # fmt: skip


def open_calls(status: str = "") -> QuerySet[OpenCall]:
    # An aggregate drops Meta.ordering: order explicitly so pagination is stable.
    qs = (
        OpenCall.objects.select_related("demand", "demand__organisation")
        .annotate(n_applications=Count("applications"))
        .order_by("-opens_on", "-id")
    )
    if status:
        qs = qs.filter(status=status)
    return qs


def applications_visible(user: Any, call: OpenCall) -> QuerySet[CallApplication]:
    """The poster sees every application; an applicant sees only its own."""
    from .permissions import can_manage_call

    qs = call.applications.select_related("organisation", "supply")
    if can_manage_call(user, call):
        return qs
    org_id = getattr(user, "organisation_id", None) if getattr(user, "is_authenticated", False) else None
    return qs.filter(organisation_id=org_id) if org_id else qs.none()


@dataclass(frozen=True)
class IndexProgress:
    """How far the semantic (dense) index is: items indexed, and how many have their vectors."""

    documents: dict[str, int]
    embedded: dict[str, int]
    dense: bool  # False when the engine runs without an embedding model
    model: str  # the embedding model's version ("none" without one)

    @property
    def total(self) -> int:
        return sum(self.documents.values())

    @property
    def done(self) -> int:
        return sum(self.embedded.values())

    @property
    def pending(self) -> int:
        return self.total - self.done if self.dense else 0

    @property
    def percent(self) -> int:
        return _share(self.done, self.total)

    def kind_percent(self, kind: str) -> int:
        return _share(self.embedded.get(kind, 0), self.documents.get(kind, 0))


def _share(done: int, total: int) -> int:
    # Floor, so 100 is shown only when nothing is left.
    return 100 if not total else done * 100 // total


_PROGRESS_SECONDS = 5.0
_progress_lock = threading.Lock()
_progress_cache: tuple[Any, float, IndexProgress] | None = None  # (engine, read at, progress)


def index_progress() -> IndexProgress:
    """The engine's counts, read at most every few seconds: pages that show them are frequent, and
    counting a 100k-item store per request would be wasted work."""
    global _progress_cache
    from .engine import get_engine

    engine = get_engine()
    now = time.monotonic()
    with _progress_lock:
        cached = _progress_cache
        if cached and cached[0] is engine and now - cached[1] < _PROGRESS_SECONDS:
            return cached[2]
    stats = engine.stats()
    progress = IndexProgress(
        stats.documents, stats.embedded, dense=engine.cache is not None, model=stats.model
    )
    with _progress_lock:
        _progress_cache = (engine, now, progress)
    return progress
