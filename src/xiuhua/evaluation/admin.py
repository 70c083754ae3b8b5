from django.contrib import admin

from xiuhua.evaluation.models import ScoreScheme


@admin.register(ScoreScheme)
class ScoreSchemeAdmin(admin.ModelAdmin):
    list_display = ("object_type", "name", "updated_at")
    readonly_fields = ("updated_at",)
