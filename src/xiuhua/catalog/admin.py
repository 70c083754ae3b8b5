from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from xiuhua.catalog.importers import component_template, export_components, import_components
from xiuhua.catalog.models import CaseClass, Component, RegisterCondition
from xiuhua.core.admin_import import BaseDataImportMixin

LOCAL_SETTINGS_NOTE = _(
    "Register conditions and time limits are local settings of this city, not part of the national "
    "standard: adjust them to the city's own published 立案结案标准."
)


class RegisterConditionInline(admin.TabularInline):
    model = RegisterCondition
    fields = (
        "description",
        "urgency",
        "handling_limit_value",
        "handling_limit_unit",
        "close_condition",
        "default_department",
        "sort_order",
        "active",
    )
    autocomplete_fields = ("default_department",)
    extra = 0
    verbose_name_plural = _("register conditions (local settings, not the standard)")


@admin.register(CaseClass)
class CaseClassAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "major_code", "major_name", "standard_ref", "is_local", "active")
    list_filter = ("kind", "major_name", "is_local", "active", "standard_ref")
    search_fields = ("code", "name", "major_name")
    inlines = [RegisterConditionInline]

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "subtitle": LOCAL_SETTINGS_NOTE}
        return super().changeform_view(request, object_id, form_url, extra_context)


@admin.register(RegisterCondition)
class RegisterConditionAdmin(admin.ModelAdmin):
    list_display = ("case_class", "description", "urgency", "handling_limit_text", "default_department", "active")
    list_filter = ("urgency", "handling_limit_unit", "case_class__kind", "case_class__major_name")
    search_fields = ("description", "case_class__code", "case_class__name")
    autocomplete_fields = ("case_class", "default_department")

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "subtitle": LOCAL_SETTINGS_NOTE}
        return super().changelist_view(request, extra_context)


@admin.register(Component)
class ComponentAdmin(BaseDataImportMixin, admin.ModelAdmin):
    importer = import_components
    exporter = export_components
    template_exporter = component_template
    template_formats = ("xlsx", "csv")
    list_display = ("code", "name", "state", "unit_grid", "maintaining_department", "survey_date")
    list_filter = ("state", "case_class__major_name", "maintaining_department")
    search_fields = ("code", "name", "address")
    list_select_related = ("unit_grid", "maintaining_department")
    autocomplete_fields = ("case_class", "supervising_department", "owning_department", "maintaining_department")
    readonly_fields = ("unit_grid",)
