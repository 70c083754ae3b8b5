import re
from collections import defaultdict

import pytest
import shapely
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.http import HttpRequest

from xiuhua.accounts.models import Department, User
from xiuhua.catalog.models import CaseClass, Component, RegisterCondition
from xiuhua.core.errors import DomainError
from xiuhua.geo.validation import validate_polygons
from xiuhua.platform.demo import build_demo_city
from xiuhua.routing.models import RoutingRule
from xiuhua.territory.models import Division, DutyGrid, GridChief, Road, StreetAddress, UnitGrid

pytestmark = pytest.mark.django_db


def test_demo_city_has_the_real_haiyan_codes(demo_city):
    assert demo_city.district.code == "330424"
    assert demo_city.district.name == "海盐县"
    towns = dict(Division.objects.filter(level="subdistrict").values_list("code", "name"))
    assert towns["330424001"] == "武原街道"
    assert towns["330424104"] == "澉浦镇"
    assert len(towns) == 9


def test_demo_district_sits_at_the_county_seat(demo_city):
    centre = demo_city.district.geometry.centroid
    assert abs(centre.x - 120.94) < 0.01
    assert abs(centre.y - 30.52) < 0.01


def test_grid_codes_extend_their_community_code(demo_city):
    for code, community_code in UnitGrid.objects.values_list("code", "community__code"):
        assert re.fullmatch(r"[0-9A-Z]{15}", code)
        assert code[:12] == community_code


def test_grids_are_numbered_west_to_east_then_north_to_south(demo_city):
    by_community = defaultdict(list)
    for grid in UnitGrid.objects.order_by("code"):
        by_community[grid.community_id].append(grid)
    for grids in by_community.values():
        positions = [(-round(g.max_lat, 7), round(g.min_lng, 7)) for g in grids]
        assert positions == sorted(positions)


def test_demo_grids_are_about_one_hectare_and_do_not_overlap(demo_city):
    grids = list(UnitGrid.objects.select_related("community"))
    assert all(9000 < g.area_m2 < 11000 for g in grids)
    result = validate_polygons([(g.code, g.geometry, g.community.code) for g in grids])
    assert result.errors == []


def test_community_boundary_is_the_union_of_its_grids(demo_city):
    community = Division.objects.filter(level="community").first()
    union = shapely.union_all([g.geometry for g in community.unit_grids.all()])
    assert community.geometry.symmetric_difference(union).area < 1e-12


def test_division_boundaries_are_single_valid_polygons(demo_city):
    for division in Division.objects.all():
        assert division.geometry.geom_type == "Polygon", division.code
        assert division.geometry.is_valid, division.code
        assert division.geometry.exterior.is_ccw, division.code


def _component_snapshot() -> list[tuple]:
    return list(Component.objects.order_by("code").values_list("code", "lng", "lat", "unit_grid__code", "state"))


def _wipe_demo_city() -> None:
    for model in (RoutingRule, Component, RegisterCondition, GridChief, DutyGrid, StreetAddress, Road, UnitGrid):
        model.objects.all().delete()
    for level in ("community", "subdistrict", "district"):
        Division.objects.filter(level=level).delete()
    User.objects.all().delete()
    Department.objects.all().delete()


def test_same_seed_builds_the_same_city(db):
    build_demo_city(grids=40, components=50, seed=3)
    first = _component_snapshot()
    _wipe_demo_city()
    build_demo_city(grids=40, components=50, seed=3)
    assert _component_snapshot() == first
    _wipe_demo_city()
    build_demo_city(grids=40, components=50, seed=4)
    assert _component_snapshot() != first


def test_demo_refuses_a_database_that_already_has_a_territory(demo_city):
    with pytest.raises(DomainError, match="已有辖区数据"):
        build_demo_city(grids=20, components=0, seed=1)
    assert UnitGrid.objects.count() == demo_city.grids


def test_demo_command_with_if_empty_skips_a_loaded_database(demo_city, capsys):
    call_command("demo", "--if-empty")
    assert "跳过" in capsys.readouterr().out
    with pytest.raises(CommandError, match="已有辖区数据"):
        call_command("demo")
    assert UnitGrid.objects.count() == demo_city.grids


def test_every_department_has_a_demo_account(demo_city):
    short_codes = set(Department.objects.values_list("short_name", flat=True))
    assert {"zhifa", "zhujian", "shichang", "jiaojing", "huanjing", "chengtou", "wuyuan"} <= short_codes
    accounts = set(User.objects.filter(role="department").values_list("username", flat=True))
    assert accounts == {f"dept_{code}" for code in short_codes}
    staff = set(User.objects.exclude(role__in=["department", "inspector"]).values_list("username", "role"))
    inspectors = User.objects.filter(role="inspector").order_by("username")
    assert inspectors.first().username == "inspector" and inspectors.count() >= 2
    patrolled = [code for user in inspectors for code in user.scope_division_codes]
    communities = Division.objects.filter(level="community").values_list("code", flat=True)
    assert sorted(patrolled) == sorted(communities), "every community has exactly one inspector"
    assert staff == {
        ("admin", "sysadmin"),
        ("secadmin", "secadmin"),
        ("auditor", "auditor"),
        ("operator", "operator"),
        ("shift_leader", "shift_leader"),
        ("dispatcher", "dispatcher"),
        ("leader", "leader"),
    }


def test_demo_accounts_log_in_with_the_demo_password(demo_city, settings):
    assert authenticate(HttpRequest(), username="dispatcher", password=settings.DEMO_PASSWORD) is not None
    assert authenticate(HttpRequest(), username="dept_zhifa", password="wrong") is None


def test_demo_accounts_have_no_usable_password_outside_demo_mode(db, settings):
    settings.DEMO_MODE = False
    build_demo_city(grids=20, components=0, seed=1)
    assert not any(u.has_usable_password() for u in User.objects.all())


def test_every_active_class_has_a_register_condition_with_a_limit(demo_city):
    classes = CaseClass.objects.filter(active=True)
    assert classes.count() == 403
    assert not classes.filter(register_conditions__isnull=True).exists()
    garbage = RegisterCondition.objects.get(case_class__kind="event", case_class__code="06010")
    assert (garbage.handling_limit_value, garbage.handling_limit_unit) == (4, "working_hours")


def test_components_lie_in_their_unit_grid_and_carry_17_digit_codes(demo_city):
    components = Component.objects.select_related("unit_grid", "case_class")
    assert components.count() == 600
    for component in components:
        assert component.unit_grid.geometry.covers(shapely.Point(component.lng, component.lat))
        assert re.fullmatch(r"330424\d{11}", component.code)
        assert component.code[6:11] == component.case_class.code
        assert component.maintaining_department is not None


def test_duty_grids_have_an_area_chief_and_roads_have_road_chiefs(demo_city):
    for duty in DutyGrid.objects.all():
        assert duty.chiefs.filter(role="area").count() == 1
        assert duty.unit_grids.exists()
    road_chief = GridChief.objects.filter(role="road").first()
    assert road_chief.roads.count() == 1
