"""Login lockout with django-axes: which address a request comes from, until when a pair is locked, the answer.

Axes counts failed logins per (username, client address) in its database tables, so every server process sees
the same counts. These are the callables settings.py hands to axes (AXES_CLIENT_IP_CALLABLE,
AXES_LOCKOUT_CALLABLE), plus the unlock used by the admin and `xiuhua unlock`.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone

from xiuhua.core.audit import record_audit

SHANGHAI = ZoneInfo("Asia/Shanghai")


class LockoutHandler(AxesDatabaseHandler):
    """Axes' database handler, writing only when there is something to write.

    A guesser who is locked out can send tries as fast as the network allows (no password is hashed for them);
    axes would still delete expired records on every try, and on SQLite each such write takes the lock that report
    intake needs. Here a refused try writes nothing, and expired records are deleted only when there are any.
    """

    def user_login_failed(self, sender, credentials: dict, request: HttpRequest | None = None, **kwargs) -> None:
        if request is not None and getattr(request, "axes_locked_out", False):
            # Refused before any password check (AxesStandaloneBackend); a try while locked does not extend the
            # lock (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False), so axes has nothing to record. The lock
            # itself was signalled (user_locked_out) when it began; the audit trail summarises later tries.
            request.axes_credentials = credentials
            request.xiuhua_refused_while_locked = True
            return
        super().user_login_failed(sender, credentials, request, **kwargs)

    def clean_expired_user_attempts(self, request: HttpRequest | None = None, credentials: dict | None = None) -> int:
        if request is not None and get_cool_off() is not None:
            stale = AccessAttempt.objects.filter(attempt_time__lte=get_cool_off_threshold(request))
            if not stale.exists():  # a read: readers do not wait for SQLite's writer, nor it for them
                return 0
        return super().clean_expired_user_attempts(request, credentials)


def locked_until(username: str, ip_address: str) -> datetime | None:
    """When the lock on this account and address ends (aware, UTC), or None if there are no recent failures."""
    last = AccessAttempt.objects.filter(username=username, ip_address=ip_address).aggregate(t=Max("attempt_time"))["t"]
    if last is None:
        return None
    return last + get_cool_off()


def lockout_message(until: datetime | None) -> str:
    if until is None:
        return "登录失败次数过多，账号已暂时锁定，请稍后再试或联系安全管理员解锁。"
    shown = timezone.localtime(until, SHANGHAI).strftime("%Y-%m-%d %H:%M")
    return f"登录失败次数过多，该账号在此地址已锁定至 {shown}（北京时间），请届时再试或联系安全管理员解锁。"


def request_lockout_message(request: HttpRequest, credentials: dict | None = None) -> str:
    username = get_client_username(request, credentials) or ""
    AxesProxyHandler.update_request(request)
    return lockout_message(locked_until(username, request.axes_ip_address))


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """What a locked login gets: JSON `{"detail", "code": "locked"}` on the API, a page on the web and admin.

    The answer waits XIUHUA_LOCKED_ANSWER_DELAY seconds first: the pause holds no lock and no CPU (sleep releases
    the GIL), while a guesser's connection gets one answer a second instead of a few hundred.
    """
    if settings.XIUHUA_LOCKED_ANSWER_DELAY > 0:
        time.sleep(settings.XIUHUA_LOCKED_ANSWER_DELAY)
    message = request_lockout_message(request, credentials)
    status = 429
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "code": "locked"}, status=status)
    return render(request, "web/locked.html", {"message": message}, status=status)


def forget_failures(request: HttpRequest, username: str) -> None:
    """After a successful API login: earlier failures of this account from this address no longer count."""
    AxesProxyHandler.update_request(request)
    AccessAttempt.objects.filter(username=username, ip_address=request.axes_ip_address).delete()


def unlock(username: str, ip_address: str | None = None, actor: Any = None) -> int:
    """Forget the failed logins of an account (from one address, or all): the account can log in again at once."""
    filters: dict[str, str] = {"username": username}
    if ip_address:
        filters["ip_address"] = ip_address
    count, _ = AccessAttempt.objects.filter(**filters).delete()
    record_audit(actor, "accounts.unlocked", target=username, summary=ip_address or "", attempts=count)
    return count
