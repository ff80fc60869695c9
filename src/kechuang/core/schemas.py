"""API schemas of the core registries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema


class CodeName(Schema):
    code: str
    name_zh: str
    name_en: str
    parent_id: str | None


class OrganisationOut(Schema):
    id: int
    uscc: str
    name: str
    name_en: str
    kind: str
    region_id: str
    industry_id: str | None
    tech_fields: list[str]
    founded_on: dt.date | None
    resident: bool
    address: str
    website: str
    description: str
    is_synthetic: bool

    @staticmethod
    def resolve_tech_fields(obj) -> list[str]:  # type: ignore[no-untyped-def]
        return [f.pk for f in obj.tech_fields.all()]


class OrganisationIn(Schema):
    uscc: str
    name: str
    name_en: str = ""
    kind: str = "enterprise"
    region: str
    industry: str | None = None
    tech_fields: list[str] = []
    founded_on: dt.date | None = None
    resident: bool = True
    address: str = ""
    website: str = ""
    description: str = ""


class OrganisationPatch(Schema):
    uscc: str | None = None
    name: str | None = None
    name_en: str | None = None
    kind: str | None = None
    region: str | None = None
    industry: str | None = None
    tech_fields: list[str] | None = None
    founded_on: dt.date | None = None
    resident: bool | None = None
    address: str | None = None
    website: str | None = None
    description: str | None = None


class FactsIn(Schema):
    """All annual facts; a fact left out or null is recorded as missing (not zero)."""

    revenue: Decimal | None = None
    total_income: Decimal | None = None
    main_business_revenue: Decimal | None = None
    rd_expense: Decimal | None = None
    rd_expense_domestic: Decimal | None = None
    cost_expense: Decimal | None = None
    high_tech_revenue: Decimal | None = None
    total_assets: Decimal | None = None
    net_assets: Decimal | None = None
    taxable_income: Decimal | None = None
    net_profit: Decimal | None = None
    equity_financing_3y: Decimal | None = None
    staff: int | None = Field(None, ge=0)
    st_staff: int | None = Field(None, ge=0)
    rd_staff: int | None = Field(None, ge=0)
    ip_class1: int | None = Field(None, ge=0)
    ip_class2: int | None = Field(None, ge=0)
    hnte_cert_valid_until: dt.date | None = None
    tech_sme_reg_no: str | None = None
    is_listed: bool | None = None
    credit_ok: bool | None = None
    major_incident_1y: bool | None = None
    collection_method: str | None = None
    innovation_score: int | None = Field(None, ge=0)


class FactsOut(FactsIn):
    organisation_id: int
    year: int
    tech_sme_reg_no: str  # type: ignore[assignment]
    collection_method: str  # type: ignore[assignment]
    reported_by: str | None
    reported_at: dt.datetime
    is_synthetic: bool

    @staticmethod
    def resolve_reported_by(obj) -> str | None:  # type: ignore[no-untyped-def]
        return obj.reported_by.get_username() if obj.reported_by_id else None


class AffiliationOut(Schema):
    id: int
    organisation_id: int
    organisation: str
    position: str
    start_date: dt.date | None
    end_date: dt.date | None

    @staticmethod
    def resolve_organisation(obj) -> str:  # type: ignore[no-untyped-def]
        return str(obj.organisation)


class AffiliationIn(Schema):
    organisation_id: int
    position: str = ""
    start_date: dt.date | None = None
    end_date: dt.date | None = None


class PersonOut(Schema):
    id: int
    name: str
    name_en: str
    kind: str
    orcid: str
    title: str
    bio: str
    tech_fields: list[str]
    affiliations: list[AffiliationOut]
    is_synthetic: bool

    @staticmethod
    def resolve_affiliations(obj) -> list:  # type: ignore[no-untyped-def]
        return list(obj.affiliations.all())

    @staticmethod
    def resolve_tech_fields(obj) -> list[str]:  # type: ignore[no-untyped-def]
        return [f.pk for f in obj.tech_fields.all()]


class PersonIn(Schema):
    name: str
    name_en: str = ""
    kind: str = "researcher"
    orcid: str = ""
    title: str = ""
    email: str = ""
    bio: str = ""
    tech_fields: list[str] = []
    organisation_id: int | None = None
    position: str = ""
    start_date: dt.date | None = None


class PersonPatch(Schema):
    name: str | None = None
    name_en: str | None = None
    kind: str | None = None
    orcid: str | None = None
    title: str | None = None
    email: str | None = None
    bio: str | None = None
    tech_fields: list[str] | None = None


class CarrierOut(Schema):
    id: int
    name: str
    name_en: str
    kind: str
    region_id: str
    host_id: int | None
    tech_fields: list[str]
    established_on: dt.date | None
    recognised_on: dt.date | None
    area_m2: Decimal | None
    firms_served: int | None
    people_served: int | None
    firms_graduated: int | None
    firms_listed: int | None
    description: str
    is_synthetic: bool

    @staticmethod
    def resolve_tech_fields(obj) -> list[str]:  # type: ignore[no-untyped-def]
        return [f.pk for f in obj.tech_fields.all()]


class CarrierIn(Schema):
    name: str
    name_en: str = ""
    kind: str
    region: str
    host_id: int | None = None
    tech_fields: list[str] = []
    established_on: dt.date | None = None
    recognised_on: dt.date | None = None
    area_m2: Decimal | None = None
    firms_served: int | None = Field(None, ge=0)
    people_served: int | None = Field(None, ge=0)
    firms_graduated: int | None = Field(None, ge=0)
    firms_listed: int | None = Field(None, ge=0)
    description: str = ""


class CarrierPatch(Schema):
    name: str | None = None
    name_en: str | None = None
    kind: str | None = None
    region: str | None = None
    tech_fields: list[str] | None = None
    established_on: dt.date | None = None
    recognised_on: dt.date | None = None
    area_m2: Decimal | None = None
    firms_served: int | None = Field(None, ge=0)
    people_served: int | None = Field(None, ge=0)
    firms_graduated: int | None = Field(None, ge=0)
    firms_listed: int | None = Field(None, ge=0)
    description: str | None = None


class AuditOut(Schema):
    id: int
    at: dt.datetime
    actor_id: int | None
    actor_repr: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    organisation_id: int | None
    before: dict | None
    after: dict | None


class MeOut(Schema):
    id: int
    username: str
    role: str
    organisation_id: int | None
    is_staff: bool
    is_admin: bool


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    url: str
    organisation_id: int | None
    user_id: int | None
    created_at: dt.datetime
    read_at: dt.datetime | None


class MarkedOut(Schema):
    marked: int


class TokenIn(Schema):
    name: str


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class TokenCreated(TokenOut):
    key: str = Field(description="The secret: shown once, store it now.")
