"""Territory layers for a web map: what to draw in a bounding box at a zoom level, as GeoJSON text.

A district may have 50,000 unit grids; a browser can draw a few thousand polygons fluidly. So a view asks
for its bbox and zoom, and gets the unit grids intersecting it when zoomed in far enough and they are not
too many, else the outlines of the smallest divisions that fit (communities, then sub-districts, then
districts). Geometries are simplified to about one screen pixel at that zoom (topology preserved) and
rounded to half a pixel, so the text stays small: a grid is its code (the feature id) and its ring.
Division outlines (few, but with long boundaries) are simplified once per zoom level and kept in memory
until the division changes.

The GeoJSON is written as text, not dicts: thousands of features are encoded by shapely in one
vectorised call and joined, which is several times faster than building and dumping Python objects.
"""

from __future__ import annotations

import json
import math
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import shapely
from django.db.models import Max, Min

from xiuhua.accounts.models import User
from xiuhua.core.errors import DomainError
from xiuhua.territory.choices import DivisionLevel
from xiuhua.territory.models import Division
from xiuhua.territory.queries import BBox, visible_divisions, visible_grids

MIN_ZOOM, MAX_ZOOM = 0, 22
GRID_MIN_ZOOM = 15  # ~4 m a pixel at 30°N: a 100 m grid is 24 px wide
COMMUNITY_MIN_ZOOM = 11
MAX_FEATURES = 5000  # more than this in a view: one level up (grids → communities → sub-districts)
OUTLINE_CACHE_SIZE = 20_000  # simplified division outlines kept per process (≈ a few MB)

GRID = "grid"
LEVELS_UP = (GRID, DivisionLevel.COMMUNITY, DivisionLevel.SUBDISTRICT, DivisionLevel.DISTRICT)


def parse_zoom(text: str | None) -> int:
    """A Web Mercator zoom level 0–22 (Leaflet's integer zoom); DomainError if missing or bad."""
    refusal = DomainError(f"zoom 应为 {MIN_ZOOM} 到 {MAX_ZOOM} 的整数，收到「{text or ''}」", code="invalid_zoom")
    try:
        zoom = int(text or "")
    except ValueError:
        raise refusal from None
    if not MIN_ZOOM <= zoom <= MAX_ZOOM:
        raise refusal
    return zoom


def degrees_per_pixel(zoom: int) -> float:
    """Longitude degrees one screen pixel spans at this zoom (256-pixel Web Mercator tiles)."""
    return 360.0 / (256 * 2**zoom)


def tolerance_for(zoom: int) -> float:
    """Simplification tolerance (degrees): one pixel, below which a vertex cannot be seen."""
    return degrees_per_pixel(zoom)


def decimals_for(zoom: int) -> int:
    """Decimals that keep coordinates to half a pixel (4 at zoom 12, 5 at 15, 6 at 18, 7 from 21)."""
    return min(7, max(3, math.ceil(math.log10(2 / degrees_per_pixel(zoom)))))


def start_level(zoom: int) -> str:
    if zoom >= GRID_MIN_ZOOM:
        return GRID
    return DivisionLevel.COMMUNITY if zoom >= COMMUNITY_MIN_ZOOM else DivisionLevel.SUBDISTRICT


@dataclass(frozen=True)
class Layer:
    """A map layer as GeoJSON text, with what it holds."""

    geojson: str
    level: str
    count: int


def territory_layer(user: User, bbox: BBox, zoom: int) -> Layer:
    """Unit grids in the bbox at high zoom, else division outlines: the smallest level with few enough features."""
    levels = LEVELS_UP[LEVELS_UP.index(start_level(zoom)) :]
    for level in levels:
        count = _count(user, level, bbox)
        if count <= MAX_FEATURES or level == levels[-1]:
            return division_layer(user, level, bbox, zoom) if level != GRID else grid_layer(user, bbox, zoom)
    raise AssertionError("unreachable: the last level always answers")


def _count(user: User, level: str, bbox: BBox) -> int:
    if level == GRID:
        return visible_grids(user).filter(bbox.intersecting()).count()
    return visible_divisions(user).filter(bbox.intersecting(), level=level).count()


def grid_layer(user: User, bbox: BBox, zoom: int) -> Layer:
    """Current unit grids in the user's scope intersecting the bbox (at most MAX_FEATURES, by code)."""
    rows = list(
        visible_grids(user)
        .filter(bbox.intersecting())
        .order_by("code")
        .values_list("code", "geometry_wkb")[:MAX_FEATURES]
    )
    geometries = shapely.from_wkb([bytes(wkb) if wkb is not None else None for _code, wkb in rows])
    texts = _geojson_texts(geometries, zoom)
    features = [
        f'{{"type":"Feature","id":{json.dumps(code)},"geometry":{text},"properties":{{}}}}'
        for (code, _wkb), text in zip(rows, texts, strict=True)
        if text is not None
    ]
    return Layer(_collection(features, GRID, zoom), GRID, len(features))


def _geojson_texts(geometries: np.ndarray, zoom: int) -> list[str | None]:
    """GeoJSON geometry texts for many geometries at once: simplified, then rounded for this zoom."""
    if len(geometries) == 0:
        return []
    simplified = shapely.simplify(geometries, tolerance_for(zoom), preserve_topology=True)
    decimals = decimals_for(zoom)
    rounded = shapely.transform(simplified, lambda xy: np.round(xy, decimals))
    return [str(text) if text is not None else None for text in shapely.to_geojson(rounded)]


def _collection(features: list[str], level: str, zoom: int) -> str:
    head = f'{{"type":"FeatureCollection","level":"{level}","zoom":{zoom},"count":{len(features)},"features":['
    return head + ",".join(features) + "]}"


# -- divisions


class _OutlineCache:
    """Simplified outline texts by (division id, its updated_at, zoom); least recently used dropped first."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[tuple[int, datetime, int], str | None] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[int, datetime, int]) -> tuple[bool, str | None]:
        with self._lock:
            if key not in self._items:
                return False, None
            self._items.move_to_end(key)
            return True, self._items[key]

    def put(self, key: tuple[int, datetime, int], text: str | None) -> None:
        with self._lock:
            self._items[key] = text
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


_outlines = _OutlineCache(OUTLINE_CACHE_SIZE)


def forget_outlines() -> None:
    """Drop the simplified outlines kept by this process (tests; they also expire when a division changes)."""
    _outlines.clear()


def division_layer(user: User, level: str, bbox: BBox, zoom: int) -> Layer:
    """Outlines of the user's divisions of one level intersecting the bbox, simplified for the zoom."""
    if level not in DivisionLevel.values:
        raise DomainError(f"未知的区划层级「{level}」，应为 district、subdistrict 或 community", code="invalid_level")
    divisions = visible_divisions(user).filter(bbox.intersecting(), level=level).order_by("code")
    rows = list(divisions.values_list("pk", "code", "name", "updated_at")[:MAX_FEATURES])
    texts = _outline_texts([(pk, changed) for pk, _code, _name, changed in rows], zoom)
    features = [
        f'{{"type":"Feature","id":{json.dumps(code)},"geometry":{text},'
        f'"properties":{{"code":{json.dumps(code)},"name":{json.dumps(name, ensure_ascii=False)}}}}}'
        for (_pk, code, name, _changed), text in zip(rows, texts, strict=True)
        if text is not None
    ]
    return Layer(_collection(features, level, zoom), level, len(features))


def _outline_texts(keys: list[tuple[int, datetime]], zoom: int) -> list[str | None]:
    """Each division's simplified outline, from the cache or computed (in one batch) and cached."""
    found: dict[int, str | None] = {}
    missing = []
    for pk, changed in keys:
        hit, text = _outlines.get((pk, changed, zoom))
        if hit:
            found[pk] = text
        else:
            missing.append((pk, changed))
    if missing:
        wkb = dict(Division.objects.filter(pk__in=[pk for pk, _ in missing]).values_list("pk", "geometry_wkb"))
        geometries = shapely.from_wkb([bytes(wkb[pk]) if wkb.get(pk) is not None else None for pk, _ in missing])
        for (pk, changed), text in zip(missing, _geojson_texts(geometries, zoom), strict=True):
            _outlines.put((pk, changed, zoom), text)
            found[pk] = text
    return [found[pk] for pk, _changed in keys]


def scope_bounds(user: User) -> tuple[float, float, float, float] | None:
    """[min_lng, min_lat, max_lng, max_lat] of the divisions the user sees, for a map's first view."""
    box = visible_divisions(user).aggregate(
        min_lng=Min("min_lng"), min_lat=Min("min_lat"), max_lng=Max("max_lng"), max_lat=Max("max_lat")
    )
    if box["min_lng"] is None:
        return None
    return box["min_lng"], box["min_lat"], box["max_lng"], box["max_lat"]
