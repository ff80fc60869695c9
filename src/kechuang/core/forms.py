"""Forms of the core web pages. They only validate and present; saving goes through services.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.utils.choices import BaseChoiceIterator
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


def tech_field_label(obj: TechField) -> str:
    if obj.parent_id is None:
        return str(_("%(code)s %(name)s (whole domain)") % {"code": obj.code, "name": obj.name})
    return f"{obj.code} {obj.name}"


def tech_field_groups(queryset: Any) -> list[tuple[str, list[tuple[str, str]]]]:
    """(domain, [(code, label), …]) per high-tech domain, for a select with one <optgroup> each;
    a domain itself, where the queryset holds it, is the first choice of its group."""
    groups: dict[str, tuple[str, list[tuple[str, str]]]] = {}
    for obj in queryset.select_related("parent"):
        domain = obj.parent or obj
        groups.setdefault(domain.code, (f"{domain.code} {domain.name}", []))[1].append(
            (obj.pk, tech_field_label(obj))
        )
    return list(groups.values())


class _FieldsByDomain(BaseChoiceIterator):
    """The choices of a TechFieldChoice, read lazily (forms are built at import time, before the
    database may be read)."""

    def __init__(self, field: TechFieldChoice) -> None:
        self.field = field

    @property
    def queryset(self) -> Any:
        return self.field.queryset if self.field.queryset is not None else TechField.objects.none()

    def __iter__(self) -> Any:
        yield from tech_field_groups(self.queryset)


class TechFieldChoice(forms.ModelMultipleChoiceField):
    """High-tech fields (code and name), listed under their domain; a domain itself, where the
    queryset holds it, is the first choice of its group."""

    def __init__(self, queryset: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("technology fields"))
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", _("Hold Ctrl (or ⌘) to choose several."))
        kwargs.setdefault("widget", forms.SelectMultiple(attrs={"size": 10}))
        super().__init__(
            queryset=TechField.objects.order_by("code") if queryset is None else queryset, **kwargs
        )

    def label_from_instance(self, obj: TechField) -> str:  # type: ignore[override]
        return tech_field_label(obj)

    @property
    def choices(self) -> Any:  # type: ignore[override]
        # ModelChoiceField hands the widget `self.choices` whenever the queryset is set.
        return _FieldsByDomain(self)


class OrganisationForm(forms.ModelForm):
    tech_fields = TechFieldChoice(queryset=TechField.objects.filter(parent__isnull=False).order_by("code"))
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


class AuditedPasswordChangeForm(PasswordChangeForm):
    """Django's change form, saving through the service (rules checked again, change audited)."""

    def save(self, commit: bool = True) -> Any:
        from . import services

        return services.set_own_password(self.user, self.cleaned_data["new_password1"], "change")


class AuditedSetPasswordForm(SetPasswordForm):
    """The form behind a password-reset link, saving through the service."""

    def save(self, commit: bool = True) -> Any:
        from . import services

        return services.set_own_password(self.user, self.cleaned_data["new_password1"], "reset")
