"""The search registry: each app declares what of its own may be searched and how, and no app
imports the one that keeps the index (matching) to keep it current or to rank its own lists.

NetBox's `register_search` is the model. An app declares an index in its `search.py`, imported by
its `AppConfig.ready`::

    @register_search
    class SupplyIndex(SearchIndex):
        kind = "supply"
        model = TechSupply
        related = ("owner",)                  # loaded with every row shown as a hit
        document_related = ("tech_fields",)   # prefetched to build documents
        indexable_when = {"status": TechSupply.Status.PUBLISHED}   # which rows may be in the index

        @classmethod
        def document(cls, obj) -> SearchDocument: ...  # its public text and facts, nothing else

Its services announce a change inside their transaction with `changed(kind, pk)`; the
announcement reaches the subscribers (`events.search_item_changed`) after the commit, never when
the transaction rolls back. The app that keeps the index subscribes, reads the declaration and
writes the document, or removes the item when it is gone or no longer indexable.

Ranking goes the same way round: the app that keeps the index provides `rank` and `similar`
(`provide_ranking`, from its `AppConfig.ready`), and any app's pages call `rank`/`similar` here.
Results carry `.obj` (the row), `.score`, `.band` and `.hit` (matched terms, highlights).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.db import models

from . import events

# --- what an app declares -------------------------------------------------------------------------


@dataclass
class SearchDocument:
    """One searchable item as its app describes it: public text only, plus facts for the re-rank.

    id       the app's identifier, unique within `kind` (str(pk))
    title, text, keywords   public text (title and keywords weigh more)
    fields   technology-field codes (TechField)
    attrs    structured facts: trl, price_min/price_max, budget, region, transfer_modes,
             cooperation_modes, owner_org_id…
    passages parts that stand on their own (an expert's works), each matched separately
    """

    id: str
    kind: str
    title: str = ""
    text: str = ""
    keywords: list[str] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)
    attrs: dict[str, Any] = field(default_factory=dict)
    passages: list[str] = field(default_factory=list)


class SearchIndex:
    """What one model contributes to search. Subclass, fill in, and decorate with `register_search`."""

    kind: ClassVar[str]
    model: ClassVar[type[models.Model]]
    related: ClassVar[tuple[str, ...]] = ()
    document_related: ClassVar[tuple[str, ...]] = ()

    # Which rows may be in the index, as field values: one rule both filters a full reindex and
    # checks one row (a draft, a closed demand or a hidden profile is never indexed).
    indexable_when: ClassVar[dict[str, Any]] = {}

    @classmethod
    def indexable(cls) -> models.QuerySet[Any]:
        return cls.model._default_manager.filter(**cls.indexable_when)

    @classmethod
    def is_indexable(cls, obj: Any) -> bool:
        return all(getattr(obj, name) == value for name, value in cls.indexable_when.items())

    @classmethod
    def document(cls, obj: Any) -> SearchDocument:
        raise NotImplementedError

    @classmethod
    def rows(cls) -> models.QuerySet[Any]:
        """Every row of the model, loaded with what a hit shows (`related`)."""
        return cls.model._default_manager.select_related(*cls.related)

    @classmethod
    def for_documents(cls, qs: models.QuerySet[Any]) -> models.QuerySet[Any]:
        """`qs` loaded with what documents are built from."""
        return qs.select_related(*cls.related).prefetch_related(*cls.document_related)


_registry: dict[str, type[SearchIndex]] = {}


def register_search(index: type[SearchIndex]) -> type[SearchIndex]:
    """Declare an index (a class decorator). One index per kind."""
    known = _registry.get(index.kind)
    if known is not None and known is not index:
        raise ValueError(f"search kind {index.kind!r} is already declared by {known.__qualname__}")
    _registry[index.kind] = index
    return index


def get_index(kind: str) -> type[SearchIndex]:
    try:
        return _registry[kind]
    except KeyError:
        raise LookupError(f"no search index is declared for kind {kind!r}") from None


def indexes() -> dict[str, type[SearchIndex]]:
    return dict(_registry)


# --- announcing a change --------------------------------------------------------------------------


def changed(kind: str, pk: int) -> None:
    """An item of `kind` was created, changed or deleted: announce it once the transaction commits."""
    get_index(kind)  # a typo must fail where it is made, not silently after the commit
    events.announce_on_commit(events.search_item_changed, sender=kind, kind=kind, pk=pk)


# --- ranking, provided by the app that keeps the index ----------------------------------------------


@dataclass(frozen=True)
class _Ranking:
    rank: Callable[..., list[Any]]
    similar: Callable[..., list[Any]]


_ranking: _Ranking | None = None


def provide_ranking(rank: Callable[..., list[Any]], similar: Callable[..., list[Any]]) -> None:
    """Called once by the app that keeps the index: `rank(text, kind=, limit=, explain_hits=)` and
    `similar(kind, obj, target_kind=, limit=)`."""
    global _ranking
    _ranking = _Ranking(rank, similar)


def ranking_available() -> bool:
    return _ranking is not None


def rank(text: str, kind: str, *, limit: int = 10, explain_hits: bool = True) -> list[Any]:
    """Items of `kind` best matching `text`, best first ([] when no app provides ranking)."""
    if _ranking is None:
        return []
    return _ranking.rank(text, kind=kind, limit=limit, explain_hits=explain_hits)


def similar(kind: str, obj: Any, *, target_kind: str | None = None, limit: int = 6) -> list[Any]:
    """Items of `target_kind` (default: `kind`) most like `obj` ([] when no app provides ranking)."""
    if _ranking is None:
        return []
    return _ranking.similar(kind, obj, target_kind=target_kind, limit=limit)
