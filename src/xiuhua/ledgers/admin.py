"""The ledgers in the admin, read-mostly: records, parties, documents and credit entries are written through the
services (placement, history, gapless numbers, audit), so the admin shows them read-only; what the admin sets up is
configuration: which departments keep which ledger, the enforcement ladder and the credit scheme."""

from django.contrib import admin

from xiuhua.cases.admin import ReadOnlyAdmin
from xiuhua.ledgers.models import (
    LEDGER_MODELS,
    CreditEvent,
    CreditRule,
    EnforcementDocument,
    Inspection,
    LadderStep,
    LedgerChange,
    LedgerKeeper,
    LedgerPhoto,
    Subject,
)


@admin.register(LedgerKeeper)
class LedgerKeeperAdmin(admin.ModelAdmin):
    list_display = ("ledger", "department")
    list_filter = ("ledger",)


@admin.register(LadderStep)
class LadderStepAdmin(admin.ModelAdmin):
    list_display = ("class_code", "position", "kind", "within_days", "deadline_days")
    list_filter = ("kind",)
    search_fields = ("class_code",)


@admin.register(CreditRule)
class CreditRuleAdmin(admin.ModelAdmin):
    list_display = ("event_kind", "points", "blacklist_after")


@admin.register(Subject)
class SubjectAdmin(ReadOnlyAdmin):
    # A person's name, phone and address are personal data: the list shows what identifies the entry only.
    list_display = ("id", "kind", "id_kind", "id_last4", "district", "updated_at")
    list_filter = ("kind", "id_kind")
    fields = ("kind", "id_kind", "id_last4", "district", "created_at", "updated_at")


class LedgerRecordAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "grid_code", "subdistrict", "active", "updated_at")
    list_filter = ("active",)
    search_fields = ("code", "name")
    exclude = ("contact_name", "contact_phone", "contact_phone_digest")


for _model in LEDGER_MODELS.values():
    admin.site.register(_model, LedgerRecordAdmin)


@admin.register(LedgerPhoto)
class LedgerPhotoAdmin(ReadOnlyAdmin):
    list_display = ("ledger", "record_id", "stage", "taken_at", "uploaded_by")
    list_filter = ("ledger", "stage")


@admin.register(LedgerChange)
class LedgerChangeAdmin(ReadOnlyAdmin):
    list_display = ("ledger", "record_id", "how", "changed_at", "changed_by")
    list_filter = ("ledger", "how")


@admin.register(Inspection)
class InspectionAdmin(ReadOnlyAdmin):
    list_display = ("ledger", "record_id", "inspector", "due_on", "inspected_at", "result")
    list_filter = ("ledger", "result")


@admin.register(EnforcementDocument)
class EnforcementDocumentAdmin(ReadOnlyAdmin):
    list_display = ("full_number", "kind", "status", "issued_at", "deadline", "issuing_unit")
    list_filter = ("kind", "status", "year")
    search_fields = ("full_number",)
    exclude = ("subject",)


@admin.register(CreditEvent)
class CreditEventAdmin(ReadOnlyAdmin):
    list_display = ("subject_id", "kind", "points", "occurred_on", "status", "authority")
    list_filter = ("kind", "status")
