"""Separation of duties (三员分立) in the Django admin: what each administrator role may do, by role.

A permission backend rather than groups made by a data migration: the rule is code, reviewed and tested like code,
and a sysadmin cannot widen it by editing a group. It only ever adds powers to active staff accounts; the
superuser (installation only) keeps Django's everything.

- sysadmin: accounts, departments and all base data — nothing of security or the audit trail;
- secadmin: login lockouts (unlock), API keys and tokens, and reading the account list;
- auditor: nothing in the admin (the admin is closed to them, see admin_site); they read the audit trail at /audit/.
"""

from __future__ import annotations

from django.contrib.auth.backends import BaseBackend

from xiuhua.accounts.choices import Role

# Models that belong to the security administrator. Data keys (encryption at rest) join this set when they get an
# admin page.
SECURITY_APPS = frozenset({"axes"})
SECURITY_MODELS = frozenset({"accounts.apikey", "accounts.apitoken", "accounts.passwordhistory"})
SECADMIN_VIEW_MODELS = frozenset({"accounts.user", "accounts.department"})
# Only the auditor reads these, at /audit/.
AUDIT_MODELS = frozenset({"core.auditentry"})


def role_allows(role: str, app_label: str, action: str, model: str) -> bool:
    """Whether an administrator of this role may `action` (add, change, delete, view) objects of app_label.model."""
    key = f"{app_label}.{model}"
    security = app_label in SECURITY_APPS or key in SECURITY_MODELS
    if role == Role.SYSADMIN:
        return not security and key not in AUDIT_MODELS
    if role == Role.SECADMIN:
        return security or (action == "view" and key in SECADMIN_VIEW_MODELS)
    return False


def _admin_role(user_obj) -> str | None:
    if not (user_obj.is_active and user_obj.is_staff) or user_obj.is_anonymous:
        return None
    return user_obj.role


class RolePermissionBackend(BaseBackend):
    """Answers has_perm / has_module_perms from the user's role; authenticates no one."""

    def has_perm(self, user_obj, perm: str, obj=None) -> bool:
        role = _admin_role(user_obj)
        if role is None or "." not in perm:
            return False
        app_label, codename = perm.split(".", 1)
        action, _, model = codename.partition("_")
        return role_allows(role, app_label, action, model)

    def has_module_perms(self, user_obj, app_label: str) -> bool:
        role = _admin_role(user_obj)
        if role == Role.SYSADMIN:
            return app_label not in SECURITY_APPS
        if role == Role.SECADMIN:
            return app_label in SECURITY_APPS or app_label == "accounts"
        return False
