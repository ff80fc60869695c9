from django.contrib import admin

from .models import FundedProject, TechSupply


@admin.register(TechSupply)
class TechSupplyAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "owner", "status", "trl", "patent_number", "is_synthetic"]
    list_filter = ["kind", "status", "is_synthetic"]
    search_fields = ["title", "patent_number"]
    raw_id_fields = ["owner", "inventors"]
    # Changes go through services (audit + index); the back office reads.
    readonly_fields = ["created_at", "updated_at", "published_at"]

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(FundedProject)
class FundedProjectAdmin(admin.ModelAdmin):
    list_display = [
        "number",
        "title",
        "project_type",
        "institution_name",
        "principal_name",
        "amount",
        "start",
    ]
    search_fields = ["number", "title", "principal_name", "institution_name"]
    raw_id_fields = ["institution", "principal"]

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False
