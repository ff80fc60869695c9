"""The technology marketplace: demands, expert profiles, open calls (揭榜挂帅) and match leads."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kechuang.achievements.models import TechSupply, TransferMode
from kechuang.core.models import Organisation, Person, Region, TechField, User

MAX_TEXT = 10_000  # longer descriptions are refused with a field error, never truncated silently


class Demand(models.Model):
    """A technical problem an organisation wants solved.

    `summary` is public and indexed; `details` is confidential when `confidential` is set: only the
    poster, staff and organisations that accepted the poster's NDA may read it, and it never
    reaches the search index.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    title = models.CharField(pgettext_lazy("marketplace item", "title"), max_length=200)
    summary = models.TextField(_("problem statement (public)"))
    details = models.TextField(_("details"), blank=True)
    confidential = models.BooleanField(
        _("details are confidential"), default=False,
        help_text=_("Details are shown only to organisations that accept your NDA."),
    )  # fmt: skip
    nda_text = models.TextField(_("NDA terms"), blank=True)
    desired_outcome = models.TextField(_("desired outcome"), blank=True)
    tech_fields = models.ManyToManyField(TechField, verbose_name=_("technology fields"), blank=True)
    budget_min = models.DecimalField(
        _("lowest budget (yuan)"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    budget_max = models.DecimalField(
        _("highest budget (yuan)"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    region_preference = models.ForeignKey(
        Region,
        verbose_name=_("preferred region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    cooperation_mode = models.CharField(
        _("cooperation mode"), max_length=20, choices=TransferMode.choices, blank=True
    )
    trl_min = models.PositiveSmallIntegerField(
        _("lowest readiness level wanted"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(9)],
    )  # fmt: skip
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="demands"
    )
    posted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    is_synthetic = models.BooleanField(_("synthetic"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("technology demand")
        verbose_name_plural = _("technology demands")
        indexes = [models.Index(fields=["status", "organisation"])]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        # NUL characters cannot be stored (PostgreSQL text) and carry nothing: drop them.
        for name in ("title", "summary", "details", "desired_outcome", "nda_text"):
            setattr(self, name, (getattr(self, name) or "").replace("\x00", ""))
        self.title = self.title.strip()
        self.summary = self.summary.strip()
        if not self.title:
            errors["title"] = _("Give the demand a title.")
        if not self.summary:
            errors["summary"] = _("Describe the problem.")
        for f in ("summary", "details", "desired_outcome"):
            if len(getattr(self, f) or "") > MAX_TEXT:
                errors[f] = _("At most %(n)s characters, please shorten the text.") % {"n": MAX_TEXT}
        for f in ("budget_min", "budget_max"):
            v = getattr(self, f)
            if v is not None and v < 0:
                errors[f] = _("A budget cannot be negative.")
        if self.budget_min is not None and self.budget_max is not None and self.budget_min > self.budget_max:
            errors["budget_max"] = _("The highest budget is below the lowest budget.")
        if errors:
            raise ValidationError(errors)


class NdaAcceptance(models.Model):
    """An organisation accepted a demand poster's NDA: its users may read the confidential details."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="nda_acceptances")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    accepted_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    accepted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("NDA acceptance")
        verbose_name_plural = _("NDA acceptances")
        constraints = [models.UniqueConstraint(fields=["demand", "organisation"], name="nda_once_per_org")]

    def __str__(self) -> str:
        return f"{self.organisation} ✓ {self.demand}"


class ExpertProfile(models.Model):
    """An expert's matchable profile, built from their results, patents and funded projects.

    One profile per Person: a person's identity is name + organisation + optional ORCID, so two
    people with the same name are two Person rows and two profiles.
    """

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="expert_profile")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="expert_profiles",
    )  # fmt: skip
    headline = models.CharField(_("headline"), max_length=300, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    keywords = models.JSONField(_("keywords"), default=list, blank=True)
    tech_fields = models.ManyToManyField(TechField, verbose_name=_("technology fields"), blank=True)
    result_count = models.PositiveIntegerField(_("research results"), default=0)
    patent_count = models.PositiveIntegerField(_("patents"), default=0)
    project_count = models.PositiveIntegerField(_("funded projects"), default=0)
    funding_total = models.DecimalField(
        _("total funding (yuan)"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    visible = models.BooleanField(_("listed"), default=True)
    is_synthetic = models.BooleanField(_("synthetic"), default=False)
    built_at = models.DateTimeField(_("built at"), default=timezone.now)

    class Meta:
        ordering = ["person__name", "id"]
        verbose_name = _("expert profile")
        verbose_name_plural = _("expert profiles")

    def __str__(self) -> str:
        return f"{self.person.name} ({self.organisation})" if self.organisation_id else self.person.name


class OpenCall(models.Model):
    """揭榜挂帅: a demand put out with a prize; solvers apply within a window and are evaluated."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        AWARDED = "awarded", _("Awarded")

    demand = models.OneToOneField(
        Demand, verbose_name=_("demand"), on_delete=models.PROTECT, related_name="open_call"
    )
    prize = models.DecimalField(_("prize (yuan)"), max_digits=18, decimal_places=2)
    eligibility = models.TextField(_("eligibility"))
    evaluation = models.TextField(_("evaluation"))
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opens_on", "-id"]
        verbose_name = _("open call")
        verbose_name_plural = _("open calls")

    def __str__(self) -> str:
        return str(self.demand)

    @property
    def organisation(self) -> Organisation:
        return self.demand.organisation

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.prize is not None and self.prize <= 0:
            errors["prize"] = _("The prize must be more than zero.")
        if self.opens_on and self.closes_on and self.closes_on < self.opens_on:
            errors["closes_on"] = _("The call closes before it opens.")
        if not (self.eligibility or "").strip():
            errors["eligibility"] = _("Say who may apply.")
        if not (self.evaluation or "").strip():
            errors["evaluation"] = _("Say how applications are evaluated.")
        if errors:
            raise ValidationError(errors)

    def is_open_on(self, day: Any) -> bool:
        return self.status == self.Status.OPEN and self.opens_on <= day <= self.closes_on


class CallApplication(models.Model):
    """A solver's application to an open call; a rejection always carries a reason category."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        SHORTLISTED = "shortlisted", _("Shortlisted")
        REJECTED = "rejected", _("Not shortlisted")
        AWARDED = "awarded", _("Awarded")

    class RejectionReason(models.TextChoices):
        TOO_EARLY = "too_early", _("Too early")
        BENEFIT_UNCLEAR = "benefit_unclear", _("Benefit unclear")
        DESCRIPTION_UNCLEAR = "description_unclear", _("Description unclear")
        MARKET_ROUTE_UNCLEAR = "market_route_unclear", _("Route to market unclear")
        OTHER = "other", _("Other")

    call = models.ForeignKey(OpenCall, on_delete=models.CASCADE, related_name="applications")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("applicant"), on_delete=models.PROTECT, related_name="call_applications"
    )
    submitted_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    proposal = models.TextField(_("proposal"))
    supply = models.ForeignKey(
        TechSupply, verbose_name=_("technology offered"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED)
    rejection_reason = models.CharField(
        _("reason"), max_length=24, choices=RejectionReason.choices, blank=True
    )
    decision_note = models.TextField(_("note to the applicant"), blank=True)
    respond_by = models.DateField(_("next step due by"), null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("open-call application")
        verbose_name_plural = _("open-call applications")
        constraints = [
            models.UniqueConstraint(fields=["call", "organisation"], name="one_application_per_org")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} → {self.call}"

    def clean(self) -> None:
        self.proposal = (self.proposal or "").replace("\x00", "")
        if not self.proposal.strip():
            raise ValidationError({"proposal": _("Describe your proposal.")})
        if len(self.proposal) > MAX_TEXT:
            raise ValidationError(
                {"proposal": _("At most %(n)s characters, please shorten the text.") % {"n": MAX_TEXT}}
            )


class MatchLead(models.Model):
    """A recommended pairing of a demand with a supply or an expert, followed to a contract or a close."""

    class Stage(models.TextChoices):
        RECOMMENDED = "recommended", _("Recommended")
        VIEWED = "viewed", _("Viewed")
        CONTACTED = "contacted", _("Contacted")
        NDA = "nda", _("NDA signed")
        NEGOTIATING = "negotiating", _("Negotiating")
        SIGNED = "signed", _("Contract signed")
        CLOSED = "closed", _("Closed")

    class CloseReason(models.TextChoices):
        NOT_RELEVANT = "not_relevant", _("Not relevant")
        PRICE = "price", _("Price or budget did not fit")
        NO_RESPONSE = "no_response", _("No response")
        SOLVED_ELSEWHERE = "solved_elsewhere", _("Solved elsewhere")
        OTHER = "other", _("Other")

    # The funnel order; CLOSED ends a lead at whatever stage it had reached.
    FUNNEL = ["recommended", "viewed", "contacted", "nda", "negotiating", "signed"]

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="leads")
    supply = models.ForeignKey(
        TechSupply, null=True, blank=True, on_delete=models.CASCADE, related_name="leads"
    )
    expert = models.ForeignKey(
        ExpertProfile, null=True, blank=True, on_delete=models.CASCADE, related_name="leads"
    )
    supplier = models.ForeignKey(
        Organisation, verbose_name=_("supplier"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="supplier_leads",
    )  # fmt: skip
    score = models.FloatField(_("match score"), default=0)
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices, default=Stage.RECOMMENDED)
    furthest = models.PositiveSmallIntegerField(_("furthest stage reached"), default=0)
    close_reason = models.CharField(_("close reason"), max_length=20, choices=CloseReason.choices, blank=True)
    contract_ref = models.CharField(_("contract"), max_length=100, blank=True)
    contract_amount = models.DecimalField(
        _("contract amount (yuan)"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    is_synthetic = models.BooleanField(_("synthetic"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("match lead")
        verbose_name_plural = _("match leads")
        constraints = [
            models.UniqueConstraint(
                fields=["demand", "supply"],
                condition=models.Q(supply__isnull=False),
                name="lead_once_per_supply",
            ),
            models.UniqueConstraint(
                fields=["demand", "expert"],
                condition=models.Q(expert__isnull=False),
                name="lead_once_per_expert",
            ),
            models.CheckConstraint(
                condition=models.Q(supply__isnull=False) | models.Q(expert__isnull=False),
                name="lead_has_a_match",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.demand} ↔ {self.supply or self.expert}"

    @property
    def organisation(self) -> Organisation:
        return self.demand.organisation

    @property
    def is_open(self) -> bool:
        return self.stage not in (self.Stage.SIGNED, self.Stage.CLOSED)

    @property
    def counterpart(self) -> Any:
        return self.supply or self.expert


class LeadTransition(models.Model):
    """One step in a lead's history (append-only in practice: services only create)."""

    lead = models.ForeignKey(MatchLead, on_delete=models.CASCADE, related_name="transitions")
    from_stage = models.CharField(max_length=12, blank=True)
    to_stage = models.CharField(max_length=12)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(_("note"), max_length=500, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("lead transition")
        verbose_name_plural = _("lead transitions")

    def __str__(self) -> str:
        return f"{self.from_stage or '∅'} → {self.to_stage}"
