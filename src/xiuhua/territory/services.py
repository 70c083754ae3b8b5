"""Territory lookups and actions: point → unit grid and divisions, backed by an in-memory spatial index.

The index is built once per process from the current unit grids and rebuilt when the grids change
(another process importing grids bumps `updated_at` or the row count, which the signature check sees).
"""

import threading
import time
from dataclasses import asdict, dataclass
from datetime import date

import numpy as np
import shapely
from django.db.models import Count, Max, Q
from django.utils import timezone

from xiuhua.core.errors import DomainError
from xiuhua.geo.crs import InvalidCoordinate, UnsupportedCRS, to_wgs84, validate_lnglat
from xiuhua.geo.index import GridIndex
from xiuhua.territory.models import Division, UnitGrid

SIGNATURE_TTL_SECONDS = 5.0


class OutsideTerritory(DomainError):
    def __init__(self, lng: float, lat: float) -> None:
        super().__init__(f"坐标（{lng:.6f}, {lat:.6f}）不在本辖区的任何单元网格内", code="outside_territory")


@dataclass(frozen=True)
class Location:
    """Where a point lies: its unit grid and the divisions above it, and the point in WGS84."""

    lng: float
    lat: float
    grid_id: int
    grid_code: str
    community_code: str
    community_name: str
    subdistrict_code: str
    subdistrict_name: str
    district_code: str
    district_name: str
    original_lng: float
    original_lat: float
    original_crs: str
    community_id: int
    subdistrict_id: int
    district_id: int

    def as_dict(self) -> dict:
        return asdict(self)


def current_grids(on: date | None = None):
    on = on or timezone.localdate()
    return UnitGrid.objects.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on), valid_from__lte=on)


@dataclass
class _TerritorySnapshot:
    signature: tuple
    index: GridIndex
    grid_codes: dict[int, str]
    grid_community: dict[int, int]
    divisions: dict[int, tuple[str, str, int | None]]


class _IndexCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._snapshot: _TerritorySnapshot | None = None
        self._checked_at = 0.0

    def snapshot(self) -> _TerritorySnapshot:
        now = time.monotonic()
        if self._snapshot is not None and now - self._checked_at < SIGNATURE_TTL_SECONDS:
            return self._snapshot
        with self._lock:
            signature = _territory_signature()
            if self._snapshot is None or self._snapshot.signature != signature:
                self._snapshot = _build_snapshot(signature)
            self._checked_at = time.monotonic()
            return self._snapshot

    def clear(self) -> None:
        with self._lock:
            self._snapshot = None


_cache = _IndexCache()


def _territory_signature() -> tuple:
    grids = UnitGrid.objects.aggregate(n=Count("id"), changed=Max("updated_at"))
    divisions = Division.objects.aggregate(n=Count("id"), changed=Max("updated_at"))
    return (timezone.localdate(), grids["n"], grids["changed"], divisions["n"], divisions["changed"])


def _build_snapshot(signature: tuple) -> _TerritorySnapshot:
    rows = list(current_grids().values_list("id", "code", "community_id", "geometry_wkb"))
    geometries = shapely.from_wkb([bytes(r[3]) for r in rows]) if rows else []
    index = GridIndex(list(zip((r[0] for r in rows), geometries, strict=True)))
    divisions = {d[0]: (d[1], d[2], d[3]) for d in Division.objects.values_list("id", "code", "name", "parent_id")}
    return _TerritorySnapshot(
        signature=signature,
        index=index,
        grid_codes={r[0]: r[1] for r in rows},
        grid_community={r[0]: r[2] for r in rows},
        divisions=divisions,
    )


def forget_grid_index() -> None:
    """Drop this process's index (tests, and right after an import in the same process)."""
    _cache.clear()


def _to_wgs84_checked(lng: float, lat: float, crs: str) -> tuple[float, float]:
    try:
        validate_lnglat(lng, lat)
        out_lng, out_lat = to_wgs84(lng, lat, crs)
    except (UnsupportedCRS, InvalidCoordinate) as exc:
        raise DomainError(str(exc), code="invalid_coordinate") from exc
    return float(out_lng), float(out_lat)


def locate_point(lng: float, lat: float, crs: str = "wgs84") -> Location:
    """The unit grid and divisions of a point given in `crs`; OutsideTerritory if it is in none."""
    wgs_lng, wgs_lat = _to_wgs84_checked(lng, lat, crs)
    snap = _cache.snapshot()
    grid_id = snap.index.locate(wgs_lng, wgs_lat)
    if grid_id is None:
        raise OutsideTerritory(wgs_lng, wgs_lat)
    community = snap.divisions[snap.grid_community[grid_id]]
    subdistrict = snap.divisions[community[2]]
    district = snap.divisions[subdistrict[2]]
    return Location(
        lng=wgs_lng,
        lat=wgs_lat,
        grid_id=grid_id,
        grid_code=snap.grid_codes[grid_id],
        community_code=community[0],
        community_name=community[1],
        subdistrict_code=subdistrict[0],
        subdistrict_name=subdistrict[1],
        district_code=district[0],
        district_name=district[1],
        original_lng=lng,
        original_lat=lat,
        original_crs=crs.lower(),
        community_id=snap.grid_community[grid_id],
        subdistrict_id=community[2],
        district_id=subdistrict[2],
    )


def locate_grid_ids(lngs: np.ndarray, lats: np.ndarray) -> list[int | None]:
    """Unit grid ids for many WGS84 points at once (None where a point is outside every grid)."""
    snap = _cache.snapshot()
    positions = snap.index.locate_many_indices(np.asarray(lngs, dtype=float), np.asarray(lats, dtype=float))
    keys = snap.index.keys
    return [keys[p] if p >= 0 else None for p in positions.tolist()]
