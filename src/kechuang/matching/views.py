"""Web pages of the marketplace. Reads go through queries.py / indexing.py, writes through services.py."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kechuang.achievements.models import TechSupply
from kechuang.core.forms import apply_service_errors
from kechuang.core.models import TechField
from kechuang.core.permissions import belongs_to, is_staff

from . import indexing, queries, services
from .forms import ApplicationForm, CallForm, DecisionForm, DemandForm, LeadMoveForm, MatchPreviewForm
from .models import CallApplication, Demand, ExpertProfile, MatchLead, OpenCall
from .permissions import (
    can_act_on_lead,
    can_edit_demand,
    can_manage_call,
    can_view_demand,
    can_view_demand_details,
    has_accepted_nda,
)

PAGE_SIZE = 20


def _message_text(exc: ValidationError) -> str:
    return (
        " ".join(str(m) for ms in exc.message_dict.values() for m in ms)
        if hasattr(exc, "error_dict")
        else " ".join(exc.messages)
    )


# --- demands --------------------------------------------------------------------------------------


def demand_list(request: HttpRequest) -> HttpResponse:
    q, field = request.GET.get("q", "")[:200], request.GET.get("field", "")
    qs = queries.search_demands(
        queries.visible_demands(request.user), q, request.GET.get("status", ""), field
    )
    if request.GET.get("mine") == "1":
        org_id = getattr(request.user, "organisation_id", None)
        qs = qs.filter(organisation_id=org_id) if org_id else qs.none()
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    ctx = {"page": page, "q": q, "field": field, "fields": TechField.objects.filter(parent__isnull=True)}
    template = (
        "matching/_demand_rows.html" if request.headers.get("HX-Request") else "matching/demand_list.html"
    )
    return render(request, template, ctx)


def _visible_demand(request: HttpRequest, pk: int) -> Demand:
    demand = get_object_or_404(Demand.objects.select_related("organisation", "region_preference"), pk=pk)
    if not can_view_demand(request.user, demand):
        raise Http404
    return demand


@login_required
def demand_new(request: HttpRequest) -> HttpResponse:
    org = getattr(request.user, "organisation", None)
    if org is None:
        raise PermissionDenied
    form = DemandForm(request.POST or None, initial={"status": Demand.Status.OPEN})
    if request.method == "POST" and form.is_valid():
        try:
            demand = services.post_demand(request.user, org, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Your demand was posted. The best matches are below."))
            return redirect("matching:demand_detail", pk=demand.pk)
    return render(request, "matching/demand_form.html", {"form": form}, status=422 if form.errors else 200)


@login_required
def demand_edit(request: HttpRequest, pk: int) -> HttpResponse:
    demand = _visible_demand(request, pk)
    if not can_edit_demand(request.user, demand):
        raise PermissionDenied
    form = DemandForm(request.POST or None, instance=Demand.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_demand(request.user, demand, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The demand was saved."))
            return redirect("matching:demand_detail", pk=demand.pk)
    return render(
        request,
        "matching/demand_form.html",
        {"form": form, "demand": demand},
        status=422 if form.errors else 200,
    )


def demand_detail(request: HttpRequest, pk: int) -> HttpResponse:
    demand = _visible_demand(request, pk)
    own = can_edit_demand(request.user, demand)
    supplies = experts = []
    if own or is_staff(request.user):
        supplies = indexing.match_demand(demand, kind="supply", limit=10)
        experts = indexing.match_demand(demand, kind="expert", limit=5)
    lead_ids = {}
    if own:
        lead_ids = {(lead.supply_id or 0, lead.expert_id or 0): lead.pk for lead in demand.leads.all()}
    for r in supplies:
        r.lead_id = lead_ids.get((r.obj.pk, 0))  # type: ignore[attr-defined]
    for r in experts:
        r.lead_id = lead_ids.get((0, r.obj.pk))  # type: ignore[attr-defined]
    call = OpenCall.objects.filter(demand=demand).first()
    ctx = {
        "demand": demand, "own": own, "show_details": can_view_demand_details(request.user, demand),
        "may_accept_nda": (demand.confidential and not own and getattr(request.user, "organisation_id", None)
                           and not has_accepted_nda(request.user, demand)),
        "supplies": supplies, "experts": experts, "call": call,
        "funnel": queries.funnel(demand.leads.all()) if own or is_staff(request.user) else None,
        "fields": demand.tech_fields.all(),
    }  # fmt: skip
    return render(request, "matching/demand_detail.html", ctx)


@login_required
@require_POST
def demand_nda(request: HttpRequest, pk: int) -> HttpResponse:
    demand = _visible_demand(request, pk)
    try:
        services.accept_nda(request.user, demand)  # type: ignore[arg-type]
    except ValidationError as exc:
        messages.error(request, _message_text(exc))
    else:
        messages.success(request, _("You accepted the NDA; the confidential details are shown below."))
    return redirect("matching:demand_detail", pk=demand.pk)


@login_required
@require_POST
def demand_lead(request: HttpRequest, pk: int) -> HttpResponse:
    """The poster follows up a match: record it as a lead (or open the existing one)."""
    demand = _visible_demand(request, pk)
    if not can_edit_demand(request.user, demand):
        raise PermissionDenied
    supply = expert = None
    if request.POST.get("supply"):
        supply = get_object_or_404(
            TechSupply, pk=_int(request.POST["supply"]) or 0, status=TechSupply.Status.PUBLISHED
        )
    elif request.POST.get("expert"):
        expert = get_object_or_404(ExpertProfile, pk=_int(request.POST["expert"]) or 0, visible=True)
    try:
        lead = services.create_lead(request.user, demand, supply=supply, expert=expert)  # type: ignore[arg-type]
    except ValidationError as exc:
        messages.error(request, _message_text(exc))
        return redirect("matching:demand_detail", pk=demand.pk)
    return redirect("matching:lead_detail", pk=lead.pk)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@require_POST
def match_preview(request: HttpRequest) -> HttpResponse:
    """Instant matches while a demand is typed (htmx). Public data only, so anyone may call it."""
    form = MatchPreviewForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "matching/_preview.html",
            {"form": form, "results": [], "too_long": "summary" in form.errors},
        )
    text = " ".join(t for t in (form.cleaned_data.get("title"), form.cleaned_data.get("summary")) if t)
    constraints = indexing.demand_constraints(
        trl_min=form.cleaned_data.get("trl_min"), budget_max=form.cleaned_data.get("budget_max")
    )
    kind = form.cleaned_data.get("kind") or "supply"
    results = (
        indexing.search(text, kind=kind, constraints=constraints, limit=8) if len(text.strip()) >= 2 else []
    )
    return render(request, "matching/_preview.html", {"results": results, "kind": kind, "text": text})


# --- experts --------------------------------------------------------------------------------------


def expert_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")[:200]
    if q.strip():
        results = indexing.search(q, kind="expert", limit=200)
        items: Any = [r.obj for r in results]
        for r in results:
            r.obj.result = r
    else:
        items = queries.visible_experts()
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "matching/expert_list.html", {"page": page, "q": q})


def expert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    profile = get_object_or_404(ExpertProfile.objects.select_related("person", "organisation"), pk=pk)
    if not profile.visible and not (
        is_staff(request.user) or belongs_to(request.user, profile.organisation_id)
    ):
        raise Http404
    person = profile.person
    ctx = {
        "profile": profile, "person": person,
        "supplies": person.tech_supplies.filter(status=TechSupply.Status.PUBLISHED).select_related("owner")[:50],
        "projects": person.funded_projects.all()[:50],
        "affiliations": person.affiliations.select_related("organisation").all(),
        "similar": indexing.similar("expert", profile, limit=5) if profile.visible else [],
    }  # fmt: skip
    return render(request, "matching/expert_detail.html", ctx)


# --- open calls -------------------------------------------------------------------------------------


def call_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(queries.open_calls(request.GET.get("status", "")), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "matching/call_list.html", {"page": page})


def call_detail(request: HttpRequest, pk: int) -> HttpResponse:
    call = get_object_or_404(OpenCall.objects.select_related("demand", "demand__organisation"), pk=pk)
    manage = can_manage_call(request.user, call)
    org_id = getattr(request.user, "organisation_id", None) if request.user.is_authenticated else None
    applications = list(queries.applications_visible(request.user, call))
    already = any(a.organisation_id == org_id for a in applications)
    apply_form = None
    if org_id and not manage and not already:
        apply_form = ApplicationForm(organisation_id=org_id)
    ctx = {"call": call, "manage": manage, "applications": applications, "apply_form": apply_form,
           "decision_form": DecisionForm() if manage else None}  # fmt: skip
    return render(request, "matching/call_detail.html", ctx)


@login_required
def call_new(request: HttpRequest, pk: int) -> HttpResponse:
    demand = _visible_demand(request, pk)
    if not can_edit_demand(request.user, demand):
        raise PermissionDenied
    form = CallForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            call = services.open_call(request.user, demand, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The open call is published."))
            return redirect("matching:call_detail", pk=call.pk)
    return render(
        request,
        "matching/call_form.html",
        {"form": form, "demand": demand},
        status=422 if form.errors else 200,
    )


@login_required
@require_POST
def call_apply(request: HttpRequest, pk: int) -> HttpResponse:
    call = get_object_or_404(OpenCall.objects.select_related("demand"), pk=pk)
    org_id = getattr(request.user, "organisation_id", None)
    if not org_id:
        raise PermissionDenied
    form = ApplicationForm(request.POST, organisation_id=org_id)
    if form.is_valid():
        try:
            user: Any = request.user
            services.apply_to_call(user, call, form.cleaned_data["proposal"], form.cleaned_data.get("supply"))
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Your application was submitted."))
            return redirect("matching:call_detail", pk=call.pk)
    ctx = {"call": call, "manage": False, "applications": [], "apply_form": form, "decision_form": None}
    return render(request, "matching/call_detail.html", ctx, status=422)


@login_required
@require_POST
def application_decide(request: HttpRequest, pk: int) -> HttpResponse:
    app = get_object_or_404(CallApplication.objects.select_related("call__demand"), pk=pk)
    if not can_manage_call(request.user, app.call):
        raise PermissionDenied
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("matching:call_detail", pk=app.call_id)
    d = form.cleaned_data
    user: Any = request.user
    try:
        if d["decision"] == "shortlist":
            services.shortlist_application(user, app, d["respond_by"], d["note"])
        elif d["decision"] == "reject":
            services.reject_application(user, app, d["reason"], d["respond_by"], d["note"])
        else:
            services.award_application(user, app, d["respond_by"], d["note"])
    except ValidationError as exc:
        messages.error(request, _message_text(exc))
    else:
        messages.success(request, _("The decision was recorded and the applicant notified."))
    return redirect("matching:call_detail", pk=app.call_id)


# --- leads and the funnel ---------------------------------------------------------------------------


@login_required
def lead_list(request: HttpRequest) -> HttpResponse:
    qs = queries.leads_for(request.user)
    stage = request.GET.get("stage", "")
    listed = qs.filter(stage=stage) if stage else qs
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    org_id: Any = getattr(request.user, "organisation_id", None)
    ctx = {"page": page, "stage": stage, "stages": MatchLead.Stage.choices, "funnel": queries.funnel(qs),
           "as_poster": queries.funnel(qs.filter(demand__organisation_id=org_id)),
           "as_supplier": queries.funnel(qs.filter(supplier_id=org_id))}  # fmt: skip
    return render(request, "matching/lead_list.html", ctx)


def _lead(request: HttpRequest, pk: int) -> MatchLead:
    lead = get_object_or_404(
        MatchLead.objects.select_related(
            "demand", "demand__organisation", "supply", "expert__person", "supplier"
        ),
        pk=pk,
    )
    if not can_act_on_lead(request.user, lead):
        raise PermissionDenied
    return lead


@login_required
def lead_detail(request: HttpRequest, pk: int) -> HttpResponse:
    lead = _lead(request, pk)
    if lead.stage == MatchLead.Stage.RECOMMENDED and belongs_to(request.user, lead.demand.organisation_id):
        lead = services.mark_viewed(request.user, lead)  # type: ignore[arg-type]
    ctx = {"lead": lead, "transitions": lead.transitions.select_related("actor"), "form": LeadMoveForm(),
           "show_details": can_view_demand_details(request.user, lead.demand)}  # fmt: skip
    return render(request, "matching/lead_detail.html", ctx)


@login_required
@require_POST
def lead_move(request: HttpRequest, pk: int) -> HttpResponse:
    lead = _lead(request, pk)
    form = LeadMoveForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError({"stage": _("Choose a stage or a close reason.")})
        if form.cleaned_data["reason"]:
            services.close_lead(request.user, lead, form.cleaned_data["reason"], form.cleaned_data["note"])  # type: ignore[arg-type]
        else:
            services.advance_lead(request.user, lead, form.cleaned_data["stage"], form.cleaned_data["note"])  # type: ignore[arg-type]
    except ValidationError as exc:
        messages.error(request, _message_text(exc))
    else:
        messages.success(request, _("The lead was updated."))
    return redirect("matching:lead_detail", pk=lead.pk)


@login_required
def city_funnel(request: HttpRequest) -> HttpResponse:
    if not is_staff(request.user):
        raise PermissionDenied
    ctx = {"funnel": queries.funnel(MatchLead.objects.all()), "by_organisation": queries.funnel_by_organisation(),
           "demands": Demand.objects.count(), "open_demands": Demand.objects.filter(status="open").count(),
           "supplies": TechSupply.objects.filter(status="published").count(),
           "experts": ExpertProfile.objects.filter(visible=True).count(),
           "calls": OpenCall.objects.filter(~Q(status="closed")).count()}  # fmt: skip
    return render(request, "matching/city_funnel.html", ctx)
