from django.contrib import admin

from .models import DemoStep, EnterpriseDesignation


@admin.register(DemoStep)
class DemoStepAdmin(admin.ModelAdmin):
    list_display = ["name", "version", "seed", "scale", "completed_at", "seconds"]
    readonly_fields = ["name", "version", "seed", "scale", "completed_at", "seconds", "counts"]


@admin.register(EnterpriseDesignation)
class EnterpriseDesignationAdmin(admin.ModelAdmin):
    list_display = ["organisation", "kind", "since", "value"]
    list_filter = ["kind"]
    raw_id_fields = ["organisation"]
    search_fields = ["organisation__name", "organisation__uscc"]
