"""The patrol page (/patrol/): who is on duty on the map, and the replay of any shift of a watched inspector.

The page holds the list of watched inspectors and who is on duty now; the map, the shifts and the tracks come
from /api/v1/patrol/… (the browser's session), which read through the same scope checks.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from xiuhua.patrol import queries
from xiuhua.territory import mapview
from xiuhua.web.errors import forbidden
from xiuhua.web.views.maps import map_options

REFRESH_SECONDS = 30


@login_required
@require_GET
def patrol_page(request: HttpRequest) -> HttpResponse:
    if not queries.may_watch(request.user):
        return forbidden(request, "巡查轨迹只对值班长、指挥长和领导开放")
    options = map_options(request, min_start_zoom=mapview.GRID_MIN_ZOOM + 1, layers=["grids", "subdistricts"])
    options["patrol"] = {
        "api": "/api/v1/patrol/",
        "refresh": REFRESH_SECONDS,
        "shift": request.GET.get("shift", ""),
        "labels": {
            "onDuty": _("On duty"),
            "since": _("On duty since"),
            "lastSeen": _("Last position"),
            "noPosition": _("No position yet"),
            "track": _("Patrol track"),
            "km": _("km"),
            "hours": _("hours"),
            "noShifts": _("No shifts in the last 7 days"),
            "noPoints": _("This shift has no positions"),
        },
    }
    context = {
        "map_options": options,
        "inspectors": queries.watched_inspectors(request.user),
        "on_duty": queries.on_duty(request.user).order_by("inspector__username"),
    }
    return render(request, "web/patrol/page.html", context)
