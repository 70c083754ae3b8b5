"""Territory layers for web maps: bbox cuts, zoom levels, simplification and rounding, caps and scopes."""

import json
import math
from datetime import date

import pytest
import shapely

from xiuhua.accounts.choices import Role
from xiuhua.accounts.models import User
from xiuhua.core.errors import DomainError
from xiuhua.territory import mapview
from xiuhua.territory.models import Division, UnitGrid
from xiuhua.territory.queries import BBox

pytestmark = pytest.mark.django_db

WUYUAN = "330424001"


@pytest.fixture
def admin(demo_city) -> User:
    mapview.forget_outlines()
    return User.objects.get(username="admin")


def inner_box(geometry: shapely.Geometry, margin: float = 0.1) -> BBox:
    """A box well inside a grid (touching none of its neighbours)."""
    x0, y0, x1, y1 = geometry.bounds
    dx, dy = (x1 - x0) * margin, (y1 - y0) * margin
    return BBox(x0 + dx, y0 + dy, x1 - dx, y1 - dy)


def layer_json(layer: mapview.Layer) -> dict:
    return json.loads(layer.geojson)


def coordinates(feature: dict) -> list[list[float]]:
    geometry = feature["geometry"]
    parts = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    rings = [ring for part in parts for ring in part]
    return [point for ring in rings for point in ring]


def wiggly_square(x0: float, y0: float, size: float, amplitude: float, steps: int = 50) -> shapely.Polygon:
    """A square whose edges zigzag by `amplitude` degrees: 4 × `steps` vertices, a square once simplified."""
    points = []
    corners = [(x0, y0), (x0 + size, y0), (x0 + size, y0 + size), (x0, y0 + size)]
    for (ax, ay), (bx, by) in zip(corners, corners[1:] + corners[:1], strict=True):
        for i in range(steps):
            t = i / steps
            nx, ny = (by - ay) / size, -(bx - ax) / size  # outward normal of a counter-clockwise ring
            bump = amplitude * (i % 2) if 0 < i < steps - 1 else 0
            points.append((ax + (bx - ax) * t + nx * bump, ay + (by - ay) * t + ny * bump))
    return shapely.Polygon(points)


def add_grid(code: str, community: Division, geometry: shapely.Geometry) -> UnitGrid:
    grid = UnitGrid(code=code, community=community, area_m2=10_000, valid_from=date(2024, 1, 1))
    grid.set_geometry(geometry)
    grid.save()
    return grid


def test_tolerance_is_one_pixel_and_rounding_half_of_one():
    assert mapview.tolerance_for(15) == pytest.approx(360 / 256 / 2**15)
    assert [mapview.decimals_for(z) for z in (8, 12, 15, 18, 22)] == [3, 4, 5, 6, 7]


@pytest.mark.parametrize("text", [None, "", "x", "15.5", "-1", "23"])
def test_zoom_must_be_an_integer_from_0_to_22(text):
    with pytest.raises(DomainError) as refused:
        mapview.parse_zoom(text)
    assert "zoom" in refused.value.message


def test_a_box_inside_one_grid_returns_that_grid_only(admin):
    grid = UnitGrid.objects.order_by("code")[10]

    layer = layer_json(mapview.territory_layer(admin, inner_box(grid.geometry), 16))

    assert layer["level"] == "grid"
    assert [f["id"] for f in layer["features"]] == [grid.code]


def test_a_box_over_two_neighbours_returns_both(admin):
    grid = UnitGrid.objects.order_by("code")[10]
    west, south, east, north = grid.geometry.bounds
    neighbour = UnitGrid.objects.get(
        min_lng__gt=east - 1e-9, min_lng__lt=east + 1e-9, min_lat__gt=south - 1e-9, min_lat__lt=south + 1e-9
    )
    box = BBox((west + east) / 2, (south + north) / 2, east + (east - west) / 2, north - (north - south) / 4)

    layer = layer_json(mapview.territory_layer(admin, box, 16))

    assert sorted(f["id"] for f in layer["features"]) == sorted([grid.code, neighbour.code])


def test_below_the_grid_zoom_the_layer_is_community_outlines(admin):
    district = Division.objects.get(level="district")
    box = BBox(district.min_lng, district.min_lat, district.max_lng, district.max_lat)

    layer = layer_json(mapview.territory_layer(admin, box, mapview.GRID_MIN_ZOOM - 1))

    assert layer["level"] == "community"
    assert {f["properties"]["code"] for f in layer["features"]} == set(
        Division.objects.filter(level="community").values_list("code", flat=True)
    )
    assert all(f["properties"]["name"] for f in layer["features"])


def test_far_out_the_layer_is_sub_district_outlines(admin):
    district = Division.objects.get(level="district")
    box = BBox(district.min_lng, district.min_lat, district.max_lng, district.max_lat)

    assert mapview.territory_layer(admin, box, mapview.COMMUNITY_MIN_ZOOM - 1).level == "subdistrict"


def test_too_many_grids_in_view_fall_back_to_communities(admin, monkeypatch):
    district = Division.objects.get(level="district")
    box = BBox(district.min_lng, district.min_lat, district.max_lng, district.max_lat)
    monkeypatch.setattr(mapview, "MAX_FEATURES", UnitGrid.objects.count() - 1)

    assert mapview.territory_layer(admin, box, 17).level == "community"


def test_grids_are_simplified_to_a_pixel_of_the_zoom(admin):
    community = Division.objects.filter(level="community").order_by("code").first()
    x0, y0 = 121.2, 30.2  # away from the demo grids
    amplitude = 1e-5  # about a metre: a few pixels at zoom 19, a quarter pixel at zoom 15
    add_grid(f"{community.code}999", community, wiggly_square(x0, y0, 0.001, amplitude))
    box = BBox(x0 - 0.001, y0 - 0.001, x0 + 0.002, y0 + 0.002)

    far = layer_json(mapview.territory_layer(admin, box, 15))["features"][0]
    near = layer_json(mapview.territory_layer(admin, box, 19))["features"][0]

    assert len(coordinates(far)) == 5  # the zigzag is below a pixel: a closed square
    assert len(coordinates(near)) > 100
    assert shapely.is_valid(shapely.from_geojson(json.dumps(far["geometry"])))


def test_coordinates_are_rounded_for_the_zoom(admin):
    community = Division.objects.filter(level="community").order_by("code").first()
    x0, y0 = 121.2123456789, 30.2123456789
    add_grid(f"{community.code}998", community, shapely.box(x0, y0, x0 + 0.001, y0 + 0.001))
    box = BBox(x0 - 0.001, y0 - 0.001, x0 + 0.002, y0 + 0.002)

    feature = layer_json(mapview.grid_layer(admin, box, 12))["features"][0]

    assert all(round(v, 4) == v for point in coordinates(feature) for v in point)
    assert [121.2123, 30.2123] in coordinates(feature)


def test_a_scoped_user_gets_only_the_grids_and_divisions_of_their_scope(admin):
    scoped = User.objects.create(username="wuyuan_leader", role=Role.LEADER, scope_division_codes=[WUYUAN])
    district = Division.objects.get(level="district")
    box = BBox(district.min_lng, district.min_lat, district.max_lng, district.max_lat)

    grids = layer_json(mapview.grid_layer(scoped, box, 16))["features"]
    towns = layer_json(mapview.division_layer(scoped, "subdistrict", box, 12))["features"]

    assert grids and all(f["id"].startswith(WUYUAN) for f in grids)
    assert len(grids) == UnitGrid.objects.filter(code__startswith=WUYUAN).count()
    assert [f["properties"]["code"] for f in towns] == [WUYUAN]
    assert mapview.scope_bounds(scoped) == pytest.approx(
        (lambda d: (d.min_lng, d.min_lat, d.max_lng, d.max_lat))(Division.objects.get(code=WUYUAN))
    )


def test_division_outlines_are_recomputed_when_a_division_changes(admin):
    town = Division.objects.get(code=WUYUAN)
    box = BBox(town.min_lng, town.min_lat, town.max_lng, town.max_lat)
    before = layer_json(mapview.division_layer(admin, "subdistrict", box, 14))
    town.set_geometry(shapely.box(town.min_lng, town.min_lat, (town.min_lng + town.max_lng) / 2, town.max_lat))
    town.save()

    after = layer_json(mapview.division_layer(admin, "subdistrict", box, 14))

    old = next(f for f in before["features"] if f["id"] == WUYUAN)
    new = next(f for f in after["features"] if f["id"] == WUYUAN)
    assert old["geometry"] != new["geometry"] and len(coordinates(new)) == 5


def test_an_unknown_division_level_is_refused(admin):
    with pytest.raises(DomainError):
        mapview.division_layer(admin, "province", BBox(120, 30, 121, 31), 10)


def test_scope_bounds_of_an_unscoped_user_cover_the_district(admin):
    district = Division.objects.get(level="district")

    bounds = mapview.scope_bounds(admin)

    assert all(math.isclose(a, b) for a, b in zip(bounds, district.geometry.bounds, strict=True))
