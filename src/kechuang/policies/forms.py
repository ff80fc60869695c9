"""Forms of the policy pages: the visitor's facts (not stored), extra facts, runs and what-if changes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .inputs import EnterpriseInput
from .models import PolicyDocument, SupplementaryFacts

YES_NO = [("", _("Unknown")), ("true", _("Yes")), ("false", _("No"))]


def this_year() -> int:
    return dt.date.today().year - 1  # annual facts are complete for the previous year


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    level = forms.ChoiceField(
        label=_("Level"), required=False, choices=[("", _("All levels")), *PolicyDocument.Level.choices]
    )
    benefit_type = forms.ChoiceField(
        label=_("Benefit type"),
        required=False,
        choices=[("", _("All types")), *PolicyDocument.BenefitType.choices],
    )
    semantic = forms.BooleanField(label=_("Search by meaning"), required=False)


def _money(label: Any) -> forms.DecimalField:
    return forms.DecimalField(label=label, required=False, max_digits=18, decimal_places=2, min_value=0)


def _count(label: Any) -> forms.IntegerField:
    return forms.IntegerField(label=label, required=False, min_value=0)


def _flag(label: Any) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label, required=False, choices=YES_NO, coerce=lambda v: v == "true", empty_value=None
    )


class VisitorFactsForm(forms.Form):
    """The main facts of one enterprise typed by a visitor; an empty field is missing, never zero."""

    year = forms.IntegerField(label=_("Year"), min_value=2008, max_value=2100, initial=this_year)
    reg_date = forms.DateField(
        label=_("Registration date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    region = forms.CharField(
        label=_("Region code (GB/T 2260)"), required=False, max_length=6, initial="310115"
    )
    industry_code = forms.CharField(
        label=_("Industry code (GB/T 4754, e.g. C39)"), required=False, max_length=4
    )
    collection_method = forms.ChoiceField(
        label=_("Income tax collection"), required=False,
        choices=[("", _("Unknown")), ("audited", _("Audit collection (查账征收)")), ("deemed", _("Deemed collection (核定征收)"))],
    )  # fmt: skip
    revenue = _money(_("Sales revenue (yuan)"))
    revenue_1 = _money(_("Sales revenue, previous year (yuan)"))
    revenue_2 = _money(_("Sales revenue, two years before (yuan)"))
    rd_expense = _money(_("R&D expense (yuan)"))
    rd_expense_1 = _money(_("R&D expense, previous year (yuan)"))
    rd_expense_2 = _money(_("R&D expense, two years before (yuan)"))
    rd_expense_domestic = _money(_("R&D expense in China (yuan)"))
    total_income = _money(_("Total income (yuan)"))
    high_tech_revenue = _money(_("High-tech revenue (yuan)"))
    main_business_revenue = _money(_("Main business revenue (yuan)"))
    cost_expense = _money(_("Total costs and expenses (yuan)"))
    total_assets = _money(_("Total assets (yuan)"))
    taxable_income = forms.DecimalField(
        label=_("Taxable income before the super deduction (yuan)"),
        required=False,
        max_digits=18,
        decimal_places=2,
    )
    staff = _count(_("Staff"))
    st_staff = _count(_("S&T staff"))
    rd_staff = _count(_("R&D staff"))
    ip_class1 = _count(_("Class I IP items"))
    ip_class2 = _count(_("Class II IP items"))
    innovation_score = forms.IntegerField(
        label=_("Expert innovation score"), required=False, min_value=0, max_value=100
    )
    resident = _flag(_("Resident enterprise"))
    key_tech_field = _flag(_("Core technology in the supported high-tech fields"))
    credit_ok = _flag(_("No credit restrictions"))
    major_incident_1y = _flag(_("Major incident in the past year"))
    is_listed = _flag(_("Listed company"))
    hnte_cert_valid_until = forms.DateField(
        label=_("HNTE certificate valid until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    tech_transfer_income = forms.DecimalField(
        label=_("Technology-transfer income (yuan)"), required=False, max_digits=18, decimal_places=2
    )
    tech_contract_turnover = _money(_("Technology development and transfer contract sales (yuan)"))
    tech_contracts_registered = _flag(_("Technology contracts registered"))

    HISTORY = {
        "revenue_1": ("revenue", 1),
        "revenue_2": ("revenue", 2),
        "rd_expense_1": ("rd_expense", 1),
        "rd_expense_2": ("rd_expense", 2),
    }
    STATIC = ("reg_date", "region", "industry_code", "collection_method", "resident", "hnte_cert_valid_until")

    def enterprise(self) -> tuple[EnterpriseInput, int]:
        data = self.cleaned_data
        year = data["year"]
        ent = EnterpriseInput(name=str(_("Typed facts")))
        for name, value in data.items():
            if name == "year" or value in (None, ""):
                continue
            if name in self.HISTORY:
                fact, back = self.HISTORY[name]
                ent.years.setdefault(year - back, {})[fact] = value
            elif name in self.STATIC:
                ent.facts[name] = value
            else:
                ent.years.setdefault(year, {})[name] = value
        ent.region = data.get("region") or ""
        return ent, year


class SupplementaryFactsForm(forms.ModelForm):
    class Meta:
        model = SupplementaryFacts
        fields = list(SupplementaryFacts.FACTS)


class RunForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2008, max_value=2100, initial=this_year)


class SimulateForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2008, max_value=2100, initial=this_year)
