"""Every state change of the marketplace: demands, NDAs, expert profiles, open calls and match leads.

Each function checks permission, validates, writes in one transaction and appends an audit entry.
Index writes are announced (`core.search.changed`) and happen after the commit, so a rolled-back
change never reaches the index. Only public text is ever indexed (see `search`).
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kechuang.achievements.models import FundedProject, TechSupply
from kechuang.core import audit, search
from kechuang.core import services as core_services
from kechuang.core.models import Organisation, Person, User
from kechuang.core.permissions import belongs_to, can_edit_organisation, is_staff

from . import indexing
from .models import (
    CallApplication,
    Demand,
    ExpertProfile,
    LeadTransition,
    MatchLead,
    NdaAcceptance,
    OpenCall,
)
from .permissions import can_act_on_lead, can_edit_demand, can_manage_call, can_view_demand

log = logging.getLogger(__name__)

DEMAND_FIELDS = [
    "title", "summary", "details", "confidential", "nda_text", "desired_outcome", "budget_min", "budget_max",
    "deadline", "region_preference", "cooperation_mode", "trl_min", "status", "is_synthetic",
]  # fmt: skip
PUSH_TOP = 5  # owners of the best few supplies get the demand pushed to them
LEAD_TOP = 10  # leads recorded per posted demand


def _check_org_actor(actor: User | None, organisation: Organisation | int) -> None:
    if actor is not None and not can_edit_organisation(actor, organisation):
        raise PermissionDenied("You may only act for your own organisation.")


def _apply_demand(demand: Demand, fields: dict[str, Any]) -> list[Any] | None:
    tech_fields = fields.pop("tech_fields", None)
    unknown = set(fields) - set(DEMAND_FIELDS)
    if unknown:
        raise ValidationError({k: _("Unknown field.") for k in sorted(unknown)})
    for key, value in fields.items():
        setattr(demand, key, value)
    return tech_fields


# --- demands ---------------------------------------------------------------------------------


@transaction.atomic
def post_demand(
    actor: User | None, organisation: Organisation, *, recommend: bool = True, **fields: Any
) -> Demand:
    """Post a demand. An open demand is matched at once: leads are recorded for the best supplies and
    their owners are notified (the demand's public summary only)."""
    _check_org_actor(actor, organisation)
    if "is_synthetic" in fields and actor is not None and not is_staff(actor):
        fields.pop("is_synthetic")
    demand = Demand(organisation=organisation, posted_by=actor if actor is not None and actor.pk else None)
    tech_fields = _apply_demand(demand, fields)
    demand.full_clean()
    demand.save()
    if tech_fields is not None:
        demand.tech_fields.set(tech_fields)
    audit.record(actor, "demand.create", demand, None, _demand_snapshot(demand), organisation)
    if demand.status == Demand.Status.OPEN and recommend:
        recommend_for_demand(actor, demand)
    search.changed("demand", demand.pk)
    return demand


def _demand_snapshot(demand: Demand) -> dict[str, Any]:
    # Confidential details stay out of the audit snapshot's readable copy: keep only their length.
    snap = audit.snapshot(demand)
    if demand.confidential:
        snap["details"] = f"<{len(demand.details or '')} characters, confidential>"
    return snap


@transaction.atomic
def update_demand(actor: User | None, demand: Demand, **changes: Any) -> Demand:
    _check_org_actor(actor, demand.organisation_id)
    row = Demand.objects.select_for_update().get(pk=demand.pk)
    before = _demand_snapshot(row)
    if "is_synthetic" in changes and actor is not None and not is_staff(actor):
        changes.pop("is_synthetic")
    tech_fields = _apply_demand(row, changes)
    row.full_clean()
    row.save()
    if tech_fields is not None:
        row.tech_fields.set(tech_fields)
    after = _demand_snapshot(row)
    if before != after:
        audit.record(actor, "demand.update", row, before, after, row.organisation)
    search.changed("demand", row.pk)
    demand.refresh_from_db()
    return row


@transaction.atomic
def delete_demand(actor: User | None, demand: Demand) -> None:
    """Delete a demand that has no open call; its leads go with it (the audit log keeps the record)."""
    _check_org_actor(actor, demand.organisation_id)
    if OpenCall.objects.filter(demand=demand).exists():
        raise ValidationError({"status": _("This demand has an open call: close the demand instead.")})
    pk = demand.pk
    audit.record(actor, "demand.delete", demand, _demand_snapshot(demand), None, demand.organisation)
    demand.delete()
    search.changed("demand", pk)


@transaction.atomic
def accept_nda(actor: User, demand: Demand) -> NdaAcceptance:
    """The actor's organisation accepts the poster's NDA and may then read the confidential details."""
    if not getattr(actor, "organisation_id", None):
        raise PermissionDenied("Only a user acting for an organisation can accept an NDA.")
    if not can_view_demand(actor, demand):
        raise PermissionDenied
    if not demand.confidential:
        raise ValidationError({"demand": _("This demand has no confidential details.")})
    if belongs_to(actor, demand.organisation_id):
        raise ValidationError({"demand": _("This is your own demand.")})
    org_id: Any = actor.organisation_id
    row, created = NdaAcceptance.objects.get_or_create(
        demand=demand, organisation_id=org_id, defaults={"accepted_by": actor}
    )
    if created:
        audit.record(actor, "demand.nda_accept", row, None, {"demand": demand.pk}, actor.organisation)
        # An NDA between the two sides moves their open leads on to the NDA stage.
        for lead in MatchLead.objects.filter(demand=demand, supplier_id=actor.organisation_id):
            if lead.is_open and lead.furthest < MatchLead.FUNNEL.index("nda"):
                _move(actor, lead, MatchLead.Stage.NDA, "NDA accepted")
    return row


# --- recommendations and leads ------------------------------------------------------------------


def recommend_for_demand(actor: User | None, demand: Demand, limit: int = LEAD_TOP) -> list[MatchLead]:
    """Record leads for the best-matching published supplies and notify the top owners.

    Matching failures (an index not built yet) never block posting: the demand stays, no leads.
    """
    try:
        results = indexing.match_demand(demand, kind="supply", limit=limit)
    except Exception:  # the index is a cache of the database; posting must not depend on it
        log.exception("matching demand %s failed", demand.pk)
        return []
    leads = []
    notified: set[int] = set()
    for rank, result in enumerate(results):
        supply = result.obj
        if not isinstance(supply, TechSupply) or supply.owner_id == demand.organisation_id:
            continue
        lead, created = MatchLead.objects.get_or_create(
            demand=demand, supply=supply,
            defaults={"supplier_id": supply.owner_id, "score": result.score, "is_synthetic": demand.is_synthetic},
        )  # fmt: skip
        if created:
            LeadTransition.objects.create(lead=lead, to_stage=lead.stage, actor=None, note="recommended")
            audit.record(actor, "lead.create", lead, None, audit.snapshot(lead), demand.organisation)
        leads.append(lead)
        if rank < PUSH_TOP and supply.owner_id not in notified:
            notified.add(supply.owner_id)
            core_services.notify(
                actor,
                "matching.demand_pushed",
                str(_("A new demand matches your technology: %(title)s") % {"title": demand.title})[:300],
                body=demand.summary[:500],
                url=f"/matching/demands/{demand.pk}/",
                organisation=supply.owner,
            )
    return leads


def _move(actor: User | None, lead: MatchLead, stage: str, note: str = "") -> MatchLead:
    before = {"stage": lead.stage, "furthest": lead.furthest}
    previous = lead.stage
    lead.stage = stage
    if stage in MatchLead.FUNNEL:
        lead.furthest = max(lead.furthest, MatchLead.FUNNEL.index(stage))
    lead.save()
    LeadTransition.objects.create(
        lead=lead,
        from_stage=previous,
        to_stage=stage,
        actor=actor if actor and actor.pk else None,
        note=note[:500],
    )
    audit.record(
        actor,
        f"lead.{stage}",
        lead,
        before,
        {"stage": lead.stage, "furthest": lead.furthest},
        lead.demand.organisation,
    )
    return lead


@transaction.atomic
def create_lead(actor: User | None, demand: Demand, supply: TechSupply | None = None,
                expert: ExpertProfile | None = None, score: float = 0.0) -> MatchLead:  # fmt: skip
    """Record a lead by hand (the poster picks a supply or an expert from the match results)."""
    _check_org_actor(actor, demand.organisation_id)
    if (supply is None) == (expert is None):
        raise ValidationError({"supply": _("Choose one supply or one expert.")})
    supplier_id = supply.owner_id if supply is not None else (expert.organisation_id if expert else None)
    lead, created = MatchLead.objects.get_or_create(
        demand=demand, supply=supply, expert=expert,
        defaults={"supplier_id": supplier_id, "score": score, "is_synthetic": demand.is_synthetic},
    )  # fmt: skip
    if created:
        LeadTransition.objects.create(
            lead=lead, to_stage=lead.stage, actor=actor if actor and actor.pk else None
        )
        audit.record(actor, "lead.create", lead, None, audit.snapshot(lead), demand.organisation)
    return lead


@transaction.atomic
def advance_lead(actor: User | None, lead: MatchLead, stage: str, note: str = "") -> MatchLead:
    """Move a lead forward in the funnel (never back). Signing goes through close_lead_with_contract."""
    if actor is not None and not can_act_on_lead(actor, lead):
        raise PermissionDenied
    row = MatchLead.objects.select_for_update().get(pk=lead.pk)
    if stage not in MatchLead.FUNNEL or stage == MatchLead.Stage.SIGNED:
        raise ValidationError({"stage": _("Choose viewed, contacted, NDA or negotiating.")})
    if not row.is_open:
        raise ValidationError({"stage": _("This lead is already finished.")})
    if MatchLead.FUNNEL.index(stage) <= MatchLead.FUNNEL.index(row.stage):
        raise ValidationError({"stage": _("A lead only moves forward.")})
    _move(actor, row, stage, note)
    lead.refresh_from_db()
    return row


def mark_viewed(actor: User | None, lead: MatchLead) -> MatchLead:
    """The first look at a recommended lead moves it to 'viewed'; later looks change nothing."""
    if lead.stage != MatchLead.Stage.RECOMMENDED:
        return lead
    return advance_lead(actor, lead, MatchLead.Stage.VIEWED)


@transaction.atomic
def close_lead(actor: User | None, lead: MatchLead, reason: str, note: str = "") -> MatchLead:
    if actor is not None and not can_act_on_lead(actor, lead):
        raise PermissionDenied
    row = MatchLead.objects.select_for_update().get(pk=lead.pk)
    if reason not in MatchLead.CloseReason.values:
        raise ValidationError({"reason": _("Choose why the lead is closed.")})
    if not row.is_open:
        raise ValidationError({"stage": _("This lead is already finished.")})
    row.close_reason = reason
    _move(actor, row, MatchLead.Stage.CLOSED, note)
    lead.refresh_from_db()
    return row


@transaction.atomic
def close_lead_with_contract(
    actor: User | None, lead: MatchLead, contract_ref: str, amount: Decimal | None
) -> MatchLead:
    """For the contracts app: a technology contract was signed for this lead. Idempotent per contract."""
    if actor is not None and not can_act_on_lead(actor, lead):
        raise PermissionDenied
    row = MatchLead.objects.select_for_update().get(pk=lead.pk)
    contract_ref = (contract_ref or "").strip()
    if not contract_ref:
        raise ValidationError({"contract_ref": _("Give the contract reference.")})
    if amount is not None and Decimal(amount) < 0:
        raise ValidationError({"amount": _("The amount cannot be negative.")})
    if row.stage == MatchLead.Stage.SIGNED and row.contract_ref == contract_ref:
        return row
    if not row.is_open:
        raise ValidationError({"stage": _("This lead is already finished.")})
    row.contract_ref = contract_ref[:100]
    row.contract_amount = Decimal(amount) if amount is not None else None
    _move(actor, row, MatchLead.Stage.SIGNED, f"contract {contract_ref}")
    lead.refresh_from_db()
    return row


def close_lead_for_contract(
    actor: User | None, lead_id: int, contract_ref: str, amount: Decimal | None
) -> MatchLead | None:
    """A contract was signed for lead `lead_id` (announced by the contracts app): close it as signed.
    None when there is no such lead."""
    lead = MatchLead.objects.select_related("demand").filter(pk=lead_id).first()
    if lead is None:
        return None
    return close_lead_with_contract(actor, lead, contract_ref, amount)


# --- expert profiles ------------------------------------------------------------------------------


def _expert_text(
    person: Person, supplies: list[TechSupply], projects: list[FundedProject]
) -> tuple[str, list[str]]:
    keywords: list[str] = []
    for s in supplies:
        keywords.extend(s.keywords)
    keywords = list(dict.fromkeys(keywords))[:40]
    lines = [s.title for s in supplies] + [p.title for p in projects]
    if person.bio:
        lines.insert(0, person.bio)
    return "\n".join(lines)[:8000], keywords


@transaction.atomic
def build_expert_profile(actor: User | None, person: Person) -> ExpertProfile:
    """Build (or rebuild) one person's profile from their published results, patents and projects.

    The person's identity (name + organisation + ORCID) comes from the Person row: a namesake at
    another organisation is another Person and gets another profile.
    """
    if actor is not None and not is_staff(actor):
        affiliation = person.current_affiliation
        if affiliation is None or not belongs_to(actor, affiliation.organisation_id):
            raise PermissionDenied
    supplies = list(person.tech_supplies.filter(status=TechSupply.Status.PUBLISHED).order_by("-id")[:200])
    projects = list(FundedProject.objects.filter(principal=person).order_by("-start")[:200])
    summary, keywords = _expert_text(person, supplies, projects)
    affiliation = person.current_affiliation
    profile = ExpertProfile.objects.select_for_update().filter(person=person).first()
    before = audit.snapshot(profile) if profile else None
    profile = profile or ExpertProfile(person=person)
    profile.organisation = affiliation.organisation if affiliation else None
    profile.headline = (person.title or (affiliation.position if affiliation else ""))[:300]
    profile.summary = summary
    profile.keywords = keywords
    profile.result_count = sum(1 for s in supplies if s.kind == TechSupply.Kind.RESULT)
    profile.patent_count = sum(1 for s in supplies if s.kind == TechSupply.Kind.PATENT)
    profile.project_count = len(projects)
    profile.funding_total = FundedProject.objects.filter(principal=person).aggregate(t=Sum("amount"))["t"]
    profile.is_synthetic = person.is_synthetic
    profile.built_at = timezone.now()
    profile.save()
    fields: set[Any] = {f for s in supplies for f in s.tech_fields.values_list("pk", flat=True)}
    fields |= set(person.tech_fields.values_list("pk", flat=True))
    profile.tech_fields.set(fields)
    audit.record(actor, "expert.build" if before is None else "expert.rebuild", profile, before,
                 audit.snapshot(profile), profile.organisation)  # fmt: skip
    search.changed("expert", profile.pk)
    return profile


def refresh_expert_for(person_id: int) -> None:
    """A person's results or projects changed: rebuild their profile if they have one."""
    profile = ExpertProfile.objects.filter(person_id=person_id).select_related("person").first()
    if profile is not None:
        build_expert_profile(None, profile.person)


@transaction.atomic
def set_expert_visibility(actor: User | None, profile: ExpertProfile, visible: bool) -> ExpertProfile:
    if actor is not None and not (is_staff(actor) or belongs_to(actor, profile.organisation_id)):
        raise PermissionDenied
    before = {"visible": profile.visible}
    profile.visible = bool(visible)
    profile.save(update_fields=["visible"])
    audit.record(
        actor, "expert.visibility", profile, before, {"visible": profile.visible}, profile.organisation
    )
    search.changed("expert", profile.pk)
    return profile


# --- open calls (揭榜挂帅) -------------------------------------------------------------------------


@transaction.atomic
def open_call(actor: User | None, demand: Demand, *, prize: Decimal, eligibility: str, evaluation: str,
              opens_on: dt.date, closes_on: dt.date) -> OpenCall:  # fmt: skip
    if actor is not None and not can_edit_demand(actor, demand):
        raise PermissionDenied
    if demand.status != Demand.Status.OPEN:
        raise ValidationError({"demand": _("Only an open demand can be put out as an open call.")})
    if OpenCall.objects.filter(demand=demand).exists():
        raise ValidationError({"demand": _("This demand already has an open call.")})
    call = OpenCall(demand=demand, prize=prize, eligibility=eligibility, evaluation=evaluation,
                    opens_on=opens_on, closes_on=closes_on)  # fmt: skip
    call.full_clean()
    call.save()
    audit.record(actor, "call.open", call, None, audit.snapshot(call), demand.organisation)
    return call


@transaction.atomic
def close_call(actor: User | None, call: OpenCall) -> OpenCall:
    if actor is not None and not can_manage_call(actor, call):
        raise PermissionDenied
    before = {"status": call.status}
    call.status = OpenCall.Status.CLOSED
    call.save(update_fields=["status"])
    audit.record(actor, "call.close", call, before, {"status": call.status}, call.demand.organisation)
    return call


@transaction.atomic
def apply_to_call(actor: User, call: OpenCall, proposal: str, supply: TechSupply | None = None,
                  today: dt.date | None = None) -> CallApplication:  # fmt: skip
    """A solver organisation applies (once) while the call is open."""
    if not getattr(actor, "organisation_id", None):
        raise PermissionDenied("Apply on behalf of an organisation.")
    if belongs_to(actor, call.demand.organisation_id):
        raise ValidationError({"call": _("You cannot apply to your own call.")})
    org_id: Any = actor.organisation_id
    today = today or timezone.localdate()
    if not call.is_open_on(today):
        raise ValidationError({"call": _("This call is not open for applications (window %(a)s – %(b)s).") % {
            "a": call.opens_on.isoformat(), "b": call.closes_on.isoformat()}})  # fmt: skip
    if supply is not None and supply.owner_id != actor.organisation_id:
        raise ValidationError({"supply": _("Offer one of your own organisation's items.")})
    if CallApplication.objects.filter(call=call, organisation_id=org_id).exists():
        raise ValidationError({"call": _("Your organisation has already applied to this call.")})
    app = CallApplication(call=call, organisation_id=org_id, submitted_by=actor,
                          proposal=(proposal or "").strip(), supply=supply)  # fmt: skip
    app.full_clean()
    app.save()
    audit.record(actor, "call.apply", app, None, audit.snapshot(app), actor.organisation)
    core_services.notify(actor, "matching.call_application", str(_("New application to your open call: %(title)s") % {
        "title": call.demand.title})[:300], url=f"/matching/calls/{call.pk}/", organisation=call.demand.organisation)  # fmt: skip
    return app


def _decide(actor: User | None, application: CallApplication, status: str, reason: str, note: str,
            respond_by: dt.date | None) -> CallApplication:  # fmt: skip
    if actor is not None and not can_manage_call(actor, application.call):
        raise PermissionDenied
    row = CallApplication.objects.select_for_update().get(pk=application.pk)
    errors: dict[str, Any] = {}
    if status == CallApplication.Status.REJECTED and reason not in CallApplication.RejectionReason.values:
        errors["reason"] = _("Give a reason for every rejection.")
    if (
        status == CallApplication.Status.REJECTED
        and reason == CallApplication.RejectionReason.OTHER
        and not note.strip()
    ):
        errors["note"] = _("Explain the reason in a note.")
    if respond_by is None:
        errors["respond_by"] = _("Give the applicant a deadline.")
    elif respond_by < timezone.localdate():
        errors["respond_by"] = _("The deadline is in the past.")
    if row.status in (CallApplication.Status.REJECTED, CallApplication.Status.AWARDED):
        errors["status"] = _("This application has already been decided.")
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(row)
    row.status = status
    row.rejection_reason = reason if status == CallApplication.Status.REJECTED else ""
    row.decision_note = note.strip()[:2000]
    row.respond_by = respond_by
    row.decided_at = timezone.now()
    row.save()
    audit.record(actor, f"call.{status}", row, before, audit.snapshot(row), row.call.demand.organisation)
    core_services.notify(actor, "matching.call_decision", str(_("Your application to %(title)s: %(status)s") % {
        "title": row.call.demand.title, "status": row.get_status_display()})[:300],
        body=row.decision_note, url=f"/matching/calls/{row.call_id}/", organisation=row.organisation)  # fmt: skip
    application.refresh_from_db()
    return row


@transaction.atomic
def shortlist_application(actor: User | None, application: CallApplication, respond_by: dt.date | None,
                          note: str = "") -> CallApplication:  # fmt: skip
    return _decide(actor, application, CallApplication.Status.SHORTLISTED, "", note, respond_by)


@transaction.atomic
def reject_application(actor: User | None, application: CallApplication, reason: str, respond_by: dt.date | None,
                       note: str = "") -> CallApplication:  # fmt: skip
    return _decide(actor, application, CallApplication.Status.REJECTED, reason, note, respond_by)


@transaction.atomic
def award_application(actor: User | None, application: CallApplication, respond_by: dt.date | None,
                      note: str = "") -> CallApplication:  # fmt: skip
    if application.status != CallApplication.Status.SHORTLISTED:
        raise ValidationError({"status": _("Only a shortlisted application can win the prize.")})
    row = _decide(actor, application, CallApplication.Status.AWARDED, "", note, respond_by)
    call = row.call
    call.status = OpenCall.Status.AWARDED
    call.save(update_fields=["status"])
    audit.record(actor, "call.awarded", call, None, {"winner": row.organisation_id}, call.demand.organisation)
    return row
