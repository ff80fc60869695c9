"""Technology contracts submitted for registration (技术合同认定登记), their review history and counters."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kechuang.core.models import Organisation, Region, TechField
from kechuang.core.validators import validate_uscc

MONEY_DIGITS, MONEY_PLACES = 18, 2


class ContractType(models.TextChoices):
    """民法典 第三编第二十章 技术合同."""

    DEVELOPMENT = "development", _("Technology development")
    TRANSFER = "transfer", _("Technology transfer")
    LICENCE = "licence", _("Technology licence")
    CONSULTING = "consulting", _("Technology consulting")
    SERVICE = "service", _("Technology service")


class ContractSubtype(models.TextChoices):
    DEV_COMMISSIONED = "dev_commissioned", _("Commissioned development")
    DEV_COOPERATIVE = "dev_cooperative", _("Cooperative development")
    TRANSFER_PATENT = "transfer_patent", _("Patent right transfer")
    TRANSFER_APPLICATION = "transfer_application", _("Patent application right transfer")
    TRANSFER_KNOW_HOW = "transfer_know_how", _("Technical secret transfer")
    TRANSFER_OTHER = "transfer_other", _("Other technology transfer")
    LICENCE_PATENT = "licence_patent", _("Patent implementation licence")
    LICENCE_KNOW_HOW = "licence_know_how", _("Technical secret use licence")
    CONSULTING = "consulting", _("Technology consulting")
    SERVICE = "service", _("Technology service")
    SERVICE_INTERMEDIARY = "service_intermediary", _("Technology intermediary")
    SERVICE_TRAINING = "service_training", _("Technology training")


SUBTYPES_OF: dict[str, tuple[str, ...]] = {
    ContractType.DEVELOPMENT: (ContractSubtype.DEV_COMMISSIONED, ContractSubtype.DEV_COOPERATIVE),
    ContractType.TRANSFER: (
        ContractSubtype.TRANSFER_PATENT, ContractSubtype.TRANSFER_APPLICATION,
        ContractSubtype.TRANSFER_KNOW_HOW, ContractSubtype.TRANSFER_OTHER,
    ),
    ContractType.LICENCE: (ContractSubtype.LICENCE_PATENT, ContractSubtype.LICENCE_KNOW_HOW),
    ContractType.CONSULTING: (ContractSubtype.CONSULTING,),
    ContractType.SERVICE: (
        ContractSubtype.SERVICE, ContractSubtype.SERVICE_INTERMEDIARY, ContractSubtype.SERVICE_TRAINING,
    ),
}  # fmt: skip


class SellerKind(models.TextChoices):
    UNIVERSITY = "university", _("University")
    INSTITUTE = "institute", _("Research institute")
    ENTERPRISE = "enterprise", _("Enterprise")
    OTHER = "other", _("Other")


class BuyerLocation(models.TextChoices):
    SHANGHAI = "shanghai", _("Shanghai")
    YRD = "yrd", _("Rest of the Yangtze River Delta")
    CHINA = "china", _("Rest of China")
    ABROAD = "abroad", _("Abroad")


def seller_kind_of(kind: str) -> str:
    return (
        kind
        if kind in {SellerKind.UNIVERSITY, SellerKind.INSTITUTE, SellerKind.ENTERPRISE}
        else SellerKind.OTHER
    )


def buyer_location_of(region_code: str | None) -> str:
    code = region_code or ""
    if code.startswith("31"):
        return BuyerLocation.SHANGHAI
    if code[:2] in {"32", "33", "34"}:
        return BuyerLocation.YRD
    if code == "990000" or not code:
        return BuyerLocation.ABROAD
    return BuyerLocation.CHINA


class Contract(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        UNDER_REVIEW = "under_review", _("Under review")
        REGISTERED = "registered", _("Registered")
        RETURNED = "returned", _("Returned for correction")
        REFUSED = "refused", _("Refused")

    EDITABLE = frozenset({Status.DRAFT, Status.RETURNED})

    # Who filed it on the platform (must be the seller or the buyer).
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("filed by"), on_delete=models.PROTECT, related_name="filed_contracts"
    )
    number = models.CharField(_("contract number"), max_length=60)
    title = models.CharField(_("contract title"), max_length=300)
    contract_type = models.CharField(_("contract type"), max_length=12, choices=ContractType.choices)
    subtype = models.CharField(_("subtype"), max_length=24, choices=ContractSubtype.choices)

    seller_uscc = models.CharField(_("seller credit code"), max_length=18, validators=[validate_uscc])
    seller_name = models.CharField(_("seller name"), max_length=200)
    seller = models.ForeignKey(
        Organisation, verbose_name=_("seller"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="contracts_sold",
    )  # fmt: skip
    seller_kind = models.CharField(_("seller type"), max_length=12, choices=SellerKind.choices)
    seller_region = models.ForeignKey(
        Region, verbose_name=_("seller district"), on_delete=models.PROTECT, related_name="+"
    )
    # A foreign buyer has no credit code.
    buyer_uscc = models.CharField(
        _("buyer credit code"), max_length=18, blank=True, validators=[validate_uscc]
    )
    buyer_name = models.CharField(_("buyer name"), max_length=200)
    buyer = models.ForeignKey(
        Organisation, verbose_name=_("buyer"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="contracts_bought",
    )  # fmt: skip
    buyer_region = models.ForeignKey(
        Region, verbose_name=_("buyer region"), on_delete=models.PROTECT, related_name="+"
    )
    buyer_location = models.CharField(_("buyer location"), max_length=10, choices=BuyerLocation.choices)

    signed_on = models.DateField(_("signing date"))
    starts_on = models.DateField(_("term from"))
    ends_on = models.DateField(_("term until"))
    total_amount = models.DecimalField(
        _("total amount (yuan)"), max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES
    )
    tech_amount = models.DecimalField(
        _("technical transaction amount (yuan)"), max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES
    )
    ancillary_amount = models.DecimalField(
        _("related consulting or service amount (yuan)"), default=0, max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES,
        help_text=_("Consulting or service that helps the buyer master the technology."),
    )  # fmt: skip
    ancillary_same_invoice = models.BooleanField(_("ancillary amount on the same invoice"), default=False)
    tech_fields = models.ManyToManyField(TechField, verbose_name=_("technology fields"), blank=True)
    primary_field = models.ForeignKey(
        TechField, verbose_name=_("main technology domain"), on_delete=models.PROTECT, related_name="+"
    )

    pdf_path = models.CharField(_("signed contract (PDF)"), max_length=300, blank=True)
    pdf_name = models.CharField(max_length=200, blank=True)
    pdf_size = models.PositiveIntegerField(null=True, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)

    status = models.CharField(_("status"), max_length=14, choices=Status.choices, default=Status.DRAFT)
    rules_code = models.CharField(_("registration rules"), max_length=8, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    review_due_on = models.DateField(_("decision due"), null=True, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewer"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="contracts_reviewing",
    )  # fmt: skip
    review_started_at = models.DateTimeField(null=True, blank=True)
    returned_reasons = models.JSONField(_("reasons per field"), default=dict, blank=True)
    correction_due_on = models.DateField(_("correct by"), null=True, blank=True)
    refusal_reason = models.TextField(_("reason for refusal"), blank=True)
    registration_number = models.CharField(
        _("registration number"), max_length=24, null=True, blank=True, unique=True
    )
    registered_on = models.DateField(_("registered on"), null=True, blank=True)
    # Denormalised from registered_on so statistics group on plain integer columns.
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    month = models.PositiveSmallIntegerField(null=True, blank=True)
    # The client's key for the create call: repeating a create with the same key returns the same contract.
    client_key = models.CharField(max_length=64, blank=True)
    match_lead_id = models.BigIntegerField(_("match lead"), null=True, blank=True)
    is_synthetic = models.BooleanField(_("synthetic"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("technology contract")
        verbose_name_plural = _("technology contracts")
        constraints = [
            models.UniqueConstraint(fields=["seller_uscc", "number"], name="contract_number_unique_per_seller"),
            models.UniqueConstraint(
                fields=["organisation", "client_key"], condition=~models.Q(client_key=""),
                name="contract_client_key_unique",
            ),
            models.CheckConstraint(condition=models.Q(total_amount__gt=0), name="contract_total_positive"),
            models.CheckConstraint(
                condition=models.Q(tech_amount__gt=0) & models.Q(tech_amount__lte=models.F("total_amount")),
                name="contract_tech_within_total",
            ),
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="contract_term_order"),
        ]  # fmt: skip
        indexes = [
            models.Index(fields=["status", "submitted_at"], name="contract_queue"),
            models.Index(
                fields=["status", "primary_field", "contract_type", "registered_on"],
                name="contract_comparables",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE

    @property
    def party_org_ids(self) -> set[int]:
        return {i for i in (self.organisation_id, self.seller_id, self.buyer_id) if i}

    @property
    def licence_years(self) -> int:
        return (self.ends_on - self.starts_on).days // 365


class PaymentInstalment(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="instalments")
    due_on = models.DateField(_("due on"))
    amount = models.DecimalField(_("amount (yuan)"), max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("payment instalment")
        verbose_name_plural = _("payment schedule")

    def __str__(self) -> str:
        return f"{self.due_on} {self.amount}"


class IPItem(models.Model):
    class Kind(models.TextChoices):
        PATENT = "patent", _("Patent")
        PATENT_APPLICATION = "patent_application", _("Patent application")
        SOFTWARE_COPYRIGHT = "software_copyright", _("Software copyright")
        KNOW_HOW = "know_how", _("Technical secret")
        OTHER = "other", _("Other")

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="ip_items")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    number = models.CharField(_("number"), max_length=40, blank=True)
    title = models.CharField(_("title"), max_length=300)

    class Meta:
        ordering = ["id"]
        verbose_name = _("intellectual property item")
        verbose_name_plural = _("intellectual property items")

    def __str__(self) -> str:
        return f"{self.number} {self.title}".strip()


class ReviewEvent(models.Model):
    """One step of a contract's life. Resubmissions add events; nothing is overwritten."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(_("action"), max_length=20)
    from_status = models.CharField(max_length=14, blank=True)
    to_status = models.CharField(max_length=14)
    note = models.TextField(_("note"), blank=True)
    reasons = models.JSONField(default=dict, blank=True)
    # The contract as submitted, so a resubmission can be compared with what was returned.
    snapshot = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("review event")
        verbose_name_plural = _("review history")

    def __str__(self) -> str:
        return f"{self.action} {self.from_status}→{self.to_status}"


class RegistrationCounter(models.Model):
    """The last registration serial issued per year; locked while a number is issued."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class MarketTally(models.Model):
    """Registered contracts counted per year and per value of one statistics dimension.

    Statistics are one-dimension breakdowns, so a year needs only about fifty tallies (the total, 5
    types, 8 domains, 16 districts, 4 seller types, 4 buyer locations, 12 months) however many contracts
    there are. A registration adds to its tallies in the same transaction; `queries.rebuild_statistics`
    recomputes them all with INSERT … SELECT … GROUP BY after bulk loads.
    """

    year = models.PositiveSmallIntegerField()
    dimension = models.CharField(max_length=10)
    key = models.CharField(max_length=24, blank=True)
    contracts = models.PositiveIntegerField(default=0)
    total_amount = models.DecimalField(max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES, default=0)
    tech_amount = models.DecimalField(max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES, default=0)

    class Meta:
        verbose_name = _("market tally")
        verbose_name_plural = _("market tallies")
        constraints = [
            models.UniqueConstraint(fields=["year", "dimension", "key"], name="market_tally_unique")
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.dimension}={self.key}: {self.contracts}"
