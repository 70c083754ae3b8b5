"""Metres on the ground near a point: a local tangent plane over the WGS84 ellipsoid.

Within a few kilometres of the reference point, east/north offsets computed with the ellipsoid's radii of
curvature at that latitude agree with geodesic distances to a few millimetres per hundred metres, which is
what street-level work (nearest house number, side of a road) needs; no projection library is involved.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

__all__ = ["degrees_around", "metres_per_degree", "to_local"]

_A = 6378137.0  # WGS84 semi-major axis (m)
_E2 = 6.69437999014e-3  # WGS84 first eccentricity squared


def metres_per_degree(lat: float) -> tuple[float, float]:
    """(metres per degree of longitude, metres per degree of latitude) at latitude `lat`."""
    phi = math.radians(lat)
    w = math.sqrt(1.0 - _E2 * math.sin(phi) ** 2)
    prime_vertical = _A / w  # radius of curvature across the meridian
    meridional = _A * (1.0 - _E2) / w**3  # radius of curvature along the meridian
    return math.radians(1.0) * prime_vertical * math.cos(phi), math.radians(1.0) * meridional


def degrees_around(lat: float, metres: float) -> tuple[float, float]:
    """(degrees of longitude, degrees of latitude) spanning `metres` at latitude `lat`: a search box's half sides."""
    per_lng, per_lat = metres_per_degree(lat)
    return metres / max(per_lng, 1e-9), metres / per_lat


def to_local(
    lngs: npt.ArrayLike, lats: npt.ArrayLike, lng0: float, lat0: float
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """East and north offsets in metres of WGS84 points from (lng0, lat0)."""
    per_lng, per_lat = metres_per_degree(lat0)
    x = (np.asarray(lngs, dtype=np.float64) - lng0) * per_lng
    y = (np.asarray(lats, dtype=np.float64) - lat0) * per_lat
    return x, y
