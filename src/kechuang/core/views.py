"""Web pages of the core registries. Views read through queries.py and write through services.py.

Who may see what is decided in permissions.py; a view refuses with PermissionDenied (rendered by
templates/403.html) and hides what does not exist or is not reachable with Http404.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import notifications, queries, services
from .forms import (
    ApiTokenForm,
    EnterpriseFactsForm,
    OrganisationForm,
    apply_service_errors,
    facts_year_is_reportable,
)
from .models import ApiToken, AuditEntry, Carrier, EnterpriseFacts, Organisation, Person, Region, User
from .permissions import can_edit_organisation, can_view_private, is_admin, is_staff

PAGE_SIZE = 25
PEOPLE_SHOWN = 24  # on an organisation's page


def _page(request: HttpRequest, qs: QuerySet[Any]) -> Page:
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _page_of_rows(request: HttpRequest, qs: QuerySet[Any]) -> Page:
    """Paginate on primary keys, then load only that page's rows.

    On the big registries a deep page (OFFSET in the tens of thousands) is several times faster
    this way: the database sorts narrow (key, pk) pairs instead of whole joined rows.
    """
    page = Paginator(qs.values_list("pk", flat=True), PAGE_SIZE).get_page(request.GET.get("page"))
    pks = list(page.object_list)
    rows = {obj.pk: obj for obj in qs.filter(pk__in=pks)}
    page.object_list = [rows[pk] for pk in pks if pk in rows]
    return page


def _is_htmx(request: HttpRequest) -> bool:
    # A boosted or history-restore request wants the whole page, not the fragment.
    return bool(request.headers.get("HX-Request")) and not request.headers.get("HX-History-Restore-Request")


def _region_groups() -> list[tuple[Region, list[Region]]]:
    """Provinces with their districts or cities, for the region filter's <optgroup>s. The table is
    reference data (it changes with a release), so each process reads it once every few minutes."""
    groups: list[tuple[Region, list[Region]]] = cache.get_or_set(
        "core:region-groups", _read_region_groups, 300
    )  # type: ignore[assignment]
    return groups


def _read_region_groups() -> list[tuple[Region, list[Region]]]:
    regions = list(Region.objects.order_by("code"))
    children: dict[str, list[Region]] = {}
    for r in regions:
        if r.parent_id:
            children.setdefault(r.parent_id, []).append(r)
    return [(r, children.get(r.code, [])) for r in regions if r.parent_id is None]


HOME_FIGURES_SECONDS = 60


def _home_figures() -> dict[str, Any]:
    counts = {
        "organisations": Organisation.objects.count(),
        "enterprises": Organisation.objects.filter(kind=Organisation.Kind.ENTERPRISE).count(),
        "people": Person.objects.count(),
        "carriers": Carrier.objects.count(),
    }
    by_kind = Carrier.objects.values("kind").annotate(n=Count("id")).order_by("-n", "kind")
    orgs = Organisation.objects.values("kind").annotate(n=Count("id")).order_by("-n", "kind")
    return {"counts": counts, "carriers_by_kind": [(r["kind"], r["n"]) for r in by_kind],
            "organisations_by_kind": [(r["kind"], r["n"]) for r in orgs]}  # fmt: skip


def home(request: HttpRequest) -> HttpResponse:
    # The figures count every registry (about 75 ms of database time on the demo): kept for a
    # minute per process, and recomputed at once when a row is added (the newest ids are the key).
    newest = [
        m.objects.order_by("-pk").values_list("pk", flat=True).first()
        for m in (Organisation, Person, Carrier)
    ]
    figures: dict[str, Any] = cache.get_or_set(
        "core:home-figures:" + "-".join(str(pk or 0) for pk in newest), _home_figures, HOME_FIGURES_SECONDS
    )  # type: ignore[assignment]
    labels, org_labels = dict(Carrier.Kind.choices), dict(Organisation.Kind.choices)
    return render(
        request,
        "core/home.html",
        {
            "counts": figures["counts"],
            "carriers_by_kind": [
                {"label": str(labels.get(k, k)), "n": n} for k, n in figures["carriers_by_kind"]
            ],
            "organisations_by_kind": [
                {"label": str(org_labels.get(k, k)), "n": n} for k, n in figures["organisations_by_kind"]
            ],
        },
    )


def organisation_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "")
    region = request.GET.get("region", "")
    if kind not in Organisation.Kind.values:
        kind = ""
    page = _page_of_rows(request, queries.search_organisations(q, kind, region))
    ctx = {"page": page, "q": q, "kind": kind, "region": region, "kinds": Organisation.Kind.choices}
    if _is_htmx(request):
        return render(request, "core/_organisation_rows.html", ctx)
    ctx["region_groups"] = _region_groups()
    return render(request, "core/organisation_list.html", ctx)


def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_object_or_404(Organisation.objects.select_related("region", "industry"), pk=pk)
    private = can_view_private(request.user, org)
    ctx: dict[str, Any] = {
        "org": org,
        "can_edit": can_edit_organisation(request.user, org),
        "private": private,
        "tech_fields": org.tech_fields.select_related("parent").order_by("code"),
        "carriers": org.carriers.order_by("kind", "name"),
    }
    # A university has hundreds of researchers: show the first few and link to the full list.
    staff_qs = Person.objects.filter(affiliations__organisation=org, affiliations__end_date__isnull=True)
    ctx["people"] = staff_qs.distinct().order_by("name")[:PEOPLE_SHOWN]
    ctx["people_count"] = staff_qs.distinct().count()
    if private:
        # Annual facts hold financial figures: never shown outside the organisation and staff.
        ctx["facts"] = (
            EnterpriseFacts.objects.filter(organisation=org).select_related("reported_by").order_by("-year")
        )
        ctx["history"] = AuditEntry.objects.filter(organisation=org).order_by("-at", "-id")[:10]
        ctx["report_year"] = dt.date.today().year - 1
    return render(request, "core/organisation_detail.html", ctx)


@login_required
def organisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_object_or_404(Organisation, pk=pk)
    if not can_edit_organisation(request.user, org):
        raise PermissionDenied
    # The form validates a separate copy, so a rejected edit never touches `org`.
    form = OrganisationForm(request.POST or None, instance=Organisation.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_organisation(request.user, org, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The organisation profile was saved."))
            return redirect("core:organisation_detail", pk=org.pk)
    status = 422 if form.errors else 200
    return render(request, "core/organisation_form.html", {"form": form, "org": org}, status=status)


@login_required
def facts_edit(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    org = get_object_or_404(Organisation, pk=pk)
    if not can_edit_organisation(request.user, org):
        raise PermissionDenied
    if org.kind != Organisation.Kind.ENTERPRISE or not facts_year_is_reportable(year):
        raise Http404
    instance = EnterpriseFacts.objects.filter(organisation=org, year=year).first()
    form = EnterpriseFactsForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_enterprise_facts(request.user, org, year, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The facts for %(year)s were saved.") % {"year": year})
            return redirect("core:organisation_detail", pk=org.pk)
    status = 422 if form.errors else 200
    ctx = {"form": form, "org": org, "year": year, "exists": instance is not None}
    return render(request, "core/facts_form.html", ctx, status=status)


def person_list(request: HttpRequest) -> HttpResponse:
    q, kind = request.GET.get("q", "").strip(), request.GET.get("kind", "")
    if kind not in Person.Kind.values:
        kind = ""
    ctx = {
        "page": _page_of_rows(request, queries.search_people(q, kind)),
        "q": q,
        "kind": kind,
        "kinds": Person.Kind.choices,
    }
    return render(request, "core/person_list.html", ctx)


def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(Person.objects.prefetch_related("tech_fields"), pk=pk)
    # Newest first; an affiliation without a start date goes last rather than first.
    history = sorted(
        person.affiliations.select_related("organisation"),
        key=lambda a: (a.end_date is None, a.start_date or dt.date.min),
        reverse=True,
    )
    current_orgs = {a.organisation_id for a in history if a.end_date is None}
    # Contact details are for staff and the person's own organisation, not for the public web.
    show_contact = is_staff(request.user) or getattr(request.user, "organisation_id", None) in current_orgs
    return render(
        request,
        "core/person_detail.html",
        {"person": person, "history": history, "show_contact": show_contact},
    )


def carrier_list(request: HttpRequest) -> HttpResponse:
    q, kind, region = (
        request.GET.get("q", "").strip(),
        request.GET.get("kind", ""),
        request.GET.get("region", ""),
    )
    if kind not in Carrier.Kind.values:
        kind = ""
    qs = queries.search_carriers(q, kind)
    if region:
        qs = qs.filter(region_id=region) | qs.filter(region__parent_id=region)
    ctx = {
        "page": _page(request, qs),
        "q": q,
        "kind": kind,
        "region": region,
        "kinds": Carrier.Kind.choices,
        "region_groups": _region_groups(),
    }
    return render(request, "core/carrier_list.html", ctx)


def carrier_detail(request: HttpRequest, pk: int) -> HttpResponse:
    carrier = get_object_or_404(Carrier.objects.select_related("region", "host"), pk=pk)
    return render(
        request,
        "core/carrier_detail.html",
        {"carrier": carrier, "tech_fields": carrier.tech_fields.order_by("code")},
    )


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    if not is_admin(request.user):
        raise PermissionDenied
    f = {k: request.GET.get(k, "").strip() for k in ("q", "type", "actor", "since", "until")}
    qs = queries.audit_entries(object_type=f["type"], actor=f["actor"], q=f["q"]).select_related("actor")
    for key, lookup in (("since", "at__date__gte"), ("until", "at__date__lte")):
        if f[key]:
            try:
                qs = qs.filter(**{lookup: dt.date.fromisoformat(f[key])})
            except ValueError:
                messages.error(request, _("Dates are written like 2022-12-31."))
                f[key] = ""
    types = AuditEntry.objects.order_by("object_type").values_list("object_type", flat=True).distinct()
    return render(request, "core/audit_log.html", {"page": _page(request, qs), "f": f, "types": list(types)})


@login_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    new_key = None
    form = ApiTokenForm(request.POST if request.method == "POST" and "revoke" not in request.POST else None)
    if request.method == "POST":
        if "revoke" in request.POST:
            try:
                token_id = int(request.POST["revoke"])
            except ValueError:
                return HttpResponseBadRequest()
            # The service only revokes the actor's own tokens; any other id changes nothing.
            services.revoke_token(user, token_id)
            messages.success(request, _("The token was revoked."))
            return redirect("core:api_tokens")
        if form.is_valid():
            _token, new_key = services.issue_api_token(user, form.cleaned_data["name"])
            form = ApiTokenForm()
    tokens = ApiToken.objects.filter(user=user, revoked_at__isnull=True).order_by("-created_at")
    status = 422 if form.errors else 200
    return render(
        request, "core/api_tokens.html", {"tokens": tokens, "new_key": new_key, "form": form}, status=status
    )


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    show = request.GET.get("show", "")
    qs = notifications.visible_to(user).select_related("organisation")
    if show == "unread":
        qs = qs.filter(read_at__isnull=True)
    ctx = {"page": _page(request, qs), "show": show, "unread": notifications.unread_count(user)}
    return render(request, "core/inbox.html", ctx)


@login_required
@require_POST
def inbox_mark_read(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if request.POST.get("all"):
        n = notifications.mark_read(user)
    else:
        try:
            ids = [int(v) for v in request.POST.getlist("id")]
        except ValueError:
            return HttpResponseBadRequest()
        n = notifications.mark_read(user, ids)
    if n:
        messages.success(request, _("Marked as read."))
    suffix = "?show=unread" if request.POST.get("show") == "unread" else ""
    return redirect(reverse("core:inbox") + suffix)


def inbox_badge(request: HttpRequest) -> HttpResponse:
    """The unread count shown beside "Inbox" in the header, fetched by htmx after the page loads."""
    n = notifications.unread_count(request.user) if request.user.is_authenticated else 0  # type: ignore[arg-type]
    return render(request, "core/_inbox_badge.html", {"unread": n})
