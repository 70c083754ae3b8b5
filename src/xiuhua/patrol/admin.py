"""Shifts are read in the admin (the phone and the API write them); points are too many to list there."""

from django.contrib import admin

from xiuhua.patrol.models import PatrolShift


@admin.register(PatrolShift)
class PatrolShiftAdmin(admin.ModelAdmin):
    list_display = ("inspector", "started_at", "ended_at", "end_reason", "point_count", "distance_m")
    list_filter = ("end_reason",)
    search_fields = ("inspector__username", "inspector__display_name")
    date_hierarchy = "started_at"
    readonly_fields = [f.name for f in PatrolShift._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
