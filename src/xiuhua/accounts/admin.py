from axes.models import AccessAttempt
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xiuhua.accounts.choices import Role
from xiuhua.accounts.importers import department_template, export_departments, import_departments
from xiuhua.accounts.lockout import locked_until, unlock
from xiuhua.accounts.models import ApiKey, ApiToken, Department, User
from xiuhua.accounts.services import create_api_key, revoke_api_key
from xiuhua.core.admin_import import BaseDataImportMixin
from xiuhua.core.audit import record_audit
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


# Roles only the superuser (installation) gives or edits: a sysadmin must not make a security administrator or
# auditor — or become one.
GUARDED_ROLES = frozenset({Role.SECADMIN, Role.AUDITOR})
# Fields that grant powers; a non-superuser never edits them (roles carry the powers, see permissions.py).
POWER_FIELDS = ("is_superuser", "groups", "user_permissions")
# A WeCom UserID as 企业微信/政务微信 accept it (notify.outbox checks the same before sending): caught here, where it
# is typed, rather than as a failed message later.
WECOM_USERID = RegexValidator(
    r"^[A-Za-z0-9_.@-]{1,64}$", "政务微信账号只能包含字母、数字和 _ . @ -（即成员的「账号」，不是姓名）"
)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "display_name", "role", "department", "is_active", "is_demo", "must_change_password")
    list_filter = ("role", "is_active", "is_demo", "must_change_password", "department")
    search_fields = ("username", "display_name", "phone")
    autocomplete_fields = ("department",)
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (
            _("xiuhua"),
            {
                "fields": (
                    "display_name",
                    "role",
                    "department",
                    "phone",
                    "wecom_userid",
                    "scope_division_codes",
                    "is_demo",
                    "must_change_password",
                    "password_changed_at",
                )
            },
        ),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("xiuhua"), {"fields": ("display_name", "role", "department", "phone", "wecom_userid")}),
    )

    def get_readonly_fields(self, request, obj=None):
        fields = [*super().get_readonly_fields(request, obj), "password_changed_at"]
        if not request.user.is_superuser:
            fields += POWER_FIELDS
            if obj is not None and obj.pk == request.user.pk:
                fields += ["role", "is_staff", "is_active"]
        return fields

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and not request.user.is_superuser and (obj.is_superuser or obj.role in GUARDED_ROLES):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and not request.user.is_superuser and (obj.is_superuser or obj.role in GUARDED_ROLES):
            return False
        return super().has_delete_permission(request, obj)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "wecom_userid" and field is not None:
            field.validators.append(WECOM_USERID)
        return field

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "role" and not request.user.is_superuser:
            kwargs["choices"] = [(v, label) for v, label in Role.choices if v not in GUARDED_ROLES]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            # A password an administrator chose is known to two people: the owner must replace it at first login.
            obj.must_change_password = True
        super().save_model(request, obj, form, change)

    def user_change_password(self, request, id, form_url=""):
        """The admin's password reset; afterwards the owner must choose a new password at the next login."""
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = self.get_object(request, id)
            User.objects.filter(pk=user.pk).update(must_change_password=True)
            record_audit(request.user, "accounts.password_reset", target=user.username)
        return response


@admin.register(AccessAttempt)
class LockoutAdmin(admin.ModelAdmin):
    """Failed logins per account and address (django-axes); the security administrator unlocks here."""

    list_display = ("username", "ip_address", "failures_since_start", "attempt_time", "locked_until", "path_info")
    search_fields = ("username", "ip_address")
    date_hierarchy = "attempt_time"
    ordering = ("-attempt_time",)
    fields = ("username", "ip_address", "user_agent", "failures_since_start", "attempt_time", "path_info")
    readonly_fields = fields
    actions = ["unlock"]

    @admin.display(description=_("locked until"))
    def locked_until(self, obj: AccessAttempt) -> str:
        if obj.failures_since_start < settings.AXES_FAILURE_LIMIT:
            return "—"
        until = locked_until(obj.username, obj.ip_address)
        return timezone.localtime(until).strftime("%Y-%m-%d %H:%M") if until and until > timezone.now() else "—"

    @admin.action(description=_("Unlock: forget these failed logins"), permissions=["unlock"])
    def unlock(self, request, queryset) -> None:
        pairs = set(queryset.values_list("username", "ip_address"))
        for username, ip_address in pairs:
            unlock(username, ip_address, actor=request.user)
        self.message_user(request, _("Unlocked %(count)d account/address pairs.") % {"count": len(pairs)})

    def has_unlock_permission(self, request) -> bool:
        return request.user.has_perm("axes.delete_accessattempt")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # only through the unlock action, which writes an audit row


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
