"""Forms of the core web pages. They only validate and present; saving goes through services.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import EnterpriseFacts, Organisation, TechField


def apply_service_errors(
    form: forms.BaseForm, exc: ValidationError, rename: dict[str, str] | None = None
) -> None:
    """Put a service's ValidationError back on the form, field by field, so nothing typed is lost.

    A service names the model field (`rename` maps it to the form's field where they differ) or a
    dotted path into nested data ("items.0.patent_number", "facts.revenue"): the error goes to the
    first of the name, its head and its tail that is a field of the form, else to the whole form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for key, errors in exc.message_dict.items():
        name = (rename or {}).get(key, key)
        candidates = (name, name.split(".")[0], name.rsplit(".", 1)[-1])
        target = next((c for c in candidates if c in form.fields), None)
        form.add_error(target, errors)


class TechFieldChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: TechField) -> str:  # type: ignore[override]
        return f"{obj.code} {obj.name}"


class OrganisationForm(forms.ModelForm):
    tech_fields = TechFieldChoice(
        label=_("technology fields"),
        queryset=TechField.objects.filter(parent__isnull=False).order_by("code"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Hold Ctrl (or ⌘) to choose several."),
    )
    website = forms.URLField(label=_("website"), required=False, assume_scheme="https")

    class Meta:
        model = Organisation
        fields = ["uscc", "name", "name_en", "kind", "region", "industry", "tech_fields", "founded_on",
                  "resident", "address", "website", "description"]  # fmt: skip
        widgets = {
            "uscc": forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "maxlength": 18}),
            "founded_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def clean_uscc(self) -> str:
        # Accept what people type (lower case, spaces); the stored form is the canonical one.
        return (self.cleaned_data.get("uscc") or "").strip().upper().replace(" ", "")


# Every reported figure; who reported it, when, and the demo flag are set by the platform.
FACT_FORM_FIELDS = [
    f.name
    for f in EnterpriseFacts._meta.concrete_fields
    if f.name not in {"id", "organisation", "year", "reported_by", "reported_at", "is_synthetic"}
]


class EnterpriseFactsForm(forms.ModelForm):
    class Meta:
        model = EnterpriseFacts
        fields = FACT_FORM_FIELDS
        widgets = {"hnte_cert_valid_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in EnterpriseFacts.FINANCIAL_FIELDS:
            self.fields[name].widget.attrs.update({"inputmode": "decimal", "step": "0.01"})
            self.fields[name].help_text = _("yuan")


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=100,
        help_text=_("Say which client uses it, e.g. “ERP export”."),
    )


def facts_year_is_reportable(year: int) -> bool:
    """Facts are reported for past and current fiscal years, never for the future."""
    return 1990 <= year <= dt.date.today().year
