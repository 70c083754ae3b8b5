"""The map: unit grids, divisions and open cases as Leaflet layers, fed by GeoJSON endpoints cut to the view.

The page itself holds no data: the browser asks for the layers of its current bbox and zoom
(`grids.geojson`, `divisions.geojson`) and for the cases of its filters (`cases.geojson`), and for a
case's summary only when a marker is clicked. Every endpoint reads through the user's data scope.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET

from xiuhua.cases import mapping, presenters, queries
from xiuhua.cases.choices import CaseStatus
from xiuhua.catalog.models import CaseClass
from xiuhua.core.errors import DomainError, NotFound
from xiuhua.territory import mapview
from xiuhua.territory.queries import parse_bbox
from xiuhua.web.maps import base_options

GEOJSON = "application/geo+json"


def _geojson(text: str) -> HttpResponse:
    response = HttpResponse(text, content_type=GEOJSON)
    response["Cache-Control"] = "private, no-cache"
    return response


def _bad_request(exc: DomainError) -> JsonResponse:
    return JsonResponse({"detail": exc.message, "code": exc.code}, status=exc.status_code)


@login_required
def map_page(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/map/map.html",
        {
            "map_options": map_options(request, min_start_zoom=mapview.GRID_MIN_ZOOM + 1),
            "majors": major_classes(),
            "open_statuses": [(s, CaseStatus(s).label) for s in mapping.OPEN_STATUSES],
        },
    )


def map_options(request: HttpRequest, **extra) -> dict:
    """What `map.js` needs: the scope to show first, the data endpoints, the optional tiles and the labels."""
    return {
        "bounds": mapview.scope_bounds(request.user),
        "tiles": settings.XIUHUA_MAP_TILES,
        "tilesAttribution": settings.XIUHUA_MAP_TILES_ATTRIBUTION,
        "gridMinZoom": mapview.GRID_MIN_ZOOM,
        "base": base_options(),
        "urls": {
            "grids": reverse("web:map_grids"),
            "divisions": reverse("web:map_divisions"),
            "cases": reverse("web:map_cases"),
            "popup": reverse("web:map_case_popup", args=["NUMBER"]),
        },
        "labels": {
            "grids": _("Unit grids"),
            "communities": _("Communities"),
            "subdistricts": _("Sub-districts"),
            "cases": _("Open cases"),
            "loading": _("Loading…"),
            "truncated": _("Only the most urgent cases are shown: zoom in or filter to see the rest."),
            "lights": {
                "red": _("Overdue"),
                "late": _("Centre step late"),
                "yellow": _("Due soon"),
                "green": _("In time"),
                "none": _("No limit"),
            },
        },
        **extra,
    }


def major_classes() -> list[dict[str, str]]:
    """Major classes (by kind) for the filter, e.g. {"value": "event:01", "label": "市容环境"}."""
    rows = (
        CaseClass.objects.filter(active=True)
        .values_list("kind", "major_code", "major_name")
        .distinct()
        .order_by("kind", "major_code")
    )
    return [{"kind": kind, "value": f"{kind}:{code}", "label": f"{code} {name}"} for kind, code, name in rows]


def _territory(request: HttpRequest, draw) -> HttpResponse:
    """A territory layer for the `bbox` and `zoom` of the request, drawn by `draw(user, bbox, zoom)`; 400 if bad."""
    try:
        bbox = parse_bbox(request.GET.get("bbox", ""))
        zoom = mapview.parse_zoom(request.GET.get("zoom"))
        layer = draw(request.user, bbox, zoom)
    except DomainError as exc:
        return _bad_request(exc)
    return _geojson(layer.geojson)


@login_required
@require_GET
@gzip_page
def grids_geojson(request: HttpRequest) -> HttpResponse:
    """Unit grids of the bbox at `zoom` ≥ 15, else the outlines of the smallest divisions that fit."""
    return _territory(request, mapview.territory_layer)


@login_required
@require_GET
@gzip_page
def divisions_geojson(request: HttpRequest) -> HttpResponse:
    """Outlines of one level of divisions (`level=subdistrict|community|district`) in the bbox."""
    level = request.GET.get("level", "subdistrict")
    return _territory(request, lambda user, bbox, zoom: mapview.division_layer(user, level, bbox, zoom))


@login_required
@require_GET
@gzip_page
def cases_geojson(request: HttpRequest) -> HttpResponse:
    """The user's cases as points (`status`, `kind`, `major`, `class`, `bbox` filters; default: all open)."""
    try:
        filters = mapping.parse_point_filters(request.GET)
    except DomainError as exc:
        return _bad_request(exc)
    return _geojson(mapping.case_points(request.user, filters).geojson)


@login_required
@require_GET
def case_popup(request: HttpRequest, number: str) -> HttpResponse:
    """A case's summary for the map's popup (404 outside the user's scope, like the case page)."""
    try:
        case = queries.case_for(request.user, number)
    except NotFound as exc:
        return render(request, "web/map/case_popup.html", {"error": exc.message}, status=404)
    now = timezone.now()
    summary = presenters.case_summary(case, request.user, now)
    return render(request, "web/map/case_popup.html", {"case": case, "summary": summary, "now": now})
