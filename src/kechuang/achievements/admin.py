"""Back office of the technology supply. Every change goes through services.py (audit, search index,
expert profiles): supplies are managed on their own pages, so here they are read only; staff keep
the funded-project registry through `record_funded_project`. Nothing is deleted here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from . import services
from .models import FundedProject, TechSupply


@admin.register(TechSupply)
class TechSupplyAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "owner", "status", "trl", "patent_number", "is_synthetic"]
    list_filter = ["kind", "status", "is_synthetic"]
    search_fields = ["title", "patent_number"]
    raw_id_fields = ["owner", "inventors"]
    readonly_fields = ["created_at", "updated_at", "published_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # owners post on /achievements/new/ (or the API, or an import)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a published item is archived, a draft deleted by its owner (services.delete_supply)


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

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("number",) if obj is not None else ()  # the grant number is the project's key

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # projects are evidence on expert profiles; the registry keeps them

    def save_model(self, request: HttpRequest, obj: FundedProject, form: Any, change: bool) -> None:
        fields = {f: form.cleaned_data[f] for f in services.PROJECT_FIELDS if f in form.cleaned_data}
        fields["number"] = obj.number
        saved = services.record_funded_project(request.user, **fields)  # type: ignore[arg-type]
        obj.pk = saved.pk
