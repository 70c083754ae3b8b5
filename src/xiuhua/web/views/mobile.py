"""The inspector's phone under /m/: tasks nearest first, a task answered with camera photos, a new report in three
taps (self-handled or not), and "me" with the reports waiting on the phone.

Reports are posted by the browser's offline queue (static/web/m-queue.js) with an idempotency key it made, so a
report written without network is sent when the network returns and a retry never makes a second case. Actions
on a case use the shared action forms and post to `web:act`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, wraps
from pathlib import Path

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from xiuhua.accounts.choices import Role
from xiuhua.cases import presenters, queries
from xiuhua.cases.choices import Action
from xiuhua.cases.models import Case
from xiuhua.cases.presenters import current_light
from xiuhua.core.errors import DomainError, NotFound
from xiuhua.intake.channels.staff.adapter import report_by_staff
from xiuhua.intake.duplicates import distance_m
from xiuhua.intake.log import rejections_logged, request_payload
from xiuhua.territory import queries as territory
from xiuhua.territory.queries import parse_bbox
from xiuhua.web import case_page as case_page_parts
from xiuhua.web.actions import action_panels
from xiuhua.web.errors import forbidden, page_not_found
from xiuhua.web.maps import (
    GRID_LIMIT,
    SIMPLIFY_M,
    base_options,
    grid_features,
    json_error,
    map_options,
    parse_point,
    required_point,
)
from xiuhua.web.mobile_forms import ReportForm, class_groups
from xiuhua.web.navigation import navigation_links

TASK_LIMIT = 100
MY_REPORTS = 30


def inspector_only(view: Callable | None = None, *, api: bool = False) -> Callable:
    """Signed-in inspectors only: others get 403 with the reason; `api` views answer JSON instead of a login page."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                if api:
                    return JsonResponse({"detail": _("Please log in again."), "code": "login_required"}, status=401)
                return redirect_to_login(request.get_full_path())
            if user.role != Role.INSPECTOR:
                message = _("These pages are the inspector's phone; your role is %(role)s.") % {
                    "role": user.get_role_display()
                }
                if api:
                    return JsonResponse({"detail": message, "code": "forbidden"}, status=403)
                return forbidden(request, message)
            return view(request, *args, **kwargs)

        return wrapper

    return decorate(view) if view else decorate


@dataclass
class TaskRow:
    case: Case
    light: str | None
    distance_m: float | None


@inspector_only
@require_GET
def tasks(request: HttpRequest) -> HttpResponse:
    """Verify and check tasks: nearest first when the phone says where it is, else by deadline."""
    now = timezone.now()
    point = parse_point(request.GET)
    cases = queries.my_tasks(request.user, now).select_related("case_class", "community")
    if point:
        cases = queries.nearest_first(cases, *point)
    rows = [
        TaskRow(case, current_light(case, now), distance_m(*point, case.lng, case.lat) if point else None)
        for case in cases[:TASK_LIMIT]
    ]
    context = {"rows": rows, "by_distance": point is not None, "tab": "tasks", "now": now}
    template = "web/mobile/partials/task_list.html" if request.htmx else "web/mobile/tasks.html"
    return render(request, template, context)


@inspector_only
@require_GET
def case_page(request: HttpRequest, number: str) -> HttpResponse:
    """One case on the phone: what and where (address, small map, a link into the phone's map app), the photos
    before and after handling side by side, the department's reply, and the inspector's actions on it."""
    try:
        case = queries.case_for(request.user, number)
    except NotFound as exc:
        return page_not_found(request, exc.message)
    now = timezone.now()
    detail = presenters.case_detail(case, request.user, now, surface="mobile_case")
    sides = case_page_parts.photo_sides(detail)
    context = {
        "case": case,
        "photos": sides["before"],
        "after_photos": sides["after"],
        "reply": department_reply(detail),
        "nav_links": navigation_links(case.lng, case.lat, case.address or case.community.name),
        "light": current_light(case, now),
        "panels": action_panels(case, request.user, detail["allowed_actions"]),
        "next": reverse("web:m_tasks"),
        "tab": "tasks",
        "map_tiles": getattr(settings, "XIUHUA_MAP_TILES", ""),
        "map_base": base_options(),
    }
    return render(request, "web/mobile/case.html", context)


def department_reply(detail: dict) -> dict | None:
    """The department's latest report-back (its words, who and when), which the inspector checks against."""
    replies = [event for event in detail["timeline"] if event["action"] == Action.REPORT_BACK]
    return replies[-1] if replies else None


@never_cache
@inspector_only
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    """GET: the three-tap report. POST (from the browser's queue): the report, answered in JSON."""
    if request.method == "POST":
        return _submit_report(request)
    context = {
        "groups": class_groups(),
        "frequent": queries.frequent_classes(request.user),
        "map": map_options(territory.visible_grids(request.user)),
        "tab": "report",
    }
    return render(request, "web/mobile/report.html", context)


def _submit_report(request: HttpRequest) -> JsonResponse:
    form = ReportForm(request.POST)
    try:
        with rejections_logged("staff", request.user.username, request_payload(request)):
            if not form.is_valid():
                raise DomainError(form.problems(), code="invalid_field")
            data = form.report_input(self_handled=form.cleaned_data["self_handled"])
            accepted = report_by_staff(
                request.user,
                data,
                request.FILES.getlist("photos"),
                after_photos=request.FILES.getlist("after_photos"),
                idempotency_key=request.headers.get("Idempotency-Key"),
            )
    except DomainError as exc:
        return json_error(exc)
    case = accepted.case
    receipt = {
        "number": case.number,
        "created": accepted.created,
        "status": case.status,
        "status_label": case.get_status_display(),
        "class_name": case.case_class.name,
        "place": f"{case.community.name} · {case.grid_code}",
        "url": reverse("web:m_case", args=[case.number]),
    }
    return JsonResponse(receipt, status=201 if accepted.created else 200)


@inspector_only
@require_GET
def me(request: HttpRequest) -> HttpResponse:
    """The inspector's own recent reports, and the reports still waiting on this phone (drawn by the browser)."""
    mine = (
        queries.visible_cases(request.user)
        .filter(reporter=request.user)
        .select_related("case_class", "community")
        .order_by("-reported_at")[:MY_REPORTS]
    )
    return render(request, "web/mobile/me.html", {"mine": mine, "tab": "me"})


# What the app needs to open without network; pages are kept as they are visited.
APP_STATIC = (
    "vendor/bootstrap/bootstrap.min.css",
    "vendor/bootstrap/bootstrap.bundle.min.js",
    "vendor/bootstrap-icons/bootstrap-icons.min.css",
    "vendor/bootstrap-icons/fonts/bootstrap-icons.woff2",
    "vendor/htmx/htmx.min.js",
    "vendor/leaflet/leaflet.css",
    "vendor/leaflet/leaflet.js",
    "vendor/leaflet/images/marker-icon.png",
    "vendor/leaflet/images/marker-icon-2x.png",
    "vendor/leaflet/images/marker-shadow.png",
    "web/app.css",
    "web/mobile.css",
    "web/photos.js",
    "web/m-queue.js",
    "web/m-patrol.js",
    "web/pages.js",
    "web/m-tasks.js",
    "web/m-case.js",
    "web/basemap.js",
    "web/case_map.js",
    "web/m-me.js",
    "web/pin-map.js",
    "web/m-report.js",
)


@cache
def app_version() -> str:
    """A fingerprint of the app's files: a new one makes phones drop their cached copies and fetch the new ones."""
    digest = hashlib.sha256()
    for path in APP_STATIC:
        found = finders.find(path)
        digest.update(Path(found).read_bytes() if found else path.encode())
    return digest.hexdigest()[:12]


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The app's service worker, served under /m/ so that its scope is the app (public: it holds no data)."""
    context = {"static_files": [static(path) for path in APP_STATIC], "version": app_version()}
    response = render(request, "web/mobile/sw.js", context, content_type="text/javascript")
    response["Cache-Control"] = "no-cache"
    return response


@inspector_only(api=True)
@require_GET
def grids(request: HttpRequest) -> JsonResponse:
    """Unit grids in a map's box (the inspector's scope), for drawing round the pin."""
    try:
        bbox = parse_bbox(request.GET.get("bbox", ""))
        page = territory.grids_for_map(request.user, bbox=bbox, simplify_m=SIMPLIFY_M, limit=GRID_LIMIT)
    except DomainError as exc:
        return json_error(exc)
    return JsonResponse(grid_features(page, public=False), json_dumps_params={"ensure_ascii": False})


@inspector_only(api=True)
@require_GET
def where(request: HttpRequest) -> JsonResponse:
    """The grid and community of the pin, so the inspector sees where the report will land."""
    try:
        location = territory.locate(request.user, *required_point(request.GET), "wgs84")
    except DomainError as exc:
        return json_error(exc)
    return JsonResponse(
        {
            "grid_code": location.grid_code,
            "community_name": location.community_name,
            "subdistrict_name": location.subdistrict_name,
        },
        json_dumps_params={"ensure_ascii": False},
    )
