"""The leader's dashboard and the big screen: today's and this month's figures, a trend, top lists, a live map.

Both pages poll `dashboard/figures/` (dashboard.js, every minute; backing off while the server is away) and swap
the figures in place by their ids; the charts redraw from the JSON the same response carries. The figures come
from `cases.overview`.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from xiuhua.cases.choices import CaseStatus
from xiuhua.cases.live import case_list_query
from xiuhua.cases.overview import Overview, cached_overview
from xiuhua.territory.models import Division
from xiuhua.web.errors import forbidden
from xiuhua.web.palette import status_colour
from xiuhua.web.shell import DASHBOARD_ROLES
from xiuhua.web.views.maps import map_options
from xiuhua.worktime.clock import SHANGHAI

REFRESH_SECONDS = 60


def _refused(request: HttpRequest) -> HttpResponse | None:
    if request.user.role in DASHBOARD_ROLES or request.user.is_superuser:
        return None
    message = _("The dashboard is for leaders and the command centre; your role is %(role)s.") % {
        "role": request.user.get_role_display()
    }
    return forbidden(request, message)


PAGES = {"dashboard": "web/dashboard/dashboard.html", "screen": "web/dashboard/screen.html"}


@login_required
@require_GET
def page(request: HttpRequest, view: str) -> HttpResponse:
    """The dashboard, or the big screen of the command centre's wall (1920×1080, dark, no menu)."""
    if refusal := _refused(request):
        return refusal
    return render(request, PAGES[view], _context(request, view))


@login_required
@require_GET
def figures(request: HttpRequest) -> HttpResponse:
    """The figures alone, each element marked for an out-of-band swap (what the pages poll)."""
    if refusal := _refused(request):
        return refusal
    view = request.GET.get("view") if request.GET.get("view") in PAGES else "dashboard"
    return render(request, "web/dashboard/figures.html", {**_context(request, view), "oob": True})


def _context(request: HttpRequest, view: str) -> dict:
    figures = cached_overview(request.user, settings.XIUHUA_OVERVIEW_CACHE_SECONDS)
    return {
        "view": view,
        "o": figures,
        "charts": charts(figures),
        "links": figure_links(figures),
        "refresh_seconds": REFRESH_SECONDS,
        "place": place_name(request),
        # No refresh of its own: dashboard.js reloads the map's cases after each successful figures refresh,
        # so one timer (with its back-off when the server is away) drives the whole page.
        "map_options": map_options(request, layers=["subdistricts", "cases"], theme=view, collapseLayers=True),
    }


def figure_links(figures: Overview) -> dict:
    """The case list behind each count: the `/cases/` filter of the same definition (`cases.live`)."""
    base = reverse("web:case_list") + "?"
    today = figures.as_of.astimezone(SHANGHAI).date()
    periods = {"today": today, "month": today.replace(day=1)}

    def period(start) -> dict[str, str]:
        # The period's "overdue" is `queries.late_between`: open past a deadline of the period, or handled late in it.
        steps = {"reported": "reported", "registered": "registered", "dispatched": "dispatched", "closed": "closed"}
        steps["overdue"] = "late"
        dates = {"reported_from": start, "reported_to": today}
        return {figure: base + case_list_query(date_field=field, **dates) for figure, field in steps.items()}

    month = {"reported_from": periods["month"], "reported_to": today}
    return {
        **{name: period(start) for name, start in periods.items()},
        "open": base + case_list_query(group="open"),
        "overdue_now": base + case_list_query(overdue=True),
        "due_soon": base + case_list_query(due_soon=True),
        "handled": base + case_list_query(date_field="reported_back", **month),
        "handled_on_time": base + case_list_query(date_field="reported_back", on_time=True, **month),
        "channels": {s: base + case_list_query(source=s, **month) for s, _label, _n in figures.channels_month},
        "grids": {g.code: base + case_list_query(grid=g.code, **month) for g in figures.top_grids},
        "statuses": {s: base + case_list_query(status=s) for s, _n in figures.open_by_status},
    }


def place_name(request: HttpRequest) -> str:
    """The district's name for the superuser, else the names of the divisions in the user's scope."""
    if request.user.is_superuser:
        return "、".join(Division.objects.filter(level="district").order_by("code").values_list("name", flat=True))
    codes = [c for c in (request.user.scope_division_codes or []) if c]
    names = "、".join(Division.objects.filter(code__in=codes).order_by("code").values_list("name", flat=True))
    return names or "未分配数据范围"


def charts(figures: Overview) -> dict:
    """The data of the charts, with their translated series names; each bar and slice carries the `/cases/` link
    of its cases (dashboard.js opens it on a click): the status's open cases, the class's reports this month."""
    classes = list(reversed(figures.top_classes))  # a horizontal bar chart draws its first row at the bottom
    base = reverse("web:case_list") + "?"
    today = figures.as_of.astimezone(SHANGHAI).date()
    month = {"reported_from": today.replace(day=1), "reported_to": today}
    return {
        "trend": {
            "days": [day.strftime("%m-%d") for day in figures.trend.days],
            "series": [
                {"name": _("Reported"), "data": figures.trend.reported},
                {"name": _("Closed"), "data": figures.trend.closed},
            ],
        },
        "classes": {
            "names": [c.name for c in classes],
            "counts": [c.count for c in classes],
            "links": [base + case_list_query(class_code=c.code, **month) for c in classes],
        },
        "statuses": [
            {
                "name": str(CaseStatus(s).label),
                "value": n,
                "itemStyle": {"color": status_colour(s)},
                "link": base + case_list_query(status=s),
            }
            for s, n in figures.open_by_status
        ],
        "onTime": None if figures.on_time_rate is None else round(figures.on_time_rate * 100, 1),
        "labels": {"onTime": _("On time")},
    }
