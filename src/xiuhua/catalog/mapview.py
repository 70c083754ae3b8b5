"""The components layer of a web map: each component when zoomed in, counts per screen cell when zoomed out.

A district may have 500,000 components; a browser draws a few thousand markers fluidly. So at zoom 17 and
above (a view of about 2 km) the components in the bbox are sent one by one, with their class and state;
below that, or when a view holds more than MAX_POINTS, they are counted per square cell of CELL_PX screen
pixels, server-side, and each cell is one point (at the mean position of its components) with its count and
how many are not intact.

Counting 500,000 rows through the scope's joins takes the database longer than a map can wait, so each
process keeps the components' positions, community, class and state as numpy arrays (≈10 MB for 500,000)
and counts from them. The arrays are rebuilt when the table changes: every request compares the number of
components, the largest id and the latest `updated_at` (one indexed query) with those of the snapshot.
"""

from __future__ import annotations

import json
import math
import threading
from dataclasses import dataclass

import numpy as np
from django.db import connection
from django.db.models import Count, Max

from xiuhua.accounts.models import User
from xiuhua.accounts.queries import sees_everything
from xiuhua.catalog.choices import ComponentState
from xiuhua.catalog.models import CaseClass, Component
from xiuhua.catalog.queries import visible_components
from xiuhua.core.errors import DomainError
from xiuhua.territory.choices import DivisionLevel
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
        return _points(user, bbox, major, total)
    return _cells(snapshot, inside, zoom, total)


def _points(user: User, bbox: BBox, major: str | None, total: int) -> ComponentLayer:
    components = visible_components(user).filter(bbox.containing_points())
    if major:
        components = components.filter(case_class__major_code=major)
    rows = list(components.order_by("code").values_list("code", "lng", "lat", "state", "case_class__code")[:MAX_POINTS])
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
    found = Component.objects.aggregate(n=Count("id"), last=Max("id"), changed=Max("updated_at"))
    return connection.alias, found["n"], found["last"], found["changed"]


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
    """One query over the components and their grids (raw SQL: 500,000 rows as tuples, no model instances)."""
    component, grid = Component._meta.db_table, Component._meta.get_field("unit_grid").related_model._meta.db_table
    case_class = CaseClass._meta.db_table
    sql = (
        f"SELECT c.lng, c.lat, c.state, k.major_code, g.community_id FROM {component} c "
        f"JOIN {case_class} k ON k.id = c.case_class_id LEFT JOIN {grid} g ON g.id = c.unit_grid_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        rows = cursor.fetchall()
    if not rows:
        empty = np.zeros(0)
        return _Snapshot(key, empty, empty, empty.astype(np.int64), empty.astype(np.int8), empty.astype(np.int16))
    lng, lat, state, major, community = zip(*rows, strict=True)
    state_index = {name: i for i, name in enumerate(STATES)}
    return _Snapshot(
        key,
        np.array(lng, dtype=np.float64),
        np.array(lat, dtype=np.float64),
        np.array([c or 0 for c in community], dtype=np.int64),
        np.array([state_index.get(s, INTACT) for s in state], dtype=np.int8),
        np.array([int(m) if m and m.isdigit() else 0 for m in major], dtype=np.int16),
    )


def _allowed_communities(user: User, snapshot: _Snapshot) -> np.ndarray | None:
    """Lookup array by community id: True where the user's scope covers it (None: the superuser sees all)."""
    if sees_everything(user):
        return None
    ids = list(visible_divisions(user).filter(level=DivisionLevel.COMMUNITY).values_list("id", flat=True))
    top = max(ids + [int(snapshot.community.max()) if len(snapshot.community) else 0]) + 2
    allowed = np.zeros(top, dtype=bool)
    allowed[ids] = True  # id 0 (no grid) stays False: scoped users do not see components outside every grid
    return allowed
