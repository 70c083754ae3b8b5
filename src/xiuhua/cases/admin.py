"""Admin: stage limits are local settings to edit; cases and their timelines are shown, never edited here —
every change of a case goes through the workflow."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from xiuhua.accounts.privacy import Contact
from xiuhua.accounts.privacy_admin import ContactAdminMixin
from xiuhua.cases.models import Case, CaseEvent, StageLimit
from xiuhua.cases.presenters import reporter_contact, shown_description


@admin.register(StageLimit)
class StageLimitAdmin(admin.ModelAdmin):
    list_display = ("stage", "urgency", "minutes")
    list_editable = ("minutes",)
    list_filter = ("urgency",)

    def changelist_view(self, request, extra_context=None):
        note = _("Stage limits are local settings in working minutes (natural minutes for urgent cases).")
        return super().changelist_view(request, {**(extra_context or {}), "subtitle": note})


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    fields = ("at", "action", "actor", "actor_role", "from_status", "to_status", "note", "handling_deadline")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("at", "id")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(ContactAdminMixin, ReadOnlyAdmin):
    contact_fields = ("reporter_name", "reporter_phone")
    text_field = "description"
    list_display = (
        "number",
        "status",
        "case_class",
        "source",
        "grid_code",
        "lead_department",
        "reported_at",
        "handling_deadline",
    )
    list_filter = ("status", "source", "urgency", "case_class__kind", "lead_department")
    search_fields = ("number", "public_description", "address", "grid_code")
    list_select_related = ("case_class", "lead_department")
    date_hierarchy = "reported_at"
    inlines = [CaseEventInline]

    def shown_contact_for(self, obj: Case, viewer) -> Contact:
        return reporter_contact(obj, viewer)

    def shown_text_for(self, obj: Case, viewer) -> str:
        return shown_description(obj, viewer, in_list=False)

    def contact_target(self, obj: Case) -> str:
        return obj.number
