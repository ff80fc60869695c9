"""Writing the audit log. Service functions call `record` inside their transaction."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from .audit_chain import hash_of
from .models import AuditChainHead, AuditEntry, Organisation, User


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """A JSON-safe picture of a row: concrete fields plus many-to-many ids."""
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        value = getattr(obj, field.attname)
        data[field.name] = _jsonable(value)
    if obj.pk is not None:
        for m2m in obj._meta.many_to_many:
            if fields is None or m2m.name in fields:
                data[m2m.name] = sorted(str(pk) for pk in getattr(obj, m2m.name).values_list("pk", flat=True))
    return data


def _jsonable(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def record(
    actor: User | None,
    action: str,
    obj: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    organisation: Organisation | None = None,
) -> AuditEntry:
    if organisation is None:
        organisation = obj if isinstance(obj, Organisation) else getattr(obj, "organisation", None)
    entry = AuditEntry(
        at=timezone.now(),
        actor=actor if actor is not None and actor.pk else None,
        actor_repr=(actor.get_username() if actor is not None and actor.pk else "system"),
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        organisation=organisation if isinstance(organisation, Organisation) else None,
        before=before,
        after=after,
    )
    with transaction.atomic():
        # The chain's head, locked until the caller's transaction ends: concurrent writers queue
        # here, so each entry links to the one committed before it (core/audit_chain.py).
        head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
        if head is None:  # an emptied database (flush): the first writer starts the chain
            try:
                with transaction.atomic():
                    AuditChainHead.objects.create(pk=1)
            except IntegrityError:
                pass  # another writer started it first
            head = AuditChainHead.objects.select_for_update().get(pk=1)
        entry.prev_hash = head.hash
        entry.hash = hash_of(entry)
        entry.save(force_insert=True)
        AuditChainHead.objects.filter(pk=1).update(last_id=entry.pk, hash=entry.hash)
    return entry
