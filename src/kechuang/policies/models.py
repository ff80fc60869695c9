"""Policy library, facts the navigator needs beyond core's annual facts, and 免申即享 runs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

MONEY: dict[str, Any] = {"max_digits": 18, "decimal_places": 2, "null": True, "blank": True}


class PolicyDocument(models.Model):
    """A published support-policy document (政策文件) of the library."""

    class Level(models.TextChoices):
        NATIONAL = "national", _("National")
        MUNICIPAL = "municipal", _("Municipal")
        DISTRICT = "district", _("District")

    class BenefitType(models.TextChoices):
        TAX = "tax", _("Tax relief")
        GRANT = "grant", _("Grant")
        VOUCHER = "voucher", _("Voucher")
        LOAN = "loan", _("Loan")
        RECOGNITION = "recognition", _("Recognition")

    class Certainty(models.TextChoices):
        SRC = "[SRC]", _("Seen in a public copy of the text [SRC]")
        KNOW = "[KNOW]", _("Background knowledge [KNOW]")
        UNCONFIRMED = "UNCONFIRMED", _("Not verified (UNCONFIRMED)")

    title = models.CharField(_("title"), max_length=300)
    title_en = models.CharField(_("English title"), max_length=300, blank=True)
    doc_number = models.CharField(_("document number"), max_length=120, blank=True)
    authority = models.CharField(_("issuing authority"), max_length=300)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    effective_from = models.DateField(_("effective from"), null=True, blank=True)
    effective_until = models.DateField(_("effective until"), null=True, blank=True)
    full_text = models.TextField(_("text"), blank=True)
    target_groups = models.CharField(_("target groups"), max_length=300, blank=True)
    benefit_type = models.CharField(_("benefit type"), max_length=12, choices=BenefitType.choices)
    application_window = models.CharField(_("application window"), max_length=200, blank=True)
    how_to_apply = models.TextField(_("how to apply"), blank=True)
    policy_ids = models.CharField(
        _("computable policy ids"), max_length=200, blank=True,
        help_text=_("Ids of the rules that implement this document, comma separated (e.g. hnte)."),
    )  # fmt: skip
    certainty = models.CharField(
        _("certainty"), max_length=12, choices=Certainty.choices, default=Certainty.KNOW
    )
    source_note = models.CharField(_("source"), max_length=300, blank=True)
    is_synthetic = models.BooleanField(_("synthetic"), default=False)
    # Semantic-search vector of the text (see semantic.py) and the hash of what it was computed from.
    embedding = models.BinaryField(null=True, blank=True, editable=False)
    embedding_key = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["level", "-effective_from", "title"]
        verbose_name = _("policy document")
        verbose_name_plural = _("policy documents")

    def __str__(self) -> str:
        lang = get_language() or "zh-hans"
        title = self.title_en if lang.startswith("en") and self.title_en else self.title
        return f"{title} ({self.doc_number})" if self.doc_number else title

    @property
    def policy_id_list(self) -> list[str]:
        return [p.strip() for p in self.policy_ids.split(",") if p.strip()]

    def in_force(self, on: dt.date | None = None) -> bool:
        on = on or dt.date.today()
        started = self.effective_from is None or self.effective_from <= on
        return started and (self.effective_until is None or on <= self.effective_until)


class SupplementaryFacts(models.Model):
    """Facts the rules need that core's annual facts do not hold (one row per organisation and year).

    NULL is missing, never zero or no."""

    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.CASCADE, related_name="policy_facts"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    tech_transfer_income = models.DecimalField(_("technology-transfer income"), **MONEY)
    tech_contract_turnover = models.DecimalField(
        _("technology development and transfer contract sales"), **MONEY
    )
    voucher_service_spend = models.DecimalField(_("spending on voucher-eligible services"), **MONEY)
    tech_contracts_registered = models.BooleanField(
        _("technology contracts registered"), null=True, blank=True
    )
    key_tech_field = models.BooleanField(
        _("core technology in the supported high-tech fields"), null=True, blank=True
    )
    national_award_5y = models.BooleanField(
        _("national S&T award in the last five years"), null=True, blank=True
    )
    provincial_rd_institution = models.BooleanField(
        _("provincial-level R&D institution"), null=True, blank=True
    )
    led_standard_5y = models.BooleanField(_("led a standard in the last five years"), null=True, blank=True)
    ic_or_machine_tool_listed = models.BooleanField(
        _("on the IC or machine-tool enterprise list"), null=True, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    FACTS = (
        "tech_transfer_income", "tech_contract_turnover", "voucher_service_spend", "tech_contracts_registered",
        "key_tech_field", "national_award_5y", "provincial_rd_institution", "led_standard_5y", "ic_or_machine_tool_listed",
    )  # fmt: skip

    class Meta:
        ordering = ["organisation", "-year"]
        verbose_name = _("supplementary policy facts")
        verbose_name_plural = _("supplementary policy facts")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="policy_facts_one_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.year}"


class ProactiveRun(models.Model):
    """One 免申即享 run: the catalogue over every enterprise of the registry for a year."""

    year = models.PositiveSmallIntegerField(_("year"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    enterprises = models.PositiveIntegerField(_("enterprises evaluated"), default=0)
    screened_out = models.PositiveIntegerField(_("screened out for credit restrictions"), default=0)
    notified_at = models.DateTimeField(_("notified at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("proactive run")
        verbose_name_plural = _("proactive runs")

    def __str__(self) -> str:
        return f"{self.year} #{self.pk}"


class ProactiveMatch(models.Model):
    """An enterprise found eligible for a policy in a run."""

    run = models.ForeignKey(ProactiveRun, on_delete=models.CASCADE, related_name="matches")
    organisation = models.ForeignKey("core.Organisation", on_delete=models.CASCADE, related_name="+")
    policy_id = models.CharField(_("policy"), max_length=40)
    benefit = models.DecimalField(_("estimated benefit (yuan)"), **MONEY)
    notified = models.BooleanField(_("notified"), default=False)

    class Meta:
        ordering = ["run", "policy_id", "organisation"]
        verbose_name = _("proactive match")
        verbose_name_plural = _("proactive matches")
        constraints = [
            models.UniqueConstraint(
                fields=["run", "organisation", "policy_id"], name="proactive_match_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} → {self.policy_id}"
