"""Technology supply API: /api/v1/achievements/… (research results, patents, funded projects)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema, Status
from ninja.security import SessionAuth

from kechuang.core import search
from kechuang.core.api_support import TokenAuth
from kechuang.core.models import Organisation, Person, TechField

from . import queries, services
from .models import FundedProject, TechSupply

router = Router()


def _anonymous(request: HttpRequest) -> bool:
    return True


# Public endpoints still recognise a token or session when one is sent, so the reader's own drafts
# and NDA-unlocked details are shown to them; without credentials the caller is anonymous.
PUBLIC = [TokenAuth(), SessionAuth(csrf=True), _anonymous]
PAGE_SIZE = 50


class SupplyIn(Schema):
    kind: str = Field("result", pattern="^(result|patent)$")
    title: str = Field(..., max_length=300)
    abstract: str = Field("", max_length=20_000)
    keywords: list[str] = []
    tech_fields: list[str] = []
    ipc_classes: list[str] = []
    patent_number: str = Field("", max_length=40)
    trl: int | None = None
    transfer_modes: list[str] = []
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    inventors: list[int] = []
    owner_id: int | None = Field(None, description="staff only; others post for their own organisation")
    publish: bool = False


class SupplyPatch(Schema):
    kind: str | None = Field(None, pattern="^(result|patent)$")
    title: str | None = Field(None, max_length=300)
    abstract: str | None = Field(None, max_length=20_000)
    keywords: list[str] | None = None
    tech_fields: list[str] | None = None
    ipc_classes: list[str] | None = None
    patent_number: str | None = Field(None, max_length=40)
    trl: int | None = None
    transfer_modes: list[str] | None = None
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    inventors: list[int] | None = None


class StatusIn(Schema):
    status: str


class SupplyOut(Schema):
    id: int
    kind: str
    title: str
    abstract: str
    keywords: list[str]
    tech_fields: list[str]
    ipc_classes: list[str]
    patent_number: str
    trl: int | None
    transfer_modes: list[str]
    price_min: Decimal | None
    price_max: Decimal | None
    owner_id: int
    owner: str
    inventors: list[int]
    status: str
    source: str
    is_synthetic: bool
    published_at: dt.datetime | None


class SupplyPage(Schema):
    items: list[SupplyOut]
    count: int


class SimilarOut(Schema):
    id: int
    title: str
    score: float
    band: str
    matched_terms: list[str]


class ProjectOut(Schema):
    id: int
    number: str
    funder: str
    project_type: str
    title: str
    institution_id: int | None
    institution_name: str
    principal_id: int | None
    principal_name: str
    amount: Decimal | None
    start: dt.date | None
    end: dt.date | None
    is_synthetic: bool


class ProjectPage(Schema):
    items: list[ProjectOut]
    count: int


def supply_out(s: TechSupply) -> dict[str, Any]:
    return {
        "id": s.pk, "kind": s.kind, "title": s.title, "abstract": s.abstract, "keywords": s.keywords,
        "tech_fields": [f.pk for f in s.tech_fields.all()], "ipc_classes": s.ipc_classes,
        "patent_number": s.patent_number, "trl": s.trl, "transfer_modes": s.transfer_modes,
        "price_min": s.price_min, "price_max": s.price_max, "owner_id": s.owner_id, "owner": str(s.owner),
        "inventors": [p.pk for p in s.inventors.all()], "status": s.status, "source": s.source,
        "is_synthetic": s.is_synthetic, "published_at": s.published_at,
    }  # fmt: skip


def _resolve(data: dict[str, Any]) -> dict[str, Any]:
    if data.get("tech_fields") is not None:
        codes = list(dict.fromkeys(data["tech_fields"]))
        fields = list(TechField.objects.filter(pk__in=codes))
        if len(fields) != len(codes):
            raise ValidationError({"tech_fields": _("Unknown technology field code.")})
        data["tech_fields"] = fields
    if data.get("inventors") is not None:
        ids = list(dict.fromkeys(data["inventors"]))
        people = list(Person.objects.filter(pk__in=ids))
        if len(people) != len(ids):
            raise ValidationError({"inventors": _("Unknown person.")})
        data["inventors"] = people
    return data


def _visible(request: HttpRequest, supply_id: int) -> TechSupply:
    supply = get_object_or_404(TechSupply.objects.select_related("owner"), pk=supply_id)
    if not services.can_view_supply(request.user, supply):
        raise Http404  # a draft's existence is not revealed
    return supply


@router.get("/supplies", response=SupplyPage, auth=PUBLIC)
def list_supplies(  # type: ignore[no-untyped-def]
    request: HttpRequest, q: str = "", kind: str = "", field: str = "", trl_min: int | None = None, mode: str = "",
    owner: int | None = None, status: str = "", ipc: str = "", page: int = 1,
):  # fmt: skip
    """Published items (and your own drafts); `q` is matched by the ranking engine, best first."""
    qs = queries.filter_supplies(queries.visible_supplies(request.user), kind=kind, field=field,
                                 trl_min=trl_min, mode=mode, owner=owner, status=status, ipc=ipc)  # fmt: skip
    page = max(1, min(page, 10_000))
    start = (page - 1) * PAGE_SIZE
    if q.strip() and search.ranking_available():
        # Rank only as deep as the requested page (at most 300); the listing shows its own fields,
        # so the hits need no highlights.
        limit = min(300, start + 2 * PAGE_SIZE)
        ranked = [r.obj for r in search.rank(q, kind="supply", limit=limit, explain_hits=False)]
        allowed = queries.admitted(qs, [s.pk for s in ranked])
        kept = [s for s in ranked if s.pk in allowed]
        # The ranked rows were just loaded (with their owner): only the page's relations are fetched.
        items = kept[start : start + PAGE_SIZE]
        prefetch_related_objects(items, "tech_fields", "inventors")
        return {"items": [supply_out(s) for s in items], "count": len(kept)}
    if q.strip():  # no app provides ranking: a plain substring match
        qs = queries.text_filter(qs, q)
    # Page on primary keys (narrow rows sort fast), then load that page's rows.
    ids = list(qs.values_list("pk", flat=True)[start : start + PAGE_SIZE])
    by_id = {
        s.pk: s
        for s in TechSupply.objects.filter(pk__in=ids)
        .select_related("owner")
        .prefetch_related("tech_fields", "inventors")
    }
    return {"items": [supply_out(by_id[i]) for i in ids], "count": qs.count()}


@router.get("/supplies/{supply_id}", response=SupplyOut, auth=PUBLIC)
def get_supply(request: HttpRequest, supply_id: int):  # type: ignore[no-untyped-def]
    return supply_out(_visible(request, supply_id))


@router.get("/supplies/{supply_id}/similar", response=list[SimilarOut], auth=PUBLIC)
def similar_supplies(request: HttpRequest, supply_id: int, limit: int = 6):  # type: ignore[no-untyped-def]
    supply = _visible(request, supply_id)
    results = search.similar("supply", supply, limit=max(1, min(limit, 30)))
    return [{"id": r.obj.pk, "title": r.obj.title, "score": r.score, "band": r.band,
             "matched_terms": r.hit.matched_terms} for r in results]  # fmt: skip


@router.post("/supplies", response={201: SupplyOut})
def create_supply(request: HttpRequest, payload: SupplyIn):  # type: ignore[no-untyped-def]
    user: Any = request.user
    data = _resolve(payload.dict())
    owner_id = data.pop("owner_id")
    if owner_id is not None and owner_id != user.organisation_id:
        owner = get_object_or_404(Organisation, pk=owner_id)
    elif user.organisation_id:
        owner = user.organisation
    else:
        raise PermissionDenied
    return Status(201, supply_out(services.create_supply(user, owner, **data)))


@router.patch("/supplies/{supply_id}", response=SupplyOut)
def update_supply(request: HttpRequest, supply_id: int, payload: SupplyPatch):  # type: ignore[no-untyped-def]
    supply = _visible(request, supply_id)
    user: Any = request.user
    return supply_out(services.update_supply(user, supply, **_resolve(payload.dict(exclude_unset=True))))


@router.post("/supplies/{supply_id}/status", response=SupplyOut)
def set_status(request: HttpRequest, supply_id: int, payload: StatusIn):  # type: ignore[no-untyped-def]
    supply = _visible(request, supply_id)
    return supply_out(services.set_supply_status(request.user, supply, payload.status))  # type: ignore[arg-type]


@router.delete("/supplies/{supply_id}", response={204: None})
def delete_supply(request: HttpRequest, supply_id: int):  # type: ignore[no-untyped-def]
    services.delete_supply(request.user, _visible(request, supply_id))  # type: ignore[arg-type]
    return Status(204, None)


@router.get("/projects", response=ProjectPage, auth=PUBLIC)
def list_projects(request: HttpRequest, q: str = "", principal: int | None = None, page: int = 1):  # type: ignore[no-untyped-def]
    qs = FundedProject.objects.all()
    if q.strip():
        qs = qs.filter(title__icontains=q.replace("\x00", "").strip()[:100])
    if principal:
        qs = qs.filter(principal_id=principal)
    page = max(1, min(page, 10_000))
    start = (page - 1) * PAGE_SIZE
    return {"items": list(qs[start : start + PAGE_SIZE]), "count": qs.count()}


@router.get("/projects/{project_id}", response=ProjectOut, auth=PUBLIC)
def get_project(request: HttpRequest, project_id: int):  # type: ignore[no-untyped-def]
    return get_object_or_404(FundedProject, pk=project_id)
