"""The map page and its GeoJSON endpoints on the server side: who may open them, scope, bbox, filters, errors."""

import gzip
import json
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from xiuhua.accounts.choices import Role
from xiuhua.accounts.models import User
from xiuhua.cases import mapping
from xiuhua.territory.models import Division, UnitGrid
from xiuhua.web.tests.test_shell import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_city(shared_demo_city):
    """Every test here uses the demo city and none commits: one city for the module (conftest.module_demo_city),
    each test in a savepoint of it."""
    return shared_demo_city


WUYUAN = "330424001"


def bbox_of(obj) -> str:
    return f"{obj.min_lng},{obj.min_lat},{obj.max_lng},{obj.max_lat}"


def district_bbox() -> str:
    return bbox_of(Division.objects.get(level="district"))


def numbers(response) -> list[str]:
    assert response.status_code == 200, response.content
    return sorted(f["properties"]["n"] for f in response.json()["features"])


@pytest.mark.parametrize(
    "username", ["operator", "shift_leader", "dispatcher", "inspector", "leader", "dept_zhifa", "admin"]
)
def test_every_staff_role_opens_the_map_with_the_map_in_its_menu(demo_city, username):
    response = signed_in(username).get("/map/")

    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="map"' in page and 'href="/map/"' in page


def test_no_tiles_are_drawn_unless_a_tile_url_is_set(demo_city, settings):
    client = signed_in("leader")
    assert client.get("/map/").context["map_options"]["tiles"] == ""

    settings.XIUHUA_MAP_TILES = "https://tiles.example.gov.cn/{z}/{x}/{y}.png"

    assert "https://tiles.example.gov.cn/{z}/{x}/{y}.png" in client.get("/map/").content.decode()


@pytest.mark.parametrize(
    "path", ["/map/", "/map/grids.geojson?bbox=120,30,121,31&zoom=15", "/map/cases.geojson", "/map/cases/1/"]
)
def test_anonymous_visitors_are_sent_to_log_in(demo_city, path):
    response = Client().get(path)

    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_map_starts_from_the_scope_of_the_user(demo_city):
    User.objects.create_user(
        "wuyuan_leader", password=settings.DEMO_PASSWORD, role=Role.LEADER, scope_division_codes=[WUYUAN]
    )
    client = signed_in("wuyuan_leader")

    options = client.get("/map/").context["map_options"]

    town = Division.objects.get(code=WUYUAN)
    assert options["bounds"] == pytest.approx((town.min_lng, town.min_lat, town.max_lng, town.max_lat))
    assert options["urls"]["grids"] == "/map/grids.geojson"


def test_grid_layer_is_geojson_of_the_bbox(demo_city):
    grid = UnitGrid.objects.order_by("code")[5]
    x0, y0, x1, y1 = grid.geometry.bounds
    inside = f"{x0 + 1e-5},{y0 + 1e-5},{x1 - 1e-5},{y1 - 1e-5}"

    response = signed_in("operator").get(f"/map/grids.geojson?bbox={inside}&zoom=17")

    assert response.status_code == 200 and response["Content-Type"] == "application/geo+json"
    body = response.json()
    assert body["level"] == "grid" and [f["id"] for f in body["features"]] == [grid.code]


def test_grid_layer_is_community_outlines_when_zoomed_out(demo_city):
    body = signed_in("operator").get(f"/map/grids.geojson?bbox={district_bbox()}&zoom=13").json()

    assert body["level"] == "community"
    assert body["count"] == Division.objects.filter(level="community").count()


def test_layers_are_gzipped_for_browsers_that_accept_it(demo_city):
    response = signed_in("operator").get(
        f"/map/grids.geojson?bbox={district_bbox()}&zoom=17", HTTP_ACCEPT_ENCODING="gzip"
    )

    assert response["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(response.content))["count"] == UnitGrid.objects.count()


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ("zoom=15", "bbox 应为"),
        ("bbox=1,2,3&zoom=15", "bbox 应为"),
        ("bbox=a,b,c,d&zoom=15", "bbox 应为"),
        ("bbox=121,30,120,31&zoom=15", "最小经纬度不能大于最大经纬度"),
        ("bbox=100,20,120,40&zoom=15", "范围过大"),
        ("bbox=120,30,121,31", "zoom"),
        ("bbox=120,30,121,31&zoom=99", "zoom"),
    ],
)
def test_a_bad_bbox_or_zoom_is_a_400_with_the_reason(demo_city, query, fragment):
    client = signed_in("operator")

    for path in ("/map/grids.geojson", "/map/divisions.geojson"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 400
        assert fragment in response.json()["detail"]


def test_division_layer_gives_sub_districts_with_names(demo_city):
    body = signed_in("leader").get(f"/map/divisions.geojson?level=subdistrict&bbox={district_bbox()}&zoom=12").json()

    assert {f["properties"]["code"]: f["properties"]["name"] for f in body["features"]} == dict(
        Division.objects.filter(level="subdistrict").values_list("code", "name")
    )


def test_an_unknown_division_level_is_a_400(demo_city):
    response = signed_in("leader").get(f"/map/divisions.geojson?level=street&bbox={district_bbox()}&zoom=12")

    assert response.status_code == 400


def test_cases_layer_shows_open_cases_with_their_light(loop, people):
    reported = loop.report()
    closed = loop.to_checked()
    loop.act(closed, "close", people.shift_leader)

    body = signed_in("operator").get("/map/cases.geojson").json()

    assert [(f["properties"]["n"], f["properties"]["s"]) for f in body["features"]] == [(reported.number, "reported")]
    feature = body["features"][0]
    assert feature["properties"]["l"] == "green"
    assert feature["geometry"]["coordinates"] == [round(reported.lng, 6), round(reported.lat, 6)]
    assert (body["count"], body["truncated"]) == (1, False)


def test_a_department_sees_only_its_own_cases_on_the_map(loop):
    ours = loop.to_dispatched(department="zhifa")
    theirs = loop.to_dispatched(department="zhujian")
    loop.report()

    assert numbers(signed_in("dept_zhifa").get("/map/cases.geojson")) == [ours.number]
    assert numbers(signed_in("dept_zhujian").get("/map/cases.geojson")) == [theirs.number]
    assert len(numbers(signed_in("leader").get("/map/cases.geojson"))) == 3


def test_cases_filter_by_status_class_and_bbox(loop, spot):
    waiting = loop.report(class_code="01002")
    registered = loop.to_registered()
    client = signed_in("dispatcher")
    far_away = "121.5,31.1,121.6,31.2"
    here = f"{spot[0] - 0.001},{spot[1] - 0.001},{spot[0] + 0.001},{spot[1] + 0.001}"

    assert numbers(client.get("/map/cases.geojson?status=registered")) == [registered.number]
    assert numbers(client.get("/map/cases.geojson?status=reported,registered")) == sorted(
        [waiting.number, registered.number]
    )
    assert numbers(client.get("/map/cases.geojson?class=01002")) == [waiting.number]
    assert numbers(client.get("/map/cases.geojson?kind=event&major=01")) == sorted([waiting.number, registered.number])
    assert numbers(client.get("/map/cases.geojson?kind=component")) == []
    assert numbers(client.get(f"/map/cases.geojson?bbox={far_away}")) == []
    assert len(numbers(client.get(f"/map/cases.geojson?bbox={here}"))) == 2


@pytest.mark.parametrize("query", ["status=lost", "class=1", "major=abc", "kind=thing", "bbox=1,2"])
def test_bad_case_filters_are_a_400(demo_city, query):
    response = signed_in("operator").get(f"/map/cases.geojson?{query}")

    assert response.status_code == 400 and response.json()["detail"]


def test_the_case_popup_summarises_a_case_and_links_to_it(loop):
    case = loop.report()

    response = signed_in("operator").get(f"/map/cases/{case.number}/")

    page = response.content.decode()
    assert response.status_code == 200
    assert f'href="/cases/{case.number}/"' in page and case.case_class.name in page


def test_a_case_outside_the_scope_has_no_popup(loop):
    case = loop.to_dispatched(department="zhujian")

    response = signed_in("dept_zhifa").get(f"/map/cases/{case.number}/")

    assert response.status_code == 404 and 'data-testid="case-popup-error"' in response.content.decode()


def test_too_many_cases_keep_the_most_urgent_and_say_so(loop, monkeypatch):
    loop.report()
    overdue = loop.to_dispatched(now=timezone.now() - timedelta(days=20))
    monkeypatch.setattr(mapping, "MAX_POINTS", 1)

    body = signed_in("leader").get("/map/cases.geojson").json()

    assert (body["count"], body["truncated"]) == (1, True)
    assert [(f["properties"]["n"], f["properties"]["l"]) for f in body["features"]] == [(overdue.number, "red")]
