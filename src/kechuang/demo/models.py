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
