"""Core registries API: /api/v1/core/…

Public: reference tables, organisations, people, carriers (never their private data).
Signed in: `me`, the caller's notifications and API tokens.
Private to the organisation's own users and staff: annual facts (financial facts are never public).
Administrators: the audit log.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from ninja import Router, Status
from ninja.pagination import paginate

from . import notifications, queries, services
from .api_support import Pages
from .models import (
    ApiToken,
    Carrier,
    EnterpriseFacts,
    Industry,
    Organisation,
    Person,
    Region,
    TechField,
    User,
)
from .permissions import can_view_private, is_admin
from .schemas import (
    AffiliationIn,
    AffiliationOut,
    AuditOut,
    CarrierIn,
    CarrierOut,
    CarrierPatch,
    CodeName,
    FactsIn,
    FactsOut,
    MarkedOut,
    MeOut,
    NotificationOut,
    OrganisationIn,
    OrganisationOut,
    OrganisationPatch,
    PersonIn,
    PersonOut,
    PersonPatch,
    TokenCreated,
    TokenIn,
    TokenOut,
)

router = Router()
PUBLIC = None  # marks endpoints anyone may call (auth=None)

from .jobs.api import router as jobs_router  # noqa: E402

router.add_router("/jobs", jobs_router)


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


# --- the caller -------------------------------------------------------------------------------


@router.get("/me", response=MeOut)
def me(request: HttpRequest):  # type: ignore[no-untyped-def]
    u = _user(request)
    return {"id": u.pk, "username": u.get_username(), "role": u.role, "organisation_id": u.organisation_id,
            "is_staff": u.is_platform_staff, "is_admin": is_admin(u)}  # fmt: skip


# --- reference tables -------------------------------------------------------------------------


@router.get("/regions", response=list[CodeName], auth=PUBLIC)
@paginate(Pages, page_size=100)
def regions(request: HttpRequest, parent: str = ""):  # type: ignore[no-untyped-def]
    qs = Region.objects.order_by("code")
    return qs.filter(parent_id=parent) if parent else qs


@router.get("/industries", response=list[CodeName], auth=PUBLIC)
@paginate(Pages, page_size=100)
def industries(request: HttpRequest, parent: str = ""):  # type: ignore[no-untyped-def]
    qs = Industry.objects.order_by("code")
    return qs.filter(parent_id=parent) if parent else qs


@router.get("/tech-fields", response=list[CodeName], auth=PUBLIC)
@paginate(Pages, page_size=100)
def tech_fields(request: HttpRequest, parent: str = ""):  # type: ignore[no-untyped-def]
    qs = TechField.objects.order_by("code")
    return qs.filter(parent_id=parent) if parent else qs


# --- organisations and their annual facts -----------------------------------------------------


@router.get("/organisations", response=list[OrganisationOut], auth=PUBLIC)
@paginate(Pages)
def list_organisations(request: HttpRequest, q: str = "", kind: str = "", region: str = ""):  # type: ignore[no-untyped-def]
    return queries.search_organisations(q, kind, region).prefetch_related("tech_fields")


@router.get("/organisations/{org_id}", response=OrganisationOut, auth=PUBLIC)
def get_organisation(request: HttpRequest, org_id: int):  # type: ignore[no-untyped-def]
    return get_object_or_404(Organisation, pk=org_id)


@router.post("/organisations", response={201: OrganisationOut})
def create_organisation(request: HttpRequest, payload: OrganisationIn):  # type: ignore[no-untyped-def]
    return Status(201, services.create_organisation(_user(request), **payload.dict()))


@router.patch("/organisations/{org_id}", response=OrganisationOut)
def update_organisation(request: HttpRequest, org_id: int, payload: OrganisationPatch):  # type: ignore[no-untyped-def]
    org = get_object_or_404(Organisation, pk=org_id)
    return services.update_organisation(_user(request), org, **payload.dict(exclude_unset=True))


def _private_organisation(request: HttpRequest, org_id: int) -> Organisation:
    org = get_object_or_404(Organisation, pk=org_id)
    if not can_view_private(request.user, org):
        raise PermissionDenied
    return org


@router.get("/organisations/{org_id}/facts", response=list[FactsOut])
@paginate(Pages)
def list_facts(request: HttpRequest, org_id: int):  # type: ignore[no-untyped-def]
    org = _private_organisation(request, org_id)
    return EnterpriseFacts.objects.filter(organisation=org).select_related("reported_by").order_by("-year")


@router.get("/organisations/{org_id}/facts/{year}", response=FactsOut)
def get_facts(request: HttpRequest, org_id: int, year: int):  # type: ignore[no-untyped-def]
    org = _private_organisation(request, org_id)
    return get_object_or_404(EnterpriseFacts, organisation=org, year=year)


@router.put("/organisations/{org_id}/facts/{year}", response=FactsOut)
def put_facts(request: HttpRequest, org_id: int, year: int, payload: FactsIn):  # type: ignore[no-untyped-def]
    # PUT replaces the year's row: a fact left out is recorded as missing (NULL), never as zero.
    org = _private_organisation(request, org_id)
    return services.record_enterprise_facts(_user(request), org, year, **payload.dict())


# --- people and affiliations ------------------------------------------------------------------


def _people():  # type: ignore[no-untyped-def]
    return Person.objects.prefetch_related("affiliations__organisation", "tech_fields")


@router.get("/people", response=list[PersonOut], auth=PUBLIC)
@paginate(Pages)
def list_people(request: HttpRequest, q: str = "", kind: str = ""):  # type: ignore[no-untyped-def]
    return queries.search_people(q, kind).prefetch_related("tech_fields")


@router.get("/people/{person_id}", response=PersonOut, auth=PUBLIC)
def get_person(request: HttpRequest, person_id: int):  # type: ignore[no-untyped-def]
    return get_object_or_404(_people(), pk=person_id)


@router.post("/people", response={201: PersonOut})
def create_person(request: HttpRequest, payload: PersonIn):  # type: ignore[no-untyped-def]
    data = payload.dict()
    org_id = data.pop("organisation_id")
    org = _organisation_field(org_id) if org_id is not None else None
    person = services.create_person(_user(request), affiliation=org, **data)
    return Status(201, _people().get(pk=person.pk))


@router.patch("/people/{person_id}", response=PersonOut)
def update_person(request: HttpRequest, person_id: int, payload: PersonPatch):  # type: ignore[no-untyped-def]
    person = get_object_or_404(Person, pk=person_id)
    services.update_person(_user(request), person, **payload.dict(exclude_unset=True))
    return _people().get(pk=person.pk)


@router.get("/people/{person_id}/affiliations", response=list[AffiliationOut], auth=PUBLIC)
@paginate(Pages)
def list_affiliations(request: HttpRequest, person_id: int):  # type: ignore[no-untyped-def]
    person = get_object_or_404(Person, pk=person_id)
    # Undated lines last on every database (PostgreSQL would put NULLs first).
    return person.affiliations.select_related("organisation").order_by(
        F("start_date").desc(nulls_last=True), "-id"
    )


@router.post("/people/{person_id}/affiliations", response={201: AffiliationOut})
def add_affiliation(request: HttpRequest, person_id: int, payload: AffiliationIn):  # type: ignore[no-untyped-def]
    person = get_object_or_404(Person, pk=person_id)
    data = payload.dict()
    org = _organisation_field(data.pop("organisation_id"))
    return Status(201, services.add_affiliation(_user(request), person, org, **data))


def _organisation_field(org_id: int) -> Organisation:
    # A reference inside the request body: unknown means bad data (422), not a missing page (404).
    org = Organisation.objects.filter(pk=org_id).first()
    if org is None:
        raise ValidationError({"organisation_id": ValidationError(_("No organisation has this id."))})
    return org


# --- innovation carriers ----------------------------------------------------------------------


@router.get("/carriers", response=list[CarrierOut], auth=PUBLIC)
@paginate(Pages)
def list_carriers(request: HttpRequest, q: str = "", kind: str = ""):  # type: ignore[no-untyped-def]
    return queries.search_carriers(q, kind).prefetch_related("tech_fields")


@router.get("/carriers/{carrier_id}", response=CarrierOut, auth=PUBLIC)
def get_carrier(request: HttpRequest, carrier_id: int):  # type: ignore[no-untyped-def]
    return get_object_or_404(Carrier, pk=carrier_id)


@router.post("/carriers", response={201: CarrierOut})
def create_carrier(request: HttpRequest, payload: CarrierIn):  # type: ignore[no-untyped-def]
    data = payload.dict()
    host_id = data.pop("host_id")
    data["host"] = _organisation_field(host_id) if host_id is not None else None
    return Status(201, services.create_carrier(_user(request), **data))


@router.patch("/carriers/{carrier_id}", response=CarrierOut)
def update_carrier(request: HttpRequest, carrier_id: int, payload: CarrierPatch):  # type: ignore[no-untyped-def]
    carrier = get_object_or_404(Carrier, pk=carrier_id)
    return services.update_carrier(_user(request), carrier, **payload.dict(exclude_unset=True))


# --- audit log (administrators) ---------------------------------------------------------------


@router.get("/audit", response=list[AuditOut])
@paginate(Pages)
def audit_log(  # type: ignore[no-untyped-def]
    request: HttpRequest, object_type: str = "", object_id: str = "", actor: str = "", q: str = ""
):
    if not is_admin(request.user):
        raise PermissionDenied
    qs = queries.audit_entries(object_type=object_type, actor=actor, q=q)
    return qs.filter(object_id=object_id) if object_id else qs


# --- the caller's notifications ---------------------------------------------------------------


@router.get("/notifications", response=list[NotificationOut])
@paginate(Pages)
def list_notifications(request: HttpRequest, unread: bool = False):  # type: ignore[no-untyped-def]
    qs = notifications.visible_to(_user(request))
    return qs.filter(read_at__isnull=True) if unread else qs


@router.post("/notifications/{note_id}/read", response=NotificationOut)
def mark_notification_read(request: HttpRequest, note_id: int):  # type: ignore[no-untyped-def]
    # Someone else's notification is "not found": its existence is nobody else's business.
    note = get_object_or_404(notifications.visible_to(_user(request)), pk=note_id)
    services.mark_notifications_read(_user(request), [note.pk])
    note.refresh_from_db()
    return note


@router.post("/notifications/read-all", response=MarkedOut)
def mark_all_notifications_read(request: HttpRequest):  # type: ignore[no-untyped-def]
    return {"marked": services.mark_notifications_read(_user(request))}


# --- the caller's API tokens ------------------------------------------------------------------


@router.get("/tokens", response=list[TokenOut])
@paginate(Pages)
def list_tokens(request: HttpRequest, include_revoked: bool = False):  # type: ignore[no-untyped-def]
    qs = ApiToken.objects.filter(user=_user(request)).order_by("-created_at", "-id")
    return qs if include_revoked else qs.filter(revoked_at__isnull=True)


@router.post("/tokens", response={201: TokenCreated})
def create_token(request: HttpRequest, payload: TokenIn):  # type: ignore[no-untyped-def]
    token, key = services.issue_api_token(_user(request), payload.name)
    return Status(201, {**TokenOut.model_validate(token).model_dump(), "key": key})


@router.delete("/tokens/{token_id}", response={204: None})
def revoke_token(request: HttpRequest, token_id: int):  # type: ignore[no-untyped-def]
    if not services.revoke_token(_user(request), token_id):
        raise Http404
    return Status(204, None)
