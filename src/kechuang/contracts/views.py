"""Web pages of technology contracts: public statistics, filing, the reviewer queue and decisions."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kechuang.core.forms import apply_service_errors
from kechuang.core.models import Organisation, User
from kechuang.core.permissions import is_staff

from . import certificate, exports, queries, services
from .forms import ContractForm, RefuseForm, ReturnForm
from .models import Contract

PAGE_SIZE = 25
DIMENSION_LABELS = {
    "type": gettext_lazy("By contract type"), "field": gettext_lazy("By technology field"),
    "district": gettext_lazy("By seller district"), "seller": gettext_lazy("By seller type"),
    "buyer": gettext_lazy("By buyer location"), "month": gettext_lazy("By month"),
}  # fmt: skip


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def statistics(request: HttpRequest) -> HttpResponse:
    """Public: aggregate figures only, never a single contract."""
    years = queries.years_available()
    year = _int(request.GET.get("year"), years[-1] if years else timezone.localdate().year)
    by = request.GET.get("by") or "type"
    if by not in queries.DIMENSIONS:
        by = "type"
    rows = queries.breakdown(year, by)
    chart = [{"label": r.label, "amount_yi": float(r.amount_yi), "count": r.count} for r in rows]
    monthly = [
        {"label": r.label, "amount_yi": float(r.amount_yi), "count": r.count}
        for r in queries.breakdown(year, "month")
    ]
    ctx = {
        "year": year, "years": years, "by": by, "rows": rows, "total": queries.year_summary(year),
        "dimensions": list(DIMENSION_LABELS.items()),
        "chart": chart, "monthly": monthly,
    }  # fmt: skip
    return render(request, "contracts/statistics.html", ctx)


def statistics_csv(request: HttpRequest) -> HttpResponse:
    by = request.GET.get("by") or "type"
    if by not in queries.DIMENSIONS:
        raise Http404
    return exports.stats_csv_response(_int(request.GET.get("year"), timezone.localdate().year), by)


@login_required
def contract_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    qs = queries.visible_contracts(request.user)
    if status:
        qs = qs.filter(status=status)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "contracts/contract_list.html",
                  {"page": page, "status": status, "statuses": Contract.Status.choices})  # fmt: skip


def _visible_or_404(request: HttpRequest, pk: int) -> Contract:
    contract = get_object_or_404(Contract.objects.select_related("organisation", "reviewer"), pk=pk)
    if not queries.can_view(request.user, contract):
        raise Http404
    return contract


@login_required
def contract_create(request: HttpRequest) -> HttpResponse:
    user = _actor(request)
    if not user.organisation_id:
        raise PermissionDenied
    org: Organisation = user.organisation  # type: ignore[assignment]
    form = ContractForm(request.POST or None, request.FILES or None,
                        initial={"seller_uscc": org.uscc} if request.method == "GET" else None)  # fmt: skip
    if request.method == "POST" and form.is_valid():
        data, extra = form.service_arguments()
        try:
            contract = services.save_contract(
                user, org, data, client_key=request.POST.get("client_key", ""), **extra
            )  # type: ignore[arg-type]
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The contract was saved as a draft."))
            return redirect("contracts:detail", pk=contract.pk)
    # A key per form: submitting the same form twice creates one contract.
    client_key = request.POST.get("client_key") or uuid.uuid4().hex
    return render(request, "contracts/contract_form.html", {"form": form, "contract": None, "client_key": client_key},
                  status=422 if form.errors else 200)  # fmt: skip


@login_required
def contract_edit(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _visible_or_404(request, pk)
    if not queries.can_edit(request.user, contract):
        raise PermissionDenied
    form = ContractForm(request.POST or None, request.FILES or None,
                        initial=ContractForm.initial_from(contract) if request.method == "GET" else None)  # fmt: skip
    if request.method == "POST" and form.is_valid():
        data, extra = form.service_arguments()
        try:
            services.save_contract(_actor(request), contract.organisation, data, contract=contract, **extra)  # type: ignore[arg-type]
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The contract was saved."))
            return redirect("contracts:detail", pk=contract.pk)
    return render(request, "contracts/contract_form.html", {"form": form, "contract": contract},
                  status=422 if form.errors else 200)  # fmt: skip


@login_required
def contract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _visible_or_404(request, pk)
    ctx = {
        "contract": contract,
        "can_edit": queries.can_edit(request.user, contract),
        "is_reviewer": is_staff(request.user),
        "is_filer": is_staff(request.user) or getattr(request.user, "organisation_id", None) == contract.organisation_id,
        "holds_review": contract.status == Contract.Status.UNDER_REVIEW and contract.reviewer_id == request.user.pk,
        "events": contract.events.select_related("actor"),
        "benefits": certificate.benefits(contract) if contract.status == Contract.Status.REGISTERED else None,
        "return_form": ReturnForm(), "refuse_form": RefuseForm(),
    }  # fmt: skip
    return render(request, "contracts/contract_detail.html", ctx)


@login_required
def contract_pdf(request: HttpRequest, pk: int) -> FileResponse:
    return exports.pdf_response(_visible_or_404(request, pk))


@login_required
def contract_certificate(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _visible_or_404(request, pk)
    if contract.status != Contract.Status.REGISTERED:
        raise Http404
    data = certificate.certificate_data(contract)
    return render(request, "contracts/certificate.html",
                  {"contract": contract, "cert": data, "benefits": certificate.benefits(contract)})  # fmt: skip


def _act(request: HttpRequest, pk: int, action: Any, success: str) -> HttpResponse:
    contract = _visible_or_404(request, pk)
    try:
        action(contract)
    except ValidationError as exc:
        for msgs in exc.message_dict.values():
            for m in msgs:
                messages.error(request, m)
    else:
        messages.success(request, success)
    return redirect("contracts:detail", pk=pk)


@login_required
@require_POST
def contract_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda c: services.submit_contract(_actor(request), c),
        _("The contract was submitted for registration."),
    )  # type: ignore[arg-type]


@login_required
@require_POST
def contract_link_lead(request: HttpRequest, pk: int) -> HttpResponse:
    lead_id = _int(request.POST.get("lead_id"), 0)
    return _act(request, pk, lambda c: services.link_match_lead(_actor(request), c, lead_id),
                _("The match lead was closed with this contract."))  # fmt: skip


def _reviewer(request: HttpRequest) -> None:
    if not is_staff(request.user):
        raise PermissionDenied


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    _reviewer(request)
    now = timezone.now()
    items = [(c, queries.age_days(c, now)) for c in queries.review_queue()[:500]]
    return render(request, "contracts/queue.html", {"items": items})


@login_required
@require_POST
def contract_claim(request: HttpRequest, pk: int) -> HttpResponse:
    _reviewer(request)
    return _act(
        request,
        pk,
        lambda c: services.claim_review(_actor(request), c),
        _("You are now reviewing this contract."),
    )  # type: ignore[arg-type]


@login_required
@require_POST
def contract_release(request: HttpRequest, pk: int) -> HttpResponse:
    _reviewer(request)
    return _act(
        request,
        pk,
        lambda c: services.release_review(_actor(request), c),
        _("The contract is back in the queue."),
    )  # type: ignore[arg-type]


@login_required
@require_POST
def contract_register(request: HttpRequest, pk: int) -> HttpResponse:
    _reviewer(request)
    return _act(
        request,
        pk,
        lambda c: services.register_contract(_actor(request), c),
        _("The contract was registered."),
    )  # type: ignore[arg-type]


@login_required
@require_POST
def contract_return(request: HttpRequest, pk: int) -> HttpResponse:
    _reviewer(request)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        for errs in form.errors.values():
            for e in errs:
                messages.error(request, str(e))
        return redirect("contracts:detail", pk=pk)
    return _act(request, pk, lambda c: services.return_contract(_actor(request), c, form.cleaned_data["reasons"],  # type: ignore[arg-type]
                                                                 form.cleaned_data["correct_by"]),
                _("The contract was returned for correction."))  # fmt: skip


@login_required
@require_POST
def contract_refuse(request: HttpRequest, pk: int) -> HttpResponse:
    _reviewer(request)
    return _act(request, pk, lambda c: services.refuse_contract(_actor(request), c, request.POST.get("reason", "")),  # type: ignore[arg-type]
                _("The contract was refused."))  # fmt: skip
