"""Unit-grid import checks, areas in square metres and GeoJSON helpers."""

import json

import numpy as np
import pytest
import shapely
from shapely.geometry import MultiPolygon, Point, Polygon, box, mapping

from xiuhua.geo.geojson import (
    InvalidGeometry,
    feature,
    feature_collection,
    geometry_from_geojson,
    geometry_to_geojson,
    simplify_for_display,
)
from xiuhua.geo.validation import polygon_area_m2, polygon_areas_m2, validate_polygons

X0, Y0 = 120.94, 30.52
# About 100 m in each direction near 30.5 N.
DX = 100.0 / (111_320.0 * np.cos(np.radians(Y0)))
DY = 100.0 / 110_574.0


def _cell(i: int, j: int, grow: float = 0.0) -> Polygon:
    return box(X0 + i * DX, Y0 + j * DY, X0 + (i + 1 + grow) * DX, Y0 + (j + 1) * DY)


def _grid_features(nx: int = 3, ny: int = 3, group: str = "330481001001"):
    return [(f"G{j}-{i}", _cell(i, j), group) for j in range(ny) for i in range(nx)]


def _codes(issues) -> list[str]:
    return [issue.code for issue in issues]


def test_a_clean_tiling_has_no_errors_or_warnings():
    result = validate_polygons(_grid_features())
    assert result.ok and result.errors == [] and result.warnings == []
    assert set(result.geometries) == {f"G{j}-{i}" for j in range(3) for i in range(3)}


def test_overlapping_grids_in_one_community_are_reported():
    features = [("A", _cell(0, 0, grow=0.1), "c1"), ("B", _cell(1, 0), "c1")]
    result = validate_polygons(features)
    assert _codes(result.errors) == ["overlap"]
    issue = result.errors[0]
    assert (issue.key, issue.other_key, issue.group) == ("A", "B", "c1")
    assert issue.area_m2 == pytest.approx(1000.0, rel=0.01)  # 10 m x 100 m
    assert "重叠" in issue.message and "A" in issue.message and "B" in issue.message
    assert issue.location is not None


def test_a_grid_drawn_twice_is_an_overlap():
    result = validate_polygons([("A", _cell(0, 0), "c1"), ("B", _cell(0, 0), "c1")])
    assert _codes(result.errors) == ["overlap"]
    assert result.errors[0].area_m2 == pytest.approx(10_000.0, rel=0.01)


def test_overlaps_across_communities_are_not_reported():
    features = [("A", _cell(0, 0, grow=0.1), "c1"), ("B", _cell(1, 0), "c2")]
    assert validate_polygons(features).ok


def test_overlaps_below_the_tolerance_are_ignored():
    features = [("A", _cell(0, 0, grow=0.1), "c1"), ("B", _cell(1, 0), "c1")]
    assert validate_polygons(features, overlap_tolerance_m2=2000.0).ok
    assert not validate_polygons(features, overlap_tolerance_m2=500.0).ok


def test_a_gap_inside_a_community_is_a_warning_not_an_error():
    features = [f for f in _grid_features() if f[0] != "G1-1"]
    result = validate_polygons(features)
    assert result.ok
    assert _codes(result.warnings) == ["gap"]
    gap = result.warnings[0]
    assert gap.area_m2 == pytest.approx(10_000.0, rel=0.01)
    assert gap.key in {"G0-1", "G1-0", "G1-2", "G2-1"}
    assert "空隙" in gap.message and "330481001001" in gap.message
    assert gap.location == pytest.approx((X0 + 1.5 * DX, Y0 + 1.5 * DY), abs=DX / 2)


def test_gaps_smaller_than_the_tolerance_are_not_reported():
    features = [f for f in _grid_features() if f[0] != "G1-1"]
    assert validate_polygons(features, gap_tolerance_m2=20_000.0).warnings == []


def test_a_grid_inside_a_gap_reduces_the_gap():
    features = [f for f in _grid_features() if f[0] != "G1-1"]
    centre = _cell(1, 1)
    island = shapely.affinity.scale(centre, 0.5, 0.5)  # a quarter of the missing cell
    result = validate_polygons([*features, ("island", island, "330481001001")])
    assert result.ok
    assert result.warnings[0].area_m2 == pytest.approx(7_500.0, rel=0.01)


def test_unclosed_geojson_ring_is_reported():
    ring = [[X0, Y0], [X0 + DX, Y0], [X0 + DX, Y0 + DY], [X0, Y0 + DY]]
    result = validate_polygons([("open", {"type": "Polygon", "coordinates": [ring]})])
    assert _codes(result.errors) == ["ring_not_closed"]
    assert "未闭合" in result.errors[0].message


def test_closed_geojson_polygons_and_features_are_accepted():
    polygon = mapping(_cell(0, 0))
    as_feature = {"type": "Feature", "properties": {}, "geometry": mapping(_cell(1, 0))}
    result = validate_polygons([("a", polygon), ("b", json.dumps(as_feature))])
    assert result.ok and set(result.geometries) == {"a", "b"}


def test_self_intersecting_polygon_is_reported_with_a_chinese_reason():
    bowtie = Polygon([(X0, Y0), (X0 + DX, Y0 + DY), (X0 + DX, Y0), (X0, Y0 + DY)])
    result = validate_polygons([("bowtie", bowtie), ("ok", _cell(3, 3))])
    assert _codes(result.errors) == ["invalid"]
    issue = result.errors[0]
    assert issue.key == "bowtie" and "自相交" in issue.message and "Self-intersection" in issue.message
    assert issue.location == pytest.approx((X0 + DX / 2, Y0 + DY / 2))
    assert "bowtie" not in result.geometries


def test_features_that_are_not_polygons_are_reported():
    features = [("pt", Point(X0, Y0)), ("line", {"type": "LineString", "coordinates": [[X0, Y0], [X0, 31]]})]
    result = validate_polygons(features)
    assert _codes(result.errors) == ["not_polygon", "not_polygon"]
    assert "Point" in result.errors[0].message and "LineString" in result.errors[1].message


def test_empty_and_missing_geometries_are_reported():
    result = validate_polygons([("a", Polygon()), ("b", None), ("c", MultiPolygon())])
    assert _codes(result.errors) == ["empty", "empty", "empty"]


def test_projected_coordinates_are_reported():
    gauss_kruger = box(40_500_000.0, 3_380_000.0, 40_500_100.0, 3_380_100.0)
    result = validate_polygons([("gk", gauss_kruger)])
    assert _codes(result.errors) == ["coordinate_range"]
    assert "投影坐标" in result.errors[0].message


def test_duplicate_keys_are_reported():
    result = validate_polygons([("A", _cell(0, 0)), ("A", _cell(1, 0))])
    assert _codes(result.errors) == ["duplicate_key"]


def test_overlap_detection_handles_thousands_of_grids():
    features = _grid_features(60, 50)
    features[1234] = (features[1234][0], shapely.buffer(features[1234][1], DX / 10), features[1234][2])
    result = validate_polygons(features)
    overlapping = {features[1234][0]}
    assert len(result.errors) == 8  # the grown grid overlaps its 8 neighbours
    assert all(overlapping & {issue.key, issue.other_key} for issue in result.errors)


def test_area_of_one_degree_square_at_the_equator_matches_geographiclib():
    assert polygon_area_m2(box(0, 0, 1, 1)) == pytest.approx(12_308_778_361.469, abs=1.0)


def test_area_does_not_depend_on_ring_orientation_and_subtracts_holes():
    cw = Polygon(list(_cell(0, 0).exterior.coords)[::-1])
    assert polygon_area_m2(cw) == pytest.approx(polygon_area_m2(_cell(0, 0)))
    assert polygon_area_m2(_cell(0, 0)) == pytest.approx(10_000.0, rel=0.005)
    holed = Polygon(_cell(0, 0).exterior.coords, [shapely.affinity.scale(_cell(0, 0), 0.5, 0.5).exterior.coords])
    assert polygon_area_m2(holed) == pytest.approx(0.75 * polygon_area_m2(_cell(0, 0)), rel=1e-6)
    assert polygon_area_m2(shapely.LineString([(0, 0), (1, 1)])) == 0.0


def test_vectorised_areas_match_geodesic_areas():
    rng = np.random.default_rng(4)
    geoms = [shapely.buffer(Point(X0 + x, Y0 + y), r) for x, y, r in rng.uniform(0, 0.05, (50, 3))]
    geoms.append(MultiPolygon([_cell(0, 0), _cell(5, 5)]))
    fast = polygon_areas_m2(geoms)
    exact = np.array([polygon_area_m2(g) for g in geoms])
    np.testing.assert_allclose(fast, exact, rtol=1e-4)
    assert polygon_areas_m2([]).shape == (0,)


def test_geojson_errors_are_explained_in_chinese():
    with pytest.raises(InvalidGeometry, match="不支持的 GeoJSON 几何类型"):
        geometry_from_geojson({"type": "Circle", "coordinates": [0, 0]})
    with pytest.raises(InvalidGeometry, match="坐标格式错误"):
        geometry_from_geojson({"type": "Point", "coordinates": ["a", "b"]})
    with pytest.raises(InvalidGeometry, match="嵌套层级"):
        geometry_from_geojson({"type": "Polygon", "coordinates": [1, 2, 3]})
    with pytest.raises(InvalidGeometry, match="至少需要 4 个坐标"):
        geometry_from_geojson({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [0, 0]]]})
    with pytest.raises(InvalidGeometry, match="不是合法的 JSON"):
        geometry_from_geojson("{oops")
    with pytest.raises(InvalidGeometry, match="缺少 type"):
        geometry_from_geojson({"coordinates": [0, 0]})


def test_geojson_round_trip_drops_z_and_rounds_to_centimetres():
    geom = geometry_from_geojson({"type": "Point", "coordinates": [120.123456789, 30.1, 12.0]})
    assert not geom.has_z
    assert geometry_to_geojson(geom) == {"type": "Point", "coordinates": [120.1234568, 30.1]}


def test_feature_collection_is_built_from_tuples_and_dicts():
    collection = feature_collection(
        [
            (_cell(0, 0), {"code": "G00"}, 7),
            feature(None, {"code": "none"}),
        ]
    )
    assert collection["type"] == "FeatureCollection"
    first, second = collection["features"]
    assert first["id"] == 7 and first["properties"] == {"code": "G00"}
    assert first["geometry"]["type"] == "Polygon"
    assert second == {"type": "Feature", "geometry": None, "properties": {"code": "none"}}
    json.dumps(collection)  # serialisable as is


def test_simplify_for_display_reduces_vertices_and_keeps_validity():
    circle = shapely.buffer(Point(X0, Y0), 0.01, quad_segs=64)
    simple = simplify_for_display(circle, 0.0005)
    assert shapely.get_num_coordinates(simple) < shapely.get_num_coordinates(circle) / 4
    assert simple.is_valid and simple.area == pytest.approx(circle.area, rel=0.05)
    with pytest.raises(ValueError, match="简化容差"):
        simplify_for_display(circle, -1)
