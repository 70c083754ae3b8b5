from django.contrib import admin

from xiuhua.intake.models import DuplicateWindow, Open311Update


@admin.register(DuplicateWindow)
class DuplicateWindowAdmin(admin.ModelAdmin):
    list_display = ("__str__", "case_class", "radius_m", "window_hours")
    autocomplete_fields = ("case_class",)


@admin.register(Open311Update)
class Open311UpdateAdmin(admin.ModelAdmin):
    """Citizens' comments from Open311 apps: read here, never edited (they do not move the case)."""

    list_display = ("case", "client", "status", "received_at")
    list_filter = ("client",)
    search_fields = ("case__number", "description")
    date_hierarchy = "received_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
