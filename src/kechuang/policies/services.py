"""Every state change of the policies app, in a transaction, audited."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

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


def run_proactive(
    actor: User | None,
    year: int,
    policy_ids: list[str] | None = None,
    screen: CreditScreen | None = None,
    table: FactTable | None = None,
) -> ProactiveRun:
    """免申即享: the catalogue over every enterprise with facts for `year`; credit-restricted ones are
    screened out; eligible (enterprise, policy) pairs are stored with their estimated benefit.

    The rules run before the transaction opens (they only read); the rows are written all at once."""
    _require_staff(actor)
    wanted = policy_ids or [p.id for p in POLICIES]
    unknown = [p for p in wanted if p not in BY_ID]
    if unknown:
        raise ValidationError({"policies": _("Unknown policy id: %(ids)s") % {"ids": ", ".join(unknown)}})
    table = table or queries.registry_table(year)
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
    with transaction.atomic():
        run = ProactiveRun.objects.create(
            year=year, created_by=actor if actor is not None and actor.pk else None,
            enterprises=table.size, screened_out=len(restricted),
        )  # fmt: skip
        ProactiveMatch.objects.bulk_create(
            ProactiveMatch(run=run, organisation_id=o, policy_id=p, benefit=b)  # type: ignore[misc]
            for o, p, b in matches
        )
        audit.record(actor, "proactive.run", run, None, {
            "year": year, "policies": wanted, "enterprises": table.size, "screened_out": len(restricted),
            "matches": len(matches),
        })  # fmt: skip
    return run


@transaction.atomic
def notify_run(actor: User | None, run: ProactiveRun) -> int:
    """Tell each matched enterprise, once, which policies it can enjoy without applying."""
    _require_staff(actor)
    run = ProactiveRun.objects.select_for_update().get(pk=run.pk)
    pending = list(run.matches.filter(notified=False).select_related("organisation"))
    by_org: defaultdict[int, list[ProactiveMatch]] = defaultdict(list)
    for m in pending:
        by_org[m.organisation_id].append(m)
    for matches in by_org.values():
        org = matches[0].organisation
        lines = []
        for m in matches:
            policy = BY_ID[m.policy_id]
            amount = f"（估算 {m.benefit:,.2f} 元）" if m.benefit is not None else ""
            lines.append(f"· {policy.zh} / {policy.en}{amount}")
        core_services.notify(
            actor, "policies.proactive",
            f"{run.year}年度可享受的政策（免申即享） / Policies you can enjoy for {run.year} without applying",
            "\n".join(lines), url=f"/policies/organisations/{org.pk}/check/?year={run.year}", organisation=org,
        )  # fmt: skip
    run.matches.filter(pk__in=[m.pk for m in pending]).update(notified=True)
    run.notified_at = timezone.now()
    run.save(update_fields=["notified_at"])
    audit.record(
        actor, "proactive.notify", run, None, {"organisations": len(by_org), "matches": len(pending)}
    )
    return len(by_org)
