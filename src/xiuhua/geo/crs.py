"""Conversions between WGS84/CGCS2000, GCJ-02 ("Mars" coordinates) and BD-09 (Baidu).

GCJ-02 is the obfuscated datum that Chinese web maps (Amap/Gaode, Tencent, WeChat) must use;
BD-09 is Baidu's further offset of GCJ-02. CGCS2000 and WGS84 differ by centimetres and are
treated as the same system here.

Every function accepts Python scalars or array-likes and is vectorised with numpy: scalars in,
Python floats out; arrays in, float64 arrays (same shape) out.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

__all__ = [
    "SUPPORTED_CRS",
    "InvalidCoordinate",
    "UnsupportedCRS",
    "bd09_to_gcj02",
    "bd09_to_wgs84",
    "from_wgs84",
    "gcj02_to_bd09",
    "gcj02_to_wgs84",
    "normalize_crs",
    "out_of_china",
    "to_wgs84",
    "validate_lnglat",
    "wgs84_to_bd09",
    "wgs84_to_gcj02",
]

Coord = float | npt.NDArray[np.float64]
CoordLike = float | int | npt.ArrayLike
_Pair = tuple[np.ndarray, np.ndarray]
_Forward = Callable[[np.ndarray, np.ndarray], _Pair]

# Krasovsky 1940 ellipsoid as used by the published GCJ-02 algorithm.
_A = 6378245.0
_EE = 0.00669342162296594323
_X_PI = math.pi * 3000.0 / 180.0

# Inverse iterations stop once every point is reproduced to this many degrees (~1 mm).
_INVERSE_TOLERANCE_DEG = 1e-9
_INVERSE_MAX_ITERATIONS = 30

SUPPORTED_CRS: tuple[str, ...] = ("wgs84", "cgcs2000", "gcj02", "bd09")


class UnsupportedCRS(ValueError):
    """The coordinate system name is not one we can convert."""

    def __init__(self, crs: object) -> None:
        super().__init__(f"不支持的坐标系：{crs}，可选 wgs84、cgcs2000、gcj02、bd09")
        self.crs = crs


class InvalidCoordinate(ValueError):
    """A longitude/latitude is not finite or outside [-180, 180] x [-90, 90]."""


def _as_arrays(lng: CoordLike, lat: CoordLike) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(lng, dtype=np.float64)
    y = np.asarray(lat, dtype=np.float64)
    return np.broadcast_arrays(x, y)


def _result(x: np.ndarray, y: np.ndarray) -> tuple[Coord, Coord]:
    if x.ndim == 0:
        return float(x), float(y)
    return x, y


def out_of_china(lng: CoordLike, lat: CoordLike) -> bool | npt.NDArray[np.bool_]:
    """Rough bounding box of China; GCJ-02 leaves coordinates outside it unchanged."""
    x, y = _as_arrays(lng, lat)
    outside = ~((x > 73.66) & (x < 135.05) & (y > 3.86) & (y < 53.55))
    return bool(outside) if outside.ndim == 0 else outside


def _transform_lat(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    ret += (20.0 * np.sin(6.0 * x * math.pi) + 20.0 * np.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * np.sin(y * math.pi) + 40.0 * np.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * np.sin(y / 12.0 * math.pi) + 320.0 * np.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lng(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    ret += (20.0 * np.sin(6.0 * x * math.pi) + 20.0 * np.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * np.sin(x * math.pi) + 40.0 * np.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * np.sin(x / 12.0 * math.pi) + 300.0 * np.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def _gcj_offset(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """GCJ-02 offset (dlng, dlat) in degrees at WGS84 (x, y), ignoring the China box."""
    dlat = _transform_lat(x - 105.0, y - 35.0)
    dlng = _transform_lng(x - 105.0, y - 35.0)
    radlat = y / 180.0 * math.pi
    magic = 1.0 - _EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrtmagic) * math.pi)
    dlng = (dlng * 180.0) / (_A / sqrtmagic * np.cos(radlat) * math.pi)
    return dlng, dlat


def _wgs_to_gcj(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    dlng, dlat = _gcj_offset(x, y)
    outside = out_of_china(x, y)
    return np.where(outside, x, x + dlng), np.where(outside, y, y + dlat)


def wgs84_to_gcj02(lng: CoordLike, lat: CoordLike) -> tuple[Coord, Coord]:
    """WGS84/CGCS2000 -> GCJ-02. Points outside China are returned unchanged."""
    return _result(*_wgs_to_gcj(*_as_arrays(lng, lat)))


def _invert(forward: _Forward, gx: np.ndarray, gy: np.ndarray, x: np.ndarray, y: np.ndarray) -> _Pair:
    """Solve forward(x, y) == (gx, gy) from the guess (x, y) by fixed-point iteration.

    The offsets vary slowly with position (Jacobian close to identity), so each step gains
    several digits; NaN inputs simply stay NaN and never block convergence.
    """
    for _ in range(_INVERSE_MAX_ITERATIONS):
        fx, fy = forward(x, y)
        ex, ey = fx - gx, fy - gy
        x, y = x - ex, y - ey
        if not np.any(np.maximum(np.abs(ex), np.abs(ey)) > _INVERSE_TOLERANCE_DEG):
            break
    return x, y


def _gcj_to_wgs(gx: np.ndarray, gy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    def forward(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        dlng, dlat = _gcj_offset(x, y)
        return x + dlng, y + dlat

    x, y = _invert(forward, gx, gy, gx, gy)
    outside = out_of_china(gx, gy)
    return np.where(outside, gx, x), np.where(outside, gy, y)


def gcj02_to_wgs84(lng: CoordLike, lat: CoordLike) -> tuple[Coord, Coord]:
    """GCJ-02 -> WGS84 by iterating the forward transform (error far below 1e-6 degree)."""
    return _result(*_gcj_to_wgs(*_as_arrays(lng, lat)))


def _gcj_to_bd(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def _bd_to_gcj(bx: np.ndarray, by: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    # Start from the published one-step inverse (off by up to ~1e-6 degree), then refine.
    x, y = bx - 0.0065, by - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    return _invert(_gcj_to_bd, bx, by, z * np.cos(theta), z * np.sin(theta))


def gcj02_to_bd09(lng: CoordLike, lat: CoordLike) -> tuple[Coord, Coord]:
    """GCJ-02 -> BD-09 (Baidu)."""
    return _result(*_gcj_to_bd(*_as_arrays(lng, lat)))


def bd09_to_gcj02(lng: CoordLike, lat: CoordLike) -> tuple[Coord, Coord]:
    """BD-09 -> GCJ-02, iterated so that gcj02_to_bd09 reproduces the input."""
    return _result(*_bd_to_gcj(*_as_arrays(lng, lat)))


def bd09_to_wgs84(lng: CoordLike, lat: CoordLike) -> tuple[Coord, Coord]:
    """BD-09 -> GCJ-02 -> WGS84."""
    return _result(*_gcj_to_wgs(*_bd_to_gcj(*_as_arrays(lng, lat))))


def wgs84_to_bd09(lng: CoordLike, lat: CoordLike) -> tuple[Coord, Coord]:
    """WGS84 -> GCJ-02 -> BD-09."""
    return _result(*_gcj_to_bd(*_wgs_to_gcj(*_as_arrays(lng, lat))))


def normalize_crs(crs: str) -> str:
    """Lower-cased CRS name ('WGS84' -> 'wgs84'); raises UnsupportedCRS for unknown names."""
    name = crs.strip().lower() if isinstance(crs, str) else ""
    if name not in SUPPORTED_CRS:
        raise UnsupportedCRS(crs)
    return name


def to_wgs84(lng: CoordLike, lat: CoordLike, crs: str) -> tuple[Coord, Coord]:
    """Convert coordinates given in `crs` (wgs84, cgcs2000, gcj02 or bd09) to WGS84."""
    name = normalize_crs(crs)
    if name == "gcj02":
        return gcj02_to_wgs84(lng, lat)
    if name == "bd09":
        return bd09_to_wgs84(lng, lat)
    return _result(*(a.copy() for a in _as_arrays(lng, lat)))


def from_wgs84(lng: CoordLike, lat: CoordLike, crs: str) -> tuple[Coord, Coord]:
    """Convert WGS84 coordinates to `crs`, e.g. for drawing on an Amap (gcj02) base map."""
    name = normalize_crs(crs)
    if name == "gcj02":
        return wgs84_to_gcj02(lng, lat)
    if name == "bd09":
        return wgs84_to_bd09(lng, lat)
    return _result(*(a.copy() for a in _as_arrays(lng, lat)))


def validate_lnglat(lng: CoordLike, lat: CoordLike) -> None:
    """Raise InvalidCoordinate unless every pair is finite and within longitude/latitude range."""
    x, y = _as_arrays(lng, lat)
    bad = ~(np.isfinite(x) & np.isfinite(y) & (np.abs(x) <= 180.0) & (np.abs(y) <= 90.0))
    if not np.any(bad):
        return
    i = int(np.flatnonzero(bad.ravel())[0])
    bx, by = x.ravel()[i], y.ravel()[i]
    where = "" if x.ndim == 0 else f"第 {i + 1} 个点，"
    raise InvalidCoordinate(
        f"经纬度超出范围：{where}经度 {bx}，纬度 {by}（经度应在 -180 到 180 之间，纬度应在 -90 到 90 之间）"
    )
