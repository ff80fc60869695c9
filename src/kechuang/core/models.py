"""Registries shared by every service: classifications, organisations, people, carriers, accounts, audit."""

from __future__ import annotations

from typing import Any

from axes.models import AccessAttempt
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .validators import validate_orcid, validate_uscc

MONEY: dict[str, Any] = {"max_digits": 18, "decimal_places": 2, "null": True, "blank": True}


class BilingualName(models.Model):
    """A row with a Chinese and an English name; `name` follows the active language."""

    name_zh = models.CharField(_("Chinese name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        lang = get_language() or "zh-hans"
        return self.name_en if lang.startswith("en") and self.name_en else self.name_zh


class Region(BilingualName):
    """A GB/T 2260 administrative division (province, city or district), plus 'abroad'."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("Province")
        CITY = "city", _("City")
        DISTRICT = "district", _("District")
        ABROAD = "abroad", _("Abroad")

    code = models.CharField(_("code"), max_length=6, primary_key=True)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    @property
    def province_code(self) -> str:
        return self.code[:2] + "0000"

    @property
    def in_shanghai(self) -> bool:
        return self.code.startswith("31")

    @property
    def in_yangtze_delta(self) -> bool:
        return self.code[:2] in {"31", "32", "33", "34"}


class Industry(BilingualName):
    """GB/T 4754-2017: sections (letters) and divisions (two digits)."""

    code = models.CharField(_("code"), max_length=4, primary_key=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("industry")
        verbose_name_plural = _("industries")

    @property
    def is_section(self) -> bool:
        return self.code.isalpha()

    @property
    def is_manufacturing(self) -> bool:
        return self.code == "C" or (self.parent_id == "C")


class TechField(BilingualName):
    """国家重点支持的高新技术领域: eight domains and their subfields (codes like 1 and 1.2)."""

    code = models.CharField(_("code"), max_length=12, primary_key=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("technology field")
        verbose_name_plural = _("technology fields")


class Organisation(models.Model):
    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", _("Enterprise")
        UNIVERSITY = "university", _("University")
        INSTITUTE = "institute", _("Research institute")
        SERVICE_PROVIDER = "service_provider", _("Service provider or broker")
        FINANCIAL = "financial", _("Bank or investor")
        GOVERNMENT = "government", _("Government body")

    uscc = models.CharField(
        _("unified social credit code"),
        max_length=18,
        unique=True,
        validators=[validate_uscc],
        help_text=_("18 characters (GB 32100-2015); the last one is a check character."),
    )
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.ENTERPRISE)
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT)
    industry = models.ForeignKey(
        Industry, verbose_name=_("industry"), null=True, blank=True, on_delete=models.PROTECT
    )
    tech_fields = models.ManyToManyField(TechField, verbose_name=_("technology fields"), blank=True)
    founded_on = models.DateField(_("registration date"), null=True, blank=True)
    resident = models.BooleanField(_("resident enterprise"), default=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    is_synthetic = models.BooleanField(
        _("synthetic"), default=False, help_text=_("Generated for the demo dataset; not a real organisation.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        indexes = [models.Index(fields=["kind", "region"])]

    def __str__(self) -> str:
        lang = get_language() or "zh-hans"
        return self.name_en if lang.startswith("en") and self.name_en else self.name

    def clean(self) -> None:
        self.uscc = (self.uscc or "").strip().upper()


class EnterpriseFacts(models.Model):
    """One enterprise's facts for one fiscal year, as the policy catalogue names them.

    Every figure may be missing (NULL): a missing fact is never read as zero.
    Money is yuan with two decimals.
    """

    class CollectionMethod(models.TextChoices):
        AUDITED = "audited", _("Audit collection (查账征收)")
        DEEMED = "deemed", _("Deemed collection (核定征收)")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="facts")
    year = models.PositiveSmallIntegerField(_("year"))
    revenue = models.DecimalField(_("sales revenue"), **MONEY)
    total_income = models.DecimalField(_("total income (less non-taxable income)"), **MONEY)
    main_business_revenue = models.DecimalField(_("main business revenue"), **MONEY)
    rd_expense = models.DecimalField(_("R&D expense"), **MONEY)
    rd_expense_domestic = models.DecimalField(_("R&D expense in China"), **MONEY)
    cost_expense = models.DecimalField(_("total costs and expenses"), **MONEY)
    high_tech_revenue = models.DecimalField(_("high-tech products and services revenue"), **MONEY)
    total_assets = models.DecimalField(_("total assets"), **MONEY)
    net_assets = models.DecimalField(_("net assets"), **MONEY)
    taxable_income = models.DecimalField(_("taxable income"), **MONEY)
    net_profit = models.DecimalField(_("net profit"), **MONEY)
    equity_financing_3y = models.DecimalField(_("equity financing over the last three years"), **MONEY)
    staff = models.PositiveIntegerField(_("staff"), null=True, blank=True)
    st_staff = models.PositiveIntegerField(_("science and technology staff"), null=True, blank=True)
    rd_staff = models.PositiveIntegerField(_("R&D staff"), null=True, blank=True)
    ip_class1 = models.PositiveIntegerField(_("class I intellectual property items"), null=True, blank=True)
    ip_class2 = models.PositiveIntegerField(_("class II intellectual property items"), null=True, blank=True)
    hnte_cert_valid_until = models.DateField(
        _("high-tech enterprise certificate valid until"), null=True, blank=True
    )
    tech_sme_reg_no = models.CharField(_("technology-based SME registry number"), max_length=40, blank=True)
    is_listed = models.BooleanField(_("listed company"), null=True, blank=True)
    credit_ok = models.BooleanField(_("no credit restrictions"), null=True, blank=True)
    major_incident_1y = models.BooleanField(
        _("major safety, quality or environmental incident in the past year"), null=True, blank=True
    )
    collection_method = models.CharField(
        _("income tax collection method"), max_length=10, choices=CollectionMethod.choices, blank=True
    )
    innovation_score = models.PositiveSmallIntegerField(
        _("expert innovation-capacity score"), null=True, blank=True
    )
    reported_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reported_at = models.DateTimeField(_("reported at"), auto_now=True)
    is_synthetic = models.BooleanField(_("synthetic"), default=False)

    FINANCIAL_FIELDS = (
        "revenue", "total_income", "main_business_revenue", "rd_expense", "rd_expense_domestic",
        "cost_expense", "high_tech_revenue", "total_assets", "net_assets", "taxable_income",
        "net_profit", "equity_financing_3y",
    )  # fmt: skip

    class Meta:
        ordering = ["organisation", "-year"]
        verbose_name = _("annual enterprise facts")
        verbose_name_plural = _("annual enterprise facts")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="facts_one_row_per_year"),
            models.CheckConstraint(
                condition=models.Q(st_staff__isnull=True)
                | models.Q(staff__isnull=True)
                | models.Q(st_staff__lte=models.F("staff")),
                name="facts_st_staff_within_staff",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.year}"

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.staff is not None:
            for f in ("st_staff", "rd_staff"):
                v = getattr(self, f)
                if v is not None and v > self.staff:
                    errors[f] = _("Cannot exceed the total staff.")
        domestic, total = self.rd_expense_domestic, self.rd_expense
        if domestic is not None and total is not None and domestic > total:
            errors["rd_expense_domestic"] = _("Cannot exceed the total R&D expense.")
        if self.innovation_score is not None and self.innovation_score > 100:
            errors["innovation_score"] = _("The score is out of 100.")
        if errors:
            raise ValidationError(errors)


class Person(models.Model):
    """An expert, researcher or broker. Identity is name + organisation + optional ORCID, never name alone."""

    class Kind(models.TextChoices):
        EXPERT = "expert", _("Expert")
        RESEARCHER = "researcher", _("Researcher")
        BROKER = "broker", _("Technology broker")

    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.RESEARCHER)
    orcid = models.CharField(
        "ORCID", max_length=19, blank=True, validators=[validate_orcid], help_text="0000-0002-1825-0097"
    )
    title = models.CharField(_("title"), max_length=100, blank=True)
    email = models.EmailField(_("email"), blank=True)
    tech_fields = models.ManyToManyField(TechField, verbose_name=_("technology fields"), blank=True)
    bio = models.TextField(_("profile"), blank=True)
    is_synthetic = models.BooleanField(_("synthetic"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.UniqueConstraint(
                fields=["orcid"], condition=~models.Q(orcid=""), name="person_unique_orcid"
            )
        ]

    def __str__(self) -> str:
        current = self.current_affiliation
        return f"{self.name} ({current.organisation})" if current else self.name

    @property
    def current_affiliation(self) -> Affiliation | None:
        return next((a for a in self.affiliations.all() if a.end_date is None), None)


class Affiliation(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="affiliations")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="affiliations")
    position = models.CharField(_("position"), max_length=100, blank=True)
    start_date = models.DateField(_("from"), null=True, blank=True)
    end_date = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        ordering = ["person", "-start_date"]
        verbose_name = _("affiliation")
        verbose_name_plural = _("affiliations")

    def __str__(self) -> str:
        return f"{self.person.name} @ {self.organisation}"

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end date is before the start date.")})


class Carrier(models.Model):
    """Innovation carriers: laboratories, platforms, incubators, maker spaces, science bases, foreign R&D."""

    class Kind(models.TextChoices):
        LAB_NATIONAL = "lab_national", _("National laboratory")
        LAB_NATIONAL_KEY = "lab_national_key", _("National key laboratory")
        LAB_MUNICIPAL = "lab_municipal", _("Municipal key laboratory")
        RD_PLATFORM = "rd_platform", _("R&D and transfer functional platform")
        TRANSFER_PLATFORM = "transfer_platform", _("Technology transfer platform")
        INCUBATOR = "incubator", _("Incubator")
        MAKER_SPACE = "maker_space", _("Maker space")
        POPSCI_BASE = "popsci_base", _("Popular-science base")
        FOREIGN_RD = "foreign_rd", _("Foreign-invested R&D centre")
        JOINT_CENTRE = "joint_centre", _("Enterprise joint innovation centre")

    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    host = models.ForeignKey(
        Organisation, verbose_name=_("host organisation"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="carriers",
    )  # fmt: skip
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT)
    tech_fields = models.ManyToManyField(TechField, verbose_name=_("technology fields"), blank=True)
    established_on = models.DateField(_("established"), null=True, blank=True)
    recognised_on = models.DateField(_("recognised"), null=True, blank=True)
    area_m2 = models.DecimalField(_("area (m²)"), max_digits=12, decimal_places=2, null=True, blank=True)
    firms_served = models.PositiveIntegerField(_("firms served"), null=True, blank=True)
    people_served = models.PositiveIntegerField(_("people served"), null=True, blank=True)
    firms_graduated = models.PositiveIntegerField(_("firms graduated"), null=True, blank=True)
    firms_listed = models.PositiveIntegerField(_("firms listed"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    is_synthetic = models.BooleanField(_("synthetic"), default=False)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("innovation carrier")
        verbose_name_plural = _("innovation carriers")

    def __str__(self) -> str:
        lang = get_language() or "zh-hans"
        return self.name_en if lang.startswith("en") and self.name_en else self.name


class User(AbstractUser):
    class Role(models.TextChoices):
        VISITOR = "visitor", _("Visitor")
        ENTERPRISE = "enterprise", _("Enterprise user")
        INSTITUTION = "institution", _("Institution user")
        SERVICE_PROVIDER = "service_provider", _("Service provider")
        REVIEWER = "reviewer", _("Reviewer")
        ANALYST = "analyst", _("Analyst")
        ADMIN = "admin", _("Administrator")

    STAFF_ROLES = frozenset({Role.REVIEWER, Role.ANALYST, Role.ADMIN})
    ORGANISATION_ROLES = frozenset({Role.ENTERPRISE, Role.INSTITUTION, Role.SERVICE_PROVIDER})

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.VISITOR)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="users",
    )  # fmt: skip

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def clean(self) -> None:
        super().clean()
        if self.role in self.ORGANISATION_ROLES and not self.organisation_id:
            raise ValidationError({"organisation": _("This role acts for an organisation: choose one.")})

    @property
    def is_platform_staff(self) -> bool:
        return self.is_superuser or self.role in self.STAFF_ROLES

    def save(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        # Staff roles reach the Django admin; the role is the single source of truth.
        if self.role in self.STAFF_ROLES:
            self.is_staff = True
        if self.role == self.Role.ADMIN:
            self.is_superuser = True
        super().save(*args, **kwargs)


class ApiToken(models.Model):
    """A bearer token for API clients. Only a hash is stored; the key is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=8, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):  # type: ignore[no-untyped-def]
        raise PermissionError("The audit log is append-only.")

    def delete(self):  # type: ignore[no-untyped-def]
        raise PermissionError("The audit log is append-only.")


class AuditEntry(models.Model):
    """Who changed what, when, with the state before and after. Append-only."""

    # Set when the entry is written (a default, not auto_now_add, so that the time is known before the
    # insert and covered by the entry's hash).
    at = models.DateTimeField(_("when"), default=timezone.now, editable=False, db_index=True)
    # DO_NOTHING without a database constraint: deleting a user or an organisation must never
    # rewrite history (the triggers would refuse the UPDATE anyway); actor_repr keeps the name.
    actor = models.ForeignKey(
        User, verbose_name=_("who"), null=True, blank=True, on_delete=models.DO_NOTHING,
        db_constraint=False, related_name="+",
    )  # fmt: skip
    actor_repr = models.CharField(_("who"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=80, db_index=True)
    object_type = models.CharField(_("object type"), max_length=80, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, db_index=True)
    object_repr = models.CharField(_("object"), max_length=300, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    # The hash chain (core/audit_chain.py): the previous entry's hash and this entry's own.
    prev_hash = models.CharField(
        _("previous entry's hash"), max_length=64, blank=True, default="", editable=False
    )
    hash = models.CharField(_("hash"), max_length=64, blank=True, default="", editable=False)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_repr} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        if self.pk is not None:
            raise PermissionError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise PermissionError("The audit log is append-only.")

    @property
    def changes(self) -> list[tuple[str, object, object]]:
        before, after = self.before or {}, self.after or {}
        keys = sorted(set(before) | set(after))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


class AuditChainHead(models.Model):
    """One row: the last audit entry's id and hash. Locked by every audit writer, so entries chain
    in commit order (core/audit_chain.py)."""

    last_id = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self) -> str:
        return f"{self.last_id} {self.hash}"


class SignInLockout(AccessAttempt):
    """django-axes' failed sign-in records under the platform's own name, for the back office."""

    class Meta:
        proxy = True
        verbose_name = _("sign-in lockout")
        verbose_name_plural = _("sign-in lockouts")


class Notification(models.Model):
    """A message to an organisation (and optionally one user) shown in the platform's inbox."""

    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=60)
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return self.title


# A model of this app defined beside its runner (core/jobs/); imported here so Django registers it.
from .jobs.models import Job as Job  # noqa: E402
