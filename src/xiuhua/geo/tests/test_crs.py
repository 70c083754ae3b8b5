"""Coordinate-system conversions: WGS84/CGCS2000, GCJ-02 and BD-09."""

import math

import numpy as np
import pytest
from pyproj import Geod

from xiuhua.geo import crs
from xiuhua.geo.crs import (
    InvalidCoordinate,
    UnsupportedCRS,
    bd09_to_gcj02,
    bd09_to_wgs84,
    from_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    to_wgs84,
    validate_lnglat,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)

TIANANMEN_WGS84 = (116.391280, 39.907253)
TIANANMEN_GCJ02 = (116.397526, 39.908656)  # published reference, to ~1 m
_GEOD = Geod(ellps="WGS84")


def _metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    return _GEOD.inv(a[0], a[1], b[0], b[1])[2]


def _points_in_china(n: int = 20_000, seed: int = 7) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.uniform(74.0, 135.0, n), rng.uniform(4.0, 53.5, n)


def test_tiananmen_gcj02_matches_the_published_reference_point():
    gcj = wgs84_to_gcj02(*TIANANMEN_WGS84)
    assert _metres(gcj, TIANANMEN_GCJ02) < 2.0


def test_gcj02_offset_in_beijing_is_several_hundred_metres():
    offset = _metres(TIANANMEN_WGS84, wgs84_to_gcj02(*TIANANMEN_WGS84))
    assert 400.0 < offset < 800.0


def test_gcj02_round_trip_is_within_a_centimetre():
    lng, lat = _points_in_china()
    back_lng, back_lat = gcj02_to_wgs84(*wgs84_to_gcj02(lng, lat))
    # 1e-7 degree is about 1 cm.
    assert np.max(np.abs(back_lng - lng)) < 1e-7
    assert np.max(np.abs(back_lat - lat)) < 1e-7


def test_gcj02_inverse_is_far_better_than_the_one_step_inverse():
    gcj = wgs84_to_gcj02(*TIANANMEN_WGS84)
    crude = (2 * gcj[0] - wgs84_to_gcj02(*gcj)[0], 2 * gcj[1] - wgs84_to_gcj02(*gcj)[1])
    exact = gcj02_to_wgs84(*gcj)
    assert _metres(exact, TIANANMEN_WGS84) < 0.001
    assert _metres(crude, TIANANMEN_WGS84) > 10 * _metres(exact, TIANANMEN_WGS84)


def test_bd09_is_offset_from_gcj02_by_about_0_0065_and_0_006_degrees():
    gcj = wgs84_to_gcj02(*TIANANMEN_WGS84)
    bd = gcj02_to_bd09(*gcj)
    assert bd[0] - gcj[0] == pytest.approx(0.0065, abs=5e-4)
    assert bd[1] - gcj[1] == pytest.approx(0.006, abs=5e-4)
    assert wgs84_to_bd09(*TIANANMEN_WGS84) == pytest.approx(bd, abs=1e-12)


def test_bd09_round_trips_are_within_a_centimetre():
    lng, lat = _points_in_china()
    g_lng, g_lat = wgs84_to_gcj02(lng, lat)
    b_lng, b_lat = gcj02_to_bd09(g_lng, g_lat)
    back_g = bd09_to_gcj02(b_lng, b_lat)
    back_w = bd09_to_wgs84(b_lng, b_lat)
    assert np.max(np.abs(back_g[0] - g_lng)) < 1e-7 and np.max(np.abs(back_g[1] - g_lat)) < 1e-7
    assert np.max(np.abs(back_w[0] - lng)) < 1e-7 and np.max(np.abs(back_w[1] - lat)) < 1e-7


def test_points_outside_china_are_not_offset():
    london = (-0.1276, 51.5072)
    assert wgs84_to_gcj02(*london) == london
    assert gcj02_to_wgs84(*london) == london
    assert crs.out_of_china(*london) is True
    assert crs.out_of_china(*TIANANMEN_WGS84) is False


def test_scalars_give_floats_and_arrays_keep_their_shape():
    lng, lat = wgs84_to_gcj02(116, 40)
    assert type(lng) is float and type(lat) is float
    grid_lng, grid_lat = np.meshgrid(np.linspace(110, 120, 4), np.linspace(25, 35, 3))
    out_lng, out_lat = gcj02_to_wgs84(grid_lng, grid_lat)
    assert out_lng.shape == (3, 4) and out_lat.shape == (3, 4)
    assert out_lng[1, 2] == pytest.approx(gcj02_to_wgs84(grid_lng[1, 2], grid_lat[1, 2])[0], abs=1e-12)


def test_array_input_is_not_modified():
    lng = np.array([116.0, 120.0])
    lat = np.array([40.0, 30.0])
    to_wgs84(lng, lat, "wgs84")[0][0] = 0.0
    bd09_to_wgs84(lng, lat)
    assert lng.tolist() == [116.0, 120.0] and lat.tolist() == [40.0, 30.0]


def test_nan_coordinates_stay_nan_without_stalling_the_inverse():
    lng, lat = gcj02_to_wgs84(np.array([116.4, np.nan]), np.array([39.9, 39.9]))
    assert math.isnan(lng[1]) and not math.isnan(lng[0])


@pytest.mark.parametrize("name", ["wgs84", "WGS84", "cgcs2000", " CGCS2000 "])
def test_wgs84_and_cgcs2000_are_passed_through(name):
    assert to_wgs84(120.5, 30.5, name) == (120.5, 30.5)
    assert from_wgs84(120.5, 30.5, name) == (120.5, 30.5)


def test_to_wgs84_dispatches_case_insensitively():
    gcj = wgs84_to_gcj02(*TIANANMEN_WGS84)
    bd = wgs84_to_bd09(*TIANANMEN_WGS84)
    assert to_wgs84(*gcj, "GCJ02") == pytest.approx(TIANANMEN_WGS84, abs=1e-9)
    assert to_wgs84(*bd, "Bd09") == pytest.approx(TIANANMEN_WGS84, abs=1e-9)
    assert from_wgs84(*TIANANMEN_WGS84, "gcj02") == gcj


def test_unknown_crs_is_refused_with_a_chinese_message():
    with pytest.raises(UnsupportedCRS) as info:
        to_wgs84(120.0, 30.0, "epsg:3857")
    assert isinstance(info.value, ValueError)
    assert str(info.value) == "不支持的坐标系：epsg:3857，可选 wgs84、cgcs2000、gcj02、bd09"


@pytest.mark.parametrize(
    ("lng", "lat"),
    [(181.0, 30.0), (-180.5, 30.0), (120.0, 90.01), (120.0, -91.0), (math.nan, 30.0), (120.0, math.inf)],
)
def test_invalid_coordinates_are_refused(lng, lat):
    with pytest.raises(InvalidCoordinate, match="^经纬度超出范围："):
        validate_lnglat(lng, lat)


def test_coordinates_on_the_range_limits_are_accepted():
    validate_lnglat(180.0, 90.0)
    validate_lnglat(-180.0, -90.0)
    validate_lnglat(np.array([120.0, 121.0]), np.array([30.0, 31.0]))


def test_invalid_coordinate_in_an_array_names_its_position():
    with pytest.raises(InvalidCoordinate, match="第 3 个点"):
        validate_lnglat([120.0, 121.0, 500.0], [30.0, 31.0, 30.0])
