"""Forms of the rights pages: they validate and present; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from kechuang.contracts.models import ContractType
from kechuang.core.models import TechField

from . import services
from .models import RightsEmpowerment

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
        choices=[("", "—")] + [(k, v) for k, v in ContractType.choices if k in services.COMPARABLE_TYPES],
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
