from django.contrib import admin

from xiuhua.intake.models import Alert, AlertType, Device, DuplicateWindow, RejectedReport, WorkOrder


@admin.register(DuplicateWindow)
class DuplicateWindowAdmin(admin.ModelAdmin):
    list_display = ("__str__", "case_class", "radius_m", "window_hours")
    autocomplete_fields = ("case_class",)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records of what came in: looked at, never edited by hand."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RejectedReport)
class RejectedReportAdmin(ReadOnlyAdmin):
    list_display = ("received_at", "channel", "client", "error_code", "message")
    list_filter = ("channel", "error_code")
    search_fields = ("message", "client")
    date_hierarchy = "received_at"


@admin.register(WorkOrder)
class WorkOrderAdmin(ReadOnlyAdmin):
    list_display = ("order_number", "hotline", "order_type", "urgency", "state", "case", "received_at")
    list_filter = ("hotline", "order_type", "urgency", "state")
    search_fields = ("order_number", "content", "address")


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    list_display = ("raised_at", "device", "alert_type", "reading", "threshold", "case", "folded")
    list_filter = ("alert_type", "folded")


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin):
    list_display = ("device_id", "name", "kind", "active", "address")
    list_filter = ("kind", "active")
    search_fields = ("device_id", "name")
    readonly_fields = ("api_key",)

    def has_add_permission(self, request) -> bool:
        return False  # `xiuhua device add` registers a device and shows its key once


@admin.register(AlertType)
class AlertTypeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "case_class", "urgency", "fold_hours")
    autocomplete_fields = ("case_class",)
