"""Research results' rights: empowerment (赋权) of inventors, market valuation worksheets, and listing
on the technology exchange (进场) with the deal value."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kechuang.achievements.models import TechSupply
from kechuang.core.models import Organisation, Person

MONEY_DIGITS, MONEY_PLACES = 18, 2
# 《赋予科研人员职务科技成果所有权或长期使用权试点实施方案》(国科发区〔2020〕128号): the pilot's basis.
PILOT_DOCUMENT = "国科发区〔2020〕128号"


class RightsEmpowerment(models.Model):
    """A pilot unit grants the inventors of one result its ownership (a share) or long-term use rights."""

    class Grant(models.TextChoices):
        OWNERSHIP = "ownership", _("Ownership share")
        LONG_TERM_USE = "long_term_use", _("Long-term use rights")

    pilot_unit = models.ForeignKey(
        Organisation, verbose_name=_("pilot unit"), on_delete=models.PROTECT, related_name="empowerments"
    )
    result = models.ForeignKey(
        TechSupply, verbose_name=_("research result"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="empowerments",
    )  # fmt: skip
    result_title = models.CharField(_("result title"), max_length=300)
    inventors = models.ManyToManyField(
        Person, verbose_name=_("inventors"), blank=True, related_name="empowerments"
    )
    inventor_names = models.CharField(_("inventor names"), max_length=300, blank=True)
    grant = models.CharField(_("rights granted"), max_length=14, choices=Grant.choices)
    ownership_share = models.DecimalField(
        _("inventors' ownership share (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    use_term_years = models.PositiveSmallIntegerField(_("term of use rights (years)"), null=True, blank=True)
    granted_on = models.DateField(_("granted on"))
    basis = models.CharField(_("basis"), max_length=200, default=PILOT_DOCUMENT)
    is_synthetic = models.BooleanField(_("synthetic"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-granted_on", "-id"]
        verbose_name = _("rights empowerment")
        verbose_name_plural = _("rights empowerments")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(grant="ownership", ownership_share__gt=0, ownership_share__lte=100)
                           | models.Q(grant="long_term_use", use_term_years__gt=0)),
                name="empowerment_grant_terms",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.pilot_unit} · {self.result_title}"

    @property
    def organisation(self) -> Organisation:
        return self.pilot_unit


class EmpowermentTransfer(models.Model):
    """A later transfer (or licence) of an empowered result, and its amount."""

    empowerment = models.ForeignKey(RightsEmpowerment, on_delete=models.CASCADE, related_name="transfers")
    transferred_on = models.DateField(_("transferred on"))
    amount = models.DecimalField(_("amount (yuan)"), max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES)
    transferee = models.CharField(_("transferee"), max_length=200)
    contract_number = models.CharField(_("registered contract number"), max_length=24, blank=True)
    is_synthetic = models.BooleanField(_("synthetic"), default=False)

    class Meta:
        ordering = ["transferred_on", "id"]
        verbose_name = _("transfer of an empowered result")
        verbose_name_plural = _("transfers of empowered results")
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="empowerment_transfer_positive")
        ]

    def __str__(self) -> str:
        return f"{self.transferred_on} {self.amount}"


class ValuationWorksheet(models.Model):
    """A market valuation of one result: three approaches, the comparables used, the range and its assumptions."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="valuations"
    )
    result = models.ForeignKey(
        TechSupply, verbose_name=_("research result"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="valuations",
    )  # fmt: skip
    result_title = models.CharField(_("result title"), max_length=300)
    valued_on = models.DateField(_("valuation date"))
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Income approach.
    revenue_forecast = models.JSONField(_("revenue forecast (yuan per year)"), default=list, blank=True)
    royalty_rate = models.DecimalField(
        _("royalty or profit-share rate"), max_digits=6, decimal_places=4, null=True, blank=True
    )
    discount_rate = models.DecimalField(
        _("discount rate"), max_digits=6, decimal_places=4, null=True, blank=True
    )
    economic_life_years = models.PositiveSmallIntegerField(_("economic life (years)"), null=True, blank=True)
    # Cost approach.
    replacement_cost = models.DecimalField(
        _("replacement cost (yuan)"),
        null=True,
        blank=True,
        max_digits=MONEY_DIGITS,
        decimal_places=MONEY_PLACES,
    )
    obsolescence_rate = models.DecimalField(
        _("obsolescence rate"), max_digits=6, decimal_places=4, null=True, blank=True
    )
    # Market approach.
    field_code = models.CharField(_("technology field"), max_length=12, blank=True)
    contract_type = models.CharField(_("comparable contract type"), max_length=12, blank=True)
    comparables = models.JSONField(_("comparable contracts"), default=list, blank=True)
    # Results.
    income_value = models.DecimalField(
        _("income approach value (yuan)"),
        null=True,
        blank=True,
        max_digits=MONEY_DIGITS,
        decimal_places=MONEY_PLACES,
    )
    cost_value = models.DecimalField(
        _("cost approach value (yuan)"),
        null=True,
        blank=True,
        max_digits=MONEY_DIGITS,
        decimal_places=MONEY_PLACES,
    )
    market_value = models.DecimalField(
        _("market approach value (yuan)"),
        null=True,
        blank=True,
        max_digits=MONEY_DIGITS,
        decimal_places=MONEY_PLACES,
    )
    range_low = models.DecimalField(
        _("value range from (yuan)"), max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES
    )
    range_high = models.DecimalField(
        _("value range to (yuan)"), max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES
    )
    assumptions = models.JSONField(_("assumptions"), default=dict, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    is_synthetic = models.BooleanField(_("synthetic"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-valued_on", "-id"]
        verbose_name = _("valuation worksheet")
        verbose_name_plural = _("valuation worksheets")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(range_low__lte=models.F("range_high")), name="valuation_range_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.result_title} {self.valued_on}"


class ExchangeListing(models.Model):
    """A result listed on the technology exchange (进场), and the deal when it closes."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="exchange_listings",
    )
    result = models.ForeignKey(
        TechSupply, verbose_name=_("research result"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="exchange_listings",
    )  # fmt: skip
    result_title = models.CharField(_("result title"), max_length=300)
    exchange = models.CharField(_("exchange"), max_length=100, default="上海技术交易所")
    valuation = models.ForeignKey(
        ValuationWorksheet, verbose_name=_("valuation"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="listings",
    )  # fmt: skip
    listed_on = models.DateField(_("listed on"))
    asking_price = models.DecimalField(
        _("asking price (yuan)"), null=True, blank=True, max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES
    )
    deal_on = models.DateField(_("deal on"), null=True, blank=True)
    deal_value = models.DecimalField(
        _("deal value (yuan)"), null=True, blank=True, max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES
    )
    is_synthetic = models.BooleanField(_("synthetic"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-listed_on", "-id"]
        verbose_name = _("exchange listing")
        verbose_name_plural = _("exchange listings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(deal_value__isnull=True) | models.Q(deal_value__gt=0),
                name="listing_deal_positive",
            )
        ]

    def __str__(self) -> str:
        return f"{self.result_title} ({self.exchange})"
