"""The marketplace's side of the matching engine: keeping the index in step with what the apps
declare (core.search), how a demand becomes constraints, and how engine hits become results a page
can show. What text of an item is public is declared beside its model (search.py of each app).
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from kechuang.core.search import SearchDocument, get_index

from .engine import Constraints, Document, Hit, get_engine
from .models import Demand

log = logging.getLogger(__name__)

KINDS = ("supply", "demand", "expert")
BAND_LABELS = {
    "high": _("high semantic similarity"),
    "medium": _("medium semantic similarity"),
    "low": _("low semantic similarity"),
    "unknown": _("semantic similarity not computed yet"),
}
CONSTRAINT_LABELS = {
    "fields": _("technology field"),
    "trl": _("readiness level"),
    "budget": _("budget and price"),
    "region": _("region"),
    "transfer_modes": _("transfer mode"),
    "cooperation_modes": _("cooperation mode"),
}
MAX_QUERY = 2000  # the engine sees at most this many characters of a query: long texts add noise, not signal


# --- keeping the index in step (announced after the commit, see subscribers.py) ----------------------
# What each kind's document holds, and which rows may be indexed, is declared by the app that owns
# the kind (core.search): supplies in achievements/search.py, demands and experts in search.py here.


def engine_document(doc: SearchDocument) -> Document:
    return Document(**asdict(doc))


def sync(kind: str, pk: int) -> None:
    """Write one item's document to the index, or remove it when it is gone or no longer indexable."""
    try:
        index = get_index(kind)
        obj = index.for_documents(index.model._default_manager.filter(pk=pk)).first()
        engine = get_engine()
        if obj is not None and index.is_indexable(obj):
            engine.upsert([engine_document(index.document(obj))])
        else:
            engine.delete([str(pk)], kind=kind)
    except Exception:  # the database is the truth; a failed index write is repaired by `kechuang reindex`
        log.exception("index sync of %s %s failed", kind, pk)


def all_documents(kind: str) -> list[Document]:
    """Every indexable document of one kind, for a full reindex and the demo loader."""
    index = get_index(kind)
    rows = index.for_documents(index.indexable())
    return [engine_document(index.document(obj)) for obj in rows.iterator(chunk_size=2000)]


# --- searching ------------------------------------------------------------------------------------


@dataclass
class MatchResult:
    """One result ready for a page, the API or the CLI: the object and why it matched."""

    kind: str
    obj: Any
    hit: Hit
    score: float = 0.0
    constraints: list[dict[str, Any]] = field(default_factory=list)

    @property
    def band(self) -> str:
        return self.hit.band

    @property
    def band_label(self) -> str:
        return str(BAND_LABELS.get(self.hit.band, self.hit.band))

    @property
    def met_labels(self) -> list[str]:
        return [str(CONSTRAINT_LABELS.get(c, c)) for c in self.hit.constraints_met]

    @property
    def missed_labels(self) -> list[str]:
        return [str(CONSTRAINT_LABELS.get(c, c)) for c in self.hit.constraints_missed]

    @property
    def title_html(self) -> str:
        return self.hit.highlights.get("title", "")

    @property
    def snippet_html(self) -> str:
        return self.hit.highlights.get("text", "")

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "id": self.obj.pk,
            "title": str(self.obj),
            "score": round(self.score, 6),
            "band": self.band,
            "matched_terms": list(self.hit.matched_terms),
            "highlights": dict(self.hit.highlights),
            "constraints_met": list(self.hit.constraints_met),
            "constraints_missed": list(self.hit.constraints_missed),
            "constraints_unknown": list(self.hit.constraints_unknown),
        }


def clean_query(text: str) -> str:
    """Bound what reaches the engine; the analyser copes with scripts, emoji and markup itself."""
    return (text or "").replace("\x00", " ").strip()[:MAX_QUERY]


def demand_constraints(demand: Demand | None = None, **wanted: Any) -> Constraints:
    """Constraints from a demand (or from a form's fields): all soft, they re-rank and explain."""
    if demand is not None:
        wanted.setdefault("fields", [f.pk for f in demand.tech_fields.all()] if demand.pk else [])
        wanted.setdefault("trl_min", demand.trl_min)
        wanted.setdefault("budget_max", demand.budget_max)
        wanted.setdefault("region", demand.region_preference_id)
        wanted.setdefault("mode", demand.cooperation_mode)
    budget = wanted.get("budget_max")
    mode = wanted.get("mode") or ""
    return Constraints(
        fields=[str(f) for f in (wanted.get("fields") or [])],
        trl_min=wanted.get("trl_min"),
        budget_max=Decimal(budget) if budget is not None else None,
        regions=[wanted["region"]] if wanted.get("region") else [],
        transfer_modes=[mode] if mode else [],
    )


def _objects(kind: str, ids: list[int]) -> dict[int, Any]:
    """The hits' rows that may be shown. Rows are fetched by primary key alone and the rule of what
    may be indexed (`is_indexable`) is applied here: with `status=` in the query, SQLite (no ANALYZE
    statistics) plans on the status index and walks every published row, about 25 ms per search at
    100,000 supplies."""
    index = get_index(kind)
    return {o.pk: o for o in index.rows().filter(pk__in=ids) if index.is_indexable(o)}


def _results(kind: str, hits: list[Hit], exclude: set[int] | None = None) -> list[MatchResult]:
    ids = []
    for h in hits:
        try:
            ids.append(int(h.id))
        except (TypeError, ValueError):
            continue
    objects = _objects(kind, ids)
    out = []
    for h in hits:
        obj = objects.get(int(h.id)) if str(h.id).isdigit() else None
        # The database decides visibility: an index entry for something since drafted or deleted is skipped.
        if obj is None or (exclude and obj.pk in exclude):
            continue
        out.append(MatchResult(kind=kind, obj=obj, hit=h, score=h.score))
    return out


def search(
    text: str,
    kind: str = "supply",
    constraints: Constraints | None = None,
    limit: int = 10,
    explain_hits: bool = True,
) -> list[MatchResult]:
    query = clean_query(text)
    if not query or kind not in KINDS:
        return []
    hits = get_engine().search(
        query, kind=kind, constraints=constraints or Constraints(), limit=limit, explain_hits=explain_hits
    )
    return _results(kind, hits)


def demand_query(demand: Demand) -> str:
    """The public text of a demand as a query: the same text the index may hold, nothing confidential."""
    return "\n".join(t for t in (demand.title, demand.summary, demand.desired_outcome) if t)


def match_demand(demand: Demand, kind: str = "supply", limit: int = 10) -> list[MatchResult]:
    results = search(demand_query(demand), kind=kind, constraints=demand_constraints(demand), limit=limit + 5)
    own = demand.organisation_id
    return [r for r in results if getattr(r.obj, "owner_id", getattr(r.obj, "organisation_id", None)) != own][
        :limit
    ]


def similar(kind: str, obj: Any, target_kind: str | None = None, limit: int = 6) -> list[MatchResult]:
    target_kind = target_kind or kind
    try:
        hits = get_engine().similar(str(obj.pk), kind, limit=limit, target_kind=target_kind)
    except Exception:
        log.exception("similar items for %s %s failed", kind, obj.pk)
        return []
    exclude = {obj.pk} if target_kind == kind else set()
    return _results(target_kind, hits, exclude)[:limit]
