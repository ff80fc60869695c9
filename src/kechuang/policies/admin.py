"""Back office: staff edit the policy library here; every save goes through services (audited).
Nothing is deleted here: a policy that ends gets its end date (verdicts and reports cite it), facts
are corrected by recording them again, and 免申即享 runs are history."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from . import services
from .models import PolicyDocument, ProactiveMatch, ProactiveRun, SupplementaryFacts


@admin.register(PolicyDocument)
class PolicyDocumentAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "doc_number",
        "level",
        "benefit_type",
        "effective_from",
        "effective_until",
        "certainty",
    )
    list_filter = ("level", "benefit_type", "certainty")
    search_fields = ("title", "title_en", "doc_number", "authority", "full_text")

    def save_model(self, request: HttpRequest, obj: PolicyDocument, form: Any, change: bool) -> None:
        fields = {f: form.cleaned_data[f] for f in form.changed_data if f in services.DOCUMENT_FIELDS}
        if change:
            saved = services.update_document(request.user, PolicyDocument.objects.get(pk=obj.pk), **fields)  # type: ignore[arg-type]
        else:
            fields = {f: getattr(obj, f) for f in services.DOCUMENT_FIELDS}
            saved = services.create_document(request.user, **fields)  # type: ignore[arg-type]
        obj.pk = saved.pk

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SupplementaryFacts)
class SupplementaryFactsAdmin(admin.ModelAdmin):
    list_display = (
        "organisation",
        "year",
        "tech_transfer_income",
        "tech_contract_turnover",
        "key_tech_field",
    )
    list_filter = ("year",)
    raw_id_fields = ("organisation",)

    def save_model(self, request: HttpRequest, obj: SupplementaryFacts, form: Any, change: bool) -> None:
        facts = {f: form.cleaned_data[f] for f in SupplementaryFacts.FACTS if f in form.cleaned_data}
        saved = services.record_supplementary_facts(request.user, obj.organisation, obj.year, **facts)  # type: ignore[arg-type]
        obj.pk = saved.pk

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MatchInline(admin.TabularInline):
    model = ProactiveMatch
    extra = 0
    can_delete = False
    readonly_fields = ("organisation", "policy_id", "benefit", "notified")


@admin.register(ProactiveRun)
class ProactiveRunAdmin(admin.ModelAdmin):
    list_display = ("pk", "year", "created_at", "enterprises", "screened_out", "notified_at")
    readonly_fields = ("year", "created_by", "enterprises", "screened_out", "notified_at")
    inlines = [MatchInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # runs are started from the 免申即享 page or the API

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
