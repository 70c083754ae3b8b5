"""The base map under grids and cases: roads, house numbers and components as GeoJSON for a bbox and zoom.

Every endpoint takes `bbox=minLng,minLat,maxLng,maxLat` (WGS84) and `zoom` (0–22), answers 400 with a
Chinese message when they are bad, and reads through the user's data scope (see territory/basemap.py and
catalog/mapview.py). `basemap.js` draws them; `web.maps.base_options` tells it where they are.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET

from xiuhua.catalog import mapview as components
from xiuhua.core.errors import DomainError
from xiuhua.territory import basemap, mapview
from xiuhua.territory.queries import BBox, parse_bbox

GEOJSON = "application/geo+json"


def _layer(request: HttpRequest, draw: Callable[[BBox, int], str]) -> HttpResponse:
    try:
        bbox = parse_bbox(request.GET.get("bbox", ""))
        zoom = mapview.parse_zoom(request.GET.get("zoom"))
        text = draw(bbox, zoom)
    except DomainError as exc:
        return JsonResponse({"detail": exc.message, "code": exc.code}, status=exc.status_code)
    response = HttpResponse(text, content_type=GEOJSON)
    response["Cache-Control"] = "private, no-cache"
    return response


@login_required
@require_GET
@gzip_page
def roads_geojson(request: HttpRequest) -> HttpResponse:
    """Roads in the bbox: minor kinds only when zoomed in, simplified to a pixel."""
    return _layer(request, lambda bbox, zoom: basemap.road_layer(request.user, bbox, zoom).geojson)


@login_required
@require_GET
@gzip_page
def addresses_geojson(request: HttpRequest) -> HttpResponse:
    """House numbers in the bbox from zoom 17 (empty below)."""
    return _layer(request, lambda bbox, zoom: basemap.address_layer(request.user, bbox, zoom).geojson)


@login_required
@require_GET
@gzip_page
def components_geojson(request: HttpRequest) -> HttpResponse:
    """Components in the bbox: each from zoom 17, else counted per cell; `major=01` for one major class."""

    def draw(bbox: BBox, zoom: int) -> str:
        major = components.parse_major(request.GET.get("major"))
        return components.component_layer(request.user, bbox, zoom, major).geojson

    return _layer(request, draw)
