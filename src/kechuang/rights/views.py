"""Web pages of results' rights: public figures; empowerment records, valuations and exchange listings
for the organisation's own users and staff, under /rights/."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kechuang.core.forms import apply_service_errors
from kechuang.core.models import Organisation, User

from . import queries, services
from .forms import DealForm, EmpowermentForm, ListingForm, TransferForm, ValuationForm

PAGE_SIZE = 25


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _own_org(request: HttpRequest) -> Organisation:
    user = _actor(request)
    if not user.organisation_id:
        raise PermissionDenied
    return user.organisation  # type: ignore[return-value]


def figures(request: HttpRequest) -> HttpResponse:
    """Public: aggregate figures only."""
    return render(request, "rights/figures.html",
                  {"pilot": queries.pilot_figures(), "exchange": queries.exchange_figures()})  # fmt: skip


@login_required
def empowerment_list(request: HttpRequest) -> HttpResponse:
    form = EmpowermentForm(request.POST or None)
    if request.method == "POST":
        org = _own_org(request)
        if form.is_valid():
            try:
                row = services.record_empowerment(_actor(request), org, **form.cleaned_data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("The empowerment was recorded."))
                return redirect("rights:empowerment", pk=row.pk)
    page = Paginator(queries.visible_empowerments(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "rights/empowerments.html",
                  {"page": page, "form": form, "can_add": bool(_actor(request).organisation_id)},
                  status=422 if form.errors else 200)  # fmt: skip


@login_required
def empowerment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    row = queries.visible_empowerments(request.user).filter(pk=pk).first()
    if row is None:
        raise Http404
    form = TransferForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_empowerment_transfer(_actor(request), row, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The transfer was recorded."))
            return redirect("rights:empowerment", pk=row.pk)
    return render(request, "rights/empowerment_detail.html",
                  {"e": row, "transfers": row.transfers.all(), "form": form}, status=422 if form.errors else 200)  # fmt: skip


@login_required
def valuation_list(request: HttpRequest) -> HttpResponse:
    form = ValuationForm(request.POST or None)
    if request.method == "POST":
        org = _own_org(request)
        if form.is_valid():
            try:
                row = services.value_result(_actor(request), org, **form.service_arguments())
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("The valuation was saved."))
                return redirect("rights:valuation", pk=row.pk)
    page = Paginator(queries.visible_valuations(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "rights/valuations.html",
                  {"page": page, "form": form, "can_add": bool(_actor(request).organisation_id)},
                  status=422 if form.errors else 200)  # fmt: skip


@login_required
def valuation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    row = queries.visible_valuations(request.user).filter(pk=pk).first()
    if row is None:
        raise Http404
    return render(request, "rights/valuation_detail.html", {"v": row})


@login_required
def listing_list(request: HttpRequest) -> HttpResponse:
    form = ListingForm(request.POST or None)
    if request.method == "POST":
        org = _own_org(request)
        if form.is_valid():
            try:
                services.list_on_exchange(_actor(request), org, **form.cleaned_data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("The listing was recorded."))
                return redirect("rights:listings")
    page = Paginator(queries.visible_listings(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "rights/listings.html",
                  {"page": page, "form": form, "deal_form": DealForm(), "can_add": bool(_actor(request).organisation_id)},
                  status=422 if form.errors else 200)  # fmt: skip


@login_required
def listing_deal(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method != "POST":
        raise Http404
    listing = queries.visible_listings(request.user).filter(pk=pk).first()
    if listing is None:
        raise Http404
    form = DealForm(request.POST)
    if form.is_valid():
        try:
            services.record_deal(_actor(request), listing, **form.cleaned_data)
        except ValidationError as exc:
            for errs in exc.message_dict.values():
                for e in errs:
                    messages.error(request, str(e))
        else:
            messages.success(request, _("The deal was recorded."))
    return redirect("rights:listings")
