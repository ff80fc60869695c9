"""Back office of the demo dataset: read only. Steps and designations are written by the demo
loader (`kechuang demo`); changing them by hand would leave the dataset and its record apart."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import DemoStep, EnterpriseDesignation


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DemoStep)
class DemoStepAdmin(ReadOnlyAdmin):
    list_display = ["name", "version", "seed", "scale", "completed_at", "seconds"]


@admin.register(EnterpriseDesignation)
class EnterpriseDesignationAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "kind", "since", "value"]
    list_filter = ["kind"]
    search_fields = ["organisation__name", "organisation__uscc"]
