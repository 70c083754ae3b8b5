"""Password rules (MLPS 8.1.4.1): complexity, not the username, not a recent one, and expiry.

The validators are listed in AUTH_PASSWORD_VALIDATORS, so every form that sets a password (the change page, the
API, the admin's add and reset forms, `changepassword`) applies them. Messages are Chinese, like the rest of
xiuhua's user-facing errors.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils import timezone

if TYPE_CHECKING:
    from xiuhua.accounts.models import User

CLASSES = (str.isupper, str.islower, str.isdigit)


def character_classes(password: str) -> int:
    """How many of upper case, lower case, digits and symbols (anything else) the password uses."""
    found = [any(test(c) for c in password) for test in CLASSES]
    found.append(any(not c.isalnum() for c in password))
    return sum(found)


class ComplexityValidator:
    """At least `min_length` characters using at least `min_classes` of the four character classes."""

    def __init__(self, min_length: int = 8, min_classes: int = 3) -> None:
        self.min_length = min_length
        self.min_classes = min_classes

    def validate(self, password: str, user: User | None = None) -> None:
        if len(password) < self.min_length or character_classes(password) < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self) -> str:
        return f"密码至少 {self.min_length} 位，并包含大写字母、小写字母、数字、符号中的至少 {self.min_classes} 类。"


class UsernameValidator:
    """The password must not contain the username, in any letter case."""

    def validate(self, password: str, user: User | None = None) -> None:
        username = (getattr(user, "username", "") or "").strip().lower()
        if username and username in password.lower():
            raise ValidationError("密码不能包含用户名。", code="password_contains_username")

    def get_help_text(self) -> str:
        return "密码不能包含用户名。"


class HistoryValidator:
    """Not the current password nor one of the earlier ones, up to XIUHUA_PASSWORD_HISTORY in all."""

    def __init__(self, count: int | None = None) -> None:
        self.count = count

    @property
    def remembered(self) -> int:
        return self.count if self.count is not None else settings.XIUHUA_PASSWORD_HISTORY

    def validate(self, password: str, user: User | None = None) -> None:
        if user is None or user.pk is None:
            return
        if any(check_password(password, encoded) for encoded in recent_hashes(user, self.remembered)):
            raise ValidationError(f"新密码不能与最近 {self.remembered} 次使用过的密码相同。", code="password_reused")

    def get_help_text(self) -> str:
        return f"不能与最近 {self.remembered} 次使用过的密码相同。"


def recent_hashes(user: User, count: int) -> list[str]:
    """The current hash and the earlier ones, newest first, `count` in all."""
    from xiuhua.accounts.models import PasswordHistory

    hashes = [user.password] if user.has_usable_password() else []
    for encoded in PasswordHistory.objects.filter(user=user).values_list("password", flat=True)[:count]:
        if encoded not in hashes:
            hashes.append(encoded)
    return hashes[:count]


def after_password_set(user: User) -> None:
    """Remember the new hash (keeping only as many as are checked) and end the user's API tokens."""
    from xiuhua.accounts.models import ApiToken, PasswordHistory

    if user.has_usable_password():
        PasswordHistory.objects.create(user=user, password=user.password)
        history = PasswordHistory.objects.filter(user=user)
        keep = list(history.values_list("pk", flat=True)[: settings.XIUHUA_PASSWORD_HISTORY])
        history.exclude(pk__in=keep).delete()
    ApiToken.objects.filter(user=user).delete()


def password_expired(user: User) -> bool:
    """Whether the user must choose a new password before doing anything else."""
    if settings.DEMO_MODE and user.is_demo:
        return False  # the demo password is public anyway; demo accounts must just work
    if user.must_change_password:
        return True
    max_age = settings.XIUHUA_PASSWORD_MAX_AGE_DAYS
    if not max_age:
        return False
    changed = user.password_changed_at
    return changed is None or timezone.now() - changed > timedelta(days=max_age)
