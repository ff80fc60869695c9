"""Announcements: how an app tells whoever listens what happened, without knowing who listens.

Apps depend one way, down the layers (docs/architecture.md). When something a lower app does
matters to a higher one (a supply is published: the search index must follow; a contract is
signed for a match lead: the lead moves to "signed"), the lower app announces it here and the
higher app subscribes in its `AppConfig.ready`. The lower app never imports the higher one, not
even inside a function.

Each announcement is a Django signal defined here, in the bottom layer, so both sides can see it:

- `search_item_changed(kind, pk)`: an item of a registered search kind (`core.search`) was created,
  changed or deleted. Announced with `core.search.changed`, after the commit: a transaction that
  rolls back announces nothing.
- `person_works_changed(person_id)`: the results, patents or funded projects credited to a person
  changed, so whatever is built from a person's works (the expert profile) must be rebuilt.
  After the commit.
- `contract_signed_for_lead(actor, lead_id, contract_ref, amount)`: a technology contract was
  signed for a match lead. Sent inside the contract's transaction, because the lead must move
  with the contract or not at all: a subscriber that owns the lead moves it and returns it (or
  raises `ValidationError`/`PermissionDenied`, which undoes the contract's change too); a
  subscriber that knows no such lead returns None.
- `worker_started()`: `kechuang worker` is ready to take background tasks (core/jobs). Apps start
  long-lived background work of their own there (matching resumes embedding under `kechuang serve`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.dispatch import Signal

search_item_changed = Signal()
person_works_changed = Signal()
contract_signed_for_lead = Signal()
worker_started = Signal()


def announce_on_commit(signal: Signal, sender: Any, **payload: Any) -> None:
    """Send `signal` once the current transaction commits (at once outside a transaction)."""
    transaction.on_commit(lambda: signal.send(sender=sender, **payload))


def works_changed(person_id: int) -> None:
    """The works credited to a person changed: announce it after the commit."""
    announce_on_commit(person_works_changed, sender="person", person_id=person_id)


def signed_for_lead(actor: Any, lead_id: int, contract_ref: str, amount: Decimal | None) -> Any | None:
    """Announce, inside the caller's transaction, that a contract was signed for a match lead.

    Returns the lead as moved by the subscriber that owns it, or None when no subscriber knows a
    lead with this id (or no app that keeps leads is installed)."""
    responses = contract_signed_for_lead.send(
        sender="contract", actor=actor, lead_id=lead_id, contract_ref=contract_ref, amount=amount
    )
    return next((lead for _receiver, lead in responses if lead is not None), None)
