import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from xiuhua.core.errors import DomainError
from xiuhua.geo.crs import wgs84_to_bd09, wgs84_to_gcj02
from xiuhua.territory.models import UnitGrid
from xiuhua.territory.services import OutsideTerritory, locate_grid_ids, locate_point

pytestmark = pytest.mark.django_db


def _inside(grid: UnitGrid) -> tuple[float, float]:
    point = grid.geometry.centroid
    return point.x, point.y


def test_point_is_located_in_its_grid_and_divisions(demo_city):
    grid = UnitGrid.objects.select_related("community__parent__parent").order_by("code")[5]
    where = locate_point(*_inside(grid))
    assert where.grid_code == grid.code
    assert where.community_code == grid.community.code
    assert where.subdistrict_code == grid.community.parent.code
    assert (where.district_code, where.district_name) == ("330424", "海盐县")


@pytest.mark.parametrize("crs, convert", [("gcj02", wgs84_to_gcj02), ("bd09", wgs84_to_bd09)])
def test_phone_coordinates_are_converted_before_lookup(demo_city, crs, convert):
    grid = UnitGrid.objects.order_by("code")[10]
    lng, lat = convert(*_inside(grid))
    where = locate_point(float(lng), float(lat), crs)
    assert where.grid_code == grid.code
    assert (where.original_lng, where.original_crs) == (float(lng), crs)
    assert abs(where.lng - _inside(grid)[0]) < 1e-6


def test_point_outside_the_territory_is_refused(demo_city):
    with pytest.raises(OutsideTerritory, match="不在本辖区"):
        locate_point(121.5, 31.2)


def test_unknown_coordinate_system_is_refused_in_chinese(demo_city):
    with pytest.raises(DomainError, match="不支持的坐标系"):
        locate_point(120.94, 30.52, "epsg3857")


def test_many_points_are_located_at_once(demo_city):
    grids = list(UnitGrid.objects.order_by("code")[:20])
    lngs = [_inside(g)[0] for g in grids] + [0.0]
    lats = [_inside(g)[1] for g in grids] + [0.0]
    assert locate_grid_ids(lngs, lats) == [g.pk for g in grids] + [None]


def test_index_follows_a_grid_that_stops_being_valid(demo_city):
    grid = UnitGrid.objects.order_by("code")[3]
    lng, lat = _inside(grid)
    assert locate_point(lng, lat).grid_code == grid.code
    UnitGrid.objects.filter(pk=grid.pk).update(valid_to="2025-01-01")
    from xiuhua.territory import services

    services.forget_grid_index()
    with pytest.raises(OutsideTerritory):
        locate_point(lng, lat)


def test_locate_command_prints_the_grid_and_divisions(demo_city, capsys):
    grid = UnitGrid.objects.order_by("code")[0]
    call_command("locate", *map(str, _inside(grid)))
    out = capsys.readouterr().out
    assert f"单元网格：{grid.code}" in out
    assert "区县：海盐县（330424）" in out


def test_locate_command_fails_outside_the_territory(demo_city):
    with pytest.raises(CommandError, match="不在本辖区"):
        call_command("locate", "100", "20")
