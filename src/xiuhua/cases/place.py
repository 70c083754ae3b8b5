"""Where a case is, as GeoJSON for the case page's small map: its point, its unit grid, and the grids around it.

The case itself must already have passed the reader's data scope (`queries.case_for`); its own grid is shown
with it. Neighbouring grids are drawn only as far as the reader's scope reaches (`territory.queries.visible_grids`).
"""

from __future__ import annotations

from typing import Any

import shapely

from xiuhua.accounts.models import User
from xiuhua.cases.models import Case
from xiuhua.geo.geojson import feature, feature_collection
from xiuhua.territory.queries import BBox, visible_grids

MAX_NEIGHBOURS = 24
# How far around the case's grid to look for neighbours, as a share of the grid's own width and height.
NEIGHBOUR_MARGIN = 0.6


def _around(grid_bounds: tuple[float, float, float, float]) -> BBox:
    min_lng, min_lat, max_lng, max_lat = grid_bounds
    d_lng, d_lat = (max_lng - min_lng) * NEIGHBOUR_MARGIN, (max_lat - min_lat) * NEIGHBOUR_MARGIN
    return BBox(min_lng - d_lng, min_lat - d_lat, max_lng + d_lng, max_lat + d_lat)


def case_place(user: User, case: Case) -> dict[str, Any]:
    """A FeatureCollection: neighbouring grids (`role` "neighbour"), the case's grid ("grid"), the case ("case")."""
    grid = case.unit_grid
    features = []
    if grid.geometry is not None:
        nearby = (
            visible_grids(user)
            .filter(_around(grid.geometry.bounds).intersecting())
            .exclude(pk=grid.pk)
            .order_by("code")
            .values_list("code", "geometry_wkb")[:MAX_NEIGHBOURS]
        )
        features += [
            feature(shapely.from_wkb(bytes(wkb)), {"role": "neighbour", "code": code}) for code, wkb in nearby if wkb
        ]
        features.append(feature(grid.geometry, {"role": "grid", "code": grid.code, "name": grid.name}))
    point = shapely.Point(case.lng, case.lat)
    features.append(feature(point, {"role": "case", "number": case.number, "address": case.address}))
    return feature_collection(features)
