from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from xiuhua.accounts.importers import department_template, export_departments, import_departments
from xiuhua.accounts.models import ApiKey, ApiToken, Department, User
from xiuhua.accounts.services import create_api_key, revoke_api_key
from xiuhua.core.admin_import import BaseDataImportMixin
from xiuhua.core.errors import DomainError


@admin.register(Department)
class DepartmentAdmin(BaseDataImportMixin, admin.ModelAdmin):
    importer = import_departments
    exporter = export_departments
    template_exporter = department_template
    template_formats = ("xlsx", "csv")
    personal_data = True  # contact person and phone
    list_display = ("name", "short_name", "short_label", "kind", "contact_person", "contact_phone", "active")
    list_filter = ("kind", "active")
    search_fields = ("name", "short_name", "short_label", "credit_code")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "display_name", "role", "department", "is_active", "is_demo")
    list_filter = ("role", "is_active", "is_demo", "department")
    search_fields = ("username", "display_name", "phone")
    autocomplete_fields = ("department",)
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("xiuhua"), {"fields": ("display_name", "role", "department", "phone", "scope_division_codes", "is_demo")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("xiuhua"), {"fields": ("display_name", "role", "department", "phone")}),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("user", "created_at", "expires_at", "last_used_at")
    fields = ("user", "created_at", "expires_at", "last_used_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False


class ApiKeyForm(forms.ModelForm):
    class Meta:
        model = ApiKey
        fields = ("name", "active")


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Adding a key shows it once in a message; afterwards only its first characters are known."""

    form = ApiKeyForm
    list_display = ("name", "prefix", "active", "created_at", "last_used_at")
    list_filter = ("active",)
    search_fields = ("name", "prefix")
    readonly_fields = ("prefix", "created_at", "last_used_at")

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        try:
            created, key = create_api_key(obj.name, actor=request.user)
        except DomainError as exc:
            raise ValidationError(exc.message) from exc
        obj.pk, obj.key_hash, obj.prefix, obj.created_at = (
            created.pk,
            created.key_hash,
            created.prefix,
            created.created_at,
        )
        if not form.cleaned_data.get("active", True):
            revoke_api_key(created.name, actor=request.user)
        messages.warning(request, _("The new key, shown only now — copy it: %(key)s") % {"key": key})
