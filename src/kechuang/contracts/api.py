"""Technology contracts API: /api/v1/contracts/…

Public: aggregate tech-market statistics (JSON and CSV) only.
Organisation users: contracts their organisation filed or is a party to; filing, PDF upload, submission.
Reviewers (staff): the queue, claiming a contract and deciding on it.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from ninja import File, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from kechuang.core.api_support import Pages
from kechuang.core.models import Organisation, User
from kechuang.core.permissions import is_staff

from . import certificate, exports, queries, services
from .models import Contract
from .schemas import ContractIn, ContractOut, LeadIn, QueueOut, RefuseIn, ReturnIn, StatsOut

router = Router()
PUBLIC = None


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _visible(request: HttpRequest, pk: int) -> Contract:
    contract = get_object_or_404(Contract.objects.select_related("reviewer", "organisation"), pk=pk)
    if not queries.can_view(_user(request), contract):
        # Outsiders learn nothing, not even that the contract exists.
        raise Http404
    return contract


def _filing_org(user: User, organisation_id: int | None) -> Organisation:
    if is_staff(user) and organisation_id:
        return get_object_or_404(Organisation, pk=organisation_id)
    if not user.organisation_id:
        raise PermissionDenied("Only organisation users file contracts.")
    return user.organisation  # type: ignore[return-value]


def _split(payload: ContractIn) -> tuple[dict[str, Any], dict[str, Any]]:
    data = payload.dict()
    extra = {
        "tech_fields": data.pop("tech_fields"),
        "instalments": data.pop("instalments"),
        "ip_items": data.pop("ip_items"),
    }
    data.pop("organisation_id")
    extra["client_key"] = data.pop("client_key")
    return data, extra


@router.get("/contracts", response=list[ContractOut])
@paginate(Pages)
def list_contracts(request: HttpRequest, status: str = ""):  # type: ignore[no-untyped-def]
    qs = queries.visible_contracts(_user(request)).prefetch_related("tech_fields", "instalments", "ip_items")
    return qs.filter(status=status) if status else qs


@router.post("/contracts", response={201: ContractOut})
def create_contract(request: HttpRequest, payload: ContractIn):  # type: ignore[no-untyped-def]
    user = _user(request)
    org = _filing_org(user, payload.organisation_id)
    data, extra = _split(payload)
    return Status(201, services.save_contract(user, org, data, **extra))


@router.get("/contracts/{pk}", response=ContractOut)
def get_contract(request: HttpRequest, pk: int):  # type: ignore[no-untyped-def]
    return _visible(request, pk)


@router.put("/contracts/{pk}", response=ContractOut)
def update_contract(request: HttpRequest, pk: int, payload: ContractIn):  # type: ignore[no-untyped-def]
    contract = _visible(request, pk)
    if not queries.can_edit(_user(request), contract) and contract.is_editable:
        raise PermissionDenied
    data, extra = _split(payload)
    extra.pop("client_key")
    return services.save_contract(_user(request), contract.organisation, data, contract=contract, **extra)


@router.post("/contracts/{pk}/pdf", response=ContractOut)
def upload_pdf(request: HttpRequest, pk: int, file: File[UploadedFile]):  # type: ignore[no-untyped-def]
    contract = _visible(request, pk)
    if not queries.can_edit(_user(request), contract):
        if not contract.is_editable:
            raise ValidationError({"pdf": _("Only drafts and returned contracts can be changed.")})
        raise PermissionDenied
    data = {f: getattr(contract, f) for f in services.SCALAR_FIELDS}
    data["seller_region"], data["buyer_region"] = contract.seller_region_id, contract.buyer_region_id
    return services.save_contract(
        _user(request), contract.organisation, data, contract=contract,
        tech_fields=[f.pk for f in contract.tech_fields.all()], pdf=file,
    )  # fmt: skip


@router.get("/contracts/{pk}/pdf")
def download_pdf(request: HttpRequest, pk: int):  # type: ignore[no-untyped-def]
    return exports.pdf_response(_visible(request, pk))


@router.post("/contracts/{pk}/submit", response=ContractOut)
def submit(request: HttpRequest, pk: int):  # type: ignore[no-untyped-def]
    return services.submit_contract(_user(request), _visible(request, pk))


@router.post("/contracts/{pk}/lead", response=ContractOut)
def link_lead(request: HttpRequest, pk: int, payload: LeadIn):  # type: ignore[no-untyped-def]
    return services.link_match_lead(_user(request), _visible(request, pk), payload.lead_id)


@router.get("/contracts/{pk}/certificate")
def get_certificate(request: HttpRequest, pk: int) -> dict[str, Any]:
    contract = _visible(request, pk)
    if contract.status != Contract.Status.REGISTERED:
        raise Http404
    return certificate.certificate_data(contract)


# --- review -----------------------------------------------------------------------------------


def _staff(request: HttpRequest) -> User:
    user = _user(request)
    if not is_staff(user):
        raise PermissionDenied
    return user


@router.get("/queue", response=list[QueueOut])
@paginate(Pages)
def queue(request: HttpRequest):  # type: ignore[no-untyped-def]
    _staff(request)
    return [
        {"id": c.pk, "number": c.number, "title": c.title, "status": c.status, "organisation": str(c.organisation),
         "submitted_at": c.submitted_at, "age_days": queries.age_days(c), "review_due_on": c.review_due_on,
         "reviewer": c.reviewer.get_username() if c.reviewer else None}
        for c in queries.review_queue()
    ]  # fmt: skip


@router.post("/contracts/{pk}/claim", response=ContractOut)
def claim(request: HttpRequest, pk: int):  # type: ignore[no-untyped-def]
    user = _staff(request)
    return services.claim_review(user, get_object_or_404(Contract, pk=pk))


@router.post("/contracts/{pk}/release", response=ContractOut)
def release(request: HttpRequest, pk: int):  # type: ignore[no-untyped-def]
    user = _staff(request)
    return services.release_review(user, get_object_or_404(Contract, pk=pk))


@router.post("/contracts/{pk}/register", response=ContractOut)
def register(request: HttpRequest, pk: int):  # type: ignore[no-untyped-def]
    user = _staff(request)
    return services.register_contract(user, get_object_or_404(Contract, pk=pk))


@router.post("/contracts/{pk}/return", response=ContractOut)
def return_for_correction(request: HttpRequest, pk: int, payload: ReturnIn):  # type: ignore[no-untyped-def]
    user = _staff(request)
    return services.return_contract(
        user, get_object_or_404(Contract, pk=pk), payload.reasons, payload.correct_by
    )


@router.post("/contracts/{pk}/refuse", response=ContractOut)
def refuse(request: HttpRequest, pk: int, payload: RefuseIn):  # type: ignore[no-untyped-def]
    user = _staff(request)
    return services.refuse_contract(user, get_object_or_404(Contract, pk=pk), payload.reason)


@router.get("/contracts/{pk}/history")
def history(request: HttpRequest, pk: int) -> list[dict[str, Any]]:
    contract = _visible(request, pk)
    return [
        {"at": e.at.isoformat(), "actor": e.actor.get_username() if e.actor else None, "action": e.action,
         "from_status": e.from_status, "to_status": e.to_status, "note": e.note, "reasons": e.reasons}
        for e in contract.events.select_related("actor")
    ]  # fmt: skip


# --- public statistics ------------------------------------------------------------------------


def _check_dimension(by: str) -> None:
    if by and by not in queries.DIMENSIONS:
        raise ValidationError({"by": _("Group by one of: type, field, district, seller, buyer, month.")})


@router.get("/stats", response=StatsOut, auth=PUBLIC)
def stats(request: HttpRequest, year: int, by: str = "") -> dict[str, Any]:
    _check_dimension(by)
    rows = queries.breakdown(year, by) if by else []
    return {"year": year, "by": by or None, "total": queries.year_summary(year).as_dict(),
            "rows": [r.as_dict() for r in rows]}  # fmt: skip


@router.get("/stats.csv", auth=PUBLIC)
def stats_csv(request: HttpRequest, year: int, by: str = "type") -> HttpResponse:
    _check_dimension(by)
    return exports.stats_csv_response(year, by or "type")
