"""Every state change of the core registries. Views, the API, importers and the CLI call these only.

Each function checks who may act, validates, writes in one transaction and appends an audit entry
with the state before and after. `actor=None` is the system itself (demo loader, migrations, the
CLI run by an operator) and is allowed everything; any other actor is checked here, so no caller
can forget it. When a function raises, the transaction rolls back and nothing is half-written.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from . import audit, passwords
from .identifiers import normalise_orcid, normalise_uscc, orcid_problem, uscc_problem
from .models import (
    Affiliation,
    ApiToken,
    Carrier,
    EnterpriseFacts,
    Industry,
    Notification,
    Organisation,
    Person,
    Region,
    TechField,
    User,
)
from .permissions import belongs_to, can_edit_organisation, is_admin, is_staff


def _is_system(actor: User | None) -> bool:
    return actor is None


def resolve_references(data: dict[str, Any]) -> dict[str, Any]:
    """Turn classification codes (region, industry, tech_fields) into rows.

    An unknown code is a field error of the caller's data, never a 404: the API, the importer and
    forms all report it next to the field.
    """
    errors: dict[str, Any] = {}
    for key, model in (("region", Region), ("industry", Industry)):
        value = data.get(key)
        if value is None or isinstance(value, model):
            continue
        code = str(value).strip()
        if not code:
            data[key] = None
            continue
        row = model.objects.filter(pk=code).first()
        if row is None:
            errors[key] = ValidationError(_("Unknown code %(code)s."), code="unknown", params={"code": code})
        else:
            data[key] = row
    if data.get("tech_fields") is not None and all(isinstance(c, TechField) for c in data["tech_fields"]):
        data["tech_fields"] = list(data["tech_fields"])  # rows already: nothing to look up
    elif data.get("tech_fields") is not None:
        codes = [c if isinstance(c, str) else c.pk for c in data["tech_fields"]]
        codes = [c.strip() for c in codes if c and c.strip()]
        rows = list(TechField.objects.filter(pk__in=codes))
        missing = sorted(set(codes) - {r.pk for r in rows})
        if missing:
            errors["tech_fields"] = ValidationError(
                _("Unknown code %(code)s."), code="unknown", params={"code": ", ".join(missing)}
            )
        else:
            data["tech_fields"] = rows
    if errors:
        raise ValidationError(errors)
    return data


def _lazy_problem(check: Any, value: str) -> Any:
    # Re-run the check whenever the message is rendered, so the API and the importer can say it
    # in Chinese and in English (a message formatted once is frozen in the language of the moment).
    return lazy(lambda: str(check(value)), str)()


IDENTIFIER_CHECKS: dict[type, tuple[tuple[str, Any], ...]] = {
    Organisation: (("uscc", uscc_problem),),
    Person: (("orcid", orcid_problem),),
}


def _full_clean(obj: Any) -> None:
    """Model validation, with identifier errors that render in either language."""
    errors: dict[str, list[ValidationError]] = {}
    # A foreign key holding a row just read from the database needs no existence query; the
    # database constraint still guards against a concurrent delete. (Bulk imports gain a third.)
    loaded = [
        f.name for f in obj._meta.concrete_fields
        if f.is_relation and f.is_cached(obj) and getattr(obj, f.name) is not None
        and not getattr(obj, f.name)._state.adding
    ]  # fmt: skip
    try:
        obj.full_clean(exclude=loaded)
    except ValidationError as exc:
        errors = dict(exc.error_dict)
    for field, check in IDENTIFIER_CHECKS.get(type(obj), ()):
        value = getattr(obj, field)
        if value and check(value):
            errors[field] = [ValidationError(_lazy_problem(check, value), code="invalid")]
    if errors:
        raise ValidationError(errors)


def _apply(obj: Any, changes: dict[str, Any], allowed: list[str]) -> None:
    unknown = set(changes) - set(allowed) - {"tech_fields"}
    if unknown:
        raise ValidationError({k: _("Unknown field.") for k in sorted(unknown)})
    for key, value in changes.items():
        if key != "tech_fields":
            setattr(obj, key, value)


def _set_tech_fields(obj: Any, tech_fields: Iterable[Any] | None) -> None:
    if tech_fields is not None:
        obj.tech_fields.set(list(tech_fields))


ORGANISATION_FIELDS = [
    "uscc", "name", "name_en", "kind", "region", "industry", "founded_on", "resident",
    "address", "website", "description", "is_synthetic",
]  # fmt: skip


@transaction.atomic
def create_organisation(actor: User | None, **fields: Any) -> Organisation:
    """Register an organisation. Staff (or the system) only: users cannot invent organisations."""
    if not _is_system(actor) and not is_staff(actor):
        raise PermissionDenied("Only staff register organisations.")
    resolve_references(fields)
    tech_fields = fields.pop("tech_fields", None)
    if "uscc" in fields:
        fields["uscc"] = normalise_uscc(fields["uscc"])
    org = Organisation()
    _apply(org, fields, ORGANISATION_FIELDS)
    _full_clean(org)
    org.save()
    _set_tech_fields(org, tech_fields)
    audit.record(actor, "organisation.create", org, None, audit.snapshot(org))
    return org


@transaction.atomic
def update_organisation(actor: User | None, organisation: Organisation, **changes: Any) -> Organisation:
    """Change an organisation's profile (its own users or staff). No change, no audit entry."""
    if not _is_system(actor) and not can_edit_organisation(actor, organisation):
        raise PermissionDenied("You may only edit your own organisation.")
    resolve_references(changes)
    org = Organisation.objects.select_for_update().get(pk=organisation.pk)
    before = audit.snapshot(org)
    tech_fields = changes.pop("tech_fields", None)
    if "uscc" in changes:
        changes["uscc"] = normalise_uscc(changes["uscc"])
    if "is_synthetic" in changes and not (_is_system(actor) or is_staff(actor)):
        changes.pop("is_synthetic")  # the synthetic label is the platform's, not the user's
    _apply(org, changes, ORGANISATION_FIELDS)
    _full_clean(org)
    preview = audit.snapshot(org)
    if tech_fields is not None:
        preview["tech_fields"] = sorted(str(t.pk) for t in tech_fields)
    if preview == before:
        return org  # nothing changed: no write, no audit entry, updated_at kept
    org.save()
    _set_tech_fields(org, tech_fields)
    after = audit.snapshot(org)
    audit.record(actor, "organisation.update", org, before, after)
    organisation.refresh_from_db()
    return org


FACT_FIELDS = [
    f.name
    for f in EnterpriseFacts._meta.concrete_fields
    if f.name not in {"id", "organisation", "year", "reported_by", "reported_at"}
]

MIN_FACT_YEAR, MAX_FACT_YEAR = 1949, 2100


def _same_facts(before: dict[str, Any], after: dict[str, Any]) -> bool:
    # Compare as text: a Decimal of 1000 and 1000.00 is the same figure.
    def norm(d: dict[str, Any]) -> dict[str, Any]:
        out = {}
        for k in FACT_FIELDS:
            v = d.get(k)
            if v is not None and k in EnterpriseFacts.FINANCIAL_FIELDS:
                try:
                    v = str(Decimal(str(v)).quantize(Decimal("0.01")))
                except (InvalidOperation, ValueError):
                    v = str(v)  # not a number: full_clean will say so
            out[k] = v
        return out

    return norm(before) == norm(after)


@transaction.atomic
def record_enterprise_facts(
    actor: User | None, organisation: Organisation, year: int, **facts: Any
) -> EnterpriseFacts:
    """Create or update one enterprise's facts for a year; fields not given keep their value.

    A field given as None is recorded as missing (NULL), which is not zero.
    """
    if not _is_system(actor) and not can_edit_organisation(actor, organisation):
        raise PermissionDenied("You may only report your own organisation's facts.")
    if not MIN_FACT_YEAR <= int(year) <= MAX_FACT_YEAR:
        raise ValidationError({"year": _("The year must be between 1949 and 2100.")})
    row = EnterpriseFacts.objects.select_for_update().filter(organisation=organisation, year=year).first()
    before = audit.snapshot(row) if row else None
    if row is None:
        row = EnterpriseFacts(organisation=organisation, year=year)
    if "tech_sme_reg_no" in facts and facts["tech_sme_reg_no"] is None:
        facts["tech_sme_reg_no"] = ""
    if "collection_method" in facts and facts["collection_method"] is None:
        facts["collection_method"] = ""
    _apply(row, facts, FACT_FIELDS)
    if before is not None and _same_facts(before, audit.snapshot(row)):
        return row  # nothing new: keep who reported it and when
    row.reported_by = actor if actor is not None and actor.pk else None
    # The organisation was just read, the row was looked up by (organisation, year) under a lock,
    # and clean() repeats the check constraint with a clearer message: skip those three queries
    # (the database constraints still hold). Imports of many years' facts depend on it.
    row.full_clean(exclude=["organisation", "reported_by"], validate_unique=False, validate_constraints=False)
    row.save()
    after = audit.snapshot(row)
    audit.record(actor, "facts.create" if before is None else "facts.update", row, before, after)
    return row


PERSON_FIELDS = ["name", "name_en", "kind", "orcid", "title", "email", "bio", "is_synthetic"]


def _current_organisation_ids(person: Person) -> set[int]:
    return set(person.affiliations.filter(end_date__isnull=True).values_list("organisation_id", flat=True))


def can_manage_person(actor: User | None, person: Person) -> bool:
    """Staff, or a user of an organisation the person currently works at."""
    if _is_system(actor) or is_staff(actor):
        return True
    return any(belongs_to(actor, org_id) for org_id in _current_organisation_ids(person))


def _check_orcid_free(person: Person) -> None:
    # Said next to the field, before the database constraint would say it less clearly.
    if person.orcid and Person.objects.filter(orcid=person.orcid).exclude(pk=person.pk).exists():
        raise ValidationError({"orcid": _("Another person already has this ORCID iD.")})


def _person_snapshot(person: Person) -> dict[str, Any]:
    data = audit.snapshot(person)
    data["affiliations"] = [
        {"organisation": a.organisation_id, "position": a.position,
         "start_date": a.start_date.isoformat() if a.start_date else None,
         "end_date": a.end_date.isoformat() if a.end_date else None}
        for a in person.affiliations.order_by("start_date", "id")
    ]  # fmt: skip
    return data


@transaction.atomic
def create_person(actor: User | None, affiliation: Organisation | None = None, **fields: Any) -> Person:
    """Register a person, optionally with a current affiliation.

    Identity is name + organisation + optional ORCID: two people of the same name are two people.
    Organisation users may register people of their own organisation only.
    """
    own = affiliation is not None and belongs_to(actor, affiliation)
    if not _is_system(actor) and not is_staff(actor) and not own:
        raise PermissionDenied("You may only register people of your own organisation.")
    resolve_references(fields)
    tech_fields = fields.pop("tech_fields", None)
    position = fields.pop("position", "") or ""
    start_date = fields.pop("start_date", None)
    if fields.get("orcid"):
        fields["orcid"] = normalise_orcid(fields["orcid"])
    person = Person()
    _apply(person, fields, PERSON_FIELDS)
    _check_orcid_free(person)
    _full_clean(person)
    person.save()
    _set_tech_fields(person, tech_fields)
    if affiliation is not None:
        link = Affiliation(person=person, organisation=affiliation, position=position, start_date=start_date)
        link.full_clean()
        link.save()
    audit.record(actor, "person.create", person, None, _person_snapshot(person), organisation=affiliation)
    return person


@transaction.atomic
def update_person(actor: User | None, person: Person, **changes: Any) -> Person:
    if not can_manage_person(actor, person):
        raise PermissionDenied("You may only edit people of your own organisation.")
    resolve_references(changes)
    row = Person.objects.select_for_update().get(pk=person.pk)
    before = _person_snapshot(row)
    tech_fields = changes.pop("tech_fields", None)
    if changes.get("orcid"):
        changes["orcid"] = normalise_orcid(changes["orcid"])
    if "is_synthetic" in changes and not (_is_system(actor) or is_staff(actor)):
        changes.pop("is_synthetic")
    _apply(row, changes, PERSON_FIELDS)
    _check_orcid_free(row)
    _full_clean(row)
    row.save()
    _set_tech_fields(row, tech_fields)
    after = _person_snapshot(row)
    if before != after:
        audit.record(actor, "person.update", row, before, after)
    person.refresh_from_db()
    return row


@transaction.atomic
def add_affiliation(
    actor: User | None,
    person: Person,
    organisation: Organisation,
    position: str = "",
    start_date: Any = None,
    end_date: Any = None,
) -> Affiliation:
    """Add a line to a person's affiliation history.

    A current affiliation (no end date) closes the person's other current ones on its start date,
    so the history is kept rather than overwritten; a past one (with an end date) is simply added.
    Staff, or a user of the person's current organisation, or of the organisation added.
    """
    if not (can_manage_person(actor, person) or belongs_to(actor, organisation)):
        raise PermissionDenied("You may only change the affiliations of your own organisation's people.")
    row = Person.objects.select_for_update().get(pk=person.pk)
    before = _person_snapshot(row)
    if end_date is None:
        for current in row.affiliations.filter(end_date__isnull=True):
            if start_date is None:
                raise ValidationError(
                    {"start_date": _("Give the start date: it closes the current affiliation.")}
                )
            current.end_date = start_date
            current.full_clean()
            current.save()
    link = Affiliation(
        person=row,
        organisation=organisation,
        position=position or "",
        start_date=start_date,
        end_date=end_date,
    )
    link.full_clean()
    link.save()
    audit.record(actor, "person.affiliation", row, before, _person_snapshot(row), organisation)
    return link


def move_person(
    actor: User | None, person: Person, organisation: Organisation, on: Any, position: str = ""
) -> Affiliation:
    """Close the current affiliation on `on` and open a new one: the history is kept."""
    return add_affiliation(actor, person, organisation, position=position, start_date=on)


CARRIER_FIELDS = [
    "name", "name_en", "kind", "host", "region", "established_on", "recognised_on", "area_m2",
    "firms_served", "people_served", "firms_graduated", "firms_listed", "description", "is_synthetic",
]  # fmt: skip


def can_manage_carrier(actor: User | None, carrier: Carrier) -> bool:
    return _is_system(actor) or is_staff(actor) or belongs_to(actor, carrier.host_id)


@transaction.atomic
def create_carrier(actor: User | None, **fields: Any) -> Carrier:
    """Register an innovation carrier: staff, or users of the host organisation."""
    if not _is_system(actor) and not is_staff(actor) and not belongs_to(actor, fields.get("host")):
        raise PermissionDenied("You may only register carriers hosted by your own organisation.")
    resolve_references(fields)
    tech_fields = fields.pop("tech_fields", None)
    carrier = Carrier()
    _apply(carrier, fields, CARRIER_FIELDS)
    _full_clean(carrier)
    carrier.save()
    _set_tech_fields(carrier, tech_fields)
    audit.record(actor, "carrier.create", carrier, None, audit.snapshot(carrier), organisation=carrier.host)
    return carrier


@transaction.atomic
def update_carrier(actor: User | None, carrier: Carrier, **changes: Any) -> Carrier:
    if not can_manage_carrier(actor, carrier):
        raise PermissionDenied("You may only edit carriers hosted by your own organisation.")
    if "host" in changes and not (_is_system(actor) or is_staff(actor)):
        raise PermissionDenied("Only staff move a carrier to another host.")
    resolve_references(changes)
    row = Carrier.objects.select_for_update().get(pk=carrier.pk)
    before = audit.snapshot(row)
    tech_fields = changes.pop("tech_fields", None)
    if "is_synthetic" in changes and not (_is_system(actor) or is_staff(actor)):
        changes.pop("is_synthetic")
    _apply(row, changes, CARRIER_FIELDS)
    _full_clean(row)
    row.save()
    _set_tech_fields(row, tech_fields)
    after = audit.snapshot(row)
    if before != after:
        audit.record(actor, "carrier.update", row, before, after, organisation=row.host)
    carrier.refresh_from_db()
    return row


USER_FIELDS = ["username", "email", "first_name", "last_name", "role", "organisation", "is_active"]


def _user_snapshot(user: User) -> dict[str, Any]:
    # Never the password hash: the audit log is readable by administrators.
    return audit.snapshot(user, USER_FIELDS)


@transaction.atomic
def create_user(
    actor: User | None,
    username: str,
    password: str | None,
    role: str,
    organisation: Organisation | None = None,
    *,
    check_password: bool = True,
    **extra: Any,
) -> User:
    """Create an account (administrators or the system). Without a password the account cannot sign
    in until one is set (imports never carry passwords in clear). The password must pass the
    platform's rules (kechuang.core.passwords); only the demo loader skips them, for its documented
    demo password (check_password=False)."""
    if not _is_system(actor) and not is_admin(actor):
        raise PermissionDenied("Only administrators create accounts.")
    user = User(username=username, role=role, organisation=organisation)
    _apply(user, extra, USER_FIELDS)
    if password:
        if check_password:
            passwords.check_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean()
    user.save()
    audit.record(actor, "user.create", user, None, _user_snapshot(user), organisation)
    return user


@transaction.atomic
def update_user(actor: User | None, user: User, **changes: Any) -> User:
    if not _is_system(actor) and not is_admin(actor):
        raise PermissionDenied("Only administrators change accounts.")
    row = User.objects.select_for_update().get(pk=user.pk)
    before = _user_snapshot(row)
    password = changes.pop("password", None)
    _apply(row, changes, USER_FIELDS)
    if password:
        passwords.check_password(password, row)
        row.set_password(password)
    row.full_clean()
    row.save()
    after = _user_snapshot(row)
    if before != after or password:
        after_logged = dict(after, password_changed=True) if password else after
        audit.record(actor, "user.update", row, before, after_logged, row.organisation)
    user.refresh_from_db()
    return row


@transaction.atomic
def unlock_sign_in(actor: User | None, username: str = "", ip_address: str = "") -> int:
    """Lift a sign-in lockout (django-axes) for an account, an address, or both, before its cool-off
    ends. Administrators only (or the system: `kechuang accounts unlock`). Returns how many
    failure records were cleared; each cleared record is audited."""
    from axes.models import AccessAttempt
    from axes.utils import reset

    if not _is_system(actor) and not is_admin(actor):
        raise PermissionDenied("Only administrators unlock accounts.")
    if not username and not ip_address:
        raise ValidationError(_("Name an account or an address to unlock."))
    rows = AccessAttempt.objects.all()
    if username:
        rows = rows.filter(username=username)
    if ip_address:
        rows = rows.filter(ip_address=ip_address)
    records = [{"username": r.username, "ip_address": r.ip_address, "failures": r.failures_since_start}
               for r in rows.order_by("pk")]  # fmt: skip
    if records:
        account = User.objects.filter(username=username).first() if username else None
        audit.record(actor, "user.unlock", account or rows.order_by("pk")[0],
                     {"username": username, "ip_address": ip_address, "records": records}, None,
                     account.organisation if account else None)  # fmt: skip
    if username and ip_address:
        return reset(ip=ip_address, username=username)
    return reset(username=username) if username else reset(ip=ip_address)


@transaction.atomic
def set_own_password(user: User, password: str, how: str = "change") -> User:
    """A user sets their own password (the change form, or a reset link, how="reset"): the rules
    apply and the change is audited (never the password or its hash)."""
    row = User.objects.select_for_update().get(pk=user.pk)
    passwords.check_password(password, row)
    row.set_password(password)
    row.save(update_fields=["password"])
    audit.record(row, f"user.password_{how}", row, None, {"password_changed": True}, row.organisation)
    user.password = row.password
    return row


@transaction.atomic
def issue_api_token(actor: User, name: str) -> tuple[ApiToken, str]:
    """Create an API token for `actor`; the key is returned once and only its hash is kept."""
    from .api_support import issue_token

    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name.")})
    if len(name) > ApiToken._meta.get_field("name").max_length:  # type: ignore[operator]
        raise ValidationError({"name": _("The name is too long.")})
    token, key = issue_token(actor, name)
    audit.record(actor, "token.issue", token, None, {"name": name, "prefix": token.prefix})
    return token, key


@transaction.atomic
def revoke_token(actor: User, token_id: int) -> bool:
    """Revoke one of the actor's own tokens. Another user's token id changes nothing (returns False)."""
    token = (
        ApiToken.objects.select_for_update().filter(pk=token_id, user=actor, revoked_at__isnull=True).first()
    )
    if token is None:
        return False
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(
        actor, "token.revoke", token, {"name": token.name, "revoked_at": None},
        {"name": token.name, "revoked_at": token.revoked_at.isoformat()},
    )  # fmt: skip
    return True


@transaction.atomic
def notify(
    actor: User | None,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    organisation: Organisation | None = None,
    user: User | None = None,
) -> Notification:
    """Send an in-platform notification to an organisation's users (or one user). Audited."""
    if organisation is None and user is None:
        raise ValueError("A notification needs an organisation or a user.")
    # A long generated title is shortened rather than refused: the caller's own action must not fail.
    title = title if len(title) <= 300 else title[:299] + "…"
    note = Notification(
        organisation=organisation, user=user, kind=kind[:60], title=title, body=body, url=url[:300]
    )
    note.full_clean()
    note.save()
    audit.record(actor, "notification.send", note, None, {"kind": kind, "title": title}, organisation)
    return note


def mark_notifications_read(actor: User, ids: Iterable[int] | None = None) -> int:
    """Mark notifications read (all unread ones when `ids` is None); see notifications.mark_read."""
    from .notifications import mark_read

    return mark_read(actor, ids)
