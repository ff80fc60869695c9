"""Back-office views of the marketplace: read-only, since every change goes through services
(audit log, index updates, notifications)."""

from django.contrib import admin

from .models import CallApplication, Demand, ExpertProfile, LeadTransition, MatchLead, NdaAcceptance, OpenCall


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(Demand)
class DemandAdmin(ReadOnlyAdmin):
    list_display = [
        "title",
        "organisation",
        "status",
        "confidential",
        "budget_max",
        "deadline",
        "is_synthetic",
    ]
    list_filter = ["status", "confidential", "is_synthetic"]
    search_fields = ["title", "summary"]


@admin.register(ExpertProfile)
class ExpertProfileAdmin(ReadOnlyAdmin):
    list_display = ["person", "organisation", "result_count", "patent_count", "project_count", "visible"]
    search_fields = ["person__name"]


@admin.register(OpenCall)
class OpenCallAdmin(ReadOnlyAdmin):
    list_display = ["demand", "prize", "opens_on", "closes_on", "status"]


@admin.register(CallApplication)
class CallApplicationAdmin(ReadOnlyAdmin):
    list_display = ["call", "organisation", "status", "rejection_reason", "respond_by"]
    list_filter = ["status", "rejection_reason"]


class TransitionInline(admin.TabularInline):
    model = LeadTransition
    extra = 0
    can_delete = False
    readonly_fields = ["from_stage", "to_stage", "actor", "note", "at"]


@admin.register(MatchLead)
class MatchLeadAdmin(ReadOnlyAdmin):
    list_display = ["demand", "supply", "expert", "supplier", "stage", "close_reason", "updated_at"]
    list_filter = ["stage", "close_reason", "is_synthetic"]
    inlines = [TransitionInline]


@admin.register(NdaAcceptance)
class NdaAcceptanceAdmin(ReadOnlyAdmin):
    list_display = ["demand", "organisation", "accepted_by", "accepted_at"]
