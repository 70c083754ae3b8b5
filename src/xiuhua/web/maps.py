"""Small maps on the phone pages: unit grids around a pin as vector shapes, and where a map starts.

No online tiles are reachable, so the grids are the map; a city with its own tile server sets
`XIUHUA_MAP_TILES` (a Leaflet URL template) and the pages draw it underneath.
"""

from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from django.db.models import Max, Min, QuerySet
from django.http import JsonResponse, QueryDict
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from xiuhua.catalog import mapview as component_map
from xiuhua.catalog.choices import ComponentState
from xiuhua.core.errors import DomainError
from xiuhua.geo.geojson import feature, feature_collection
from xiuhua.territory import basemap
from xiuhua.territory.models import UnitGrid
from xiuhua.territory.queries import GridPage

GRID_LIMIT = 300
SIMPLIFY_M = 0.5
GEOJSON_DIGITS = 6  # about 10 cm


def parse_point(query: QueryDict) -> tuple[float, float] | None:
    """A WGS84 point from `lng` and `lat`, or None when either is missing or not a finite number in range."""
    try:
        lng, lat = float(query.get("lng", "")), float(query.get("lat", ""))
    except ValueError:
        return None
    if not (math.isfinite(lng) and math.isfinite(lat) and -180 <= lng <= 180 and -90 <= lat <= 90):
        return None
    return lng, lat


def required_point(query: QueryDict) -> tuple[float, float]:
    point = parse_point(query)
    if point is None:
        raise DomainError("请给出经纬度 lng、lat（WGS84）", code="point_required")
    return point


def grid_features(page: GridPage, *, public: bool) -> dict[str, Any]:
    """GeoJSON of a page of grids; the public sees only the community, staff also the grid's code."""
    features = []
    for row, geometry in zip(page.rows, page.geometries, strict=True):
        if geometry is None:
            continue
        properties = {"community_name": row.community_name}
        if not public:
            properties |= {"code": row.code, "name": row.name}
        features.append(feature(geometry, properties, precision=GEOJSON_DIGITS))
    return {**feature_collection(features), "truncated": page.truncated}


def base_options(*, public: bool = False) -> dict:
    """What basemap.js needs on every map: the layers' endpoints, their zooms, the tiles' CRS and the labels.

    The public (citizens, not signed in) get no base layers: the endpoints read through a staff scope.
    """
    urls = {
        "roads": reverse("web:map_roads"),
        "addresses": reverse("web:map_addresses"),
        "components": reverse("web:map_components"),
    }
    return {
        "crs": "gcj02" if settings.XIUHUA_MAP_TILES_CRS == "gcj02" else "wgs84",
        "urls": {} if public else urls,
        "addressMinZoom": basemap.ADDRESS_MIN_ZOOM,
        "componentPointZoom": component_map.POINT_MIN_ZOOM,
        "labels": {
            "roads": pgettext("map layer", "Roads"),
            "addresses": pgettext("map layer", "House numbers"),
            "components": pgettext("map layer", "Components"),
            "grids": pgettext("map layer", "Grids"),
            "cases": pgettext("map layer", "Cases"),
            "states": {value: str(label) for value, label in ComponentState.choices},
            "cell": _("%(n)s components, %(bad)s not intact: zoom in to see them"),
            "number": _("No. %(n)s"),
        },
    }


def map_options(grids: QuerySet[UnitGrid], *, public: bool = False) -> dict[str, Any]:
    """Where a map starts before the phone knows its position (the middle of the grids), and the tile URL."""
    extent = grids.aggregate(Min("min_lng"), Min("min_lat"), Max("max_lng"), Max("max_lat"))
    if extent["min_lng__min"] is None:
        centre = None
    else:
        centre = [
            round((extent["min_lng__min"] + extent["max_lng__max"]) / 2, 6),
            round((extent["min_lat__min"] + extent["max_lat__max"]) / 2, 6),
        ]
    return {"centre": centre, "tiles": getattr(settings, "XIUHUA_MAP_TILES", ""), "base": base_options(public=public)}


def json_error(exc: DomainError) -> JsonResponse:
    return JsonResponse({"detail": exc.message, "code": exc.code}, status=exc.status_code)
