"""Every state change of the policies app, in a transaction, audited."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import Any, Protocol

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kechuang.core import audit
from kechuang.core import services as core_services
from kechuang.core.models import Organisation, User
from kechuang.core.permissions import can_edit_organisation, is_staff

from . import queries
from .catalogue import BY_ID, POLICIES
from .inputs import FactTable
from .models import PolicyDocument, ProactiveMatch, ProactiveRun, SupplementaryFacts
from .navigator import evaluate, yuan
from .screening import CreditScreen, default_screen


class Progress(Protocol):
    """How long work reports how far it is (a background job's `progress`)."""

    def __call__(self, done: int, total: int | None = None, message: Any = None, **args: Any) -> None: ...


def _no_progress(done: int, total: int | None = None, message: Any = None, **args: Any) -> None:
    pass


WRITE_BATCH = 2000  # matches per INSERT, and between progress reports

DOCUMENT_FIELDS = [
    "title", "title_en", "doc_number", "authority", "level", "effective_from", "effective_until", "full_text",
    "target_groups", "benefit_type", "application_window", "how_to_apply", "policy_ids", "certainty", "source_note",
    "is_synthetic",
]  # fmt: skip


def _require_staff(actor: User | None) -> None:
    if actor is not None and not is_staff(actor):
        raise PermissionDenied("Only platform staff may do this.")


def _apply(obj: Any, changes: dict[str, Any], allowed: list[str] | tuple[str, ...]) -> None:
    unknown = sorted(set(changes) - set(allowed))
    if unknown:
        raise ValidationError({k: _("Unknown field.") for k in unknown})
    for key, value in changes.items():
        setattr(obj, key, value)


def _check_policy_ids(doc: PolicyDocument) -> None:
    bad = [p for p in doc.policy_id_list if p not in BY_ID]
    if bad:
        raise ValidationError({"policy_ids": _("Unknown policy id: %(ids)s") % {"ids": ", ".join(bad)}})


@transaction.atomic
def create_document(actor: User | None, **fields: Any) -> PolicyDocument:
    _require_staff(actor)
    doc = PolicyDocument()
    _apply(doc, fields, DOCUMENT_FIELDS)
    doc.full_clean()
    _check_policy_ids(doc)
    doc.save()
    audit.record(actor, "policy_document.create", doc, None, audit.snapshot(doc, DOCUMENT_FIELDS))
    return doc


@transaction.atomic
def update_document(actor: User | None, document: PolicyDocument, **changes: Any) -> PolicyDocument:
    _require_staff(actor)
    doc = PolicyDocument.objects.select_for_update().get(pk=document.pk)
    before = audit.snapshot(doc, DOCUMENT_FIELDS)  # the search vector is derived data, not history
    _apply(doc, changes, DOCUMENT_FIELDS)
    doc.full_clean()
    _check_policy_ids(doc)
    doc.save()
    after = audit.snapshot(doc, DOCUMENT_FIELDS)
    if before != after:
        audit.record(actor, "policy_document.update", doc, before, after)
    return doc


@transaction.atomic
def record_supplementary_facts(
    actor: User | None, organisation: Organisation, year: int, **facts: Any
) -> SupplementaryFacts:
    """Create or update the extra facts of one organisation and year; facts not given keep their value."""
    if actor is not None and not can_edit_organisation(actor, organisation):
        raise PermissionDenied("You may only report your own organisation's facts.")
    row = SupplementaryFacts.objects.select_for_update().filter(organisation=organisation, year=year).first()
    before = audit.snapshot(row) if row else None
    row = row or SupplementaryFacts(organisation=organisation, year=year)
    _apply(row, facts, SupplementaryFacts.FACTS)
    for money in ("tech_transfer_income", "tech_contract_turnover", "voucher_service_spend"):
        value = getattr(row, money)
        if value is not None and Decimal(value) < 0 and money != "tech_transfer_income":
            raise ValidationError({money: _("Must not be negative.")})
    row.full_clean()
    row.save()
    audit.record(
        actor,
        "policy_facts.create" if before is None else "policy_facts.update",
        row,
        before,
        audit.snapshot(row),
    )
    return row


def check_policy_ids(policy_ids: list[str] | None, required: bool = False) -> None:
    """Policy ids chosen by a person or a client: all of the catalogue (None: every policy);
    `required`: an empty choice is refused rather than read as every policy."""
    if policy_ids is None:
        return
    unknown = [p for p in policy_ids if p not in BY_ID]
    if unknown:
        raise ValidationError({"policies": _("Unknown policy id: %(ids)s") % {"ids": ", ".join(unknown)}})
    if required and not policy_ids:
        raise ValidationError({"policies": _("Choose at least one policy of the catalogue.")})


def run_proactive(
    actor: User | None,
    year: int,
    policy_ids: list[str] | None = None,
    screen: CreditScreen | None = None,
    table: FactTable | None = None,
    progress: Progress = _no_progress,
    committing: Callable[[ProactiveRun], None] | None = None,
) -> ProactiveRun:
    """免申即享: the catalogue over every enterprise with facts for `year`; credit-restricted ones are
    screened out; eligible (enterprise, policy) pairs are stored with their estimated benefit.

    The rules run before the transaction opens (they only read); the rows are written all at once,
    and `committing(run)` is called inside that transaction (a background job marks itself done
    there, so the run and the job's outcome commit together or not at all). Progress is reported
    out of 100: reading 0–30, rules 30–40, writing 40–100."""
    _require_staff(actor)
    check_policy_ids(policy_ids)
    wanted = policy_ids or [p.id for p in POLICIES]
    progress(0, 100, _("Reading the registry's facts for %(year)s"), year=year)
    table = table or queries.registry_table(year, lambda f: progress(int(30 * f), 100))
    progress(30, 100, _("Applying the rules to %(n)s enterprises"), n=f"{table.size:,}")
    ev = evaluate(table) if table.size else None
    restricted = (screen or default_screen()).restricted(table.keys, year) if table.size else set()
    matches: list[tuple[int, str, Decimal | None]] = []
    if ev is not None:
        for pid in wanted:
            verdicts = ev.verdicts[pid]
            benefits = ev.benefits.get(pid)
            for i in (verdicts == 2).nonzero()[0]:
                org_id = table.keys[i]
                if org_id in restricted:
                    continue
                matches.append((org_id, pid, yuan(float(benefits[i])) if benefits is not None else None))
    progress(40, 100, _("Saving %(n)s eligible pairs"), n=f"{len(matches):,}")
    with transaction.atomic():
        run = ProactiveRun.objects.create(
            year=year, created_by=actor if actor is not None and actor.pk else None,
            enterprises=table.size, screened_out=len(restricted),
        )  # fmt: skip
        for start in range(0, len(matches), WRITE_BATCH):
            ProactiveMatch.objects.bulk_create(
                ProactiveMatch(run=run, organisation_id=o, policy_id=p, benefit=b)  # type: ignore[misc]
                for o, p, b in matches[start : start + WRITE_BATCH]
            )
            progress(min(100, 40 + 60 * (start + WRITE_BATCH) // len(matches)), 100)
        audit.record(actor, "proactive.run", run, None, {
            "year": year, "policies": wanted, "enterprises": table.size, "screened_out": len(restricted),
            "matches": len(matches),
        })  # fmt: skip
        if committing is not None:
            committing(run)
    return run


def pending_by_policy(run: ProactiveRun) -> list[dict[str, Any]]:
    """Per policy of a run: matches not yet notified, the enterprises concerned and their estimated
    benefit in all; the largest benefit first (what staff weigh before notifying)."""
    from django.db.models import Count, Sum

    rows = (
        run.matches.filter(notified=False)
        .values("policy_id")
        .annotate(
            matches=Count("pk"), enterprises=Count("organisation", distinct=True), benefit=Sum("benefit")
        )
    )
    out: list[dict[str, Any]] = [dict(r) for r in rows]
    out.sort(key=lambda r: (-(r["benefit"] or Decimal(0)), r["policy_id"]))
    return out


def pending_enterprises(run: ProactiveRun, policy_ids: list[str] | None = None) -> int:
    """How many enterprises a notification of `policy_ids` (all when None) would reach."""
    qs = run.matches.filter(notified=False)
    if policy_ids is not None:
        qs = qs.filter(policy_id__in=policy_ids)
    return qs.values("organisation").distinct().count()


NOTIFY_BATCH = 200  # enterprises per transaction


def notify_run(
    actor: User | None,
    run: ProactiveRun,
    policy_ids: list[str] | None = None,
    progress: Progress = _no_progress,
) -> int:
    """Tell each matched enterprise, once, which policies (of `policy_ids`, all when None) it can
    enjoy without applying; returns how many enterprises were told.

    Enterprises are told in batches, each batch in one transaction with its matches marked
    notified: an interrupted fan-out keeps whole batches only, and running it again tells the rest
    and nobody twice (the web's long write lock on SQLite is also kept short)."""
    _require_staff(actor)
    check_policy_ids(policy_ids, required=True)
    pending = run.matches.filter(notified=False)
    if policy_ids is not None:
        pending = pending.filter(policy_id__in=policy_ids)
    org_ids = sorted(set(pending.values_list("organisation_id", flat=True)))
    progress(0, len(org_ids), _("Notifying %(n)s enterprises"), n=f"{len(org_ids):,}")
    told = matches_told = 0
    for start in range(0, len(org_ids), NOTIFY_BATCH):
        batch = org_ids[start : start + NOTIFY_BATCH]
        with transaction.atomic():
            rows = list(
                pending.filter(organisation_id__in=batch).select_related("organisation").order_by("pk")
            )
            by_org: defaultdict[int, list[ProactiveMatch]] = defaultdict(list)
            for m in rows:
                by_org[m.organisation_id].append(m)
            for matches in by_org.values():
                _notify_enterprise(actor, run, matches)
            ProactiveMatch.objects.filter(pk__in=[m.pk for m in rows]).update(notified=True)
        told += len(by_org)
        matches_told += len(rows)
        progress(min(len(org_ids), start + NOTIFY_BATCH), len(org_ids))
    with transaction.atomic():
        run = ProactiveRun.objects.select_for_update().get(pk=run.pk)
        run.notified_at = timezone.now()
        run.save(update_fields=["notified_at"])
        audit.record(actor, "proactive.notify", run, None, {
            "organisations": told, "matches": matches_told, "policies": policy_ids or "all",
        })  # fmt: skip
    return told


def _notify_enterprise(actor: User | None, run: ProactiveRun, matches: list[ProactiveMatch]) -> None:
    org = matches[0].organisation
    lines = []
    for m in sorted(matches, key=lambda m: -(m.benefit or 0)):
        policy = BY_ID[m.policy_id]
        amount = f"（估算 {m.benefit:,.2f} 元）" if m.benefit is not None else ""
        lines.append(f"· {policy.zh} / {policy.en}{amount}")
    core_services.notify(
        actor, "policies.proactive",
        f"{run.year}年度可享受的政策（免申即享） / Policies you can enjoy for {run.year} without applying",
        "\n".join(lines), url=f"/policies/organisations/{org.pk}/check/?year={run.year}", organisation=org,
    )  # fmt: skip
