"""Base-map layers from the territory's own data: roads and house numbers, as GeoJSON text for a bbox and zoom.

Roads are few (hundreds to a few thousand in a district) but long: they are simplified to a pixel at the
zoom, and minor kinds are left out when zoomed out (lanes from zoom 15, branch roads from 13), as a printed
map does. House numbers are many (tens of thousands) and only readable close up: they are sent from zoom 17.

Scope: like the grid layers, a user sees only their own area. A road belongs to a sub-district, or to none
when it crosses several; roads of another sub-district are hidden, and roads of none are cut to the user's
area (the bbox is clipped to the bounds of the divisions the user sees). House numbers follow their grid.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import shapely
from django.db.models import Q, QuerySet

from xiuhua.accounts.models import User
from xiuhua.accounts.queries import division_code_filter, sees_everything
from xiuhua.territory.choices import RoadKind
from xiuhua.territory.mapview import _geojson_texts, scope_bounds
from xiuhua.territory.models import Road, StreetAddress
from xiuhua.territory.queries import BBox

ADDRESS_MIN_ZOOM = 17
MAX_ROADS = 3000
MAX_ADDRESSES = 3000
ROAD_KINDS_FROM_ZOOM = {  # the lowest zoom at which each kind of road is drawn
    RoadKind.ARTERIAL: 0,
    RoadKind.SECONDARY: 11,
    RoadKind.BRANCH: 13,
    RoadKind.LANE: 15,
}


@dataclass(frozen=True)
class BaseLayer:
    geojson: str
    count: int


def road_kinds(zoom: int) -> list[str]:
    return [kind for kind, from_zoom in ROAD_KINDS_FROM_ZOOM.items() if zoom >= from_zoom]


def clip_to_scope(user: User, bbox: BBox) -> BBox | None:
    """The part of the bbox inside the user's area (None if it is outside); the superuser's bbox as it is."""
    if sees_everything(user):
        return bbox
    bounds = scope_bounds(user)
    if bounds is None:
        return None
    clipped = BBox(
        max(bbox.min_lng, bounds[0]),
        max(bbox.min_lat, bounds[1]),
        min(bbox.max_lng, bounds[2]),
        min(bbox.max_lat, bounds[3]),
    )
    if clipped.min_lng > clipped.max_lng or clipped.min_lat > clipped.max_lat:
        return None
    return clipped


def visible_roads(user: User) -> QuerySet[Road]:
    return Road.objects.filter(Q(subdistrict__isnull=True) | division_code_filter(user, "subdistrict__code"))


def road_layer(user: User, bbox: BBox, zoom: int) -> BaseLayer:
    """Roads of the kinds drawn at this zoom intersecting the bbox (in the user's area), simplified to a pixel."""
    clipped = clip_to_scope(user, bbox)
    rows = []
    if clipped is not None:
        roads = visible_roads(user).filter(clipped.intersecting(), kind__in=road_kinds(zoom))
        rows = list(roads.order_by("code").values_list("code", "name", "kind", "geometry_wkb")[:MAX_ROADS])
    geometries = shapely.from_wkb([bytes(wkb) if wkb is not None else None for *_rest, wkb in rows])
    texts = _geojson_texts(geometries, zoom)
    features = [
        f'{{"type":"Feature","id":{json.dumps(code)},"geometry":{text},'
        f'"properties":{{"name":{json.dumps(name, ensure_ascii=False)},"kind":"{kind}"}}}}'
        for (code, name, kind, _wkb), text in zip(rows, texts, strict=True)
        if text is not None
    ]
    return BaseLayer(_collection(features, zoom, f'"kinds":{json.dumps(road_kinds(zoom))}'), len(features))


def address_layer(user: User, bbox: BBox, zoom: int) -> BaseLayer:
    """House numbers in the bbox from zoom 17 (an empty collection below, saying from which zoom)."""
    rows = []
    if zoom >= ADDRESS_MIN_ZOOM:
        addresses = StreetAddress.objects.filter(
            bbox.containing_points(), division_code_filter(user, "unit_grid__community__code")
        )
        rows = list(
            addresses.order_by("road__code", "number").values_list("road__name", "number", "lng", "lat")[:MAX_ADDRESSES]
        )
    features = [
        f'{{"type":"Feature","geometry":{{"type":"Point","coordinates":[{lng:.7f},{lat:.7f}]}},'
        f'"properties":{{"road":{json.dumps(road, ensure_ascii=False)},"no":{number}}}}}'
        for road, number, lng, lat in rows
    ]
    return BaseLayer(_collection(features, zoom, f'"min_zoom":{ADDRESS_MIN_ZOOM}'), len(features))


def _collection(features: list[str], zoom: int, extra: str) -> str:
    return (
        f'{{"type":"FeatureCollection","zoom":{zoom},"count":{len(features)},{extra},"features":['
        + ",".join(features)
        + "]}"
    )
