"""Web pages of results' rights: public figures; empowerment records, valuations and exchange listings
for the organisation's own users and staff. Mounted by urls.py under /achievements/rights/."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kechuang.contracts.models import ContractType
from kechuang.core.forms import apply_service_errors
from kechuang.core.models import Organisation, TechField, User

from . import rights_queries, rights_services
from .models import RightsEmpowerment

PAGE_SIZE = 25
DATE = forms.DateInput(attrs={"type": "date"})


class EmpowermentForm(forms.Form):
    result_title = forms.CharField(label=gettext_lazy("result title"), max_length=300)
    grant = forms.ChoiceField(label=gettext_lazy("rights granted"), choices=RightsEmpowerment.Grant.choices)
    ownership_share = forms.CharField(label=gettext_lazy("inventors' ownership share (%)"), required=False)
    use_term_years = forms.CharField(label=gettext_lazy("term of use rights (years)"), required=False)
    granted_on = forms.CharField(label=gettext_lazy("granted on"), widget=DATE)
    inventor_names = forms.CharField(label=gettext_lazy("inventor names"), max_length=300, required=False)


class TransferForm(forms.Form):
    transferred_on = forms.CharField(label=gettext_lazy("transferred on"), widget=DATE)
    amount = forms.CharField(label=gettext_lazy("amount (yuan)"))
    transferee = forms.CharField(label=gettext_lazy("transferee"), max_length=200)
    contract_number = forms.CharField(
        label=gettext_lazy("registered contract number"), max_length=24, required=False
    )


class ValuationForm(forms.Form):
    result_title = forms.CharField(label=gettext_lazy("result title"), max_length=300)
    valued_on = forms.CharField(label=gettext_lazy("valuation date"), widget=DATE)
    revenue_forecast = forms.CharField(
        label=gettext_lazy("revenue forecast (yuan per year)"), required=False,
        help_text=gettext_lazy("Amounts separated by commas, first year first."),
    )  # fmt: skip
    royalty_rate = forms.CharField(label=gettext_lazy("royalty or profit-share rate"), required=False,
                                   help_text=gettext_lazy("A fraction, for example 0.05."))  # fmt: skip
    discount_rate = forms.CharField(label=gettext_lazy("discount rate"), required=False)
    economic_life_years = forms.CharField(label=gettext_lazy("economic life (years)"), required=False)
    replacement_cost = forms.CharField(label=gettext_lazy("replacement cost (yuan)"), required=False)
    obsolescence_rate = forms.CharField(label=gettext_lazy("obsolescence rate"), required=False)
    field_code = forms.ChoiceField(label=gettext_lazy("technology field"), required=False, choices=[])
    contract_type = forms.ChoiceField(
        label=gettext_lazy("comparable contract type"), required=False,
        choices=[("", "—")] + [(k, v) for k, v in ContractType.choices if k in rights_services.COMPARABLE_TYPES],
    )  # fmt: skip
    notes = forms.CharField(
        label=gettext_lazy("notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["field_code"]
        field.choices = [("", "—")] + [
            (f.pk, f"{f.pk} {f.name}") for f in TechField.objects.filter(parent=None)
        ]

    def service_arguments(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["revenue_forecast"] = [
            v.strip() for v in (data["revenue_forecast"] or "").replace("，", ",").split(",") if v.strip()
        ]
        return data


class ListingForm(forms.Form):
    result_title = forms.CharField(label=gettext_lazy("result title"), max_length=300)
    listed_on = forms.CharField(label=gettext_lazy("listed on"), widget=DATE)
    asking_price = forms.CharField(label=gettext_lazy("asking price (yuan)"), required=False)


class DealForm(forms.Form):
    deal_on = forms.CharField(label=gettext_lazy("deal on"), widget=DATE)
    deal_value = forms.CharField(label=gettext_lazy("deal value (yuan)"))


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _own_org(request: HttpRequest) -> Organisation:
    user = _actor(request)
    if not user.organisation_id:
        raise PermissionDenied
    return user.organisation  # type: ignore[return-value]


def figures(request: HttpRequest) -> HttpResponse:
    """Public: aggregate figures only."""
    return render(request, "achievements/rights/figures.html",
                  {"pilot": rights_queries.pilot_figures(), "exchange": rights_queries.exchange_figures()})  # fmt: skip


@login_required
def empowerment_list(request: HttpRequest) -> HttpResponse:
    form = EmpowermentForm(request.POST or None)
    if request.method == "POST":
        org = _own_org(request)
        if form.is_valid():
            try:
                row = rights_services.record_empowerment(_actor(request), org, **form.cleaned_data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("The empowerment was recorded."))
                return redirect("achievements:rights:empowerment", pk=row.pk)
    page = Paginator(rights_queries.visible_empowerments(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "achievements/rights/empowerments.html",
                  {"page": page, "form": form, "can_add": bool(_actor(request).organisation_id)},
                  status=422 if form.errors else 200)  # fmt: skip


@login_required
def empowerment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    row = rights_queries.visible_empowerments(request.user).filter(pk=pk).first()
    if row is None:
        raise Http404
    form = TransferForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            rights_services.record_empowerment_transfer(_actor(request), row, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The transfer was recorded."))
            return redirect("achievements:rights:empowerment", pk=row.pk)
    return render(request, "achievements/rights/empowerment_detail.html",
                  {"e": row, "transfers": row.transfers.all(), "form": form}, status=422 if form.errors else 200)  # fmt: skip


@login_required
def valuation_list(request: HttpRequest) -> HttpResponse:
    form = ValuationForm(request.POST or None)
    if request.method == "POST":
        org = _own_org(request)
        if form.is_valid():
            try:
                row = rights_services.value_result(_actor(request), org, **form.service_arguments())
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("The valuation was saved."))
                return redirect("achievements:rights:valuation", pk=row.pk)
    page = Paginator(rights_queries.visible_valuations(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "achievements/rights/valuations.html",
                  {"page": page, "form": form, "can_add": bool(_actor(request).organisation_id)},
                  status=422 if form.errors else 200)  # fmt: skip


@login_required
def valuation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    row = rights_queries.visible_valuations(request.user).filter(pk=pk).first()
    if row is None:
        raise Http404
    return render(request, "achievements/rights/valuation_detail.html", {"v": row})


@login_required
def listing_list(request: HttpRequest) -> HttpResponse:
    form = ListingForm(request.POST or None)
    if request.method == "POST":
        org = _own_org(request)
        if form.is_valid():
            try:
                rights_services.list_on_exchange(_actor(request), org, **form.cleaned_data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("The listing was recorded."))
                return redirect("achievements:rights:listings")
    page = Paginator(rights_queries.visible_listings(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "achievements/rights/listings.html",
                  {"page": page, "form": form, "deal_form": DealForm(), "can_add": bool(_actor(request).organisation_id)},
                  status=422 if form.errors else 200)  # fmt: skip


@login_required
def listing_deal(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method != "POST":
        raise Http404
    listing = rights_queries.visible_listings(request.user).filter(pk=pk).first()
    if listing is None:
        raise Http404
    form = DealForm(request.POST)
    if form.is_valid():
        try:
            rights_services.record_deal(_actor(request), listing, **form.cleaned_data)
        except ValidationError as exc:
            for errs in exc.message_dict.values():
                for e in errs:
                    messages.error(request, str(e))
        else:
            messages.success(request, _("The deal was recorded."))
    return redirect("achievements:rights:listings")


urlpatterns = [
    path("", figures, name="figures"),
    path("empowerments/", empowerment_list, name="empowerments"),
    path("empowerments/<int:pk>/", empowerment_detail, name="empowerment"),
    path("valuations/", valuation_list, name="valuations"),
    path("valuations/<int:pk>/", valuation_detail, name="valuation"),
    path("listings/", listing_list, name="listings"),
    path("listings/<int:pk>/deal/", listing_deal, name="listing_deal"),
]
