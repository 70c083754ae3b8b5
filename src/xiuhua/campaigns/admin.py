"""Campaigns in the admin: setting up a campaign, its phases, tasks and targets (with their case rules).

What units enter (records, entries, items) and what the worker freezes (snapshots, supervision notices) is
shown read-only: those go through the services, with their review and audit, and snapshots are never rewritten.
"""

from django.contrib import admin

from xiuhua.campaigns.models import (
    ActivityRecord,
    Campaign,
    CampaignPhase,
    CampaignTask,
    CaseRule,
    ManualEntry,
    ProgressSnapshot,
    SupervisionNotice,
    Target,
)
from xiuhua.cases.admin import ReadOnlyAdmin


class PhaseInline(admin.TabularInline):
    model = CampaignPhase
    extra = 0
    fields = ("name", "starts_on", "ends_on", "plan_percent")


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("year", "code", "name", "district", "status", "public", "starts_on", "ends_on")
    list_filter = ("year", "status", "public")
    search_fields = ("code", "name")
    filter_horizontal = ("lead_units", "partner_units", "members")
    raw_id_fields = ("continued_from",)
    readonly_fields = ("created_at", "created_by", "reviewed_at", "reviewed_by")
    inlines = [PhaseInline]


@admin.register(CampaignTask)
class CampaignTaskAdmin(admin.ModelAdmin):
    list_display = ("campaign", "code", "name", "responsible_unit", "subdistrict", "due_on", "weight")
    list_filter = ("campaign__year", "campaign")
    search_fields = ("code", "name", "campaign__name")
    raw_id_fields = ("parent",)


class CaseRuleInline(admin.StackedInline):
    model = CaseRule
    extra = 0
    max_num = 1
    fields = ("class_codes", "division_codes", "grid_codes", "area_geojson", "sources", "counts", "out_of", "tagged")


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ("name", "task", "measure", "comparator", "goal", "unit_label", "due_on", "weight")
    list_filter = ("measure", "task__campaign__year", "task__campaign")
    search_fields = ("name", "task__name")
    raw_id_fields = ("task",)
    inlines = [CaseRuleInline]


@admin.register(ActivityRecord)
class ActivityRecordAdmin(ReadOnlyAdmin):
    list_display = ("held_on", "title", "target", "people", "recorded_by")
    list_filter = ("target__task__campaign",)


@admin.register(ManualEntry)
class ManualEntryAdmin(ReadOnlyAdmin):
    list_display = ("occurred_on", "target", "value", "state", "entered_by", "reviewed_by")
    list_filter = ("state", "target__task__campaign")


@admin.register(ProgressSnapshot)
class ProgressSnapshotAdmin(ReadOnlyAdmin):
    list_display = ("month", "target", "value", "plan", "progress", "status", "taken_at")
    list_filter = ("month", "status")


@admin.register(SupervisionNotice)
class SupervisionNoticeAdmin(ReadOnlyAdmin):
    list_display = ("month", "campaign", "unit", "progress", "plan", "sent_at")
    list_filter = ("month",)
