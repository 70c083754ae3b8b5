"""Web middleware: `request.htmx`, the idle timeout of sessions, and the forced password change."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from xiuhua.accounts.passwords import password_expired


class HtmxMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.htmx = request.headers.get("HX-Request") == "true"
        response = self.get_response(request)
        if request.htmx:
            response.headers["Vary"] = ", ".join(filter(None, [response.headers.get("Vary"), "HX-Request"]))
        return response


class IdleSessionMiddleware:
    """End a web session after XIUHUA_SESSION_IDLE_MINUTES without a request.

    The session (cookie and database row) lives SESSION_COOKIE_AGE = the idle limit from its last save. Marking
    it modified at most once a minute keeps an active user logged in without a session write on every request,
    as SESSION_SAVE_EVERY_REQUEST would do (on SQLite each write takes the one write lock that intake needs).
    """

    REFRESH_SECONDS = 60

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(timezone.now().timestamp())
            if now - request.session.get("xiuhua_seen", 0) >= self.REFRESH_SECONDS:
                request.session["xiuhua_seen"] = now
        return self.get_response(request)


class PasswordChangeRequiredMiddleware:
    """Send a user whose password expired, or was set by an administrator, to the 修改密码 page first."""

    ALLOWED_PREFIXES = ("/password/", "/logout/", "/static/", "/i18n/", "/admin/logout/", "/api/", "/open311/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not request.path.startswith(self.ALLOWED_PREFIXES) and password_expired(user):
            target = f"{reverse('web:password')}?{urlencode({'next': request.get_full_path()})}"
            if getattr(request, "htmx", False):
                # A redirect would be followed by htmx and swapped into the page fragment; load the page instead.
                return HttpResponse(status=204, headers={"HX-Redirect": target})
            return redirect(target)
        return self.get_response(request)
