"""Django admin for staff. Every write goes through services.py, so it is validated and audited like
any other change; registry rows are never deleted from the admin (history and references would
break), and the audit log is read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from . import services
from .models import (
    Affiliation,
    ApiToken,
    AuditEntry,
    Carrier,
    EnterpriseFacts,
    Industry,
    Organisation,
    Person,
    Region,
    TechField,
    User,
)

# Roles (User.role) decide what an account may do and Django's groups are not used: editing them
# here would change rights without an audit entry.
admin.site.unregister(Group)


@admin.register(Region, Industry, TechField)
class ClassificationAdmin(admin.ModelAdmin):
    """The classification tables come from reference/ files (GB/T 2260, GB/T 4754, 高新技术领域)."""

    list_display = ("code", "name_zh", "name_en", "parent")
    search_fields = ("code", "name_zh", "name_en")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ServiceAdmin(admin.ModelAdmin):
    """Saves through a service function; many-to-many fields are handed to it too."""

    service_fields: list[str] = []

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def _data(self, form: Any, change: bool) -> dict[str, Any]:
        names = form.changed_data if change else list(form.cleaned_data)
        return {f: form.cleaned_data[f] for f in names if f in self.service_fields or f == "tech_fields"}

    def create(self, actor: User, data: dict[str, Any]) -> Any:
        raise NotImplementedError

    def update(self, actor: User, obj: Any, data: dict[str, Any]) -> Any:
        raise NotImplementedError

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data = self._data(form, change)
        if change:
            saved = self.update(request.user, type(obj).objects.get(pk=obj.pk), data)  # type: ignore[arg-type]
        else:
            saved = self.create(request.user, data)  # type: ignore[arg-type]
        obj.pk = saved.pk

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # The many-to-many fields went through the service; only inlines are left (all read-only).
        form.instance = type(form.instance).objects.get(pk=form.instance.pk)
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


@admin.register(Organisation)
class OrganisationAdmin(ServiceAdmin):
    list_display = ("name", "uscc", "kind", "region", "industry", "is_synthetic")
    list_filter = ("kind", "is_synthetic", "region")
    search_fields = ("name", "name_en", "uscc")
    autocomplete_fields = ("region", "industry")
    filter_horizontal = ("tech_fields",)
    service_fields = services.ORGANISATION_FIELDS

    def create(self, actor: User, data: dict[str, Any]) -> Any:
        return services.create_organisation(actor, **data)

    def update(self, actor: User, obj: Any, data: dict[str, Any]) -> Any:
        return services.update_organisation(actor, obj, **data)


@admin.register(EnterpriseFacts)
class EnterpriseFactsAdmin(ServiceAdmin):
    list_display = ("organisation", "year", "revenue", "rd_expense", "staff", "reported_at")
    list_filter = ("year", "is_synthetic")
    search_fields = ("organisation__name", "organisation__uscc")
    raw_id_fields = ("organisation",)
    exclude = ("reported_by",)
    service_fields = services.FACT_FIELDS

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("organisation", "year") if obj is not None else ()

    def create(self, actor: User, data: dict[str, Any]) -> Any:
        raise AssertionError("save_model handles facts")

    def update(self, actor: User, obj: Any, data: dict[str, Any]) -> Any:
        raise AssertionError("save_model handles facts")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data = self._data(form, change)
        row = services.record_enterprise_facts(request.user, obj.organisation, obj.year, **data)  # type: ignore[arg-type]
        obj.pk = row.pk


class AffiliationInline(admin.TabularInline):
    """Read-only: affiliation history is added through the API or the importer (services.add_affiliation)."""

    model = Affiliation
    extra = 0
    fields = ("organisation", "position", "start_date", "end_date")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Person)
class PersonAdmin(ServiceAdmin):
    list_display = ("name", "kind", "orcid", "is_synthetic")
    list_filter = ("kind", "is_synthetic")
    search_fields = ("name", "name_en", "orcid")
    inlines = [AffiliationInline]
    service_fields = services.PERSON_FIELDS

    def create(self, actor: User, data: dict[str, Any]) -> Any:
        return services.create_person(actor, **data)

    def update(self, actor: User, obj: Any, data: dict[str, Any]) -> Any:
        return services.update_person(actor, obj, **data)


@admin.register(Carrier)
class CarrierAdmin(ServiceAdmin):
    list_display = ("name", "kind", "region", "area_m2", "firms_served", "is_synthetic")
    list_filter = ("kind", "is_synthetic")
    search_fields = ("name", "name_en")
    raw_id_fields = ("host",)
    service_fields = services.CARRIER_FIELDS

    def create(self, actor: User, data: dict[str, Any]) -> Any:
        return services.create_carrier(actor, **data)

    def update(self, actor: User, obj: Any, data: dict[str, Any]) -> Any:
        return services.update_carrier(actor, obj, **data)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Accounts: the role decides staff rights, so the admin shows the role, not Django's flags."""

    list_display = ("username", "role", "organisation", "is_active")
    list_filter = ("role", "is_active")
    raw_id_fields = ("organisation",)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Kechuang"), {"fields": ("role", "organisation", "is_active")}),
        (_("Contact"), {"fields": ("first_name", "last_name", "email")}),
    )
    add_fieldsets = ((None, {"fields": ("username", "password1", "password2", "role", "organisation")}),)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deactivate instead: the audit log and reports keep pointing at the account

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        actor: User = request.user  # type: ignore[assignment]
        if change:
            data = {f: form.cleaned_data[f] for f in form.changed_data if f in services.USER_FIELDS}
            saved = services.update_user(actor, User.objects.get(pk=obj.pk), **data)
        else:
            saved = services.create_user(
                actor, form.cleaned_data["username"], form.cleaned_data["password1"],
                form.cleaned_data.get("role") or User.Role.VISITOR, form.cleaned_data.get("organisation"),
            )  # fmt: skip
        obj.pk = saved.pk

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        form.instance = User.objects.get(pk=form.instance.pk)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued and revoked by their owners (web page or API); staff may only look."""

    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("user", "name", "prefix", "digest", "created_at", "last_used_at", "revoked_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the audit log is append-only and written by the service layer."""

    list_display = ("at", "actor_repr", "action", "object_type", "object_repr")
    list_filter = ("action", "object_type")
    search_fields = ("object_repr", "actor_repr", "object_id")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
