"""Account actions: API token login and demo accounts."""

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.utils import timezone

from xiuhua.accounts.models import ApiKey, ApiToken, User, hash_secret
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


def issue_api_token(username: str, password: str) -> str:
    """Check the password and return a new bearer token (shown once, stored hashed).

    The password is checked outside the write transaction: the audit row of a failed attempt (written by the
    user_login_failed receiver) must not roll back with the refusal.
    """
    user = authenticate(username=username, password=password)
    if user is None or not user.is_active:
        raise LoginFailed()
    key = secrets.token_urlsafe(32)
    expires = timezone.now() + timedelta(days=settings.XIUHUA_TOKEN_TTL_DAYS)
    with transaction.atomic():
        ApiToken.objects.create(user=user, key_hash=hash_secret(key), expires_at=expires)
        record_audit(user, "accounts.token_issued", target=user.username)
    return key


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
