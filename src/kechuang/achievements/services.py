"""Every state change of the technology supply. Views, the API, the demo loader and the CLI call these.

Each function checks permission, validates, writes in one transaction, appends an audit entry and
announces the change (`core.search.changed`, `core.events.works_changed`): after the commit, whoever
keeps the search index (matching) indexes the item's public text or removes it.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kechuang.core import audit, events, search
from kechuang.core.models import Organisation, Person, User
from kechuang.core.permissions import can_edit_organisation, is_staff

from .models import FundedProject, TechSupply

SUPPLY_FIELDS = [
    "kind", "title", "abstract", "keywords", "ipc_classes", "patent_number", "trl", "transfer_modes",
    "price_min", "price_max", "source", "source_ref", "is_synthetic",
]  # fmt: skip
_M2M = {"tech_fields", "inventors"}

# Allowed status moves: a published item can be archived and an archived one published again.
_STATUS_MOVES: dict[str, set[str]] = {
    TechSupply.Status.DRAFT: {TechSupply.Status.PUBLISHED, TechSupply.Status.ARCHIVED},
    TechSupply.Status.PUBLISHED: {TechSupply.Status.ARCHIVED},
    TechSupply.Status.ARCHIVED: {TechSupply.Status.PUBLISHED},
}


def can_edit_supply(user: Any, supply: TechSupply) -> bool:
    return can_edit_organisation(user, supply.owner_id)


def can_view_supply(user: Any, supply: TechSupply) -> bool:
    """Published items are public; drafts and archived items are for the owner and staff."""
    return supply.status == TechSupply.Status.PUBLISHED or can_edit_supply(user, supply)


def _check_actor(actor: User | None, owner: Organisation | int) -> None:
    # actor None is the system itself (importers, the demo loader); people need the right.
    if actor is not None and not can_edit_organisation(actor, owner):
        raise PermissionDenied("You may only manage your own organisation's technology.")


def _apply(supply: TechSupply, fields: dict[str, Any]) -> dict[str, Any]:
    m2m = {k: fields.pop(k) for k in list(fields) if k in _M2M}
    unknown = set(fields) - set(SUPPLY_FIELDS)
    if unknown:
        raise ValidationError({k: _("Unknown field.") for k in sorted(unknown)})
    for key, value in fields.items():
        setattr(supply, key, value)
    return m2m


@transaction.atomic
def create_supply(actor: User | None, owner: Organisation, **fields: Any) -> TechSupply:
    _check_actor(actor, owner)
    if "is_synthetic" in fields and actor is not None and not is_staff(actor):
        fields.pop("is_synthetic")
    publish = fields.pop("publish", False)
    supply = TechSupply(owner=owner)
    m2m = _apply(supply, fields)
    if publish:
        supply.status = TechSupply.Status.PUBLISHED
        supply.published_at = timezone.now()
    supply.full_clean()
    supply.save()
    for name, values in m2m.items():
        getattr(supply, name).set(values)
    audit.record(actor, "supply.create", supply, None, audit.snapshot(supply), organisation=owner)
    search.changed("supply", supply.pk)
    return supply


@transaction.atomic
def update_supply(actor: User | None, supply: TechSupply, **changes: Any) -> TechSupply:
    _check_actor(actor, supply.owner_id)
    row = TechSupply.objects.select_for_update().get(pk=supply.pk)
    before = audit.snapshot(row)
    if "is_synthetic" in changes and actor is not None and not is_staff(actor):
        changes.pop("is_synthetic")
    m2m = _apply(row, changes)
    row.full_clean()
    row.save()
    for name, values in m2m.items():
        getattr(row, name).set(values)
    after = audit.snapshot(row)
    if before != after:
        audit.record(actor, "supply.update", row, before, after, organisation=row.owner)
    search.changed("supply", row.pk)
    supply.refresh_from_db()
    return row


@transaction.atomic
def set_supply_status(actor: User | None, supply: TechSupply, status: str) -> TechSupply:
    """draft → published → archived (and archived → published again)."""
    _check_actor(actor, supply.owner_id)
    row = TechSupply.objects.select_for_update().get(pk=supply.pk)
    if status == row.status:
        return row
    if status not in _STATUS_MOVES.get(str(row.status), set()):
        raise ValidationError(
            {
                "status": _("A %(old)s item cannot become %(new)s.")
                % {"old": row.get_status_display(), "new": status}
            }
        )
    before = audit.snapshot(row, ["status", "published_at"])
    row.status = status
    if status == TechSupply.Status.PUBLISHED:
        row.published_at = timezone.now()
    row.save(update_fields=["status", "published_at", "updated_at"])
    audit.record(
        actor, f"supply.{status}", row, before, audit.snapshot(row, ["status", "published_at"]), row.owner
    )
    search.changed("supply", row.pk)
    supply.refresh_from_db()
    return row


@transaction.atomic
def delete_supply(actor: User | None, supply: TechSupply) -> None:
    """Only drafts are deleted; a published item is archived so its leads and history stay readable."""
    _check_actor(actor, supply.owner_id)
    if supply.status == TechSupply.Status.PUBLISHED:
        raise ValidationError({"status": _("Archive a published item instead of deleting it.")})
    pk, owner = supply.pk, supply.owner
    audit.record(actor, "supply.delete", supply, audit.snapshot(supply), None, organisation=owner)
    supply.delete()
    search.changed("supply", pk)


PROJECT_FIELDS = [
    "number", "funder", "project_type", "title", "institution", "institution_name", "principal",
    "principal_name", "amount", "start", "end", "source", "is_synthetic",
]  # fmt: skip


@transaction.atomic
def record_funded_project(actor: User | None, **fields: Any) -> FundedProject:
    """Create or update a funded project by its grant number. Staff (or the system) keep this registry."""
    if actor is not None and not is_staff(actor):
        raise PermissionDenied("Only staff record funded projects.")
    unknown = set(fields) - set(PROJECT_FIELDS)
    if unknown:
        raise ValidationError({k: _("Unknown field.") for k in sorted(unknown)})
    number = str(fields.get("number") or "").strip()
    if not number:
        raise ValidationError({"number": _("Give the grant number.")})
    row = FundedProject.objects.select_for_update().filter(number=number).first()
    before = audit.snapshot(row) if row else None
    row = row or FundedProject()
    for key, value in fields.items():
        setattr(row, key, value)
    row.number = number
    if row.principal is not None and not row.principal_name:
        row.principal_name = row.principal.name
    if row.institution is not None and not row.institution_name:
        row.institution_name = row.institution.name
    row.full_clean()
    row.save()
    audit.record(actor, "project.create" if before is None else "project.update", row, before, audit.snapshot(row),
                 organisation=row.institution)  # fmt: skip
    if row.principal_id:
        events.works_changed(row.principal_id)
    return row


def add_inventor(actor: User | None, supply: TechSupply, person: Person) -> None:
    """Name a person as inventor of a supply (their expert profile is refreshed afterwards)."""
    with transaction.atomic():
        _check_actor(actor, supply.owner_id)
        supply.inventors.add(person)
        audit.record(
            actor, "supply.add_inventor", supply, None, {"inventor": person.pk}, organisation=supply.owner
        )
        events.works_changed(person.pk)
