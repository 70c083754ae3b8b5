"""Checks run when unit grids (单元网格) are imported, and geodesic areas in square metres.

`validate_polygons` reports, per feature: input that is not a polygon, unclosed GeoJSON rings,
empty geometries, coordinates that are not longitude/latitude, and invalid polygons (self-
intersections etc.); and, within each group (e.g. a community), overlaps above a tolerance as
errors and gaps (holes in the union) above a tolerance as warnings.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely
from pyproj import Geod, Transformer
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient

from xiuhua.geo.geojson import InvalidGeometry, geometry_from_geojson

__all__ = ["Issue", "ValidationResult", "polygon_area_m2", "polygon_areas_m2", "validate_polygons"]

_GEOD = Geod(ellps="WGS84")

_REASONS_ZH = {
    "Self-intersection": "边界自相交",
    "Ring Self-intersection": "环自相交",
    "Too few points in geometry component": "顶点数过少",
    "Hole lies outside shell": "内环位于外环之外",
    "Holes are nested": "内环相互嵌套",
    "Interior is disconnected": "内部不连通",
    "Nested shells": "外环相互嵌套",
    "Duplicate Rings": "存在重复的环",
    "Invalid Coordinate": "坐标无效",
    "Ring is not closed": "环未闭合",
}
_REASON_RE = re.compile(r"^(?P<name>[^\[]+?)\s*(?:\[(?P<x>\S+) (?P<y>\S+)\])?$")


@dataclass(frozen=True)
class Issue:
    """One problem found; `message` is Chinese text for the user, `code` is for programs."""

    key: Hashable
    message: str
    code: str
    other_key: Hashable | None = None
    group: Hashable | None = None
    area_m2: float | None = None
    location: tuple[float, float] | None = None  # (lng, lat) to show on a map


@dataclass
class ValidationResult:
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    # Features that passed the per-feature checks, as shapely geometries (2D).
    geometries: dict[Hashable, BaseGeometry] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def _polygon_parts(geom: BaseGeometry) -> list[Polygon]:
    if isinstance(geom, Polygon):
        return [] if geom.is_empty else [geom]
    if hasattr(geom, "geoms"):
        return [p for part in geom.geoms for p in _polygon_parts(part)]
    return []


def polygon_area_m2(geom: BaseGeometry) -> float:
    """Geodesic area in m² of a lon/lat (WGS84) geometry on the WGS84 ellipsoid; 0 for non-areas."""
    area = 0.0
    for part in _polygon_parts(geom):
        part_area, _ = _GEOD.geometry_area_perimeter(orient(part, sign=1.0))
        area += abs(part_area)
    return area


def polygon_areas_m2(geoms: Iterable[BaseGeometry | None] | np.ndarray) -> npt.NDArray[np.float64]:
    """Vectorised areas in m² (NaN for None) through an equal-area projection centred on the data.

    Lambert azimuthal equal-area on the WGS84 ellipsoid preserves area exactly; only the edges
    differ (straight in the projection instead of geodesics), which is negligible at city scale.
    """
    arr = np.asarray(list(geoms) if not isinstance(geoms, np.ndarray) else geoms, dtype=object)
    if not len(arr):
        return np.zeros(0)
    xmin, ymin, xmax, ymax = shapely.total_bounds(arr)
    if not np.isfinite(xmin):
        return np.where(shapely.is_missing(arr), np.nan, 0.0)
    laea = f"+proj=laea +lat_0={(ymin + ymax) / 2} +lon_0={(xmin + xmax) / 2} +ellps=WGS84 +units=m"
    to_laea = Transformer.from_crs("EPSG:4326", laea, always_xy=True)
    projected = shapely.transform(arr, lambda xy: np.column_stack(to_laea.transform(xy[:, 0], xy[:, 1])))
    return shapely.area(projected)


def _invalid_message(key: Hashable, reason: str) -> tuple[str, tuple[float, float] | None]:
    match = _REASON_RE.match(reason)
    name = match["name"] if match else reason
    zh = _REASONS_ZH.get(name, "拓扑错误")
    location = None
    if match and match["x"] is not None:
        try:
            location = (float(match["x"]), float(match["y"]))
        except ValueError:
            location = None
    where = f"，位置约（{location[0]:.6f}, {location[1]:.6f}）" if location else ""
    return f"网格 {key} 的多边形无效：{zh}{where}（{reason}）", location


def _check_feature(key: Hashable, geom: Any) -> tuple[BaseGeometry | None, Issue | None]:
    """The usable geometry, or the issue that makes it unusable."""
    if isinstance(geom, Mapping | str | bytes):
        try:
            geom = geometry_from_geojson(geom)
        except InvalidGeometry as exc:
            return None, Issue(key, f"网格 {key}：{exc.message}", exc.code)
    if geom is None or (isinstance(geom, BaseGeometry) and geom.is_empty):
        return None, Issue(key, f"网格 {key} 的几何为空", "empty")
    if not isinstance(geom, BaseGeometry) or geom.geom_type not in ("Polygon", "MultiPolygon"):
        kind = geom.geom_type if isinstance(geom, BaseGeometry) else type(geom).__name__
        return None, Issue(key, f"网格 {key} 不是面（Polygon/MultiPolygon），实际为 {kind}", "not_polygon")
    geom = shapely.force_2d(geom)
    xmin, ymin, xmax, ymax = geom.bounds
    if not (-180 <= xmin <= xmax <= 180 and -90 <= ymin <= ymax <= 90):
        message = (
            f"网格 {key} 的坐标超出经纬度范围（如 {xmax:.3f}, {ymax:.3f}），可能是投影坐标"
            "（如 CGCS2000 高斯-克吕格 3 度带），请转换为经纬度后再导入"
        )
        return None, Issue(key, message, "coordinate_range")
    reason = shapely.is_valid_reason(geom)
    if reason != "Valid Geometry":
        message, location = _invalid_message(key, reason)
        return None, Issue(key, message, "invalid", location=location)
    return geom, None


def _group_label(group_name: str, group: Hashable | None) -> str:
    return "" if group is None else f"{group_name} {group} 内"


def _overlaps(
    keys: list[Hashable], geoms: np.ndarray, group: Hashable | None, tolerance_m2: float, group_name: str
) -> list[Issue]:
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    pair = left < right
    left, right = left[pair], right[pair]
    shared_border_only = shapely.touches(geoms[left], geoms[right])
    left, right = left[~shared_border_only], right[~shared_border_only]
    if not len(left):
        return []
    overlap = shapely.intersection(geoms[left], geoms[right])
    areas = polygon_areas_m2(overlap)
    issues = []
    for i, j, area, geom in zip(left, right, areas, overlap, strict=True):
        if area > tolerance_m2:
            point = shapely.point_on_surface(geom)
            message = (
                f"{_group_label(group_name, group)}网格 {keys[i]} 与网格 {keys[j]} 重叠，"
                f"重叠面积约 {area:.1f} 平方米，位置约（{point.x:.6f}, {point.y:.6f}）"
            )
            issues.append(Issue(keys[i], message, "overlap", keys[j], group, float(area), (point.x, point.y)))
    return issues


def _holes(geoms: np.ndarray) -> np.ndarray:
    """Interior rings of the union of `geoms`, as polygons."""
    parts = shapely.get_parts(shapely.union_all(geoms))
    parts = parts[shapely.get_type_id(parts) == 3]  # polygons only
    counts = shapely.get_num_interior_rings(parts)
    rings = [shapely.get_interior_ring(p, i) for p, n in zip(parts, counts, strict=True) for i in range(n)]
    return shapely.polygons(rings) if rings else np.empty(0, dtype=object)


def _neighbour(tree: shapely.STRtree, geoms: np.ndarray, gap: BaseGeometry) -> int:
    """Index of the polygon sharing the longest border with `gap` (else the closest one)."""
    candidates = np.sort(tree.query(gap))
    shared = shapely.length(shapely.intersection(geoms[candidates], shapely.boundary(gap)))
    if shared.max() > 0:
        return int(candidates[np.argmax(shared)])
    return int(candidates[np.argmin(shapely.distance(geoms[candidates], gap))])


def _gaps(
    keys: list[Hashable], geoms: np.ndarray, group: Hashable | None, tolerance_m2: float, group_name: str
) -> list[Issue]:
    holes = _holes(geoms)
    if not len(holes):
        return []
    tree = shapely.STRtree(geoms)
    issues = []
    for hole, area in zip(holes, polygon_areas_m2(holes), strict=True):
        if area <= tolerance_m2:
            continue
        islands = tree.query(hole, predicate="contains")  # polygons lying inside the hole
        if len(islands):
            hole = shapely.difference(hole, shapely.union_all(geoms[islands]))
            area = polygon_areas_m2([hole])[0]
            if area <= tolerance_m2:
                continue
        neighbour = keys[_neighbour(tree, geoms, hole)]
        point = shapely.point_on_surface(hole)
        message = (
            f"{_group_label(group_name, group)}网格之间存在空隙（紧邻网格 {neighbour}），"
            f"面积约 {area:.1f} 平方米，位置约（{point.x:.6f}, {point.y:.6f}）"
        )
        issues.append(Issue(neighbour, message, "gap", None, group, float(area), (point.x, point.y)))
    return issues


def _unpack(feature: tuple[Any, ...]) -> tuple[Hashable, Any, Hashable | None]:
    if len(feature) == 2:
        return feature[0], feature[1], None
    if len(feature) == 3:
        return feature[0], feature[1], feature[2]
    raise ValueError("要素应为 (编号, 几何) 或 (编号, 几何, 分组)")


def validate_polygons(
    features: Iterable[tuple[Any, ...]],
    *,
    overlap_tolerance_m2: float = 1.0,
    gap_tolerance_m2: float = 1.0,
    group_name: str = "社区",
) -> ValidationResult:
    """Validate (key, geometry[, group]) features; geometry is shapely or GeoJSON (dict/text).

    Overlaps and gaps are only looked for between valid polygons of the same group (features
    without a group form one group). `group_name` names the groups in messages.
    """
    result = ValidationResult()
    groups: dict[Hashable, list[Hashable]] = defaultdict(list)
    seen: set[Hashable] = set()
    for feature in features:
        key, geom, group = _unpack(feature)
        if key in seen:
            result.errors.append(Issue(key, f"网格编号 {key} 重复", "duplicate_key", group=group))
            continue
        seen.add(key)
        geom, issue = _check_feature(key, geom)
        if issue is not None:
            result.errors.append(replace(issue, group=group))
            continue
        result.geometries[key] = geom
        groups[group].append(key)
    for group, keys in groups.items():
        geoms = np.empty(len(keys), dtype=object)
        geoms[:] = [result.geometries[k] for k in keys]
        result.errors.extend(_overlaps(keys, geoms, group, overlap_tolerance_m2, group_name))
        result.warnings.extend(_gaps(keys, geoms, group, gap_tolerance_m2, group_name))
    return result
