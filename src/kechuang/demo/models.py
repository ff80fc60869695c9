"""Bookkeeping of the demo loader: which dataset steps completed, so a second run skips them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DemoStep(models.Model):
    """One completed step of the demo dataset (written in the same transaction as its rows)."""

    name = models.CharField(_("step"), max_length=60, unique=True)
    version = models.PositiveIntegerField(_("version"))
    seed = models.BigIntegerField(_("seed"), default=0)
    scale = models.FloatField(_("scale"), default=1.0)
    completed_at = models.DateTimeField(_("completed at"), auto_now=True)
    seconds = models.FloatField(_("duration (s)"), default=0.0)
    counts = models.JSONField(_("rows created"), default=dict, blank=True)

    class Meta:
        ordering = ["completed_at"]
        verbose_name = _("demo dataset step")
        verbose_name_plural = _("demo dataset steps")

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class EnterpriseDesignation(models.Model):
    """A list an enterprise is on that is not an annual fact: 科技小巨人 (and cultivation), the IPO
    cultivation pool, STAR-market listing, unicorn, tech credit and 高企贷 loans of 2022.

    Demo source data only: the programmes (小巨人) and finance (IPO pool, loans) apps will own these
    rows in their own models; their demo steps read this table to create them.
    """

    class Kind(models.TextChoices):
        LITTLE_GIANT = "little_giant", _("Science and technology little giant")
        LITTLE_GIANT_CULTIVATION = "little_giant_cultivation", _("Little giant (cultivation)")
        IPO_POOL = "ipo_pool", _("IPO cultivation pool")
        STAR_LISTED = "star_listed", _("Listed on the STAR market")
        UNICORN = "unicorn", _("Unicorn")
        TECH_CREDIT = "tech_credit", _("Tech credit")
        HNTE_LOAN = "hnte_loan", _("High-tech enterprise loan")

    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.CASCADE, related_name="demo_designations"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices, db_index=True)
    since = models.DateField(_("since"))
    value = models.DecimalField(
        _("amount (yuan)"), max_digits=18, decimal_places=2, null=True, blank=True,
        help_text=_("Market value, valuation or loan amount, depending on the kind."),
    )  # fmt: skip
    flags = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["kind", "since"]
        verbose_name = _("enterprise designation (demo)")
        verbose_name_plural = _("enterprise designations (demo)")

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.kind} {self.since}"
