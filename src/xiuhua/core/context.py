"""The client address of the request being served, for audit rows written deep below the view."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

client_address: ContextVar[str] = ContextVar("xiuhua_client_address", default="")
current_request: ContextVar[HttpRequest | None] = ContextVar("xiuhua_current_request", default=None)


def request_address(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, unless it is a trusted proxy (XIUHUA_TRUSTED_PROXIES): then the last
    X-Forwarded-For hop that is not one. Lockout, rate limits and audit rows all count this one address.

    A client may put anything in X-Forwarded-For, so believing it from anyone would let a guesser pick a fresh
    address for every try.
    """
    remote = request.META.get("REMOTE_ADDR", "") or ""
    trusted = settings.XIUHUA_TRUSTED_PROXIES
    if remote not in trusted:
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if hop not in trusted:
            return hop
    return remote


def current_user() -> Any:
    """The signed-in user of the request being served, if any (for changes made deep in model signals)."""
    request = current_request.get()
    user = getattr(request, "user", None) if request is not None else None
    return user if getattr(user, "is_authenticated", False) else None


class ClientAddressMiddleware:
    """Puts the client's address in a contextvar for the length of the request, so `record_audit` needs no request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = client_address.set(request_address(request))
        request_token = current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            current_request.reset(request_token)
            client_address.reset(token)
