"""The client address of the request being served, for audit rows written deep below the view."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.http import HttpRequest, HttpResponse

client_address: ContextVar[str] = ContextVar("xiuhua_client_address", default="")
current_request: ContextVar[HttpRequest | None] = ContextVar("xiuhua_current_request", default=None)


def current_user() -> Any:
    """The signed-in user of the request being served, if any (for changes made deep in model signals)."""
    request = current_request.get()
    user = getattr(request, "user", None) if request is not None else None
    return user if getattr(user, "is_authenticated", False) else None


class ClientAddressMiddleware:
    """Puts REMOTE_ADDR in a contextvar for the length of the request, so `record_audit` needs no request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = client_address.set(request.META.get("REMOTE_ADDR", "") or "")
        request_token = current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            current_request.reset(request_token)
            client_address.reset(token)
