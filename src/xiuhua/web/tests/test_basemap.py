"""The base map's endpoints: roads, house numbers and components by bbox and zoom, in the user's scope."""

from __future__ import annotations

import pytest
import shapely
from django.conf import settings
from django.test import Client

from xiuhua.accounts.choices import Role
from xiuhua.accounts.models import User
from xiuhua.catalog import mapview
from xiuhua.catalog.models import Component
from xiuhua.territory.models import Division, Road, StreetAddress
from xiuhua.web.tests.test_shell import signed_in

pytestmark = pytest.mark.django_db

WUYUAN = "330424001"


def bbox_of(obj) -> str:
    return f"{obj.min_lng},{obj.min_lat},{obj.max_lng},{obj.max_lat}"


def district_bbox() -> str:
    return bbox_of(Division.objects.get(level="district"))


def layer(client: Client, name: str, bbox: str, zoom: int, **more) -> dict:
    response = client.get(f"/map/{name}.geojson", {"bbox": bbox, "zoom": zoom, **more})
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/geo+json"
    return response.json()


def add_road(code: str, kind: str, inside: Division, subdistrict: Division | None = None) -> Road:
    """A road across the middle of a division (the demo's roads are all arterial)."""
    y = (inside.min_lat + inside.max_lat) / 2
    road = Road(code=code, name=f"测试{kind}路", kind=kind, subdistrict=subdistrict)
    road.set_geometry(shapely.LineString([(inside.min_lng, y), (inside.max_lng, y)]))
    road.save()
    return road


def scoped_leader(code: str = WUYUAN) -> Client:
    User.objects.create_user(
        f"leader_{code}", password=settings.DEMO_PASSWORD, role=Role.LEADER, scope_division_codes=[code]
    )
    return signed_in(f"leader_{code}")


def test_roads_of_the_bbox_are_drawn_with_their_names(demo_city):
    body = layer(signed_in("leader"), "roads", district_bbox(), 15)

    assert body["count"] == Road.objects.count() > 0
    names = {f["properties"]["name"] for f in body["features"]}
    assert names == set(Road.objects.values_list("name", flat=True))
    assert {f["geometry"]["type"] for f in body["features"]} == {"LineString"}


def test_minor_roads_are_left_out_when_zoomed_out(demo_city):
    district = Division.objects.get(level="district")
    add_road("RTLANE", "lane", district)
    add_road("RTBRANCH", "branch", district)
    client = signed_in("leader")

    wide = layer(client, "roads", district_bbox(), 11)
    close = layer(client, "roads", district_bbox(), 15)

    assert {f["properties"]["kind"] for f in wide["features"]} <= {"arterial", "secondary"}
    assert wide["count"] == Road.objects.filter(kind__in=["arterial", "secondary"]).count()
    assert close["count"] == Road.objects.count() == wide["count"] + 2


def test_house_numbers_are_sent_only_zoomed_in(demo_city):
    address = StreetAddress.objects.select_related("road").order_by("id")[10]
    d = 0.002
    bbox = f"{address.lng - d},{address.lat - d},{address.lng + d},{address.lat + d}"
    client = signed_in("leader")

    assert layer(client, "addresses", bbox, 16)["features"] == []
    close = layer(client, "addresses", bbox, 17)

    labels = {(f["properties"]["road"], f["properties"]["no"]) for f in close["features"]}
    assert (address.road.name, address.number) in labels
    expected = StreetAddress.objects.filter(
        lng__gte=address.lng - d, lng__lte=address.lng + d, lat__gte=address.lat - d, lat__lte=address.lat + d
    ).count()
    assert close["count"] == expected


def test_components_are_points_with_class_and_state_zoomed_in(demo_city):
    component = Component.objects.select_related("case_class").order_by("code").first()
    d = 0.001
    bbox = f"{component.lng - d},{component.lat - d},{component.lng + d},{component.lat + d}"

    body = layer(signed_in("leader"), "components", bbox, 18)

    assert body["mode"] == "points"
    found = {f["id"]: f["properties"] for f in body["features"]}
    assert found[component.code] == {"c": component.case_class.code, "s": component.state}
    assert body["classes"][component.case_class.code] == component.case_class.name


def test_zoomed_out_components_are_counted_per_cell_server_side(demo_city):
    body = layer(signed_in("leader"), "components", district_bbox(), 13)

    assert body["mode"] == "cells"
    assert body["total"] == Component.objects.count() == sum(f["properties"]["n"] for f in body["features"])
    assert body["count"] < Component.objects.count() / 5
    not_intact = Component.objects.exclude(state="intact").count()
    assert sum(f["properties"]["bad"] for f in body["features"]) == not_intact


def test_one_major_class_of_components_can_be_shown_alone(demo_city):
    major = Component.objects.select_related("case_class").first().case_class.major_code

    body = layer(signed_in("leader"), "components", district_bbox(), 13, major=major)

    assert body["total"] == Component.objects.filter(case_class__major_code=major).count()


def test_a_changed_component_is_counted_again(demo_city):
    client = signed_in("leader")
    before = layer(client, "components", district_bbox(), 13)
    component = Component.objects.filter(state="intact").first()
    component.state = "damaged"
    component.save()

    after = layer(client, "components", district_bbox(), 13)

    bad = [sum(f["properties"]["bad"] for f in b["features"]) for b in (before, after)]
    assert bad[1] == bad[0] + 1


def test_a_scoped_user_sees_only_the_components_and_house_numbers_of_the_scope(demo_city):
    client = scoped_leader()
    mapview.forget_snapshot()

    cells = layer(client, "components", district_bbox(), 13)
    in_scope = Component.objects.filter(unit_grid__community__code__startswith=WUYUAN).count()
    assert 0 < cells["total"] == in_scope < Component.objects.count()

    elsewhere = Component.objects.exclude(unit_grid__community__code__startswith=WUYUAN).first()
    d = 0.0005
    around = f"{elsewhere.lng - d},{elsewhere.lat - d},{elsewhere.lng + d},{elsewhere.lat + d}"
    assert elsewhere.code not in {f["id"] for f in layer(client, "components", around, 18)["features"]}
    assert elsewhere.code in {f["id"] for f in layer(signed_in("leader"), "components", around, 18)["features"]}

    addresses = layer(client, "addresses", district_bbox(), 17)
    outside = StreetAddress.objects.exclude(unit_grid__community__code__startswith=WUYUAN)
    assert not {(a.road.name, a.number) for a in outside.select_related("road")} & {
        (f["properties"]["road"], f["properties"]["no"]) for f in addresses["features"]
    }


def test_a_scoped_user_sees_roads_only_within_the_scope(demo_city):
    town = Division.objects.get(code=WUYUAN)
    other = Division.objects.filter(level="subdistrict").exclude(code=WUYUAN).order_by("code").first()
    add_road("RTOWN", "lane", town, subdistrict=town)
    add_road("ROTHER", "lane", other, subdistrict=other)
    client = scoped_leader()

    body = layer(client, "roads", district_bbox(), 15)

    for feature in body["features"]:
        coords = feature["geometry"]["coordinates"]
        xs, ys = [c[0] for c in coords], [c[1] for c in coords]
        e = 1e-4  # coordinates are rounded to half a pixel at the zoom
        assert max(xs) >= town.min_lng - e and min(xs) <= town.max_lng + e
        assert max(ys) >= town.min_lat - e and min(ys) <= town.max_lat + e
    ids = {f["id"] for f in body["features"]}
    assert "RTOWN" in ids and "ROTHER" not in ids
    assert "ROTHER" in {f["id"] for f in layer(signed_in("leader"), "roads", district_bbox(), 15)["features"]}


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("bbox=1,2,3&zoom=13", "invalid_bbox"),
        ("bbox=121,31,120,30&zoom=13", "invalid_bbox"),
        ("bbox=100,20,120,40&zoom=13", "bbox_too_large"),
        ("bbox=120,30,121,31&zoom=abc", "invalid_zoom"),
        ("bbox=120,30,121,31", "invalid_zoom"),
    ],
)
@pytest.mark.parametrize("name", ["roads", "addresses", "components"])
def test_a_bad_bbox_or_zoom_is_refused_in_chinese(demo_city, name, query, code):
    response = signed_in("leader").get(f"/map/{name}.geojson?{query}")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["detail"])


def test_a_bad_major_class_is_refused_in_chinese(demo_city):
    response = signed_in("leader").get(f"/map/components.geojson?bbox={district_bbox()}&zoom=13&major=x1")

    assert response.status_code == 400
    assert response.json() == {"detail": "部件大类代码应为 2 位数字，收到「x1」", "code": "invalid_major"}


@pytest.mark.parametrize("name", ["roads", "addresses", "components"])
def test_anonymous_visitors_get_no_base_layers(demo_city, name):
    response = Client().get(f"/map/{name}.geojson?bbox=120,30,121,31&zoom=15")

    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_every_map_is_told_its_base_layers_and_the_tiles_crs(demo_city, settings):
    client = signed_in("leader")
    base = client.get("/map/").context["map_options"]["base"]
    assert base["urls"] == {
        "roads": "/map/roads.geojson",
        "addresses": "/map/addresses.geojson",
        "components": "/map/components.geojson",
    }
    assert base["crs"] == "wgs84"
    assert [base["labels"][k] for k in ("roads", "addresses", "components", "grids", "cases")] == [
        "道路",
        "门牌",
        "部件",
        "网格",
        "案卷",
    ]

    settings.XIUHUA_MAP_TILES_CRS = "gcj02"
    assert client.get("/map/").context["map_options"]["base"]["crs"] == "gcj02"
    assert Client().get("/public/").context["map"]["base"] == {**base, "crs": "gcj02", "urls": {}}
