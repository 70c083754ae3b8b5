"""Audit rows for sign-in events and admin changes, whatever door they come through."""

from __future__ import annotations

from typing import Any

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry, LogEntryManager
from django.core.cache import cache

from xiuhua.core.audit import record_audit
from xiuhua.core.context import request_address
from xiuhua.core.models import Result

ADMIN_ACTIONS = {ADDITION: "admin.added", CHANGE: "admin.changed", DELETION: "admin.deleted"}


def _address(request: Any) -> str:
    return request_address(request) if request is not None else ""


def logged_in(sender, request, user, **kwargs) -> None:
    record_audit(user, "auth.login", target=user.get_username(), ip=_address(request))


def logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        record_audit(user, "auth.logout", target=user.get_username(), ip=_address(request))


# Tries refused during a lockout are summarised: at most one row per account and address in this many seconds.
REFUSED_TRY_SUMMARY_SECONDS = 60


def login_failed(sender, credentials: dict, request=None, **kwargs) -> None:
    # Django hides the password in `credentials` already; keep only the name tried.
    name = str(credentials.get("username", ""))[:150]
    address = _address(request)
    # Set by the lockout handler (accounts.lockout, connected before this receiver since axes is installed first)
    # on a try refused without a password check; the failure that starts a lock is a failed login like the others.
    if getattr(request, "xiuhua_refused_while_locked", False):
        _refused_while_locked(name, address)
        return
    record_audit(None, "auth.login_failed", target=name, username=name, ip=address, result=Result.FAILURE)


def _refused_while_locked(name: str, address: str) -> None:
    """A try refused because the account is locked at this address: the lock itself is already a row
    (auth.locked_out). A guesser can send such tries as fast as the network allows, and a row each would let them
    fill the trail and, on SQLite, hold the write lock report intake needs; so one row per minute says it goes on."""
    if cache.add(f"xiuhua:refused-try:{name}:{address}", True, REFUSED_TRY_SUMMARY_SECONDS):
        record_audit(
            None,
            "auth.login_refused_locked",
            target=name,
            username=name,
            ip=address,
            result=Result.FAILURE,
            summary=f"账号在此地址锁定期间的登录尝试（每 {REFUSED_TRY_SUMMARY_SECONDS} 秒至多记录一次）",
        )


def locked_out(sender, request=None, username: str | None = None, ip_address: str | None = None, **kwargs) -> None:
    name = str(username or "")[:150]
    record_audit(
        None,
        "auth.locked_out",
        target=name,
        username=name,
        ip=ip_address or _address(request),
        result=Result.FAILURE,
    )


def admin_logged(sender, instance: LogEntry, created: bool, **kwargs) -> None:
    if not created:
        return
    record_audit(
        instance.user,
        ADMIN_ACTIONS.get(instance.action_flag, "admin.changed"),
        target=f"{instance.content_type.app_label}.{instance.content_type.model}:{instance.object_id}"[:200]
        if instance.content_type_id
        else str(instance.object_id or "")[:200],
        summary=instance.object_repr,
        change=instance.get_change_message(),
    )


def audit_bulk_admin_entries() -> None:
    """The admin logs a bulk action (e.g. "delete selected") with bulk_create, which sends no post_save:
    wrap LogEntryManager.log_actions so those entries are audited too (single ones arrive by post_save)."""
    original = LogEntryManager.log_actions
    if getattr(original, "xiuhua_audited", False):
        return

    def log_actions(self, *args, **kwargs):
        result = original(self, *args, **kwargs)
        if isinstance(result, list) and len(result) > 1:
            for entry in result:
                admin_logged(LogEntry, entry, created=True)
        return result

    log_actions.xiuhua_audited = True
    LogEntryManager.log_actions = log_actions
