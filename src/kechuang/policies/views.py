"""Web pages: the library, the self-check (own facts or typed facts), 免申即享 and what-if."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kechuang.core import jobs
from kechuang.core.forms import apply_service_errors
from kechuang.core.jobs.models import Job
from kechuang.core.models import Industry, Organisation, Region
from kechuang.core.permissions import can_view_private, is_staff

from . import exports, queries, services, tasks
from .catalogue import POLICIES
from .forms import RunForm, SearchForm, SimulateForm, SupplementaryFactsForm, VisitorFactsForm, this_year
from .models import PolicyDocument, ProactiveRun, SupplementaryFacts
from .navigator import GROUPS, check, grouped
from .whatif import editable_parameters, validate_changes

GROUP_TITLES = {
    "eligible": gettext_lazy("Eligible"), "near_miss": gettext_lazy("Near misses"),
    "not_eligible": gettext_lazy("Not eligible"), "undetermined": gettext_lazy("Undetermined"),
}  # fmt: skip


def _staff_only(request: HttpRequest) -> None:
    if not is_staff(request.user):
        raise PermissionDenied


def _lang() -> str:
    return "en" if (get_language() or "").startswith("en") else "zh"


def library(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    qs = queries.search_documents(
        data.get("q", ""),
        data.get("level", ""),
        data.get("benefit_type", ""),
        semantic=bool(data.get("semantic")),
    )
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(request, "policies/library.html", {"form": form, "page": page, "policies": POLICIES})


def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    doc = get_object_or_404(PolicyDocument, pk=pk)
    return render(request, "policies/document_detail.html", {"doc": doc})


def _results_context(result: dict[str, Any]) -> dict[str, Any]:
    groups = grouped(result)
    return {
        "result": result, "lang": _lang(),
        "groups": [(g, GROUP_TITLES[g], groups[g]) for g in GROUPS],
    }  # fmt: skip


def visitor_check(request: HttpRequest) -> HttpResponse:
    """Anyone may check typed facts; nothing is stored."""
    form = VisitorFactsForm(request.POST or None)
    context: dict[str, Any] = {"form": form}
    if request.method == "POST" and form.is_valid():
        ent, year = form.enterprise()
        try:
            context.update(_results_context(check(ent, year)))
        except ValidationError as exc:
            apply_service_errors(form, exc)
    return render(request, "policies/check_form.html", context)


@login_required
def my_check(request: HttpRequest) -> HttpResponse:
    org_id = getattr(request.user, "organisation_id", None)
    if org_id is None:
        return redirect("policies:visitor_check")
    return redirect("policies:organisation_check", org_id=org_id)


@login_required
def organisation_check(request: HttpRequest, org_id: int) -> HttpResponse:
    org = get_object_or_404(Organisation, pk=org_id)
    if not can_view_private(request.user, org):
        raise PermissionDenied
    try:
        year = int(request.GET.get("year") or this_year())
    except ValueError:
        year = this_year()
    extra = SupplementaryFacts.objects.filter(organisation=org, year=year).first()
    context = {"org": org, "year": year, "facts_form": SupplementaryFactsForm(instance=extra)}
    context.update(_results_context(check(queries.enterprise_input(org, year), year)))
    return render(request, "policies/organisation_check.html", context)


@login_required
@require_POST
def organisation_facts(request: HttpRequest, org_id: int, year: int) -> HttpResponse:
    org = get_object_or_404(Organisation, pk=org_id)
    if not can_view_private(request.user, org):
        raise PermissionDenied
    form = SupplementaryFactsForm(request.POST)
    if form.is_valid():
        services.record_supplementary_facts(request.user, org, year, **form.cleaned_data)  # type: ignore[arg-type]
        messages.success(request, _("Facts saved."))
    else:
        messages.error(request, _("The facts were not saved: please correct the fields."))
    return redirect(f"{reverse('policies:organisation_check', args=[org.pk])}?year={year}")


def _job_page(job: Job) -> HttpResponse:
    return redirect("core:job_detail", pk=job.pk)


def _running(request: HttpRequest, task: Any) -> list[Job]:
    return list(Job.objects.visible_to(request.user).active().filter(kind=task.module_path)[:10])


@login_required
def proactive(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    form = RunForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        year = form.cleaned_data["year"]
        title = jobs.texts(gettext_lazy("Proactive delivery run for %(year)s"), year=year)
        job = jobs.start(request.user, tasks.proactive_run, title, year=year)
        return _job_page(job)
    context = {
        "form": form,
        "runs": ProactiveRun.objects.all()[:50],
        "running": _running(request, tasks.proactive_run),
    }
    return render(request, "policies/proactive.html", context)


SORTS = {
    "benefit": ("-benefit", "organisation__name", "pk"),
    "policy": ("policy_id", "organisation__name", "pk"),
    "enterprise": ("organisation__name", "policy_id", "pk"),
}


@login_required
def proactive_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _staff_only(request)
    run = get_object_or_404(ProactiveRun, pk=pk)
    names = _policy_names()
    policy = request.GET.get("policy", "")
    sort = request.GET.get("sort", "benefit") if request.GET.get("sort") in SORTS else "benefit"
    qs = run.matches.select_related("organisation").order_by(*SORTS[sort])
    if policy in names:
        qs = qs.filter(policy_id=policy)
    page = Paginator(qs, 100).get_page(request.GET.get("page"))
    for m in page.object_list:
        m.policy_name = names.get(m.policy_id, m.policy_id)  # type: ignore[attr-defined]
    by_policy = [(names.get(pid, pid), pid, n) for pid, n in _counts(run)]
    context = {
        "run": run, "matches": page.object_list, "page": page, "by_policy": by_policy, "policy": policy,
        "sort": sort, "pending": services.pending_enterprises(run),
        "exports": _running(request, tasks.export_run), "formats": list(exports.FORMATS),
    }  # fmt: skip
    return render(request, "policies/proactive_detail.html", context)


def _policy_names() -> dict[str, str]:
    return {p.id: (p.en if _lang() == "en" else p.zh) for p in POLICIES}


def _counts(run: ProactiveRun) -> list[tuple[str, int]]:
    from django.db.models import Count

    rows = run.matches.values("policy_id").annotate(n=Count("pk")).order_by("policy_id")
    return [(r["policy_id"], r["n"]) for r in rows]


@login_required
def proactive_notify(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm before telling enterprises: the policies still to notify, largest estimated benefit
    first, each to tick; the count of enterprises follows the ticks (htmx) and is on the button."""
    _staff_only(request)
    run = get_object_or_404(ProactiveRun, pk=pk)
    names = _policy_names()
    pending = services.pending_by_policy(run)
    for row in pending:
        row["name"] = names.get(row["policy_id"], row["policy_id"])
    data = request.POST if request.method == "POST" else request.GET
    # `chosen` marks a submitted choice (possibly none ticked); a first visit proposes every policy.
    if "chosen" in data:
        chosen = [p for p in data.getlist("policy") if p in names]
    else:
        chosen = [r["policy_id"] for r in pending]
    count = services.pending_enterprises(run, chosen) if chosen else 0
    if request.method == "POST":
        if not chosen or count == 0:
            messages.error(
                request, _("Nobody to notify: choose at least one policy with enterprises not yet told.")
            )
        else:
            job = jobs.start(
                request.user, tasks.notify_run, jobs.texts(gettext_lazy("Notify the enterprises of run #%(id)s"), id=run.pk),
                run_id=run.pk, policies=chosen if len(chosen) < len(pending) else None,
            )  # fmt: skip
            return _job_page(job)
    context = {"run": run, "pending": pending, "chosen": chosen, "count": count}
    if request.headers.get("HX-Request"):
        return render(request, "policies/_notify_summary.html", context)
    return render(request, "policies/proactive_notify.html", context)


@login_required
@require_POST
def proactive_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    _staff_only(request)
    run = get_object_or_404(ProactiveRun, pk=pk)
    if fmt not in exports.FORMATS:
        raise Http404
    title = gettext_lazy("%(format)s export of run #%(id)s")
    job = jobs.start(
        request.user,
        tasks.export_run,
        jobs.texts(title, format=fmt.upper(), id=run.pk),
        run_id=run.pk,
        fmt=fmt,
    )
    return _job_page(job)


@login_required
def simulate(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    form = SimulateForm(request.POST or request.GET or None)
    year = form.cleaned_data["year"] if form.is_valid() else this_year()
    params = editable_parameters(year)
    context: dict[str, Any] = {"form": form, "year": year, "params": params, "lang": _lang(), "errors": {}}
    if request.method == "POST" and form.is_valid():
        current = {p.path: p.value for p in params}
        changes = {
            path: request.POST[f"p:{path}"] for path in current
            if request.POST.get(f"p:{path}", "").strip() not in ("", repr(current[path]), str(current[path]))
        }  # fmt: skip
        try:
            clean = validate_changes(changes, year)
            changed = {k: v for k, v in clean.items() if v != current[k]}
            title = jobs.texts(gettext_lazy("What-if simulation for %(year)s"), year=year)
            job = jobs.start(request.user, tasks.simulate, title, year=year, changes=changed)
            return _job_page(job)
        except ValidationError as exc:
            context["errors"] = {k.removeprefix("changes."): v for k, v in exc.message_dict.items()}
        context["posted"] = {k.removeprefix("p:"): v for k, v in request.POST.items() if k.startswith("p:")}
    context["running"] = _running(request, tasks.simulate)
    return render(request, "policies/simulate.html", context)


@login_required
def simulate_result(request: HttpRequest, job_id: int) -> HttpResponse:
    """A finished simulation's comparison (the job keeps it: leave and come back at will)."""
    _staff_only(request)
    job = get_object_or_404(Job.objects.visible_to(request.user), pk=job_id, kind=tasks.simulate.module_path)
    if job.state != Job.State.SUCCEEDED or not job.result:
        return _job_page(job)
    result = job.result
    names = _policy_names()
    labels = {p.path: (p.en if _lang() == "en" else p.zh) for p in editable_parameters(result["year"])}
    changed = [(labels.get(k, k), job.params["changes"][k]) for k in job.params.get("changes", {})]
    rows = [(names.get(pid, pid), pid, row) for pid, row in result["policies"].items()]
    context = {"job": job, "result": result, "rows": rows, "changed": changed, "chart": _chart_data(result)}
    return render(request, "policies/simulate_result.html", context)


def _names(model: Any, codes: list[str]) -> list[str]:
    """Chart labels: district and industry names in the page's language (the code when unknown)."""
    rows = {r.pk: r.name for r in model.objects.filter(pk__in=codes)}
    return [rows.get(c) or c or "—" for c in codes]


def _chart_data(result: dict[str, Any]) -> dict[str, Any]:
    lang = _lang()
    names = {p.id: (p.en if lang == "en" else p.zh) for p in POLICIES}
    pols = result["policies"]
    districts = sorted(
        {d for p in pols.values() for side in ("before", "after") for d in p[side].get("by_district", {})}
    )
    industries = sorted(
        {d for p in pols.values() for side in ("before", "after") for d in p[side].get("by_industry", {})}
    )

    def cost_by(key: str, side: str, labels: list[str]) -> list[float]:
        return [
            sum(p[side].get(key, {}).get(k, {}).get("fiscal_cost", 0.0) for p in pols.values())
            for k in labels
        ]

    return {
        "policies": [names[p] for p in pols],
        "eligible_before": [v["before"]["eligible"] for v in pols.values()],
        "eligible_after": [v["after"]["eligible"] for v in pols.values()],
        "cost_before": [v["before"]["fiscal_cost"] for v in pols.values()],
        "cost_after": [v["after"]["fiscal_cost"] for v in pols.values()],
        "districts": _names(Region, districts), "district_before": cost_by("by_district", "before", districts),
        "district_after": cost_by("by_district", "after", districts),
        "industries": _names(Industry, industries), "industry_before": cost_by("by_industry", "before", industries),
        "industry_after": cost_by("by_industry", "after", industries),
    }  # fmt: skip
