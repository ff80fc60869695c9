"""Policies API: /api/v1/policies/… (library, catalogue, self-check, 免申即享, what-if)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from kechuang.core import jobs
from kechuang.core.jobs.api import JobOut, job_out
from kechuang.core.models import Organisation
from kechuang.core.permissions import can_view_private, is_staff

from . import exports, queries, services, tasks
from .catalogue import POLICIES
from .inputs import parse_document
from .models import PolicyDocument, ProactiveRun
from .navigator import check as run_check
from .whatif import editable_parameters, validate_changes

router = Router()
PUBLIC = None


class DocumentOut(Schema):
    id: int
    title: str
    title_en: str
    doc_number: str
    authority: str
    level: str
    effective_from: dt.date | None
    effective_until: dt.date | None
    full_text: str
    target_groups: str
    benefit_type: str
    application_window: str
    how_to_apply: str
    policy_ids: str
    certainty: str
    source_note: str


class DocumentPatch(Schema):
    title: str | None = None
    title_en: str | None = None
    doc_number: str | None = None
    authority: str | None = None
    level: str | None = None
    effective_from: dt.date | None = None
    effective_until: dt.date | None = None
    full_text: str | None = None
    target_groups: str | None = None
    benefit_type: str | None = None
    application_window: str | None = None
    how_to_apply: str | None = None
    policy_ids: str | None = None
    certainty: str | None = None
    source_note: str | None = None


class CheckIn(Schema):
    year: int
    name: str = ""
    facts: dict[str, Any] = {}
    years: dict[str, dict[str, Any]] = {}


class SupplementaryIn(Schema):
    tech_transfer_income: float | None = None
    tech_contract_turnover: float | None = None
    voucher_service_spend: float | None = None
    tech_contracts_registered: bool | None = None
    key_tech_field: bool | None = None
    national_award_5y: bool | None = None
    provincial_rd_institution: bool | None = None
    led_standard_5y: bool | None = None
    ic_or_machine_tool_listed: bool | None = None


class SimulateIn(Schema):
    year: int
    changes: dict[str, float]


class RunIn(Schema):
    year: int
    policies: list[str] | None = None


class ExportIn(Schema):
    format: str = "csv"


class NotifyIn(Schema):
    policies: list[str] | None = None


class RunOut(Schema):
    id: int
    year: int
    created_at: dt.datetime
    enterprises: int
    screened_out: int
    notified_at: dt.datetime | None
    matches: int


def _staff(request: HttpRequest) -> None:
    if not is_staff(request.user):
        raise PermissionDenied


def _run_out(run: ProactiveRun) -> dict[str, Any]:
    return {
        "id": run.pk, "year": run.year, "created_at": run.created_at, "enterprises": run.enterprises,
        "screened_out": run.screened_out, "notified_at": run.notified_at, "matches": run.matches.count(),
    }  # fmt: skip


@router.get("/documents", response=list[DocumentOut], auth=PUBLIC)
@paginate(PageNumberPagination, page_size=50)
def list_documents(
    request: HttpRequest,
    q: str = "",
    level: str = "",
    benefit_type: str = "",
    policy: str = "",
    in_force: bool = False,
    semantic: bool = False,
):  # type: ignore[no-untyped-def]
    return queries.search_documents(q, level, benefit_type, policy, in_force, semantic)


@router.get("/documents/{doc_id}", response=DocumentOut, auth=PUBLIC)
def get_document(request: HttpRequest, doc_id: int):  # type: ignore[no-untyped-def]
    return get_object_or_404(PolicyDocument, pk=doc_id)


@router.patch("/documents/{doc_id}", response=DocumentOut)
def patch_document(request: HttpRequest, doc_id: int, payload: DocumentPatch):  # type: ignore[no-untyped-def]
    _staff(request)
    doc = get_object_or_404(PolicyDocument, pk=doc_id)
    return services.update_document(request.user, doc, **payload.dict(exclude_unset=True))  # type: ignore[arg-type]


@router.get("/catalogue", auth=PUBLIC)
def catalogue(request: HttpRequest):  # type: ignore[no-untyped-def]
    return [
        {"id": p.id, "name": {"zh": p.zh, "en": p.en}, "level": p.level, "benefit_type": p.benefit_type,
         "documents": p.documents,
         "conditions": [{"id": c.name, "label": {"zh": c.zh, "en": c.en}, "cite": c.cite, "tag": c.tag} for c in p.conditions],
         "unconfirmed": [{"zh": z, "en": e} for z, e in p.unconfirmed]}
        for p in POLICIES
    ]  # fmt: skip


@router.get("/parameters", auth=PUBLIC)
def parameters(request: HttpRequest, year: int):  # type: ignore[no-untyped-def]
    return [p.__dict__ for p in editable_parameters(year)]


@router.post("/check", auth=PUBLIC)
def check_facts(request: HttpRequest, payload: CheckIn):  # type: ignore[no-untyped-def]
    """Self-check on facts sent in the request; nothing is stored."""
    ent = parse_document({"name": payload.name, "facts": payload.facts, "years": payload.years})
    return run_check(ent, payload.year)


@router.get("/organisations/{org_id}/check")
def check_organisation(request: HttpRequest, org_id: int, year: int):  # type: ignore[no-untyped-def]
    org = get_object_or_404(Organisation, pk=org_id)
    if not can_view_private(request.user, org):
        raise PermissionDenied
    result = run_check(queries.enterprise_input(org, year), year)
    result["organisation_id"] = org.pk
    return result


@router.put("/organisations/{org_id}/facts/{year}")
def put_supplementary(request: HttpRequest, org_id: int, year: int, payload: SupplementaryIn):  # type: ignore[no-untyped-def]
    org = get_object_or_404(Organisation, pk=org_id)
    if not can_view_private(request.user, org):
        raise PermissionDenied
    row = services.record_supplementary_facts(request.user, org, year, **payload.dict(exclude_unset=True))  # type: ignore[arg-type]
    return {f: getattr(row, f) for f in row.FACTS} | {"year": row.year, "organisation_id": org.pk}


@router.post("/simulate", response={202: JobOut})
def simulate(request: HttpRequest, payload: SimulateIn):  # type: ignore[no-untyped-def]
    """Starts a what-if simulation over the registry (a background job): poll the job's `url`;
    when it has succeeded its `result` holds the comparison."""
    _staff(request)
    changes = validate_changes(payload.changes, payload.year)
    title = jobs.texts(_("What-if simulation for %(year)s"), year=payload.year)
    job = jobs.start(request.user, tasks.simulate, title, year=payload.year, changes=changes)
    return Status(202, job_out(job))


@router.post("/proactive-runs", response={202: JobOut})
def create_run(request: HttpRequest, payload: RunIn):  # type: ignore[no-untyped-def]
    """Starts a 免申即享 run (a background job): when it has succeeded, `result.run` is the run's id."""
    _staff(request)
    services.check_policy_ids(payload.policies)
    title = jobs.texts(_("Proactive delivery run for %(year)s"), year=payload.year)
    job = jobs.start(request.user, tasks.proactive_run, title, year=payload.year, policies=payload.policies)
    return Status(202, job_out(job))


@router.get("/proactive-runs", response=list[RunOut])
def list_runs(request: HttpRequest):  # type: ignore[no-untyped-def]
    _staff(request)
    return [_run_out(r) for r in ProactiveRun.objects.all()[:100]]


@router.get("/proactive-runs/{run_id}")
def get_run(request: HttpRequest, run_id: int):  # type: ignore[no-untyped-def]
    _staff(request)
    run = get_object_or_404(ProactiveRun, pk=run_id)
    out = _run_out(run)
    out["eligible"] = [
        {"organisation_id": m.organisation_id, "organisation": str(m.organisation), "uscc": m.organisation.uscc,
         "policy": m.policy_id, "benefit": str(m.benefit) if m.benefit is not None else None, "notified": m.notified}
        for m in run.matches.select_related("organisation")
    ]  # fmt: skip
    return out


@router.post("/proactive-runs/{run_id}/exports", response={202: JobOut})
def export_run(request: HttpRequest, run_id: int, payload: ExportIn):  # type: ignore[no-untyped-def]
    """Starts writing the run's eligible list as CSV or XLSX (a background job): when it has
    succeeded, fetch its `file_url`."""
    _staff(request)
    run = get_object_or_404(ProactiveRun, pk=run_id)
    if payload.format not in exports.FORMATS:
        raise ValidationError({"format": _("Use csv or xlsx.")})
    title = jobs.texts(_("%(format)s export of run #%(id)s"), format=payload.format.upper(), id=run.pk)
    job = jobs.start(request.user, tasks.export_run, title, run_id=run.pk, fmt=payload.format)
    return Status(202, job_out(job))


@router.post("/proactive-runs/{run_id}/notify", response={202: JobOut})
def notify(request: HttpRequest, run_id: int, payload: NotifyIn | None = None):  # type: ignore[no-untyped-def]
    """Starts telling the run's enterprises (of `policies`, all when omitted) what they can enjoy
    without applying (a background job); `result.organisations_notified` says how many."""
    _staff(request)
    run = get_object_or_404(ProactiveRun, pk=run_id)
    policies = payload.policies if payload is not None else None
    services.check_policy_ids(policies, required=True)
    title = jobs.texts(_("Notify the enterprises of run #%(id)s"), id=run.pk)
    job = jobs.start(request.user, tasks.notify_run, title, run_id=run.pk, policies=policies)
    return Status(202, job_out(job))
