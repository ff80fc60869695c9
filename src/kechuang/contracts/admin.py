from django.contrib import admin

from .models import Contract, IPItem, PaymentInstalment, ReviewEvent


class InstalmentInline(admin.TabularInline):
    model = PaymentInstalment
    extra = 0


class IPItemInline(admin.TabularInline):
    model = IPItem
    extra = 0


class EventInline(admin.TabularInline):
    model = ReviewEvent
    extra = 0
    can_delete = False
    readonly_fields = ["at", "actor", "action", "from_status", "to_status", "note", "reasons"]
    exclude = ["snapshot"]


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    # Filing and changes go through the review workflow (services), so the back office only reads.
    list_display = [
        "number",
        "title",
        "seller_name",
        "contract_type",
        "status",
        "registration_number",
        "total_amount",
    ]
    list_filter = ["status", "contract_type", "seller_kind", "buyer_location", "year"]
    search_fields = ["number", "title", "seller_name", "buyer_name", "seller_uscc", "registration_number"]
    inlines = [InstalmentInline, IPItemInline, EventInline]

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False
