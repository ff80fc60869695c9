"""Web pages of the technology supply: listing with search and filters, detail with similar items,
posting, editing and publishing. Reads go through queries.py, writes through services.py."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kechuang.core import search
from kechuang.core.forms import apply_service_errors
from kechuang.core.models import TechField
from kechuang.core.permissions import is_staff

from . import queries, services
from .forms import SupplyForm
from .models import FundedProject, TechSupply, TransferMode

PAGE_SIZE = 20
MAX_RANKED = 300  # ranked search results a listing pages through


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def supply_list(request: HttpRequest) -> HttpResponse:
    g = request.GET
    q = g.get("q", "")[:500]
    filters = {"kind": g.get("kind", ""), "field": g.get("field", ""), "trl_min": _int(g.get("trl_min")),
               "mode": g.get("mode", ""), "ipc": g.get("ipc", "")[:12]}  # fmt: skip
    mine = g.get("mine") == "1" and getattr(request.user, "organisation_id", None)
    qs = queries.filter_supplies(queries.visible_supplies(request.user), **filters)  # type: ignore[arg-type]
    if mine:
        qs = qs.filter(owner_id=request.user.organisation_id)  # type: ignore[union-attr]
    explained: dict[int, Any] = {}
    wanted = min(max(_int(request.GET.get("page")) or 1, 1), 1000)
    if q.strip() and not mine and search.ranking_available():
        # Ranked results are explained (highlights) one by one: fetch only as deep as the page asked for.
        results = search.rank(q, kind="supply", limit=min(MAX_RANKED, (wanted + 2) * PAGE_SIZE))
        explained = {r.obj.pk: r for r in results}
        allowed = queries.admitted(qs, explained)
        page = Paginator([r.obj for r in results if r.obj.pk in allowed], PAGE_SIZE).get_page(wanted)
    else:
        items = queries.text_filter(qs, q) if q.strip() else qs
        # Paginate on primary keys (narrow rows sort fast), then load the page's rows.
        page = Paginator(items.values_list("pk", flat=True), PAGE_SIZE).get_page(wanted)
        rows = {
            s.pk: s for s in TechSupply.objects.select_related("owner").filter(pk__in=list(page.object_list))
        }
        loaded: Any = [rows[pk] for pk in page.object_list if pk in rows]
        page.object_list = loaded
    for obj in page.object_list:
        obj.result = explained.get(obj.pk)
    ctx = {"page": page, "q": q, "filters": filters, "mine": bool(mine), "kinds": TechSupply.Kind.choices,
           "modes": TransferMode.choices, "fields": TechField.objects.filter(parent__isnull=True),
           "trls": range(1, 10)}  # fmt: skip
    template = (
        "achievements/_supply_rows.html"
        if request.headers.get("HX-Request")
        else "achievements/supply_list.html"
    )
    return render(request, template, ctx)


def _visible(request: HttpRequest, pk: int) -> TechSupply:
    supply = get_object_or_404(TechSupply.objects.select_related("owner", "owner__region"), pk=pk)
    if not services.can_view_supply(request.user, supply):
        raise Http404
    return supply


def supply_detail(request: HttpRequest, pk: int) -> HttpResponse:
    supply = _visible(request, pk)
    similar = search.similar("supply", supply) if supply.status == TechSupply.Status.PUBLISHED else []
    demands = (
        search.similar("supply", supply, target_kind="demand", limit=5)
        if supply.status == TechSupply.Status.PUBLISHED and services.can_edit_supply(request.user, supply)
        else []
    )
    return render(request, "achievements/supply_detail.html", {
        "supply": supply, "similar": similar, "demands": demands,
        "can_edit": services.can_edit_supply(request.user, supply),
        "inventors": supply.inventors.all(), "fields": supply.tech_fields.all(),
    })  # fmt: skip


def _save_form(request: HttpRequest, form: SupplyForm, supply: TechSupply | None) -> TechSupply | None:
    try:
        data = form.service_fields()
        if supply is None:
            owner = request.user.organisation  # type: ignore[union-attr]
            data["publish"] = request.POST.get("publish") == "1"
            return services.create_supply(request.user, owner, **data)  # type: ignore[arg-type]
        return services.update_supply(request.user, supply, **data)  # type: ignore[arg-type]
    except ValidationError as exc:
        apply_service_errors(
            form,
            exc,
            rename={"keywords": "keywords_text", "ipc_classes": "ipc_text", "transfer_modes": "modes"},
        )
        return None


@login_required
def supply_new(request: HttpRequest) -> HttpResponse:
    if not getattr(request.user, "organisation_id", None):
        raise PermissionDenied
    form = SupplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        supply = _save_form(request, form, None)
        if supply is not None:
            messages.success(request, _("The item was saved."))
            return redirect("achievements:supply_detail", pk=supply.pk)
    return render(
        request, "achievements/supply_form.html", {"form": form}, status=422 if form.errors else 200
    )


@login_required
def supply_edit(request: HttpRequest, pk: int) -> HttpResponse:
    supply = _visible(request, pk)
    if not services.can_edit_supply(request.user, supply):
        raise PermissionDenied
    form = SupplyForm(request.POST or None, instance=TechSupply.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid() and _save_form(request, form, supply) is not None:
        messages.success(request, _("The item was saved."))
        return redirect("achievements:supply_detail", pk=supply.pk)
    return render(
        request,
        "achievements/supply_form.html",
        {"form": form, "supply": supply},
        status=422 if form.errors else 200,
    )


@login_required
@require_POST
def supply_status(request: HttpRequest, pk: int) -> HttpResponse:
    supply = _visible(request, pk)
    if not services.can_edit_supply(request.user, supply):
        raise PermissionDenied
    try:
        services.set_supply_status(request.user, supply, request.POST.get("status", ""))  # type: ignore[arg-type]
    except ValidationError as exc:
        messages.error(request, " ".join(m for ms in exc.message_dict.values() for m in ms))
    else:
        messages.success(
            request, _("The status is now: %(status)s.") % {"status": supply.get_status_display()}
        )
    return redirect("achievements:supply_detail", pk=supply.pk)


def project_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").replace("\x00", "").strip()[:100]
    qs = FundedProject.objects.select_related("principal")
    if q:
        qs = qs.filter(title__icontains=q)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "achievements/project_list.html", {"page": page, "q": q, "staff": is_staff(request.user)}
    )
