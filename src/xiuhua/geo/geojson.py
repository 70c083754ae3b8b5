"""GeoJSON (RFC 7946) reading and writing with shapely 2, with Chinese error messages."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import shapely
from shapely.errors import ShapelyError
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

__all__ = [
    "InvalidGeometry",
    "feature",
    "feature_collection",
    "geometry_from_geojson",
    "geometry_to_geojson",
    "simplify_for_display",
]

_GEOMETRY_TYPES = ("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon")
# Nesting depth of "coordinates" per geometry type (0 = a single position).
_DEPTH = {"Point": 0, "MultiPoint": 1, "LineString": 1, "MultiLineString": 2, "Polygon": 2, "MultiPolygon": 3}


class InvalidGeometry(ValueError):
    """GeoJSON or geometry input that cannot be used; `code` classifies the problem."""

    def __init__(self, message: str, *, code: str = "invalid_geojson") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def _check_position(pos: Any) -> None:
    ok = isinstance(pos, Sequence) and not isinstance(pos, str) and 2 <= len(pos) <= 4
    if not ok or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in pos):
        raise InvalidGeometry(f"坐标格式错误：{pos!r}（应为 [经度, 纬度]）")
    if not all(math.isfinite(v) for v in pos):
        raise InvalidGeometry(f"坐标不是有限数值：{pos!r}")


def _check_nesting(coords: Any, depth: int) -> None:
    if depth == 0:
        _check_position(coords)
        return
    if not isinstance(coords, Sequence) or isinstance(coords, str):
        raise InvalidGeometry("GeoJSON 的 coordinates 嵌套层级不正确")
    for item in coords:
        _check_nesting(item, depth - 1)


def _check_polygon_rings(rings: Sequence[Sequence[Sequence[float]]], label: str) -> None:
    if not rings:
        raise InvalidGeometry(f"{label}没有任何环", code="empty")
    for j, ring in enumerate(rings):
        name = f"{label}外环" if j == 0 else f"{label}第 {j} 个内环"
        if len(ring) < 4:
            raise InvalidGeometry(f"{name}至少需要 4 个坐标（首尾相同），实际 {len(ring)} 个", code="invalid")
        if list(ring[0][:2]) != list(ring[-1][:2]):
            raise InvalidGeometry(f"{name}未闭合（首尾坐标不一致）", code="ring_not_closed")


def _check_rings(kind: str, coords: Any) -> None:
    if kind == "Polygon":
        _check_polygon_rings(coords, "多边形")
    elif kind == "MultiPolygon":
        for i, polygon in enumerate(coords):
            _check_polygon_rings(polygon, f"第 {i + 1} 个多边形的")


def _unwrap(obj: Any) -> Mapping[str, Any]:
    if isinstance(obj, str | bytes):
        try:
            obj = json.loads(obj)
        except ValueError as exc:
            raise InvalidGeometry(f"不是合法的 JSON：{exc}") from exc
    if not isinstance(obj, Mapping) or "type" not in obj:
        raise InvalidGeometry("不是 GeoJSON 几何对象（缺少 type）")
    if obj["type"] == "Feature":
        if not isinstance(obj.get("geometry"), Mapping):
            raise InvalidGeometry("GeoJSON 要素没有几何（geometry 为空）", code="empty")
        return obj["geometry"]
    return obj


def geometry_from_geojson(obj: Mapping[str, Any] | str | bytes) -> BaseGeometry:
    """Shapely geometry (2D) from a GeoJSON geometry, Feature, or its JSON text.

    Rings must be closed (first position == last position) as RFC 7946 requires; shapely
    would silently close them, hiding broken exports, so this is checked first.
    """
    geom = _unwrap(obj)
    kind = geom["type"]
    if kind == "GeometryCollection":
        parts = [geometry_from_geojson(g) for g in geom.get("geometries") or []]
        return shapely.GeometryCollection(parts)
    if kind not in _GEOMETRY_TYPES:
        raise InvalidGeometry(f"不支持的 GeoJSON 几何类型：{kind}")
    coords = geom.get("coordinates")
    if coords is None:
        raise InvalidGeometry("GeoJSON 几何缺少 coordinates")
    _check_nesting(coords, _DEPTH[kind])
    _check_rings(kind, coords)
    try:
        return shapely.force_2d(shape(geom))
    except (ValueError, TypeError, ShapelyError) as exc:
        raise InvalidGeometry(f"GeoJSON 几何无法解析：{exc}") from exc


def geometry_to_geojson(geom: BaseGeometry, *, precision: int | None = 7) -> dict[str, Any]:
    """GeoJSON geometry dict; coordinates rounded to `precision` decimals (7 ~ 1 cm)."""
    if precision is not None:
        geom = shapely.transform(geom, lambda xy: np.round(xy, precision))
    return json.loads(shapely.to_geojson(geom))


def feature(
    geometry: BaseGeometry | Mapping[str, Any] | None,
    properties: Mapping[str, Any] | None = None,
    id: str | int | None = None,
    *,
    precision: int | None = 7,
) -> dict[str, Any]:
    """A GeoJSON Feature; `geometry` may be a shapely geometry or a GeoJSON dict."""
    if isinstance(geometry, BaseGeometry):
        geometry = geometry_to_geojson(geometry, precision=precision)
    out: dict[str, Any] = {"type": "Feature", "geometry": geometry, "properties": dict(properties or {})}
    if id is not None:
        out["id"] = id
    return out


def feature_collection(
    features: Iterable[Mapping[str, Any] | tuple[Any, ...]], *, precision: int | None = 7
) -> dict[str, Any]:
    """A FeatureCollection from Feature dicts or (geometry, properties[, id]) tuples."""
    items = [dict(f) if isinstance(f, Mapping) else feature(*f, precision=precision) for f in features]
    return {"type": "FeatureCollection", "features": items}


def simplify_for_display(geom: BaseGeometry, tolerance_deg: float) -> BaseGeometry:
    """Simplified copy for map display (1e-5 deg ~ 1 m); topology and validity preserved."""
    if not tolerance_deg >= 0:
        raise ValueError("简化容差必须是非负数")
    return shapely.simplify(geom, tolerance_deg, preserve_topology=True)
