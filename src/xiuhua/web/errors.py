"""Error pages of the staff site, in the user's language, inside the shell."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def page_not_found(request: HttpRequest, message: str) -> HttpResponse:
    """404 with the reason: a case outside the user's scope is "not found", never "forbidden"."""
    return render(request, "web/error.html", {"status": 404, "message": message}, status=404)


def forbidden(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "web/error.html", {"status": 403, "message": message}, status=403)
