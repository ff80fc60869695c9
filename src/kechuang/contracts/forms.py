"""Web forms of technology contracts. Validation lives in services; forms only shape the input."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kechuang.core.forms import tech_field_groups
from kechuang.core.models import TechField

from .models import ContractSubtype, ContractType, IPItem, SellerKind


class ContractForm(forms.Form):
    number = forms.CharField(label=_("contract number"), max_length=60)
    title = forms.CharField(label=_("contract title"), max_length=300)
    contract_type = forms.ChoiceField(label=_("contract type"), choices=ContractType.choices)
    subtype = forms.ChoiceField(label=_("subtype"), choices=ContractSubtype.choices)
    seller_uscc = forms.CharField(label=_("seller credit code"), max_length=18)
    seller_name = forms.CharField(
        label=_("seller name"), max_length=200, required=False,
        help_text=_("Only needed when the seller is not registered on the platform."),
    )  # fmt: skip
    seller_kind = forms.ChoiceField(
        label=_("seller type"), choices=[("", "—"), *SellerKind.choices], required=False
    )
    seller_region = forms.CharField(label=_("seller district (GB/T 2260 code)"), max_length=6, required=False)
    buyer_uscc = forms.CharField(
        label=_("buyer credit code"),
        max_length=18,
        required=False,
        help_text=_("Leave empty for a foreign buyer."),
    )
    buyer_name = forms.CharField(label=_("buyer name"), max_length=200, required=False)
    buyer_region = forms.CharField(
        label=_("buyer region (GB/T 2260 code; 990000 abroad)"), max_length=6, required=False
    )
    signed_on = forms.CharField(label=_("signing date"), widget=forms.DateInput(attrs={"type": "date"}))
    starts_on = forms.CharField(label=_("term from"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.CharField(label=_("term until"), widget=forms.DateInput(attrs={"type": "date"}))
    total_amount = forms.CharField(label=_("total amount (yuan)"))
    tech_amount = forms.CharField(label=_("technical transaction amount (yuan)"))
    ancillary_amount = forms.CharField(label=_("related consulting or service amount (yuan)"), required=False)
    ancillary_same_invoice = forms.BooleanField(
        label=_("ancillary amount on the same invoice"), required=False
    )
    tech_fields = forms.MultipleChoiceField(
        label=_("technology fields"), choices=[], help_text=_("Hold Ctrl (or ⌘) to choose several."),
        widget=forms.SelectMultiple(attrs={"size": 10}),
    )  # fmt: skip
    instalments = forms.CharField(
        label=_("payment schedule"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One instalment a line: date, amount, note — for example 2026-03-01, 500000, on signing"),
    )  # fmt: skip
    ip_items = forms.CharField(
        label=_("intellectual property items"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One item a line: kind, number, title — kinds: patent, patent_application, software_copyright, know_how, other"),
    )  # fmt: skip
    pdf = forms.FileField(label=_("signed contract (PDF)"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["tech_fields"]
        field.choices = tech_field_groups(TechField.objects.order_by("code"))

    def clean_instalments(self) -> list[dict[str, str]]:
        rows = []
        for line in (self.cleaned_data.get("instalments") or "").splitlines():
            if not line.strip():
                continue
            parts = [p.strip() for p in line.replace("，", ",").split(",", 2)]
            if len(parts) < 2:
                raise forms.ValidationError(_("Write each instalment as: date, amount, note."))
            rows.append({"due_on": parts[0], "amount": parts[1], "note": parts[2] if len(parts) > 2 else ""})
        return rows

    def clean_ip_items(self) -> list[dict[str, str]]:
        rows = []
        for line in (self.cleaned_data.get("ip_items") or "").splitlines():
            if not line.strip():
                continue
            parts = [p.strip() for p in line.replace("，", ",").split(",", 2)]
            if len(parts) < 3 or parts[0] not in IPItem.Kind.values:
                raise forms.ValidationError(_("Write each item as: kind, number, title."))
            rows.append({"kind": parts[0], "number": parts[1], "title": parts[2]})
        return rows

    def service_arguments(self) -> tuple[dict[str, Any], dict[str, Any]]:
        data = dict(self.cleaned_data)
        extra = {k: data.pop(k) for k in ("tech_fields", "instalments", "ip_items", "pdf")}
        return data, extra

    @staticmethod
    def initial_from(contract: Any) -> dict[str, Any]:
        initial: dict[str, Any] = {f: getattr(contract, f) for f in (
            "number", "title", "contract_type", "subtype", "seller_uscc", "seller_name", "seller_kind",
            "buyer_uscc", "buyer_name", "signed_on", "starts_on", "ends_on", "total_amount", "tech_amount",
            "ancillary_amount", "ancillary_same_invoice")}  # fmt: skip
        initial["seller_region"], initial["buyer_region"] = (
            contract.seller_region_id,
            contract.buyer_region_id,
        )
        initial["tech_fields"] = [f.pk for f in contract.tech_fields.all()]
        initial["instalments"] = "\n".join(
            f"{p.due_on}, {p.amount}, {p.note}" for p in contract.instalments.all()
        )
        initial["ip_items"] = "\n".join(f"{i.kind}, {i.number}, {i.title}" for i in contract.ip_items.all())
        return initial


class ReturnForm(forms.Form):
    reasons = forms.CharField(
        label=_("reasons per field"), widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One a line: field: reason — for example tech_amount: the amount does not match the contract"),
    )  # fmt: skip
    correct_by = forms.DateField(
        label=_("correct by"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean_reasons(self) -> dict[str, str]:
        out = {}
        for line in self.cleaned_data["reasons"].splitlines():
            if not line.strip():
                continue
            field, sep, reason = line.replace("：", ":").partition(":")
            if not sep:
                raise forms.ValidationError(_("Write each reason as: field: reason."))
            out[field.strip()] = reason.strip()
        return out


class RefuseForm(forms.Form):
    reason = forms.CharField(label=_("reason for refusal"), widget=forms.Textarea(attrs={"rows": 3}))
