"""Every state change of the core registries. Views, the API, importers and the CLI call these only.

Each function validates, writes in one transaction and appends an audit entry with the state
before and after.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from . import audit
from .identifiers import normalise_orcid, normalise_uscc
from .models import Affiliation, Carrier, EnterpriseFacts, Organisation, Person, User
from .permissions import can_edit_organisation, is_staff

ORGANISATION_FIELDS = [
    "uscc", "name", "name_en", "kind", "region", "industry", "founded_on", "resident",
    "address", "website", "description", "is_synthetic",
]  # fmt: skip


def _apply(obj: Any, changes: dict[str, Any], allowed: list[str]) -> None:
    unknown = set(changes) - set(allowed) - {"tech_fields"}
    if unknown:
        raise ValidationError({k: "Unknown field." for k in sorted(unknown)})
    for key, value in changes.items():
        if key != "tech_fields":
            setattr(obj, key, value)


@transaction.atomic
def create_organisation(actor: User | None, **fields: Any) -> Organisation:
    tech_fields = fields.pop("tech_fields", None)
    if "uscc" in fields:
        fields["uscc"] = normalise_uscc(fields["uscc"])
    org = Organisation()
    _apply(org, fields, ORGANISATION_FIELDS)
    org.full_clean()
    org.save()
    if tech_fields is not None:
        org.tech_fields.set(tech_fields)
    audit.record(actor, "organisation.create", org, None, audit.snapshot(org))
    return org


@transaction.atomic
def update_organisation(actor: User | None, organisation: Organisation, **changes: Any) -> Organisation:
    if actor is not None and not can_edit_organisation(actor, organisation):
        raise PermissionDenied("You may only edit your own organisation.")
    org = Organisation.objects.select_for_update().get(pk=organisation.pk)
    before = audit.snapshot(org)
    tech_fields = changes.pop("tech_fields", None)
    if "uscc" in changes:
        changes["uscc"] = normalise_uscc(changes["uscc"])
    if "is_synthetic" in changes and not is_staff(actor):
        changes.pop("is_synthetic")
    _apply(org, changes, ORGANISATION_FIELDS)
    org.full_clean()
    org.save()
    if tech_fields is not None:
        org.tech_fields.set(tech_fields)
    after = audit.snapshot(org)
    if before != after:
        audit.record(actor, "organisation.update", org, before, after)
    organisation.refresh_from_db()
    return org


FACT_FIELDS = [
    f.name
    for f in EnterpriseFacts._meta.concrete_fields
    if f.name not in {"id", "organisation", "year", "reported_by", "reported_at"}
]


@transaction.atomic
def record_enterprise_facts(
    actor: User | None, organisation: Organisation, year: int, **facts: Any
) -> EnterpriseFacts:
    """Create or update one enterprise's facts for a year; fields not given keep their value."""
    if actor is not None and not can_edit_organisation(actor, organisation):
        raise PermissionDenied("You may only report your own organisation's facts.")
    row = EnterpriseFacts.objects.select_for_update().filter(organisation=organisation, year=year).first()
    before = audit.snapshot(row) if row else None
    if row is None:
        row = EnterpriseFacts(organisation=organisation, year=year)
    _apply(row, facts, FACT_FIELDS)
    row.reported_by = actor if actor is not None and actor.pk else None
    row.full_clean()
    row.save()
    audit.record(actor, "facts.create" if before is None else "facts.update", row, before, audit.snapshot(row))
    return row


PERSON_FIELDS = ["name", "name_en", "kind", "orcid", "title", "email", "bio", "is_synthetic"]


@transaction.atomic
def create_person(actor: User | None, affiliation: Organisation | None = None, **fields: Any) -> Person:
    tech_fields = fields.pop("tech_fields", None)
    position = fields.pop("position", "")
    start_date = fields.pop("start_date", None)
    if fields.get("orcid"):
        fields["orcid"] = normalise_orcid(fields["orcid"])
    person = Person()
    _apply(person, fields, PERSON_FIELDS)
    person.full_clean()
    person.save()
    if tech_fields is not None:
        person.tech_fields.set(tech_fields)
    if affiliation is not None:
        Affiliation.objects.create(
            person=person, organisation=affiliation, position=position, start_date=start_date
        )
    audit.record(actor, "person.create", person, None, audit.snapshot(person), organisation=affiliation)
    return person


@transaction.atomic
def move_person(actor: User | None, person: Person, organisation: Organisation, on: Any, position: str = "") -> Affiliation:
    """Close the current affiliation on `on` and open a new one: the history is kept."""
    for current in person.affiliations.filter(end_date__isnull=True):
        current.end_date = on
        current.full_clean()
        current.save()
    new = Affiliation(person=person, organisation=organisation, start_date=on, position=position)
    new.full_clean()
    new.save()
    audit.record(actor, "person.move", person, None, {"organisation": organisation.pk, "on": str(on)}, organisation)
    return new


CARRIER_FIELDS = [
    "name", "name_en", "kind", "host", "region", "established_on", "recognised_on", "area_m2",
    "firms_served", "people_served", "firms_graduated", "firms_listed", "description", "is_synthetic",
]  # fmt: skip


@transaction.atomic
def create_carrier(actor: User | None, **fields: Any) -> Carrier:
    tech_fields = fields.pop("tech_fields", None)
    carrier = Carrier()
    _apply(carrier, fields, CARRIER_FIELDS)
    carrier.full_clean()
    carrier.save()
    if tech_fields is not None:
        carrier.tech_fields.set(tech_fields)
    audit.record(actor, "carrier.create", carrier, None, audit.snapshot(carrier), organisation=carrier.host)
    return carrier


@transaction.atomic
def create_user(
    actor: User | None, username: str, password: str, role: str, organisation: Organisation | None = None, **extra: Any
) -> User:
    user = User(username=username, role=role, organisation=organisation, **extra)
    user.set_password(password)
    user.full_clean()
    user.save()
    audit.record(actor, "user.create", user, None, audit.snapshot(user, ["username", "role", "organisation"]), organisation)
    return user


@transaction.atomic
def revoke_token(actor: User, token_id: int) -> None:
    from django.utils import timezone

    from .models import ApiToken

    token = ApiToken.objects.filter(pk=token_id, user=actor, revoked_at__isnull=True).first()
    if token is None:
        return
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(actor, "token.revoke", token, None, {"name": token.name})


@transaction.atomic
def issue_api_token(actor: User, name: str) -> tuple[Any, str]:
    """Create an API token for `actor`; the key is returned once and only its hash is kept."""
    from .api_support import issue_token

    token, key = issue_token(actor, name)
    audit.record(actor, "token.issue", token, None, {"name": name, "prefix": token.prefix})
    return token, key


def notify(
    actor: User | None,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    organisation: Organisation | None = None,
    user: User | None = None,
) -> Any:
    """Send an in-platform notification to an organisation's users (or one user). Audited."""
    from .models import Notification

    if organisation is None and user is None:
        raise ValueError("A notification needs an organisation or a user.")
    note = Notification.objects.create(organisation=organisation, user=user, kind=kind, title=title, body=body, url=url)
    audit.record(actor, "notification.send", note, None, {"kind": kind, "title": title}, organisation)
    return note
