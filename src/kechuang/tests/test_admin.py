"""The back office goes through the services: for every model registered in the Django admin, each
add, change and delete is either disabled or handled by the ModelAdmin itself (which calls the app's
audited service), and no inline writes rows behind the parent's back."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse
from tests.conftest import client_for

from kechuang.achievements.models import FundedProject, TechSupply
from kechuang.core.models import AuditEntry

pytestmark = pytest.mark.django_db

# The ModelAdmin methods that write: a form's row, and deletions (one row, or the list's action).
SAVE, DELETE = "save_model", ("delete_model", "delete_queryset")


def _allowed(model_admin: Any, action: str, request: Any) -> bool:
    check = getattr(model_admin, f"has_{action}_permission")
    return bool(check(request) if action == "add" else check(request, None))


def _own(model_admin: Any, method: str) -> bool:
    """The ModelAdmin (or a project base class) replaces Django's default for `method`."""
    for cls in type(model_admin).__mro__:
        if method in vars(cls):
            return not cls.__module__.startswith("django.")
    return False


def _inline_writes(inline: Any, request: Any) -> bool:
    readonly = set(inline.get_readonly_fields(request)) | set(inline.readonly_fields)
    fields = [f for f in (inline.fields or ()) if f not in readonly] if inline.fields else None
    editable = (fields is None and not readonly) or bool(fields)
    return (
        inline.has_add_permission(request, None)
        or (inline.can_delete and inline.has_delete_permission(request, None))
        or (inline.has_change_permission(request, None) and editable)
    )


def test_every_admin_write_goes_through_a_service_or_is_disabled(admin_user) -> None:  # type: ignore[no-untyped-def]
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    assert admin_user.is_superuser  # every permission check below is the ModelAdmin's own
    unchecked = []
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label
        for action in ("add", "change", "delete"):
            if not _allowed(model_admin, action, request):
                continue
            if action == "delete" and not all(_own(model_admin, m) for m in DELETE):
                unchecked.append(f"{label}: delete")
            if action in ("add", "change") and not _own(model_admin, SAVE):
                unchecked.append(f"{label}: {action}")
        can_save = _allowed(model_admin, "add", request) or _allowed(model_admin, "change", request)
        for inline_class in model_admin.inlines:
            inline = inline_class(model, admin.site)
            if can_save and _inline_writes(inline, request) and not _own(model_admin, "save_related"):
                unchecked.append(f"{label}: inline {inline.model._meta.label}")
    assert unchecked == [], "admin writes that bypass the services (and the audit log)"


def test_no_supply_is_added_or_deleted_in_the_back_office(admin_user, own_org) -> None:  # type: ignore[no-untyped-def]
    client = client_for(admin_user)
    supply = TechSupply.objects.create(title="后台成果", owner=own_org)
    assert client.get(reverse("admin:achievements_techsupply_add")).status_code == 403
    r = client.post(reverse("admin:achievements_techsupply_delete", args=[supply.pk]), {"post": "yes"})
    assert r.status_code == 403 and TechSupply.objects.filter(pk=supply.pk).exists()


def test_a_funded_project_added_in_the_back_office_is_audited(admin_user) -> None:  # type: ignore[no-untyped-def]
    client = client_for(admin_user)
    r = client.post(reverse("admin:achievements_fundedproject_add"), {
        "number": "71790001", "funder": "NSFC", "title": "后台登记项目", "source": "nsfc",
    })  # fmt: skip
    assert r.status_code == 302, r.content.decode()[:3000]
    project = FundedProject.objects.get(number="71790001")
    entry = AuditEntry.objects.get(action="project.create", object_id=str(project.pk))
    assert entry.actor == admin_user
    r = client.post(reverse("admin:achievements_fundedproject_change", args=[project.pk]), {
        "funder": "NSFC", "title": "后台改名项目", "source": "nsfc",
    })  # fmt: skip
    assert r.status_code == 302, r.content.decode()[:3000]
    project.refresh_from_db()
    assert project.title == "后台改名项目"
    assert AuditEntry.objects.get(action="project.update", object_id=str(project.pk)).actor == admin_user
    r = client.post(reverse("admin:achievements_fundedproject_delete", args=[project.pk]), {"post": "yes"})
    assert r.status_code == 403 and FundedProject.objects.filter(pk=project.pk).exists()
