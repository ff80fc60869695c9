"""Form for posting and editing a research result or patent."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kechuang.core.forms import TechFieldChoice

from .models import TechSupply, TransferMode


class SupplyForm(forms.ModelForm):
    keywords_text = forms.CharField(
        label=_("keywords"),
        required=False,
        max_length=1000,
        help_text=_("Separate keywords with commas or semicolons."),
    )
    ipc_text = forms.CharField(
        label=_("IPC classes"), required=False, max_length=500, help_text=_("For example H01L, G06F17/30.")
    )
    modes = forms.MultipleChoiceField(
        label=_("transfer modes"),
        choices=TransferMode.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    tech_fields = TechFieldChoice()

    class Meta:
        model = TechSupply
        fields = [
            "kind",
            "title",
            "abstract",
            "tech_fields",
            "patent_number",
            "trl",
            "price_min",
            "price_max",
        ]
        widgets = {"abstract": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance and self.instance.pk:
            self.fields["keywords_text"].initial = "; ".join(self.instance.keywords)
            self.fields["ipc_text"].initial = ", ".join(self.instance.ipc_classes)
            self.fields["modes"].initial = self.instance.transfer_modes

    def service_fields(self) -> dict[str, Any]:
        """The cleaned data in the shape services.create_supply / update_supply take."""
        data = {k: self.cleaned_data[k] for k in self.Meta.fields}
        data["keywords"] = [
            w.strip() for w in _split(self.cleaned_data.get("keywords_text", "")) if w.strip()
        ]
        data["ipc_classes"] = [w.strip() for w in _split(self.cleaned_data.get("ipc_text", "")) if w.strip()]
        data["transfer_modes"] = list(self.cleaned_data.get("modes") or [])
        data["tech_fields"] = list(self.cleaned_data.get("tech_fields") or [])
        return data


def _split(text: str) -> list[str]:
    import re

    return re.split(r"[,;，；、\n]+", text or "")
