"""People and organisations: users with a role and a data scope, departments, API tokens."""

import hashlib

from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xiuhua.accounts.choices import DepartmentKind, Role

uscc_validator = RegexValidator(
    r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$",
    _("A unified social credit code has 18 characters (digits and capital letters except I, O, S, V, Z)."),
)


class Department(models.Model):
    """A unit that handles cases: professional department, sub-district/town, or company."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    short_name = models.CharField(
        _("short code"),
        max_length=32,
        unique=True,
        validators=[RegexValidator(r"^[a-z][a-z0-9_]*$", _("Lower-case letters, digits and underscores."))],
        help_text=_("Used in account names, e.g. dept_<short code>."),
    )
    short_label = models.CharField(_("short name"), max_length=30, blank=True)
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, blank=True, validators=[uscc_validator]
    )
    kind = models.CharField(_("kind"), max_length=16, choices=DepartmentKind.choices)
    division_code = models.CharField(
        _("division code"), max_length=12, blank=True, help_text=_("For sub-districts: their 9-digit code.")
    )
    contact_person = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person using xiuhua. One role each; `scope_division_codes` limits what they see."""

    display_name = models.CharField(_("display name"), max_length=50, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.OPERATOR)
    department = models.ForeignKey(
        Department, verbose_name=_("department"), null=True, blank=True, on_delete=models.PROTECT
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    # The account in the district's 政务微信 (WeCom) directory that application messages go to.
    wecom_userid = models.CharField(_("WeCom user id"), max_length=64, blank=True)
    scope_division_codes = models.JSONField(
        _("data scope"),
        default=list,
        blank=True,
        help_text=_("Division codes this user sees (and everything inside them); empty = the whole territory."),
    )
    is_demo = models.BooleanField(_("demo account"), default=False)
    # Counts from creation: Django's create_user/create_superuser store the hash without calling set_password.
    password_changed_at = models.DateTimeField(
        _("password changed at"), null=True, blank=True, editable=False, default=timezone.now
    )
    must_change_password = models.BooleanField(
        _("must change password"),
        default=False,
        help_text=_("Set when an administrator created the account or reset its password."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username

    def set_password(self, raw_password: str | None) -> None:
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()

    def save(self, *args, **kwargs) -> None:
        # Django keeps the new raw password in _password until the save; every way of setting one (the change
        # page, the API, the admin, `changepassword`) ends here, so history and token revocation cannot be missed.
        password_set = self._password is not None
        super().save(*args, **kwargs)
        if password_set:
            from xiuhua.accounts.passwords import after_password_set

            after_password_set(self)


class ScopeCode(models.Model):
    """One code of a user's data scope, so that "who sees this place" is an indexed query, not a Python filter.

    `User.scope_division_codes` stays the source; these rows follow it on every save of the user
    (accounts.scope_index), and code that writes users in bulk calls `sync_scope_codes` itself.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="scope_codes")
    code = models.CharField(max_length=64, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "code"], name="scope_code_per_user")]

    def __str__(self) -> str:
        return self.code


class PasswordHistory(models.Model):
    """Earlier password hashes of a user, so the last few cannot be chosen again."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("earlier password")
        verbose_name_plural = _("earlier passwords")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.created_at:%Y-%m-%d}"


def hash_secret(secret: str) -> str:
    """What is stored of a token or key: its SHA-256 (they are long random strings, so no salt is needed)."""
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for the API; only its SHA-256 is stored."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.user} · {self.created_at:%Y-%m-%d}"


class ApiKey(models.Model):
    """A key for a system client — an Open311 app, a sensor or video gateway; only its SHA-256 is stored."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(
        _("key starts with"), max_length=8, editable=False, help_text=_("To recognise a key; the rest is not kept.")
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
