import json

from django.contrib import admin
from django.db.models.functions import Length
from django.utils.translation import gettext_lazy as _

from xiuhua.accounts.privacy import Contact, Visibility, payload_for, redact_text, shown_contact
from xiuhua.accounts.privacy_admin import ContactAdminMixin, per_request_field
from xiuhua.intake.models import (
    Alert,
    AlertType,
    CitizenRating,
    ClassifierModel,
    Device,
    DuplicateWindow,
    Open311Update,
    RejectedReport,
    WorkOrder,
)
from xiuhua.territory.queries import sole_district_code


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
    exclude = ("payload",)

    def _payload_field(self, request):
        def make():
            def payload(obj: RejectedReport) -> str:
                shown = payload_for(request.user, obj.payload, division_code=sole_district_code())
                return json.dumps(shown, ensure_ascii=False, indent=1)

            payload.short_description = _("payload")
            return payload

        return per_request_field(request, "payload", make)

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), self._payload_field(request)]


@admin.register(WorkOrder)
class WorkOrderAdmin(ContactAdminMixin, ReadOnlyAdmin):
    list_display = ("order_number", "hotline", "order_type", "urgency", "state", "case", "received_at")
    list_filter = ("hotline", "order_type", "urgency", "state")
    search_fields = ("order_number", "address")
    contact_fields = ("caller_name", "caller_phone")
    text_field = "content"

    def shown_contact_for(self, obj: WorkOrder, viewer) -> Contact:
        code = obj.case.grid_code if obj.case_id else sole_district_code()
        return shown_contact(
            viewer, obj.caller_name, obj.caller_phone, confidential=obj.confidential, division_code=code
        )

    def shown_text_for(self, obj: WorkOrder, viewer) -> str:
        # A confidential caller's words often carry their number: without it for those not seeing the contact.
        if obj.confidential and self.shown_contact_for(obj, viewer).visibility != Visibility.FULL:
            return redact_text(obj.content)
        return obj.content


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


@admin.register(ClassifierModel)
class ClassifierModelAdmin(admin.ModelAdmin):
    """Trained models and their measured accuracy; read-only (train with `xiuhua train-classifier`)."""

    list_display = (
        "trained_at",
        "active",
        "case_count",
        "class_count",
        "held_out_count",
        "top1",
        "top3",
        "baseline",
    )
    list_filter = ("active",)
    fields = (
        "trained_at",
        "active",
        "case_count",
        "class_count",
        "held_out_count",
        "top1",
        "top3",
        "baseline",
        "notes",
        "model_size",
    )
    readonly_fields = fields

    @admin.display(description=_("top-1 accuracy"), ordering="top1_accuracy")
    def top1(self, obj: ClassifierModel) -> str:
        return f"{obj.top1_accuracy:.1%}"

    @admin.display(description=_("top-3 accuracy"), ordering="top3_accuracy")
    def top3(self, obj: ClassifierModel) -> str:
        return f"{obj.top3_accuracy:.1%}"

    @admin.display(description=_("majority-class baseline"), ordering="baseline_accuracy")
    def baseline(self, obj: ClassifierModel) -> str:
        return f"{obj.baseline_accuracy:.1%}"

    @admin.display(description=_("stored model size"))
    def model_size(self, obj: ClassifierModel) -> str:
        return f"{(obj.pipeline_bytes or 0) / 1024:.0f} KB"

    def get_queryset(self, request):
        # Pages never need the pickled pipeline itself, only its size.
        return super().get_queryset(request).defer("pipeline").annotate(pipeline_bytes=Length("pipeline"))

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Open311Update)
class Open311UpdateAdmin(ReadOnlyAdmin):
    """Citizens' comments from Open311 apps: read here, never edited (they do not move the case). The
    commenter's name, e-mail and phone are personal data the admin has no use for: not shown."""

    exclude = ("first_name", "last_name", "email", "phone")

    list_display = ("case", "client", "status", "received_at")
    list_filter = ("client",)
    search_fields = ("case__number", "description")
    date_hierarchy = "received_at"


@admin.register(CitizenRating)
class CitizenRatingAdmin(ReadOnlyAdmin):
    """Citizens' own ratings of closed cases from the public status page: read here, never edited."""

    list_display = ("case", "satisfaction", "score", "rated_at")
    list_filter = ("satisfaction",)
    search_fields = ("case__number", "comment")
    date_hierarchy = "rated_at"
