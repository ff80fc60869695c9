"""API schemas of the core registries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Schema


class CodeName(Schema):
    code: str
    name_zh: str
    name_en: str


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
    website: str | None = None
    description: str | None = None


class FactsOut(Schema):
    year: int
    revenue: Decimal | None
    total_income: Decimal | None
    main_business_revenue: Decimal | None
    rd_expense: Decimal | None
    rd_expense_domestic: Decimal | None
    cost_expense: Decimal | None
    high_tech_revenue: Decimal | None
    total_assets: Decimal | None
    net_assets: Decimal | None
    taxable_income: Decimal | None
    net_profit: Decimal | None
    equity_financing_3y: Decimal | None
    staff: int | None
    st_staff: int | None
    rd_staff: int | None
    ip_class1: int | None
    ip_class2: int | None
    hnte_cert_valid_until: dt.date | None
    tech_sme_reg_no: str
    is_listed: bool | None
    credit_ok: bool | None
    major_incident_1y: bool | None
    collection_method: str
    innovation_score: int | None
    reported_at: dt.datetime


class FactsIn(Schema):
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
    staff: int | None = None
    st_staff: int | None = None
    rd_staff: int | None = None
    ip_class1: int | None = None
    ip_class2: int | None = None
    hnte_cert_valid_until: dt.date | None = None
    tech_sme_reg_no: str | None = None
    is_listed: bool | None = None
    credit_ok: bool | None = None
    major_incident_1y: bool | None = None
    collection_method: str | None = None
    innovation_score: int | None = None


class AffiliationOut(Schema):
    organisation_id: int
    organisation: str
    position: str
    start_date: dt.date | None
    end_date: dt.date | None

    @staticmethod
    def resolve_organisation(obj) -> str:  # type: ignore[no-untyped-def]
        return str(obj.organisation)


class PersonOut(Schema):
    id: int
    name: str
    name_en: str
    kind: str
    orcid: str
    title: str
    affiliations: list[AffiliationOut]
    is_synthetic: bool

    @staticmethod
    def resolve_affiliations(obj) -> list:  # type: ignore[no-untyped-def]
        return list(obj.affiliations.all())


class CarrierOut(Schema):
    id: int
    name: str
    name_en: str
    kind: str
    region_id: str
    host_id: int | None
    area_m2: Decimal | None
    firms_served: int | None
    established_on: dt.date | None
    is_synthetic: bool


class AuditOut(Schema):
    id: int
    at: dt.datetime
    actor_repr: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    before: dict | None
    after: dict | None


class MeOut(Schema):
    username: str
    role: str
    organisation_id: int | None
    is_staff: bool
