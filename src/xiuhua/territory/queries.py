"""Permission-checked reads of the territory: divisions, unit grids, point lookup.

Every query here is limited by `xiuhua.accounts.queries.division_code_filter`, so a user scoped to one
sub-district never sees (or learns the existence of) another's grids.
"""

import math
import re
from dataclasses import dataclass

import shapely
from django.db.models import Q, QuerySet

from xiuhua.accounts.models import User
from xiuhua.accounts.queries import division_code_filter, sees_division_code
from xiuhua.core.errors import DomainError, NotFound, PermissionDenied
from xiuhua.geo.geojson import simplify_for_display
from xiuhua.territory.choices import DivisionLevel
from xiuhua.territory.models import GRID_CODE_PATTERN, Division, UnitGrid
from xiuhua.territory.services import Location, current_grids, locate_point

MAX_BBOX_SPAN_DEG = 5.0  # about 500 km: a whole province, far more than one district's map
METRES_PER_DEGREE = 111_320.0
DIVISION_CODE_PATTERN = r"^(\d{6}|\d{9}|\d{12})$"


@dataclass(frozen=True)
class BBox:
    """A WGS84 bounding box."""

    min_lng: float
    min_lat: float
    max_lng: float
    max_lat: float

    def intersecting(self, prefix: str = "") -> Q:
        """Rows whose bbox columns (min_lng … max_lat) overlap this box."""
        return Q(
            **{
                f"{prefix}min_lng__lte": self.max_lng,
                f"{prefix}max_lng__gte": self.min_lng,
                f"{prefix}min_lat__lte": self.max_lat,
                f"{prefix}max_lat__gte": self.min_lat,
            }
        )

    def containing_points(self, lng_field: str = "lng", lat_field: str = "lat") -> Q:
        """Point rows (lng/lat columns) inside this box, edges included."""
        return Q(
            **{
                f"{lng_field}__gte": self.min_lng,
                f"{lng_field}__lte": self.max_lng,
                f"{lat_field}__gte": self.min_lat,
                f"{lat_field}__lte": self.max_lat,
            }
        )


BBOX_FORMAT_MESSAGE = "bbox 应为 minLng,minLat,maxLng,maxLat 四个数"


def parse_bbox(text: str) -> BBox:
    """Parse "minLng,minLat,maxLng,maxLat" (WGS84 degrees); DomainError with a Chinese message if bad."""
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != 4:
        raise DomainError(f"{BBOX_FORMAT_MESSAGE}，收到「{text}」", code="invalid_bbox")
    try:
        min_lng, min_lat, max_lng, max_lat = (float(p) for p in parts)
    except ValueError:
        raise DomainError(f"{BBOX_FORMAT_MESSAGE}，收到「{text}」", code="invalid_bbox") from None
    if not all(math.isfinite(v) for v in (min_lng, min_lat, max_lng, max_lat)):
        raise DomainError(f"{BBOX_FORMAT_MESSAGE}，收到「{text}」", code="invalid_bbox")
    if not (-180 <= min_lng <= 180 and -180 <= max_lng <= 180 and -90 <= min_lat <= 90 and -90 <= max_lat <= 90):
        raise DomainError("bbox 超出经纬度范围（经度 -180 到 180，纬度 -90 到 90）", code="invalid_bbox")
    if min_lng > max_lng or min_lat > max_lat:
        raise DomainError(
            "bbox 的最小经纬度不能大于最大经纬度（顺序应为 minLng,minLat,maxLng,maxLat）", code="invalid_bbox"
        )
    if max_lng - min_lng > MAX_BBOX_SPAN_DEG or max_lat - min_lat > MAX_BBOX_SPAN_DEG:
        raise DomainError(f"bbox 范围过大，经度和纬度跨度均不能超过 {MAX_BBOX_SPAN_DEG:g} 度", code="bbox_too_large")
    return BBox(min_lng, min_lat, max_lng, max_lat)


def metres_to_degrees(metres: float) -> float:
    """A distance on the ground as degrees of latitude (good enough for display simplification)."""
    return metres / METRES_PER_DEGREE


# --- divisions ---------------------------------------------------------------------------------------


def visible_divisions(user: User) -> QuerySet[Division]:
    return Division.objects.filter(division_code_filter(user, "code")).select_related("parent")


def find_divisions(user: User, *, level: str | None = None, parent: str | None = None) -> QuerySet[Division]:
    """Divisions in the user's scope, optionally of one level and/or children of one parent code."""
    divisions = visible_divisions(user)
    if level:
        divisions = divisions.filter(level=level)
    if parent:
        get_division(user, parent)
        divisions = divisions.filter(parent__code=parent)
    return divisions.order_by("code")


def check_division_code(code: str) -> str:
    if not re.match(DIVISION_CODE_PATTERN, code):
        raise DomainError(f"行政区划代码「{code}」格式不正确，应为 6、9 或 12 位数字", code="invalid_code")
    return code


def get_division(user: User, code: str) -> Division:
    check_division_code(code)
    division = visible_divisions(user).filter(code=code).first()
    if division is None:
        raise NotFound(f"未找到行政区划「{code}」")
    return division


# --- unit grids ---------------------------------------------------------------------------------------


def visible_grids(user: User, *, include_retired: bool = False) -> QuerySet[UnitGrid]:
    grids = UnitGrid.objects.all() if include_retired else current_grids()
    return grids.filter(division_code_filter(user, "community__code"))


@dataclass(frozen=True)
class GridRow:
    """The attributes of a unit grid a map needs (no model instance: thousands are read at once)."""

    code: str
    name: str
    community_code: str
    community_name: str
    region_class: int
    area_m2: float


@dataclass
class GridPage:
    """Unit grids for a map view, their geometries (same order), and whether the cap cut the list."""

    rows: list[GridRow]
    geometries: list[shapely.Geometry | None]
    truncated: bool


def grids_for_map(
    user: User,
    *,
    bbox: BBox | None = None,
    community: str | None = None,
    simplify_m: float | None = None,
    limit: int,
) -> GridPage:
    """Current grids in the user's scope, filtered by bbox (SQL on the bbox columns) and community.

    At most `limit` grids are returned (by code); `truncated` tells the caller more matched.
    """
    grids = visible_grids(user)
    if bbox is not None:
        grids = grids.filter(bbox.intersecting())
    if community:
        check_division_code(community)
        grids = grids.filter(community__code__startswith=community)
    return _grid_page(grids, simplify_m=simplify_m, limit=limit)


PUBLIC_MAP_SPAN_DEG = 0.03  # about 3 km: the neighbourhood of a citizen's pin, never the whole grid map


def grids_near_pin(bbox: BBox, *, simplify_m: float | None = None, limit: int) -> GridPage:
    """Current grids around a pin on the public reporting page, where nobody is signed in: small boxes only."""
    if bbox.max_lng - bbox.min_lng > PUBLIC_MAP_SPAN_DEG or bbox.max_lat - bbox.min_lat > PUBLIC_MAP_SPAN_DEG:
        raise DomainError(f"bbox 范围过大，经度和纬度跨度均不能超过 {PUBLIC_MAP_SPAN_DEG:g} 度", code="bbox_too_large")
    return _grid_page(current_grids().filter(bbox.intersecting()), simplify_m=simplify_m, limit=limit)


def _grid_page(grids: QuerySet[UnitGrid], *, simplify_m: float | None, limit: int) -> GridPage:
    fields = ("code", "name", "community__code", "community__name", "region_class", "area_m2", "geometry_wkb")
    records = list(grids.order_by("code").values_list(*fields)[: limit + 1])
    truncated = len(records) > limit
    records = records[:limit]
    geometries = list(shapely.from_wkb([bytes(r[-1]) if r[-1] is not None else None for r in records]))
    if simplify_m:
        tolerance = metres_to_degrees(simplify_m)
        geometries = [simplify_for_display(g, tolerance) if g is not None else None for g in geometries]
    return GridPage(rows=[GridRow(*r[:-1]) for r in records], geometries=geometries, truncated=truncated)


def check_grid_code(code: str) -> str:
    if not re.match(GRID_CODE_PATTERN, code):
        raise DomainError(f"单元网格编码「{code}」格式不正确，应为 15 位数字或大写字母", code="invalid_code")
    return code


def get_grid(user: User, code: str) -> UnitGrid:
    """One grid (current or retired) in the user's scope; 400 for a malformed code, 404 if unseen."""
    check_grid_code(code)
    grid = (
        visible_grids(user, include_retired=True).select_related("community__parent__parent").filter(code=code).first()
    )
    if grid is None:
        raise NotFound(f"未找到单元网格「{code}」")
    return grid


def locate(user: User, lng: float, lat: float, crs: str) -> Location:
    """The grid and divisions of a point; refused when it lies outside the user's data scope."""
    location = locate_point(lng, lat, crs)
    if not sees_division_code(user, location.community_code):
        raise PermissionDenied(f"该坐标位于{location.subdistrict_name}{location.community_name}，不在您的数据范围内")
    return location


def sole_district_code() -> str:
    """The installation's district code when it runs one district (the usual case), else ""."""
    districts = list(Division.objects.filter(level=DivisionLevel.DISTRICT).values_list("code", flat=True)[:2])
    return districts[0] if len(districts) == 1 else ""
