"""Home, notices and the language switch: the parts of the shell every role uses."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST

from xiuhua.notify.services import mark_all_read, mark_read, mark_subject_read
from xiuhua.web import notices as notice_rows
from xiuhua.web.shell import MENU
from xiuhua.web.tables import Column, build_table, list_table


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role starts at the first page of its menu (its workbench)."""
    first = next(item for item in MENU if item.shown_to(request.user))
    return redirect(reverse(first.url_name))


@login_required
def notices(request: HttpRequest) -> HttpResponse:
    """The inbox: one row per case (latest notice, how many), or every notice of one case (?case=number)."""
    subject = request.GET.get("case", "").strip()
    if subject:
        queryset = request.user.notices.filter(subject=subject)
        columns = [Column(_("Sent at"), "created_at"), Column(_("Kind")), Column(_("Title"))]
        table = build_table(request, queryset, columns, "-created_at")
        return render(request, "web/notices_case.html", {"table": table, "subject": subject})
    show = request.GET.get("show", "")
    if request.GET.get("unread"):  # the bell's old link
        show = "unread"
    show = show if show in notice_rows.SHOWS else "all"
    columns = [Column(_("Latest")), Column(_("Kind")), Column(_("Title")), Column(_("Case")), Column("")]
    table = list_table(request, notice_rows.grouped(request.user, show), columns)
    rows = notice_rows.with_latest(list(table.rows))
    return render(request, "web/notices.html", {"table": table, "rows": rows, "show": show})


@login_required
@require_POST
def read_notices(request: HttpRequest) -> HttpResponse:
    """Mark read: the listed notices, every notice of one case (`case`), or all of them (`all`, 全部已读)."""
    if request.POST.get("all"):
        mark_all_read(request.user)
    elif subject := request.POST.get("case", "").strip():
        mark_subject_read(request.user, subject)
    else:
        mark_read(request.user, [int(pk) for pk in request.POST.getlist("notice") if pk.isdigit()])
    return redirect(safe_next(request, reverse("web:notices")))


def safe_next(request: HttpRequest, fallback: str) -> str:
    """The `next` the form asked for, if it stays on this site (never an open redirect)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure())
    return target if target and allowed else fallback


@require_GET
@cache_control(public=True, max_age=7 * 24 * 3600)
def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico for whatever asks the site root (browsers, the admin, the API docs): the icon in static."""
    path = finders.find("web/icons/favicon.ico")
    if not path:
        raise Http404
    return FileResponse(open(path, "rb"), content_type="image/x-icon")  # noqa: SIM115 (FileResponse closes it)
