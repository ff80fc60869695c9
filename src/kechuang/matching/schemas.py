"""API schemas of the marketplace (supplies live in achievements.api but share the result shape)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

MAX_TEXT = 20_000  # the API accepts this much and the model says clearly what is too long


class MatchIn(Schema):
    text: str = Field("", max_length=MAX_TEXT)
    kind: str = Field("supply", pattern="^(supply|expert|demand)$")
    fields: list[str] = []
    trl_min: int | None = Field(None, ge=1, le=9)
    budget_max: Decimal | None = Field(None, ge=0)
    region: str | None = Field(None, max_length=6)
    mode: str = ""
    limit: int = Field(10, ge=1, le=50)


class MatchOut(Schema):
    kind: str
    id: int
    title: str
    score: float
    band: str
    matched_terms: list[str]
    highlights: dict[str, str]
    constraints_met: list[str]
    constraints_missed: list[str]
    constraints_unknown: list[str]


class DemandIn(Schema):
    title: str = Field(..., max_length=200)
    summary: str = Field(..., max_length=MAX_TEXT)
    details: str = Field("", max_length=MAX_TEXT)
    confidential: bool = False
    nda_text: str = Field("", max_length=MAX_TEXT)
    desired_outcome: str = Field("", max_length=MAX_TEXT)
    tech_fields: list[str] = []
    budget_min: Decimal | None = None
    budget_max: Decimal | None = None
    deadline: dt.date | None = None
    region_preference: str | None = None
    cooperation_mode: str = ""
    trl_min: int | None = None
    status: str = "open"


class DemandPatch(Schema):
    title: str | None = Field(None, max_length=200)
    summary: str | None = Field(None, max_length=MAX_TEXT)
    details: str | None = Field(None, max_length=MAX_TEXT)
    confidential: bool | None = None
    nda_text: str | None = Field(None, max_length=MAX_TEXT)
    desired_outcome: str | None = Field(None, max_length=MAX_TEXT)
    tech_fields: list[str] | None = None
    budget_min: Decimal | None = None
    budget_max: Decimal | None = None
    deadline: dt.date | None = None
    region_preference: str | None = None
    cooperation_mode: str | None = None
    trl_min: int | None = None
    status: str | None = None


class DemandOut(Schema):
    id: int
    title: str
    summary: str
    details: str | None = Field(None, description="null unless you may read the details (own, staff or NDA)")
    details_hidden: bool
    confidential: bool
    nda_text: str
    desired_outcome: str
    tech_fields: list[str]
    budget_min: Decimal | None
    budget_max: Decimal | None
    deadline: dt.date | None
    region_preference_id: str | None
    cooperation_mode: str
    trl_min: int | None
    organisation_id: int
    organisation: str
    status: str
    is_synthetic: bool
    created_at: dt.datetime


class ExpertOut(Schema):
    id: int
    person_id: int
    name: str
    orcid: str
    organisation_id: int | None
    organisation: str | None
    headline: str
    summary: str
    keywords: list[str]
    tech_fields: list[str]
    result_count: int
    patent_count: int
    project_count: int
    funding_total: Decimal | None
    is_synthetic: bool


class ExpertBuildIn(Schema):
    person_id: int


class CallIn(Schema):
    demand_id: int
    prize: Decimal = Field(..., gt=0)
    eligibility: str = Field(..., max_length=MAX_TEXT)
    evaluation: str = Field(..., max_length=MAX_TEXT)
    opens_on: dt.date
    closes_on: dt.date


class CallOut(Schema):
    id: int
    demand_id: int
    title: str
    organisation_id: int
    prize: Decimal
    eligibility: str
    evaluation: str
    opens_on: dt.date
    closes_on: dt.date
    status: str


class ApplicationIn(Schema):
    proposal: str = Field(..., max_length=MAX_TEXT)
    supply_id: int | None = None


class DecisionIn(Schema):
    decision: str = Field(..., pattern="^(shortlist|reject|award)$")
    reason: str = ""
    note: str = Field("", max_length=2000)
    respond_by: dt.date | None = None


class ApplicationOut(Schema):
    id: int
    call_id: int
    organisation_id: int
    organisation: str
    proposal: str
    supply_id: int | None
    status: str
    rejection_reason: str
    decision_note: str
    respond_by: dt.date | None
    submitted_at: dt.datetime


class LeadIn(Schema):
    demand_id: int
    supply_id: int | None = None
    expert_id: int | None = None


class LeadMoveIn(Schema):
    stage: str = ""
    reason: str = ""
    note: str = Field("", max_length=500)


class TransitionOut(Schema):
    from_stage: str
    to_stage: str
    note: str
    at: dt.datetime


class LeadOut(Schema):
    id: int
    demand_id: int
    demand_title: str
    supply_id: int | None
    expert_id: int | None
    supplier_id: int | None
    score: float
    stage: str
    close_reason: str
    contract_ref: str
    contract_amount: Decimal | None
    transitions: list[TransitionOut]


class FunnelRow(Schema):
    stage: str
    label: str
    count: int
    share: float


class IndexProgressOut(Schema):
    """Items in the search index per kind, how many already have their semantic vectors."""

    documents: dict[str, int]
    embedded: dict[str, int]
    total: int
    done: int
    pending: int
    percent: int
    dense: bool
    model: str


class FunnelOut(Schema):
    scope: str
    rows: list[FunnelRow]
    by_organisation: list[dict[str, Any]] = []


class DemandPage(Schema):
    items: list[DemandOut]
    count: int


class ExpertPage(Schema):
    items: list[ExpertOut]
    count: int


class LeadPage(Schema):
    items: list[LeadOut]
    count: int
