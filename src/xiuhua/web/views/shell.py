"""Home, notices and the language switch: the parts of the shell every role uses."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xiuhua.notify.services import mark_read
from xiuhua.web.shell import MENU
from xiuhua.web.tables import Column, build_table


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role starts at the first page of its menu (its workbench)."""
    first = next(item for item in MENU if item.shown_to(request.user))
    return redirect(reverse(first.url_name))


@login_required
def notices(request: HttpRequest) -> HttpResponse:
    queryset = request.user.notices.all()
    if request.GET.get("unread"):
        queryset = queryset.filter(read_at__isnull=True)
    columns = [Column(_("Sent at"), "created_at"), Column(_("Kind")), Column(_("Title")), Column(_("Case"))]
    table = build_table(request, queryset, columns, "-created_at")
    return render(request, "web/notices.html", {"table": table, "unread_only": bool(request.GET.get("unread"))})


@login_required
@require_POST
def read_notices(request: HttpRequest) -> HttpResponse:
    ids = [int(pk) for pk in request.POST.getlist("notice") if pk.isdigit()]
    if request.POST.get("all"):
        ids = list(request.user.notices.filter(read_at__isnull=True).values_list("pk", flat=True))
    mark_read(request.user, ids)
    return redirect(safe_next(request, reverse("web:notices")))


def safe_next(request: HttpRequest, fallback: str) -> str:
    """The `next` the form asked for, if it stays on this site (never an open redirect)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure())
    return target if target and allowed else fallback
