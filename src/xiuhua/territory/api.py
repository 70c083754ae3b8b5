"""Read API of the territory: divisions, unit grids (GeoJSON for maps), point → grid lookup."""

import json
from datetime import date
from typing import Any, Literal

import numpy as np
import shapely
from django.http import HttpRequest, JsonResponse
from ninja import Field, Query, Router, Schema

from xiuhua.core.api_schemas import ERRORS
from xiuhua.geo.crs import SUPPORTED_CRS
from xiuhua.geo.geojson import feature, feature_collection, geometry_to_geojson, simplify_for_display
from xiuhua.territory import queries
from xiuhua.territory.choices import RegionClass
from xiuhua.territory.geocoding import geocode
from xiuhua.territory.models import Division, UnitGrid

router = Router(tags=["territory"])

DEFAULT_GRID_LIMIT = 5000
MAX_GRID_LIMIT = 20000
MAX_SIMPLIFY_METRES = 1000.0
GEOJSON_PRECISION = 7  # decimals, about 1 cm


# --- divisions ---------------------------------------------------------------------------------------


class DivisionFilters(Schema):
    level: Literal["district", "subdistrict", "community"] | None = Field(
        None, description="层级：district 区县、subdistrict 街道（镇）、community 社区（村）"
    )
    parent: str | None = Field(None, description="上级区划代码，只列其直属下级")


class DivisionOut(Schema):
    code: str
    name: str
    level: str
    level_label: str
    parent_code: str | None
    parent_name: str | None
    area_m2: float | None = Field(None, description="面积（平方米）")
    bbox: list[float] | None = Field(None, description="[minLng, minLat, maxLng, maxLat]（WGS84）")


class BoundaryOptions(Schema):
    simplify: float | None = Field(None, ge=0, le=MAX_SIMPLIFY_METRES, description="边界简化容差（米）")


class DivisionDetailOut(DivisionOut):
    boundary: dict[str, Any] | None = Field(None, description="边界 GeoJSON 几何（WGS84）")


def _bbox(obj: Division | UnitGrid) -> list[float] | None:
    if obj.min_lng is None:
        return None
    return [obj.min_lng, obj.min_lat, obj.max_lng, obj.max_lat]


def _division_out(division: Division) -> dict[str, Any]:
    return {
        "code": division.code,
        "name": division.name,
        "level": division.level,
        "level_label": str(division.get_level_display()),
        "parent_code": division.parent.code if division.parent else None,
        "parent_name": division.parent.name if division.parent else None,
        "area_m2": division.area_m2,
        "bbox": _bbox(division),
    }


@router.get(
    "/divisions",
    response={200: list[DivisionOut], **ERRORS},
    summary="行政区划列表",
    description="本人数据范围内的区县、街道（镇）、社区（村），可按层级和上级区划筛选。",
)
def list_divisions(request: HttpRequest, filters: Query[DivisionFilters]) -> list[dict[str, Any]]:
    divisions = queries.find_divisions(request.auth, level=filters.level, parent=filters.parent)
    return [_division_out(d) for d in divisions]


@router.get(
    "/divisions/{code}",
    response={200: DivisionDetailOut, **ERRORS},
    summary="一个行政区划（含边界）",
)
def get_division(request: HttpRequest, code: str, options: Query[BoundaryOptions]) -> dict[str, Any]:
    division = queries.get_division(request.auth, code)
    boundary = None
    if division.geometry is not None:
        geom = division.geometry
        if options.simplify:
            geom = simplify_for_display(geom, queries.metres_to_degrees(options.simplify))
        boundary = geometry_to_geojson(geom, precision=GEOJSON_PRECISION)
    return {**_division_out(division), "boundary": boundary}


# --- unit grids ---------------------------------------------------------------------------------------


class GridFilters(Schema):
    bbox: str | None = Field(
        None,
        description="地图范围 minLng,minLat,maxLng,maxLat（WGS84），返回与之相交的网格",
        examples=["120.93,30.51,120.95,30.53"],
    )
    community: str | None = Field(None, description="社区（或街道、区县）代码，只返回其中的网格")
    simplify: float | None = Field(
        None, ge=0, le=MAX_SIMPLIFY_METRES, description="几何简化容差（米），大范围显示时减小数据量"
    )
    limit: int = Field(DEFAULT_GRID_LIMIT, ge=1, le=MAX_GRID_LIMIT, description="最多返回的网格数")


class GridProperties(Schema):
    code: str
    name: str
    community_code: str
    community_name: str
    region_class: int
    region_class_label: str
    area_m2: float


class GridFeature(Schema):
    type: Literal["Feature"]
    id: str
    geometry: dict[str, Any] | None
    properties: GridProperties


class GridCollection(Schema):
    type: Literal["FeatureCollection"]
    features: list[GridFeature]
    count: int = Field(..., description="本次返回的网格数")
    limit: int
    truncated: bool = Field(..., description="为 true 时还有更多网格符合条件，请缩小范围或放大地图")


def _grid_properties(grid: UnitGrid | queries.GridRow) -> dict[str, Any]:
    community_code, community_name = (
        (grid.community.code, grid.community.name)
        if isinstance(grid, UnitGrid)
        else (grid.community_code, grid.community_name)
    )
    return {
        "code": grid.code,
        "name": grid.name,
        "community_code": community_code,
        "community_name": community_name,
        "region_class": grid.region_class,
        "region_class_label": str(RegionClass(grid.region_class).label),
        "area_m2": grid.area_m2,
    }


def _geojson_geometries(geometries: list[shapely.Geometry | None]) -> list[dict[str, Any] | None]:
    """GeoJSON dicts for many geometries at once (vectorised rounding and encoding; None stays None)."""
    if not geometries:
        return []
    array = np.asarray(geometries, dtype=object)
    rounded = shapely.transform(array, lambda xy: np.round(xy, GEOJSON_PRECISION))
    return [json.loads(text) if text is not None else None for text in shapely.to_geojson(rounded)]


@router.get(
    "/grids",
    response={200: GridCollection, **ERRORS},
    summary="单元网格（GeoJSON）",
    description=(
        "本人数据范围内现行的单元网格，GeoJSON FeatureCollection。用 bbox 取地图可视范围，"
        f"最多返回 limit 个（默认 {DEFAULT_GRID_LIMIT}），超出时 truncated 为 true。"
    ),
)
def list_grids(request: HttpRequest, filters: Query[GridFilters]) -> JsonResponse:
    bbox = queries.parse_bbox(filters.bbox) if filters.bbox else None
    page = queries.grids_for_map(
        request.auth, bbox=bbox, community=filters.community, simplify_m=filters.simplify, limit=filters.limit
    )
    geometries = _geojson_geometries(page.geometries)
    collection = feature_collection(
        feature(geometry, _grid_properties(row), id=row.code)
        for row, geometry in zip(page.rows, geometries, strict=True)
    )
    body = {**collection, "count": len(page.rows), "limit": filters.limit, "truncated": page.truncated}
    # Thousands of features: skip per-item response validation, the shape is fixed above.
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})


class LocateQuery(Schema):
    lng: float = Field(..., description="经度")
    lat: float = Field(..., description="纬度")
    crs: str = Field(
        "wgs84", description=f"坐标系：{'、'.join(SUPPORTED_CRS)}（微信、高德、腾讯为 gcj02，百度为 bd09）"
    )


class OriginalPoint(Schema):
    lng: float
    lat: float
    crs: str


class LocationOut(Schema):
    grid_code: str
    community_code: str
    community_name: str
    subdistrict_code: str
    subdistrict_name: str
    district_code: str
    district_name: str
    lng: float = Field(..., description="WGS84 经度")
    lat: float = Field(..., description="WGS84 纬度")
    original: OriginalPoint = Field(..., description="请求中的原始坐标和坐标系")


@router.get(
    "/grids/locate",
    response={200: LocationOut, **ERRORS},
    summary="坐标定位到单元网格",
    description="把一个点（可为 gcj02、bd09 坐标）换算为 WGS84，找出它所在的单元网格、社区、街道和区县。",
)
def locate_grid(request: HttpRequest, point: Query[LocateQuery]) -> dict[str, Any]:
    where = queries.locate(request.auth, point.lng, point.lat, point.crs)
    return {
        "grid_code": where.grid_code,
        "community_code": where.community_code,
        "community_name": where.community_name,
        "subdistrict_code": where.subdistrict_code,
        "subdistrict_name": where.subdistrict_name,
        "district_code": where.district_code,
        "district_name": where.district_name,
        "lng": where.lng,
        "lat": where.lat,
        "original": {"lng": where.original_lng, "lat": where.original_lat, "crs": where.original_crs},
    }


class GeocodeQuery(Schema):
    address: str = Field(..., description="地址文字，如「武原街道海滨东路12号」", max_length=200)


class GeocodeOut(LocationOut):
    precision: str = Field(
        ..., description="address 门牌、near_address 最近门牌、road 道路、community 社区中心、subdistrict 街道中心"
    )
    matched: str = Field(..., description="地址中被识别的部分")


@router.get(
    "/geocode",
    response={200: GeocodeOut, **ERRORS},
    summary="地址定位（门牌表）",
    description="按道路门牌查点；找不到门牌时退到道路、社区或街道中心，并以 precision 说明精度。",
)
def geocode_address(request: HttpRequest, query: Query[GeocodeQuery]) -> dict[str, Any]:
    found = geocode(query.address)
    return {
        **locate_grid(request, LocateQuery(lng=found.lng, lat=found.lat)),
        "precision": found.precision,
        "matched": found.matched,
    }


class GridDetailOut(GridProperties):
    subdistrict_code: str
    subdistrict_name: str
    district_code: str
    district_name: str
    valid_from: date
    valid_to: date | None
    bbox: list[float] | None
    inner_point: list[float] | None = Field(None, description="网格内的代表点 [lng, lat]，可用于标注")
    geometry: dict[str, Any] | None


@router.get(
    "/grids/{code}",
    response={200: GridDetailOut, **ERRORS},
    summary="一个单元网格",
    description="网格属性、所属社区街道区县、几何。已停用的网格也可查询（valid_to 非空）。",
)
def get_grid(request: HttpRequest, code: str) -> dict[str, Any]:
    grid = queries.get_grid(request.auth, code)
    community = grid.community
    subdistrict = community.parent
    district = subdistrict.parent if subdistrict else None
    geom = grid.geometry
    inside = geom.representative_point() if geom is not None else None
    return {
        **_grid_properties(grid),
        "subdistrict_code": subdistrict.code if subdistrict else "",
        "subdistrict_name": subdistrict.name if subdistrict else "",
        "district_code": district.code if district else "",
        "district_name": district.name if district else "",
        "valid_from": grid.valid_from,
        "valid_to": grid.valid_to,
        "bbox": _bbox(grid),
        "inner_point": [round(inside.x, GEOJSON_PRECISION), round(inside.y, GEOJSON_PRECISION)] if inside else None,
        "geometry": geometry_to_geojson(geom, precision=GEOJSON_PRECISION) if geom is not None else None,
    }
