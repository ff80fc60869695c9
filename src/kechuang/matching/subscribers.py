"""What the marketplace does when other apps announce something (core.events), connected by
MatchingConfig.ready. The announcing apps never import matching."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from kechuang.core import events, search

from . import indexing, services
from .models import MatchLead


def reindex(sender: Any, *, kind: str, pk: int, **_: Any) -> None:
    """An item of a searchable kind changed (after the commit): the index follows."""
    if kind in indexing.KINDS:
        indexing.sync(kind, pk)


def rebuild_expert(sender: Any, *, person_id: int, **_: Any) -> None:
    """A person's works changed (after the commit): their expert profile is rebuilt and reindexed."""
    services.refresh_expert_for(person_id)


def close_lead(
    sender: Any, *, actor: Any, lead_id: int, contract_ref: str, amount: Decimal | None, **_: Any
) -> MatchLead | None:
    """A contract was signed for a lead (inside the contract's transaction): the lead is signed too."""
    return services.close_lead_for_contract(actor, lead_id, contract_ref, amount)


def connect() -> None:
    events.search_item_changed.connect(reindex, dispatch_uid="matching-reindex")
    events.person_works_changed.connect(rebuild_expert, dispatch_uid="matching-rebuild-expert")
    events.contract_signed_for_lead.connect(close_lead, dispatch_uid="matching-close-lead")
    search.provide_ranking(indexing.search, indexing.similar)
