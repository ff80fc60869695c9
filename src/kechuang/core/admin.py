from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

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


@admin.register(Region, Industry, TechField)
class ClassificationAdmin(admin.ModelAdmin):
    list_display = ("code", "name_zh", "name_en", "parent")
    search_fields = ("code", "name_zh", "name_en")


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "uscc", "kind", "region", "industry", "is_synthetic")
    list_filter = ("kind", "is_synthetic", "region")
    search_fields = ("name", "name_en", "uscc")
    autocomplete_fields = ("region", "industry")
    filter_horizontal = ("tech_fields",)

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        # Staff edits go through the service layer too, so they are validated and audited.
        from . import services

        data = {f: form.cleaned_data[f] for f in form.changed_data if f in services.ORGANISATION_FIELDS}
        if change:
            services.update_organisation(request.user, Organisation.objects.get(pk=obj.pk), **data)
        else:
            created = services.create_organisation(request.user, **{f: form.cleaned_data[f] for f in services.ORGANISATION_FIELDS if f in form.cleaned_data})
            obj.pk = created.pk

    def save_related(self, request, form, formsets, change):  # type: ignore[no-untyped-def]
        form.instance = Organisation.objects.get(pk=form.instance.pk)
        super().save_related(request, form, formsets, change)


@admin.register(EnterpriseFacts)
class EnterpriseFactsAdmin(admin.ModelAdmin):
    list_display = ("organisation", "year", "revenue", "rd_expense", "staff", "reported_at")
    list_filter = ("year", "is_synthetic")
    search_fields = ("organisation__name", "organisation__uscc")
    raw_id_fields = ("organisation",)


class AffiliationInline(admin.TabularInline):
    model = Affiliation
    extra = 0
    raw_id_fields = ("organisation",)


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "orcid", "is_synthetic")
    list_filter = ("kind", "is_synthetic")
    search_fields = ("name", "name_en", "orcid")
    inlines = [AffiliationInline]


@admin.register(Carrier)
class CarrierAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "region", "area_m2", "firms_served", "is_synthetic")
    list_filter = ("kind", "is_synthetic")
    search_fields = ("name", "name_en")
    raw_id_fields = ("host",)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "role", "organisation", "is_active")
    list_filter = ("role", "is_active")
    raw_id_fields = ("organisation",)
    fieldsets = (*BaseUserAdmin.fieldsets, ("Kechuang", {"fields": ("role", "organisation")}))  # type: ignore[misc]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "digest", "created_at", "last_used_at")


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the audit log is append-only and written by the service layer."""

    list_display = ("at", "actor_repr", "action", "object_type", "object_repr")
    list_filter = ("action", "object_type")
    search_fields = ("object_repr", "actor_repr", "object_id")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
