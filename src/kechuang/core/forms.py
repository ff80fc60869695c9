from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import EnterpriseFacts, Organisation, TechField


class OrganisationForm(forms.ModelForm):
    tech_fields = forms.ModelMultipleChoiceField(
        label=_("technology fields"),
        queryset=TechField.objects.filter(parent__isnull=False).select_related("parent"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    class Meta:
        model = Organisation
        fields = ["uscc", "name", "name_en", "kind", "region", "industry", "tech_fields", "founded_on",
                  "resident", "address", "website", "description"]  # fmt: skip
        widgets = {
            "founded_on": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 4}),
        }


class EnterpriseFactsForm(forms.ModelForm):
    class Meta:
        model = EnterpriseFacts
        exclude = ["organisation", "reported_by", "reported_at", "is_synthetic"]
        widgets = {"hnte_cert_valid_until": forms.DateInput(attrs={"type": "date"})}
