"""Where a ledger record is: a point (WGS84, or GCJ-02/BD-09 as phones and web maps give it) or an outline whose
representative point places it, put in its unit grid, community, sub-district and district by the same territory
lookup the cases use. A point outside every grid, or a duty area reaching outside the territory, is refused."""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from xiuhua.core.errors import DomainError
from xiuhua.geo.geojson import InvalidGeometry, geometry_from_geojson, geometry_to_geojson
from xiuhua.territory.services import locate_grid_ids, locate_point


@dataclass(frozen=True)
class Placement:
    """The location fields of a record, as stored."""

    lng: float
    lat: float
    area_geojson: str
    unit_grid_id: int
    grid_code: str
    community_id: int
    subdistrict_id: int
    district_id: int

    def as_fields(self) -> dict:
        return dict(self.__dict__)


def polygon(text: str, label: str) -> BaseGeometry:
    """A valid (multi)polygon from GeoJSON text (WGS84), or a Chinese error naming the field."""
    try:
        geometry = geometry_from_geojson(text)
    except (InvalidGeometry, ValueError, KeyError, TypeError) as exc:
        raise DomainError(f"{label}不是有效的 GeoJSON：{exc}", code="bad_geometry") from None
    if geometry.geom_type not in ("Polygon", "MultiPolygon") or geometry.is_empty:
        raise DomainError(f"{label}应为面（Polygon 或 MultiPolygon）", code="bad_geometry")
    if not geometry.is_valid:
        raise DomainError(f"{label}自相交或不闭合，请重新绘制", code="bad_geometry")
    return geometry


def require_inside_territory(geometry: BaseGeometry, label: str) -> None:
    """Every vertex of the outline lies in some unit grid (the territory has no holes a duty area could span)."""
    coords = shapely.get_coordinates(geometry)
    grids = locate_grid_ids(coords[:, 0], coords[:, 1])
    outside = [i for i, grid in enumerate(grids) if grid is None]
    if outside:
        lng, lat = coords[outside[0]]
        raise DomainError(
            f"{label}超出本辖区范围（如顶点 {lng:.6f}, {lat:.6f} 不在任何单元网格内）", code="outside_territory"
        )


def outline_text(geometry: BaseGeometry) -> str:
    return json.dumps(geometry_to_geojson(geometry), separators=(",", ":"))


def place(lng: float | None, lat: float | None, *, crs: str = "wgs84", area_geojson: str = "") -> Placement:
    """The placement of a record from its point, or from its outline's representative point when no point is
    given (outlines are WGS84 GeoJSON)."""
    outline = ""
    if area_geojson.strip():
        geometry = polygon(area_geojson, "范围（area_geojson）")
        require_inside_territory(geometry, "范围")
        outline = outline_text(geometry)
        if lng is None or lat is None:
            point = geometry.representative_point()
            lng, lat, crs = point.x, point.y, "wgs84"
    if lng is None or lat is None:
        raise DomainError("请给出位置：经纬度（lng、lat）或范围（area_geojson）", code="missing_location")
    if not (np.isfinite(lng) and np.isfinite(lat)):
        raise DomainError("经纬度不是有效的数字", code="invalid_coordinate")
    where = locate_point(lng, lat, crs)
    return Placement(
        lng=where.lng,
        lat=where.lat,
        area_geojson=outline,
        unit_grid_id=where.grid_id,
        grid_code=where.grid_code,
        community_id=where.community_id,
        subdistrict_id=where.subdistrict_id,
        district_id=where.district_id,
    )
