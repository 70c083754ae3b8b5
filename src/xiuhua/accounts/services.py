"""Account actions: API token login and logout, password changes, API keys."""

import secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from xiuhua.accounts.lockout import forget_failures, request_lockout_message
from xiuhua.accounts.models import ApiKey, ApiToken, User, hash_secret
from xiuhua.accounts.passwords import password_expired
from xiuhua.core.audit import record_audit
from xiuhua.core.errors import DomainError


class LoginFailed(DomainError):
    status_code = 401

    def __init__(self) -> None:
        super().__init__("用户名或密码错误，或账号已停用", code="login_failed")


def _stamp_use(credential: ApiToken | ApiKey, now: datetime) -> None:
    """Record when a token or key was last used, at most every few minutes: a write per request would be waste."""
    if credential.last_used_at is None or now - credential.last_used_at > timedelta(minutes=5):
        type(credential).objects.filter(pk=credential.pk).update(last_used_at=now)


class LockedOut(DomainError):
    status_code = 429

    def __init__(self, message: str) -> None:
        super().__init__(message, code="locked")


class PasswordExpired(DomainError):
    status_code = 403

    def __init__(self) -> None:
        super().__init__(
            "密码已过期或由管理员重置，请先修改密码（POST /api/v1/auth/password）", code="password_expired"
        )


def check_login(request: HttpRequest, username: str, password: str) -> User:
    """The active user these credentials belong to, through axes' lockout; raises LockedOut or LoginFailed.

    Called outside any transaction: the password hash is deliberately slow, and on SQLite a write transaction
    would hold the database's only write lock while it runs.
    """
    user = authenticate(request, username=username, password=password)
    if getattr(request, "axes_locked_out", False):
        raise LockedOut(request_lockout_message(request, {"username": username}))
    if user is None or not user.is_active:
        raise LoginFailed()
    forget_failures(request, username)  # as the web login does (AXES_RESET_ON_SUCCESS)
    return user


def issue_api_token(request: HttpRequest, username: str, password: str) -> tuple[User, str]:
    """Check the password and return the user and a new bearer token (shown once, stored hashed)."""
    user = check_login(request, username, password)
    if password_expired(user):
        raise PasswordExpired()
    key = secrets.token_urlsafe(32)
    expires = timezone.now() + timedelta(days=settings.XIUHUA_TOKEN_TTL_DAYS)
    with transaction.atomic():
        ApiToken.objects.create(user=user, key_hash=hash_secret(key), expires_at=expires)
        record_audit(user, "accounts.token_issued", target=user.username)
    return user, key


def revoke_token(key: str, actor: Any = None) -> int:
    """End one bearer token (API logout)."""
    count, _ = ApiToken.objects.filter(key_hash=hash_secret(key)).delete()
    if count:
        record_audit(actor, "accounts.token_revoked", target=getattr(actor, "username", ""), reason="logout")
    return count


def validate_new_password(user: User, new_password: str) -> None:
    """Apply AUTH_PASSWORD_VALIDATORS; raises DomainError with their Chinese messages joined."""
    try:
        password_validation.validate_password(new_password, user)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages), code="weak_password") from exc


def set_new_password(user: User, new_password: str, actor: Any = None) -> None:
    """Store a new password the caller has already checked the right to set; ends the user's API tokens.

    The hash is computed before the transaction opens (see check_login).
    """
    validate_new_password(user, new_password)
    user.set_password(new_password)
    user.must_change_password = bool(actor is not None and actor != user)
    tokens = ApiToken.objects.filter(user=user).count()
    with transaction.atomic():
        user.save()
        record_audit(actor or user, "accounts.password_changed", target=user.username)
        if tokens:
            record_audit(actor or user, "accounts.token_revoked", target=user.username, reason="password", count=tokens)


def change_own_password(request: HttpRequest, username: str, old_password: str, new_password: str) -> User:
    """The API's password change: the old password proves who it is (through the lockout), even when expired."""
    user = check_login(request, username, old_password)
    if old_password == new_password:
        raise DomainError("新密码不能与原密码相同", code="weak_password")
    set_new_password(user, new_password, actor=user)
    return user


def user_for_token(key: str) -> User | None:
    """The active user a valid, unexpired token belongs to, else None."""
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_secret(key), expires_at__gt=now, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    _stamp_use(token, now)
    return token.user


@transaction.atomic
def create_api_key(name: str, actor=None) -> tuple[ApiKey, str]:
    """A new key for a system client; the key itself is returned once and never stored."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise DomainError("API 密钥名称应为 1 到 100 个字符", code="bad_name")
    if ApiKey.objects.filter(name=name).exists():
        raise DomainError(f"已有名为「{name}」的 API 密钥", code="duplicate_name")
    key = secrets.token_urlsafe(32)
    api_key = ApiKey.objects.create(name=name, key_hash=hash_secret(key), prefix=key[:8])
    record_audit(actor, "accounts.api_key_created", target=name, summary=api_key.prefix)
    return api_key, key


@transaction.atomic
def revoke_api_key(name: str, actor=None) -> ApiKey:
    api_key = ApiKey.objects.select_for_update().filter(name=name).first()
    if api_key is None:
        raise DomainError(f"没有名为「{name}」的 API 密钥", code="unknown_api_key")
    api_key.active = False
    api_key.save(update_fields=["active"])
    record_audit(actor, "accounts.api_key_revoked", target=name)
    return api_key


def client_for_api_key(key: str) -> ApiKey | None:
    """The active client a key belongs to, else None."""
    api_key = ApiKey.objects.filter(key_hash=hash_secret(key or ""), active=True).first()
    if api_key is not None:
        _stamp_use(api_key, timezone.now())
    return api_key
