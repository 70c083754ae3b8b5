"""The components layer of a web map: each component when zoomed in, counts per screen cell when zoomed out.

A district may have 500,000 components; a browser draws a few thousand markers fluidly. So at zoom 17 and
above (a view of about 2 km) the components in the bbox are sent one by one, with their class and state;
below that, or when a view holds more than MAX_POINTS, they are counted per square cell of CELL_PX screen
pixels, server-side, and each cell is one point (at the mean position of its components) with its count and
how many are not intact.

Counting 500,000 rows through the scope's joins takes the database longer than a map can wait, so each
process keeps the components' ids, positions, community, class and state as numpy arrays (≈20 MB for
500,000) and counts from them; zoomed in, it picks the ids to send. The arrays are rebuilt when the table
changes: every request compares the number of components, the largest id and the latest `updated_at` (one
statement of indexed look-ups) with those of the snapshot. A rebuild reads numbers only (≈1 s for 500,000).
"""

from __future__ import annotations

import json
import math
import threading
from dataclasses import dataclass

import numpy as np
from django.db import connection

from xiuhua.accounts.models import User
from xiuhua.accounts.queries import sees_everything
from xiuhua.catalog.choices import ComponentState
from xiuhua.catalog.models import CaseClass, Component
from xiuhua.core.errors import DomainError
from xiuhua.territory.choices import DivisionLevel
from xiuhua.territory.models import UnitGrid
from xiuhua.territory.queries import BBox, visible_divisions

POINT_MIN_ZOOM = 17
MAX_POINTS = 4000  # more in one view: counted per cell instead
CELL_PX = 64  # a cell's side on screen
STATES = tuple(ComponentState.values)  # index in the snapshot's state array
INTACT = STATES.index(ComponentState.INTACT)
MAJOR_PATTERN = "^[0-9]{2}$"


@dataclass(frozen=True)
class ComponentLayer:
    geojson: str
    mode: str  # "points" or "cells"
    count: int  # features sent
    total: int  # components they stand for


def parse_major(text: str | None) -> str | None:
    """A component major class code ("01"…"99") to show alone, or None for all; DomainError if malformed."""
    if not text:
        return None
    if len(text) != 2 or not text.isdigit():
        raise DomainError(f"部件大类代码应为 2 位数字，收到「{text}」", code="invalid_major")
    return text


def component_layer(user: User, bbox: BBox, zoom: int, major: str | None = None) -> ComponentLayer:
    """The user's components in the bbox: one by one from zoom 17 when few enough, else counted per cell."""
    snapshot = current_snapshot()
    inside = snapshot.select(bbox, _allowed_communities(user, snapshot), major)
    total = int(inside.sum())
    if zoom >= POINT_MIN_ZOOM and total <= MAX_POINTS:
        return _points(bbox, set(snapshot.id[inside].tolist()))
    return _cells(snapshot, inside, zoom, total)


def _points(bbox: BBox, ids: set[int]) -> ComponentLayer:
    """The components of the bbox the snapshot chose (in the scope and class), with their class and state.

    Read by the bbox (the point index) and kept by id: a long `id IN (…)` list makes PostgreSQL scan the table.
    """
    found = Component.objects.filter(bbox.containing_points()) if ids else Component.objects.none()
    fields = ("id", "code", "lng", "lat", "state", "case_class__code")
    rows = [row[1:] for row in found.order_by("code").values_list(*fields) if row[0] in ids]
    features = [
        f'{{"type":"Feature","id":"{code}","geometry":{{"type":"Point","coordinates":[{lng:.7f},{lat:.7f}]}},'
        f'"properties":{{"c":"{class_code}","s":"{state}"}}}}'
        for code, lng, lat, state, class_code in rows
    ]
    classes = dict(
        CaseClass.objects.filter(code__in={row[4] for row in rows}, kind="component")
        .order_by("code")
        .values_list("code", "name")
        .distinct()
    )
    extra = f'"classes":{json.dumps(classes, ensure_ascii=False)}'
    return ComponentLayer(_collection(features, "points", len(rows), extra), "points", len(rows), len(rows))


def cell_degrees(zoom: int) -> float:
    """A cell's side in longitude degrees: CELL_PX screen pixels at this zoom."""
    return CELL_PX * 360.0 / (256 * 2**zoom)


def _cells(snapshot: _Snapshot, inside: np.ndarray, zoom: int, total: int) -> ComponentLayer:
    """Counts per cell; cells are fixed to the zoom (not the view), so panning does not move them."""
    lng, lat, state = snapshot.lng[inside], snapshot.lat[inside], snapshot.state[inside]
    if not len(lng):
        return ComponentLayer(_collection([], "cells", 0), "cells", 0, 0)
    size = cell_degrees(zoom)
    ix, iy = np.floor(lng / size).astype(np.int64), np.floor(lat / size).astype(np.int64)
    x0, y0 = ix.min(), iy.min()
    height = int(iy.max() - y0) + 1
    key = (ix - x0) * height + (iy - y0)  # dense: the view holds a few hundred cells, not millions
    counts = np.bincount(key)
    used = np.flatnonzero(counts)
    n = counts[used]
    mean_lng = np.bincount(key, weights=lng)[used] / n
    mean_lat = np.bincount(key, weights=lat)[used] / n
    not_intact = np.bincount(key, weights=(state != INTACT).astype(np.float64))[used].astype(np.int64)
    decimals = min(7, max(3, math.ceil(math.log10(2 / (size / CELL_PX)))))
    features = [
        f'{{"type":"Feature","geometry":{{"type":"Point","coordinates":[{x:.{decimals}f},{y:.{decimals}f}]}},'
        f'"properties":{{"n":{count},"bad":{bad}}}}}'
        for x, y, count, bad in zip(mean_lng.tolist(), mean_lat.tolist(), n.tolist(), not_intact.tolist(), strict=True)
    ]
    return ComponentLayer(_collection(features, "cells", total), "cells", len(features), total)


def _collection(features: list[str], mode: str, total: int, extra: str = "") -> str:
    head = f'{{"type":"FeatureCollection","mode":"{mode}","count":{len(features)},"total":{total},'
    return head + (extra + "," if extra else "") + '"features":[' + ",".join(features) + "]}"


# -- the per-process snapshot


@dataclass(frozen=True)
class _Snapshot:
    key: tuple
    id: np.ndarray
    lng: np.ndarray
    lat: np.ndarray
    community: np.ndarray  # division id of the component's grid's community, 0 for none
    state: np.ndarray  # index in STATES
    major: np.ndarray  # int major class code (1…99)

    def select(self, bbox: BBox, allowed: np.ndarray | None, major: str | None) -> np.ndarray:
        """Boolean mask of the components in the bbox, in the allowed communities, of the major class."""
        mask = (self.lng >= bbox.min_lng) & (self.lng <= bbox.max_lng)
        mask &= (self.lat >= bbox.min_lat) & (self.lat <= bbox.max_lat)
        if allowed is not None:
            mask &= allowed[np.minimum(self.community, len(allowed) - 1)]
        if major:
            mask &= self.major == int(major)
        return mask


_lock = threading.Lock()
_snapshot: _Snapshot | None = None


def _fingerprint() -> tuple:
    """Number of components, largest id, latest change: three indexed look-ups in one statement."""
    table = Component._meta.db_table
    with connection.cursor() as cursor:
        count, last, changed = (f"SELECT {what} FROM {table}" for what in ("COUNT(*)", "MAX(id)", "MAX(updated_at)"))
        cursor.execute(f"SELECT ({count}), ({last}), ({changed})")
        return (connection.alias, *cursor.fetchone())


def current_snapshot() -> _Snapshot:
    """The components' snapshot for this database, rebuilt when the table has changed since it was read."""
    global _snapshot
    key = _fingerprint()
    held = _snapshot
    if held is not None and held.key == key:
        return held
    with _lock:
        if _snapshot is None or _snapshot.key != key:
            _snapshot = _read_snapshot(key)
        return _snapshot


def forget_snapshot() -> None:
    """Drop this process's snapshot (tests that rewrite the table without changing its fingerprint)."""
    global _snapshot
    _snapshot = None


def _read_snapshot(key: tuple) -> _Snapshot:
    """One query of numbers only (500,000 rows as tuples, no model instances); classes and grids are looked up."""
    table = Component._meta.db_table
    states = " ".join(f"WHEN '{name}' THEN {i}" for i, name in enumerate(STATES))
    sql = (
        f"SELECT id, lng, lat, case_class_id, COALESCE(unit_grid_id, 0), CASE state {states} ELSE {INTACT} END "
        f"FROM {table}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        rows = np.array(cursor.fetchall(), dtype=np.float64).reshape(-1, 6)
    class_ids, grid_ids = rows[:, 3].astype(np.int64), rows[:, 4].astype(np.int64)
    majors = _lookup(CaseClass.objects.values_list("id", "major_code"), class_ids, int)
    communities = _lookup(UnitGrid.objects.values_list("id", "community_id"), grid_ids, int)
    return _Snapshot(
        key,
        rows[:, 0].astype(np.int64),
        np.ascontiguousarray(rows[:, 1]),
        np.ascontiguousarray(rows[:, 2]),
        communities,
        rows[:, 5].astype(np.int8),
        majors.astype(np.int16),
    )


def _lookup(pairs, keys: np.ndarray, convert) -> np.ndarray:
    """values[keys] from (key, value) pairs, 0 where a key has none (e.g. no grid)."""
    pairs = [(k, convert(v)) for k, v in pairs if v is not None and str(v).isdigit()]
    top = max([k for k, _v in pairs] + [int(keys.max()) if len(keys) else 0]) + 1
    table = np.zeros(top, dtype=np.int64)
    if pairs:
        table[[k for k, _v in pairs]] = [v for _k, v in pairs]
    return table[keys]


def _allowed_communities(user: User, snapshot: _Snapshot) -> np.ndarray | None:
    """Lookup array by community id: True where the user's scope covers it (None: the superuser sees all)."""
    if sees_everything(user):
        return None
    ids = list(visible_divisions(user).filter(level=DivisionLevel.COMMUNITY).values_list("id", flat=True))
    top = max(ids + [int(snapshot.community.max()) if len(snapshot.community) else 0]) + 2
    allowed = np.zeros(top, dtype=bool)
    allowed[ids] = True  # id 0 (no grid) stays False: scoped users do not see components outside every grid
    return allowed
