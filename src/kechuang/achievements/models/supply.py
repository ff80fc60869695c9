"""Research results, patents and funded projects (the technology supply)."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kechuang.core.identifiers import patent_check_character
from kechuang.core.models import Organisation, Person, TechField

__all__ = [
    "FundedProject",
    "TechSupply",
    "TransferMode",
    "ipc_problem",
    "normalise_ipc",
    "normalise_patent_number",
    "patent_number_problem",
]

# IPC: section A–H, two-digit class, subclass letter, optionally main group/subgroup ("H01L21/00").
_IPC = re.compile(r"^([A-H])(\d{2})([A-Z])(?:\s*(\d{1,4})/(\d{2,6}))?$")
# CN publication number: CN + 7 (before 2010) or 9 digits + kind code (A, B, C, U, Y, S, with an optional digit).
_CN_PUBLICATION = re.compile(r"^CN(\d{7}|\d{9})([ABCUYS]\d?)$")
# Application / patent number: ZL (or CN) + 8 digits (before 2003) or 12 digits, "." + check character
# (the dot is required: without it "CN114081026" would read as an application number).
_CN_APPLICATION = re.compile(r"^(?:ZL|CN)?(\d{8}|\d{12})\.([0-9X])$")


def normalise_ipc(value: str) -> str:
    value = re.sub(r"\s+", " ", (value or "").strip().upper())
    m = _IPC.match(value)
    if not m:
        return value
    section, klass, sub, group, subgroup = m.groups()
    return f"{section}{klass}{sub}" + (f"{int(group)}/{subgroup}" if group else "")


def ipc_problem(value: str) -> Any:
    """None if `value` is an IPC symbol like H01L or H01L21/00, else the reason."""
    if not _IPC.match(re.sub(r"\s+", " ", (value or "").strip().upper())):
        return _("“%(value)s” is not an IPC class: write it like H01L or H01L21/00.") % {"value": value[:40]}
    return None


def normalise_patent_number(value: str) -> str:
    value = re.sub(r"[\s\u3000]+", "", (value or "")).upper()
    m = _CN_APPLICATION.match(value)
    if m:
        return f"ZL{m.group(1)}.{m.group(2)}"
    return value


def patent_number_problem(value: str) -> Any:
    """None for a valid Chinese publication number (CN114081026A) or patent/application number with
    a correct check character (ZL202110123456.7), else the reason."""
    compact = re.sub(r"[\s\u3000]+", "", (value or "")).upper()
    if _CN_PUBLICATION.match(compact):
        return None
    m = _CN_APPLICATION.match(compact)
    if m:
        digits, check = m.groups()
        expected = patent_check_character(digits)
        if check != expected:
            return _("The check character of %(value)s should be %(expected)s.") % {
                "value": value[:40],
                "expected": expected,
            }
        return None
    return _(
        "“%(value)s” is not a Chinese patent number: use a publication number like CN114081026A "
        "or a patent number like ZL202110123456.7."
    ) % {"value": value[:40]}


class TransferMode(models.TextChoices):
    TRANSFER = "transfer", _("Assignment (转让)")
    LICENCE = "licence", _("Licence (许可)")
    EQUITY = "equity", _("Contribution as equity (作价入股)")
    CO_DEVELOP = "co_develop", _("Joint development (合作开发)")


class TechSupply(models.Model):
    """One item of technology on offer: a research result or a patent."""

    class Kind(models.TextChoices):
        RESULT = "result", _("Research result")
        PATENT = "patent", _("Patent")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.RESULT)
    title = models.CharField(pgettext_lazy("marketplace item", "title"), max_length=300)
    abstract = models.TextField(_("abstract"), blank=True)
    keywords = models.JSONField(_("keywords"), default=list, blank=True)
    tech_fields = models.ManyToManyField(TechField, verbose_name=_("technology fields"), blank=True)
    ipc_classes = models.JSONField(_("IPC classes"), default=list, blank=True)
    patent_number = models.CharField(_("patent number"), max_length=24, blank=True, db_index=True)
    trl = models.PositiveSmallIntegerField(
        _("technology readiness level"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(9)],
        help_text=_("1 (basic principles observed) to 9 (proven in operation)."),
    )
    transfer_modes = models.JSONField(_("transfer modes"), default=list, blank=True)
    price_min = models.DecimalField(
        _("lowest price (yuan)"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    price_max = models.DecimalField(
        _("highest price (yuan)"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    owner = models.ForeignKey(
        Organisation, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="tech_supplies"
    )
    inventors = models.ManyToManyField(
        Person, verbose_name=_("inventors"), blank=True, related_name="tech_supplies"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    source = models.CharField(
        _("source"), max_length=200, blank=True, help_text=_("Where the record came from.")
    )
    source_ref = models.CharField(_("source reference"), max_length=100, blank=True)
    is_synthetic = models.BooleanField(_("synthetic"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("technology supply")
        verbose_name_plural = _("technology supplies")
        indexes = [models.Index(fields=["status", "kind"]), models.Index(fields=["owner", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(trl__isnull=True) | models.Q(trl__gte=1, trl__lte=9),
                name="supply_trl_1_to_9",
            ),
            models.CheckConstraint(
                condition=models.Q(price_min__isnull=True)
                | models.Q(price_max__isnull=True)
                | models.Q(price_min__lte=models.F("price_max")),
                name="supply_price_range_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        # NUL characters cannot be stored (PostgreSQL text) and carry nothing: drop them.
        self.title = (self.title or "").replace("\x00", "").strip()
        self.abstract = (self.abstract or "").replace("\x00", "")
        if not self.title:
            errors["title"] = _("Give the item a title.")
        if not isinstance(self.keywords, list) or not all(isinstance(k, str) for k in self.keywords):
            errors["keywords"] = _("Keywords are a list of words.")
        else:
            self.keywords = [
                k.replace("\x00", "").strip() for k in self.keywords if k.replace("\x00", "").strip()
            ][:30]
        if not isinstance(self.ipc_classes, list):
            errors["ipc_classes"] = _("IPC classes are a list like H01L, G06F17/30.")
        else:
            problems = [p for p in (ipc_problem(str(c)) for c in self.ipc_classes) if p]
            if problems:
                errors["ipc_classes"] = problems[0]
            else:
                self.ipc_classes = list(dict.fromkeys(normalise_ipc(str(c)) for c in self.ipc_classes))
        modes = set(TransferMode.values)
        if not isinstance(self.transfer_modes, list) or any(m not in modes for m in self.transfer_modes):
            errors["transfer_modes"] = _(
                "Choose transfer modes among: transfer, licence, equity, co_develop."
            )
        if self.patent_number:
            problem = patent_number_problem(self.patent_number)
            if problem:
                errors["patent_number"] = problem
            else:
                self.patent_number = normalise_patent_number(self.patent_number)
        elif self.kind == self.Kind.PATENT:
            errors["patent_number"] = _("A patent needs its number.")
        for f in ("price_min", "price_max"):
            v = getattr(self, f)
            if v is not None and v < 0:
                errors[f] = _("A price cannot be negative.")
        if self.price_min is not None and self.price_max is not None and self.price_min > self.price_max:
            errors["price_max"] = _("The highest price is below the lowest price.")
        if errors:
            raise ValidationError(errors)

    @property
    def transfer_mode_labels(self) -> list[str]:
        labels = dict(TransferMode.choices)
        return [str(labels.get(m, m)) for m in self.transfer_modes]


class FundedProject(models.Model):
    """A funded research project (e.g. an NSFC grant); evidence on an expert's profile."""

    number = models.CharField(_("grant number"), max_length=40, unique=True)
    funder = models.CharField(_("funder"), max_length=100, default="NSFC")
    project_type = models.CharField(_("project type"), max_length=100, blank=True)
    title = models.CharField(pgettext_lazy("marketplace item", "title"), max_length=300)
    institution = models.ForeignKey(
        Organisation, verbose_name=_("institution"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="funded_projects",
    )  # fmt: skip
    institution_name = models.CharField(_("institution name"), max_length=200, blank=True)
    principal = models.ForeignKey(
        Person, verbose_name=_("principal investigator"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="funded_projects",
    )  # fmt: skip
    principal_name = models.CharField(_("principal investigator name"), max_length=100, blank=True)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=18, decimal_places=2, null=True, blank=True)
    start = models.DateField(_("start"), null=True, blank=True)
    end = models.DateField(_("end"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)
    is_synthetic = models.BooleanField(_("synthetic"), default=False)

    class Meta:
        ordering = ["-start", "number"]
        verbose_name = _("funded project")
        verbose_name_plural = _("funded projects")

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def clean(self) -> None:
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("The end date is before the start date.")})
        if self.amount is not None and self.amount < 0:
            raise ValidationError({"amount": _("The amount cannot be negative.")})
