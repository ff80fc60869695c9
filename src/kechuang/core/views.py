"""Web pages of the core registries. Views read through queries.py and write through services.py."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from . import queries, services
from .forms import EnterpriseFactsForm, OrganisationForm
from .models import ApiToken, Carrier, EnterpriseFacts, Organisation, Person
from .permissions import can_edit_organisation, can_view_private, is_admin

PAGE_SIZE = 25


def _page(request: HttpRequest, qs):  # type: ignore[no-untyped-def]
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def home(request: HttpRequest) -> HttpResponse:
    counts = {
        "organisations": Organisation.objects.count(),
        "enterprises": Organisation.objects.filter(kind=Organisation.Kind.ENTERPRISE).count(),
        "people": Person.objects.count(),
        "carriers": Carrier.objects.count(),
    }
    by_kind = list(Carrier.objects.values("kind").annotate(n=Count("id")).order_by("kind"))
    labels = dict(Carrier.Kind.choices)
    carriers_by_kind = [{"label": str(labels.get(r["kind"], r["kind"])), "n": r["n"]} for r in by_kind]
    return render(request, "core/home.html", {"counts": counts, "carriers_by_kind": carriers_by_kind})


def organisation_list(request: HttpRequest) -> HttpResponse:
    q, kind, region = request.GET.get("q", ""), request.GET.get("kind", ""), request.GET.get("region", "")
    page = _page(request, queries.search_organisations(q, kind, region))
    ctx = {"page": page, "q": q, "kind": kind, "kinds": Organisation.Kind.choices}
    template = "core/_organisation_rows.html" if request.headers.get("HX-Request") else "core/organisation_list.html"
    return render(request, template, ctx)


def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_object_or_404(Organisation.objects.select_related("region", "industry"), pk=pk)
    private = can_view_private(request.user, org)
    facts = EnterpriseFacts.objects.filter(organisation=org).order_by("-year") if private else None
    return render(
        request,
        "core/organisation_detail.html",
        {"org": org, "can_edit": can_edit_organisation(request.user, org), "private": private, "facts": facts,
         "people": Person.objects.filter(affiliations__organisation=org, affiliations__end_date__isnull=True)},
    )  # fmt: skip


@login_required
def organisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_object_or_404(Organisation, pk=pk)
    if not can_edit_organisation(request.user, org):
        raise PermissionDenied
    form = OrganisationForm(request.POST or None, instance=Organisation.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_organisation(request.user, org, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("The organisation profile was saved."))
            return redirect("core:organisation_detail", pk=org.pk)
    return render(request, "core/organisation_form.html", {"form": form, "org": org}, status=422 if form.errors else 200)


@login_required
def facts_edit(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    org = get_object_or_404(Organisation, pk=pk)
    if not can_edit_organisation(request.user, org):
        raise PermissionDenied
    instance = EnterpriseFacts.objects.filter(organisation=org, year=year).first()
    form = EnterpriseFactsForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "year"}
        try:
            services.record_enterprise_facts(request.user, org, year, **data)  # type: ignore[arg-type]
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("The facts for %(year)s were saved.") % {"year": year})
            return redirect("core:organisation_detail", pk=org.pk)
    return render(request, "core/facts_form.html", {"form": form, "org": org, "year": year}, status=422 if form.errors else 200)


def person_list(request: HttpRequest) -> HttpResponse:
    q, kind = request.GET.get("q", ""), request.GET.get("kind", "")
    return render(request, "core/person_list.html", {"page": _page(request, queries.search_people(q, kind)), "q": q, "kind": kind, "kinds": Person.Kind.choices})


def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(Person.objects.prefetch_related("affiliations__organisation", "tech_fields"), pk=pk)
    return render(request, "core/person_detail.html", {"person": person})


def carrier_list(request: HttpRequest) -> HttpResponse:
    q, kind = request.GET.get("q", ""), request.GET.get("kind", "")
    return render(request, "core/carrier_list.html", {"page": _page(request, queries.search_carriers(q, kind)), "q": q, "kind": kind, "kinds": Carrier.Kind.choices})


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    if not is_admin(request.user):
        raise PermissionDenied
    q, object_type = request.GET.get("q", ""), request.GET.get("type", "")
    return render(request, "core/audit_log.html", {"page": _page(request, queries.audit_entries(object_type=object_type, q=q)), "q": q, "type": object_type})


@login_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    new_key = None
    if request.method == "POST":
        if "revoke" in request.POST:
            services.revoke_token(request.user, int(request.POST["revoke"]))  # type: ignore[arg-type]
        else:
            name = request.POST.get("name", "").strip() or _("API client")
            _token, new_key = services.issue_api_token(request.user, name)  # type: ignore[arg-type]
    tokens = ApiToken.objects.filter(user=request.user, revoked_at__isnull=True).order_by("-created_at")  # type: ignore[misc]
    return render(request, "core/api_tokens.html", {"tokens": tokens, "new_key": new_key})
