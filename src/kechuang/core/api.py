"""Core registries API: /api/v1/core/…"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router
from ninja.pagination import PageNumberPagination, paginate

from . import queries, services
from .models import Carrier, EnterpriseFacts, Industry, Organisation, Person, Region, TechField
from .permissions import can_view_private, is_admin
from .schemas import (
    AuditOut,
    CarrierOut,
    CodeName,
    FactsIn,
    FactsOut,
    MeOut,
    OrganisationIn,
    OrganisationOut,
    OrganisationPatch,
    PersonOut,
)

router = Router()
PUBLIC = None  # marks endpoints anyone may call (auth=None)


@router.get("/me", response=MeOut)
def me(request: HttpRequest):  # type: ignore[no-untyped-def]
    u = request.user
    return {"username": u.get_username(), "role": u.role, "organisation_id": u.organisation_id, "is_staff": u.is_platform_staff}  # type: ignore[union-attr]


@router.get("/regions", response=list[CodeName], auth=PUBLIC)
def regions(request: HttpRequest):  # type: ignore[no-untyped-def]
    return Region.objects.all()


@router.get("/industries", response=list[CodeName], auth=PUBLIC)
def industries(request: HttpRequest):  # type: ignore[no-untyped-def]
    return Industry.objects.all()


@router.get("/tech-fields", response=list[CodeName], auth=PUBLIC)
def tech_fields(request: HttpRequest):  # type: ignore[no-untyped-def]
    return TechField.objects.all()


@router.get("/organisations", response=list[OrganisationOut], auth=PUBLIC)
@paginate(PageNumberPagination, page_size=50)
def list_organisations(request: HttpRequest, q: str = "", kind: str = "", region: str = ""):  # type: ignore[no-untyped-def]
    return queries.search_organisations(q, kind, region).prefetch_related("tech_fields")


@router.get("/organisations/{org_id}", response=OrganisationOut, auth=PUBLIC)
def get_organisation(request: HttpRequest, org_id: int):  # type: ignore[no-untyped-def]
    return get_object_or_404(Organisation, pk=org_id)


def _resolve(data: dict) -> dict:
    if data.get("region") is not None:
        data["region"] = get_object_or_404(Region, pk=data["region"])
    if data.get("industry") is not None:
        data["industry"] = get_object_or_404(Industry, pk=data["industry"])
    if data.get("tech_fields") is not None:
        data["tech_fields"] = list(TechField.objects.filter(pk__in=data["tech_fields"]))
    return data


@router.post("/organisations", response={201: OrganisationOut})
def create_organisation(request: HttpRequest, payload: OrganisationIn):  # type: ignore[no-untyped-def]
    if not request.user.is_platform_staff:  # type: ignore[union-attr]
        raise PermissionDenied
    return 201, services.create_organisation(request.user, **_resolve(payload.dict()))  # type: ignore[arg-type]


@router.patch("/organisations/{org_id}", response=OrganisationOut)
def update_organisation(request: HttpRequest, org_id: int, payload: OrganisationPatch):  # type: ignore[no-untyped-def]
    org = get_object_or_404(Organisation, pk=org_id)
    return services.update_organisation(request.user, org, **_resolve(payload.dict(exclude_unset=True)))  # type: ignore[arg-type]


@router.get("/organisations/{org_id}/facts", response=list[FactsOut])
def list_facts(request: HttpRequest, org_id: int):  # type: ignore[no-untyped-def]
    org = get_object_or_404(Organisation, pk=org_id)
    if not can_view_private(request.user, org):
        raise PermissionDenied
    return EnterpriseFacts.objects.filter(organisation=org).order_by("-year")


@router.put("/organisations/{org_id}/facts/{year}", response=FactsOut)
def put_facts(request: HttpRequest, org_id: int, year: int, payload: FactsIn):  # type: ignore[no-untyped-def]
    org = get_object_or_404(Organisation, pk=org_id)
    return services.record_enterprise_facts(request.user, org, year, **payload.dict(exclude_unset=True))  # type: ignore[arg-type]


@router.get("/people", response=list[PersonOut], auth=PUBLIC)
@paginate(PageNumberPagination, page_size=50)
def list_people(request: HttpRequest, q: str = "", kind: str = ""):  # type: ignore[no-untyped-def]
    return queries.search_people(q, kind)


@router.get("/people/{person_id}", response=PersonOut, auth=PUBLIC)
def get_person(request: HttpRequest, person_id: int):  # type: ignore[no-untyped-def]
    return get_object_or_404(Person, pk=person_id)


@router.get("/carriers", response=list[CarrierOut], auth=PUBLIC)
@paginate(PageNumberPagination, page_size=50)
def list_carriers(request: HttpRequest, q: str = "", kind: str = ""):  # type: ignore[no-untyped-def]
    return queries.search_carriers(q, kind)


@router.get("/carriers/{carrier_id}", response=CarrierOut, auth=PUBLIC)
def get_carrier(request: HttpRequest, carrier_id: int):  # type: ignore[no-untyped-def]
    return get_object_or_404(Carrier, pk=carrier_id)


@router.get("/audit", response=list[AuditOut])
@paginate(PageNumberPagination, page_size=50)
def audit_log(request: HttpRequest, object_type: str = "", q: str = ""):  # type: ignore[no-untyped-def]
    if not is_admin(request.user):
        raise PermissionDenied
    return queries.audit_entries(object_type=object_type, q=q)
