"""Forms of the marketplace pages. Validation messages are translatable; services re-check everything."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kechuang.achievements.models import TechSupply, TransferMode
from kechuang.core.forms import TechFieldChoice
from kechuang.core.models import Region

from .models import MAX_TEXT, CallApplication, Demand, MatchLead


class DemandForm(forms.ModelForm):
    tech_fields = TechFieldChoice()
    region_preference = forms.ModelChoiceField(
        label=_("preferred region"),
        queryset=Region.objects.filter(level__in=["province", "city"]),
        required=False,
    )

    class Meta:
        model = Demand
        fields = ["title", "summary", "desired_outcome", "details", "confidential", "nda_text", "tech_fields",
                  "budget_min", "budget_max", "deadline", "region_preference", "cooperation_mode", "trl_min",
                  "status"]  # fmt: skip
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 6}),
            "desired_outcome": forms.Textarea(attrs={"rows": 3}),
            "details": forms.Textarea(attrs={"rows": 4}),
            "nda_text": forms.Textarea(attrs={"rows": 3}),
            "deadline": forms.DateInput(attrs={"type": "date"}),
        }

    def clean_summary(self) -> str:
        text = self.cleaned_data.get("summary", "")
        if len(text) > MAX_TEXT:
            raise forms.ValidationError(
                _("At most %(n)s characters, please shorten the text.") % {"n": MAX_TEXT}
            )
        return text


class MatchPreviewForm(forms.Form):
    """What the instant-match box sends while the user types (all optional)."""

    summary = forms.CharField(required=False, max_length=20_000)
    title = forms.CharField(required=False, max_length=200)
    trl_min = forms.IntegerField(required=False, min_value=1, max_value=9)
    budget_max = forms.DecimalField(required=False, min_value=0, max_digits=18, decimal_places=2)
    kind = forms.ChoiceField(required=False, choices=[("supply", "supply"), ("expert", "expert")])


class CallForm(forms.Form):
    prize = forms.DecimalField(label=_("prize (yuan)"), min_value=0, max_digits=18, decimal_places=2)
    eligibility = forms.CharField(
        label=_("eligibility"), widget=forms.Textarea(attrs={"rows": 3}), max_length=MAX_TEXT
    )
    evaluation = forms.CharField(
        label=_("evaluation"), widget=forms.Textarea(attrs={"rows": 3}), max_length=MAX_TEXT
    )
    opens_on = forms.DateField(label=_("opens on"), widget=forms.DateInput(attrs={"type": "date"}))
    closes_on = forms.DateField(label=_("closes on"), widget=forms.DateInput(attrs={"type": "date"}))


class ApplicationForm(forms.Form):
    proposal = forms.CharField(
        label=_("proposal"), widget=forms.Textarea(attrs={"rows": 6}), max_length=MAX_TEXT
    )
    supply = forms.ModelChoiceField(
        label=_("technology offered"), queryset=TechSupply.objects.none(), required=False
    )

    def __init__(self, *args, organisation_id: int | None = None, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        if organisation_id:
            self.fields["supply"].queryset = TechSupply.objects.filter(  # type: ignore[attr-defined]
                owner_id=organisation_id, status=TechSupply.Status.PUBLISHED
            )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("decision"),
        choices=[
            ("shortlist", _("Shortlist")),
            ("reject", _("Do not shortlist")),
            ("award", _("Award the prize")),
        ],
    )
    reason = forms.ChoiceField(
        label=_("reason"), choices=[("", "—"), *CallApplication.RejectionReason.choices], required=False
    )
    note = forms.CharField(
        label=_("note to the applicant"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )
    respond_by = forms.DateField(label=_("next step due by"), widget=forms.DateInput(attrs={"type": "date"}))


class LeadMoveForm(forms.Form):
    stage = forms.ChoiceField(
        label=_("move to"),
        choices=[
            (s, label)
            for s, label in MatchLead.Stage.choices
            if s in ("viewed", "contacted", "nda", "negotiating")
        ],
        required=False,
    )
    reason = forms.ChoiceField(
        label=_("close reason"), choices=[("", "—"), *MatchLead.CloseReason.choices], required=False
    )
    note = forms.CharField(label=_("note"), required=False, max_length=500)


TRANSFER_CHOICES = TransferMode.choices
