from django.contrib import admin

from xiuhua.intake.models import DuplicateWindow


@admin.register(DuplicateWindow)
class DuplicateWindowAdmin(admin.ModelAdmin):
    list_display = ("__str__", "case_class", "radius_m", "window_hours")
    autocomplete_fields = ("case_class",)
