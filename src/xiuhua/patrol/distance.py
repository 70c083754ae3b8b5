"""How far an inspector walked: geodesic distance along a track, without GPS noise.

A phone standing still reports positions scattered within its accuracy; adding those up would credit an
inspector sitting in a car with kilometres. A lost fix that comes back hundreds of metres away (or a ride on a
bus) would credit a leap nobody walked. So a step counts only when it moves beyond the accuracy of both ends
(and at least `JITTER_FLOOR_M`), and a step faster than the speed limit moves the count on without adding to it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from pyproj import Geod

WGS84 = Geod(ellps="WGS84")
JITTER_FLOOR_M = 5.0  # below this no phone fix is to be believed as a step


@dataclass(frozen=True)
class Fix:
    at: datetime
    lng: float
    lat: float
    accuracy_m: float | None = None


@dataclass
class Tally:
    """The count so far: metres, and the point it stands on (None before the first point)."""

    metres: float = 0.0
    anchor: Fix | None = None


def geodesic_m(lng1: float, lat1: float, lng2: float, lat2: float) -> float:
    """Distance on the WGS84 ellipsoid in metres."""
    return float(WGS84.inv(lng1, lat1, lng2, lat2)[2])


def too_fast(metres: float, seconds: float, max_speed_kmh: float) -> bool:
    """Whether a step of `metres` in `seconds` is faster than a patrol moves (same-second steps: over 50 m)."""
    if seconds <= 0:
        return metres > 50.0
    return metres / seconds * 3.6 > max_speed_kmh


def _noise_m(a: Fix, b: Fix) -> float:
    return max(JITTER_FLOOR_M, a.accuracy_m or 0.0, b.accuracy_m or 0.0)


def extend(tally: Tally, fixes: Iterable[Fix], max_speed_kmh: float) -> Tally:
    """Walk on from `tally` over `fixes` (in time order, all later than its anchor)."""
    fixes = list(fixes)
    if not fixes:
        return tally
    points = ([tally.anchor] if tally.anchor else []) + fixes
    if len(points) == 1:
        return Tally(tally.metres, points[0])
    # One vectorised call for the step lengths between consecutive fixes; the walk below only needs the steps
    # from the anchor, which differ from these only after a skipped (jitter) point, then computed one by one.
    lng = np.array([p.lng for p in points])
    lat = np.array([p.lat for p in points])
    steps = WGS84.inv(lng[:-1], lat[:-1], lng[1:], lat[1:])[2]
    metres, anchor, previous = tally.metres, points[0], 0
    for index, point in enumerate(points[1:], start=1):
        step = (
            float(steps[index - 1])
            if previous == index - 1
            else geodesic_m(anchor.lng, anchor.lat, point.lng, point.lat)
        )
        if step <= _noise_m(anchor, point):
            continue  # standing still: keep measuring from the anchor
        if not too_fast(step, (point.at - anchor.at).total_seconds(), max_speed_kmh):
            metres += step
        anchor, previous = point, index
    return Tally(metres, anchor)
