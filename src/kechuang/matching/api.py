"""Marketplace API: /api/v1/matching/… (match, demands, experts, open calls, leads, funnel)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from ninja import Router, Status
from ninja.security import SessionAuth

from kechuang.achievements.models import TechSupply
from kechuang.core.api_support import TokenAuth
from kechuang.core.models import Person, Region, TechField
from kechuang.core.permissions import belongs_to, is_staff

from . import indexing, queries, services
from .models import CallApplication, Demand, ExpertProfile, MatchLead, OpenCall
from .permissions import (
    can_act_on_lead,
    can_manage_call,
    can_view_application,
    can_view_demand,
    can_view_demand_details,
)
from .schemas import (
    ApplicationIn,
    ApplicationOut,
    CallIn,
    CallOut,
    DecisionIn,
    DemandIn,
    DemandOut,
    DemandPage,
    DemandPatch,
    ExpertBuildIn,
    ExpertOut,
    ExpertPage,
    FunnelOut,
    IndexProgressOut,
    LeadIn,
    LeadMoveIn,
    LeadOut,
    LeadPage,
    MatchIn,
    MatchOut,
)

router = Router()


def _anonymous(request: HttpRequest) -> bool:
    return True


# Public endpoints still recognise a token or session when one is sent, so the reader's own drafts
# and NDA-unlocked details are shown to them; without credentials the caller is anonymous.
PUBLIC = [TokenAuth(), SessionAuth(csrf=True), _anonymous]


# --- serialisers: the one place that decides what a reader sees ------------------------------------


def demand_out(demand: Demand, user: Any) -> dict[str, Any]:
    allowed = can_view_demand_details(user, demand)
    return {
        "id": demand.pk, "title": demand.title, "summary": demand.summary,
        "details": demand.details if allowed else None, "details_hidden": not allowed and bool(demand.details),
        "confidential": demand.confidential, "nda_text": demand.nda_text, "desired_outcome": demand.desired_outcome,
        "tech_fields": [f.pk for f in demand.tech_fields.all()], "budget_min": demand.budget_min,
        "budget_max": demand.budget_max, "deadline": demand.deadline,
        "region_preference_id": demand.region_preference_id, "cooperation_mode": demand.cooperation_mode,
        "trl_min": demand.trl_min, "organisation_id": demand.organisation_id,
        "organisation": str(demand.organisation), "status": demand.status, "is_synthetic": demand.is_synthetic,
        "created_at": demand.created_at,
    }  # fmt: skip


def expert_out(p: ExpertProfile) -> dict[str, Any]:
    return {
        "id": p.pk, "person_id": p.person_id, "name": p.person.name, "orcid": p.person.orcid,
        "organisation_id": p.organisation_id, "organisation": str(p.organisation) if p.organisation else None,
        "headline": p.headline, "summary": p.summary, "keywords": p.keywords,
        "tech_fields": [f.pk for f in p.tech_fields.all()], "result_count": p.result_count,
        "patent_count": p.patent_count, "project_count": p.project_count, "funding_total": p.funding_total,
        "is_synthetic": p.is_synthetic,
    }  # fmt: skip


def call_out(c: OpenCall) -> dict[str, Any]:
    return {
        "id": c.pk, "demand_id": c.demand_id, "title": c.demand.title, "organisation_id": c.demand.organisation_id,
        "prize": c.prize, "eligibility": c.eligibility, "evaluation": c.evaluation, "opens_on": c.opens_on,
        "closes_on": c.closes_on, "status": c.status,
    }  # fmt: skip


def application_out(a: CallApplication) -> dict[str, Any]:
    return {
        "id": a.pk, "call_id": a.call_id, "organisation_id": a.organisation_id, "organisation": str(a.organisation),
        "proposal": a.proposal, "supply_id": a.supply_id, "status": a.status, "rejection_reason": a.rejection_reason,
        "decision_note": a.decision_note, "respond_by": a.respond_by, "submitted_at": a.submitted_at,
    }  # fmt: skip


def lead_out(lead: MatchLead) -> dict[str, Any]:
    return {
        "id": lead.pk, "demand_id": lead.demand_id, "demand_title": lead.demand.title, "supply_id": lead.supply_id,
        "expert_id": lead.expert_id, "supplier_id": lead.supplier_id, "score": lead.score, "stage": lead.stage,
        "close_reason": lead.close_reason, "contract_ref": lead.contract_ref,
        "contract_amount": lead.contract_amount,
        "transitions": [{"from_stage": t.from_stage, "to_stage": t.to_stage, "note": t.note, "at": t.at}
                        for t in lead.transitions.all()],
    }  # fmt: skip


PAGE_SIZE = 50


def _page(qs: Any, page: int, serialise: Callable[[Any], dict[str, Any]]) -> dict[str, Any]:
    """One page of a listing, serialised after slicing so a long list costs one page of work."""
    page = max(1, min(page, 100_000))
    start = (page - 1) * PAGE_SIZE
    return {"items": [serialise(o) for o in qs[start : start + PAGE_SIZE]], "count": qs.count()}


def _demand_fields(data: dict[str, Any]) -> dict[str, Any]:
    if data.get("region_preference"):
        data["region_preference"] = Region.objects.filter(pk=data["region_preference"]).first()
        if data["region_preference"] is None:
            raise ValidationError({"region_preference": _("Unknown region code.")})
    elif "region_preference" in data:
        data["region_preference"] = None
    if data.get("tech_fields") is not None:
        codes = list(dict.fromkeys(data["tech_fields"]))
        fields = list(TechField.objects.filter(pk__in=codes))
        if len(fields) != len(codes):
            raise ValidationError({"tech_fields": _("Unknown technology field code.")})
        data["tech_fields"] = fields
    if data.get("status") not in (None, *Demand.Status.values):
        raise ValidationError({"status": _("Choose draft, open or closed.")})
    return data


def _visible_demand(request: HttpRequest, demand_id: int) -> Demand:
    demand = get_object_or_404(Demand.objects.select_related("organisation"), pk=demand_id)
    if not can_view_demand(request.user, demand):
        raise Http404
    return demand


# --- matching ------------------------------------------------------------------------------------------


@router.post("/match", response=list[MatchOut], auth=PUBLIC)
def match(request: HttpRequest, payload: MatchIn):  # type: ignore[no-untyped-def]
    """Rank supplies, experts or demands for a free-text problem; each result explains itself."""
    if payload.fields and TechField.objects.filter(pk__in=payload.fields).count() != len(set(payload.fields)):
        raise ValidationError({"fields": _("Unknown technology field code.")})
    constraints = indexing.demand_constraints(
        fields=payload.fields, trl_min=payload.trl_min, budget_max=payload.budget_max, region=payload.region,
        mode=payload.mode,
    )  # fmt: skip
    results = indexing.search(payload.text, kind=payload.kind, constraints=constraints, limit=payload.limit)
    return [r.as_dict() for r in results]


@router.get("/index", response=IndexProgressOut, auth=PUBLIC)
def index_progress(request: HttpRequest):  # type: ignore[no-untyped-def]
    """How far the semantic index is. While `pending` > 0, items without vectors are matched by
    their words only; they are embedded in the background."""
    return queries.index_progress()


# --- demands -----------------------------------------------------------------------------------------


@router.get("/demands", response=DemandPage, auth=PUBLIC)
def list_demands(
    request: HttpRequest, q: str = "", status: str = "", field: str = "", mine: bool = False, page: int = 1
):  # type: ignore[no-untyped-def]
    qs = queries.search_demands(queries.visible_demands(request.user), q, status, field)
    if mine:
        org_id = getattr(request.user, "organisation_id", None)
        qs = qs.filter(organisation_id=org_id) if org_id else qs.none()
    return _page(qs.prefetch_related("tech_fields"), page, lambda d: demand_out(d, request.user))


@router.get("/demands/{demand_id}", response=DemandOut, auth=PUBLIC)
def get_demand(request: HttpRequest, demand_id: int):  # type: ignore[no-untyped-def]
    return demand_out(_visible_demand(request, demand_id), request.user)


@router.post("/demands", response={201: DemandOut})
def create_demand(request: HttpRequest, payload: DemandIn):  # type: ignore[no-untyped-def]
    org = getattr(request.user, "organisation", None)
    if org is None:
        raise PermissionDenied
    demand = services.post_demand(request.user, org, **_demand_fields(payload.dict()))  # type: ignore[arg-type]
    return Status(201, demand_out(demand, request.user))


@router.patch("/demands/{demand_id}", response=DemandOut)
def update_demand(request: HttpRequest, demand_id: int, payload: DemandPatch):  # type: ignore[no-untyped-def]
    demand = _visible_demand(request, demand_id)
    changes = _demand_fields(payload.dict(exclude_unset=True))
    return demand_out(services.update_demand(request.user, demand, **changes), request.user)  # type: ignore[arg-type]


@router.delete("/demands/{demand_id}", response={204: None})
def delete_demand(request: HttpRequest, demand_id: int):  # type: ignore[no-untyped-def]
    services.delete_demand(request.user, _visible_demand(request, demand_id))  # type: ignore[arg-type]
    return Status(204, None)


@router.post("/demands/{demand_id}/nda", response=DemandOut)
def accept_nda(request: HttpRequest, demand_id: int):  # type: ignore[no-untyped-def]
    demand = _visible_demand(request, demand_id)
    services.accept_nda(request.user, demand)  # type: ignore[arg-type]
    return demand_out(demand, request.user)


@router.get("/demands/{demand_id}/matches", response=list[MatchOut], auth=PUBLIC)
def demand_matches(request: HttpRequest, demand_id: int, kind: str = "supply", limit: int = 10):  # type: ignore[no-untyped-def]
    demand = _visible_demand(request, demand_id)
    if kind not in ("supply", "expert"):
        raise ValidationError({"kind": _("Choose supply or expert.")})
    return [r.as_dict() for r in indexing.match_demand(demand, kind=kind, limit=max(1, min(limit, 50)))]


# --- experts -----------------------------------------------------------------------------------------


@router.get("/experts", response=ExpertPage, auth=PUBLIC)
def list_experts(request: HttpRequest, q: str = "", page: int = 1):  # type: ignore[no-untyped-def]
    return _page(queries.visible_experts(q).prefetch_related("tech_fields"), page, expert_out)


@router.get("/experts/{expert_id}", response=ExpertOut, auth=PUBLIC)
def get_expert(request: HttpRequest, expert_id: int):  # type: ignore[no-untyped-def]
    profile = get_object_or_404(ExpertProfile.objects.select_related("person", "organisation"), pk=expert_id)
    if not profile.visible and not (
        is_staff(request.user) or belongs_to(request.user, profile.organisation_id)
    ):
        raise Http404
    return expert_out(profile)


@router.post("/experts", response={201: ExpertOut})
def build_expert(request: HttpRequest, payload: ExpertBuildIn):  # type: ignore[no-untyped-def]
    person = get_object_or_404(Person, pk=payload.person_id)
    return Status(201, expert_out(services.build_expert_profile(request.user, person)))  # type: ignore[arg-type]


@router.get("/experts/{expert_id}/similar", response=list[MatchOut], auth=PUBLIC)
def similar_experts(request: HttpRequest, expert_id: int):  # type: ignore[no-untyped-def]
    profile = get_object_or_404(ExpertProfile, pk=expert_id, visible=True)
    return [r.as_dict() for r in indexing.similar("expert", profile)]


# --- open calls -------------------------------------------------------------------------------------


@router.get("/calls", response=list[CallOut], auth=PUBLIC)
def list_calls(request: HttpRequest, status: str = ""):  # type: ignore[no-untyped-def]
    return [call_out(c) for c in queries.open_calls(status)[:500]]


@router.get("/calls/{call_id}", response=CallOut, auth=PUBLIC)
def get_call(request: HttpRequest, call_id: int):  # type: ignore[no-untyped-def]
    return call_out(get_object_or_404(OpenCall.objects.select_related("demand"), pk=call_id))


@router.post("/calls", response={201: CallOut})
def create_call(request: HttpRequest, payload: CallIn):  # type: ignore[no-untyped-def]
    demand = _visible_demand(request, payload.demand_id)
    data = payload.dict()
    data.pop("demand_id")
    return Status(201, call_out(services.open_call(request.user, demand, **data)))  # type: ignore[arg-type]


@router.get("/calls/{call_id}/applications", response=list[ApplicationOut])
def list_applications(request: HttpRequest, call_id: int):  # type: ignore[no-untyped-def]
    call = get_object_or_404(OpenCall, pk=call_id)
    return [application_out(a) for a in queries.applications_visible(request.user, call)]


@router.post("/calls/{call_id}/applications", response={201: ApplicationOut})
def apply(request: HttpRequest, call_id: int, payload: ApplicationIn):  # type: ignore[no-untyped-def]
    call = get_object_or_404(OpenCall.objects.select_related("demand"), pk=call_id)
    supply = get_object_or_404(TechSupply, pk=payload.supply_id) if payload.supply_id else None
    return Status(201, application_out(services.apply_to_call(request.user, call, payload.proposal, supply)))  # type: ignore[arg-type]


@router.get("/applications/{application_id}", response=ApplicationOut)
def get_application(request: HttpRequest, application_id: int):  # type: ignore[no-untyped-def]
    app = get_object_or_404(
        CallApplication.objects.select_related("call__demand", "organisation"), pk=application_id
    )
    if not can_view_application(request.user, app):
        raise PermissionDenied
    return application_out(app)


@router.post("/applications/{application_id}/decision", response=ApplicationOut)
def decide(request: HttpRequest, application_id: int, payload: DecisionIn):  # type: ignore[no-untyped-def]
    app = get_object_or_404(
        CallApplication.objects.select_related("call__demand", "organisation"), pk=application_id
    )
    if not can_manage_call(request.user, app.call):
        raise PermissionDenied
    user: Any = request.user
    if payload.decision == "shortlist":
        app = services.shortlist_application(user, app, payload.respond_by, payload.note)
    elif payload.decision == "reject":
        app = services.reject_application(user, app, payload.reason, payload.respond_by, payload.note)
    else:
        app = services.award_application(user, app, payload.respond_by, payload.note)
    return application_out(app)


# --- leads and the funnel ------------------------------------------------------------------------------


@router.get("/leads", response=LeadPage)
def list_leads(request: HttpRequest, stage: str = "", demand: int | None = None, page: int = 1):  # type: ignore[no-untyped-def]
    qs = queries.leads_for(request.user).prefetch_related("transitions")
    if stage:
        qs = qs.filter(stage=stage)
    if demand:
        qs = qs.filter(demand_id=demand)
    return _page(qs, page, lead_out)


def _lead(request: HttpRequest, lead_id: int) -> MatchLead:
    lead = get_object_or_404(MatchLead.objects.select_related("demand"), pk=lead_id)
    if not can_act_on_lead(request.user, lead):
        raise PermissionDenied
    return lead


@router.get("/leads/{lead_id}", response=LeadOut)
def get_lead(request: HttpRequest, lead_id: int):  # type: ignore[no-untyped-def]
    return lead_out(_lead(request, lead_id))


@router.post("/leads", response={201: LeadOut})
def create_lead(request: HttpRequest, payload: LeadIn):  # type: ignore[no-untyped-def]
    demand = _visible_demand(request, payload.demand_id)
    supply = (
        get_object_or_404(TechSupply, pk=payload.supply_id, status="published") if payload.supply_id else None
    )
    expert = (
        get_object_or_404(ExpertProfile, pk=payload.expert_id, visible=True) if payload.expert_id else None
    )
    return Status(201, lead_out(services.create_lead(request.user, demand, supply=supply, expert=expert)))  # type: ignore[arg-type]


@router.post("/leads/{lead_id}/advance", response=LeadOut)
def advance_lead(request: HttpRequest, lead_id: int, payload: LeadMoveIn):  # type: ignore[no-untyped-def]
    return lead_out(services.advance_lead(request.user, _lead(request, lead_id), payload.stage, payload.note))  # type: ignore[arg-type]


@router.post("/leads/{lead_id}/close", response=LeadOut)
def close_lead(request: HttpRequest, lead_id: int, payload: LeadMoveIn):  # type: ignore[no-untyped-def]
    return lead_out(services.close_lead(request.user, _lead(request, lead_id), payload.reason, payload.note))  # type: ignore[arg-type]


@router.get("/funnel", response=FunnelOut)
def funnel(request: HttpRequest, demand: int | None = None, scope: str = "mine"):  # type: ignore[no-untyped-def]
    """Per demand (its poster, supplier sides see their part), per organisation (mine) or city-wide (staff)."""
    if demand is not None:
        d = _visible_demand(request, demand)
        qs = queries.leads_for(request.user).filter(demand=d) if not is_staff(request.user) else d.leads.all()
        return {"scope": f"demand:{d.pk}", "rows": queries.funnel(qs)}
    if scope == "city":
        if not is_staff(request.user):
            raise PermissionDenied
        return {"scope": "city", "rows": queries.funnel(MatchLead.objects.all()),
                "by_organisation": queries.funnel_by_organisation()}  # fmt: skip
    return {"scope": "organisation", "rows": queries.funnel(queries.leads_for(request.user))}
