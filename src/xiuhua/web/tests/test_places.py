"""Places people can find: a point reported without address text gets words from the point at intake, shown on
every page that shows an address; stored cases are filled by `xiuhua fill_addresses`; the phone's check page
shows the after-photos, the department's reply, the map and links into the map apps; task distances read right."""

from io import StringIO
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.management import call_command
from django.template import Context, Template
from django.utils.html import escape
from pyproj import Geod

from xiuhua.accounts.models import User
from xiuhua.cases.derivatives import build_pending_derivatives
from xiuhua.cases.models import Case
from xiuhua.cases.tests.conftest import photo
from xiuhua.geo.crs import wgs84_to_bd09, wgs84_to_gcj02
from xiuhua.intake.channels.staff.adapter import report_by_staff
from xiuhua.intake.places import precision_label
from xiuhua.intake.services import ReportInput
from xiuhua.territory.models import UnitGrid
from xiuhua.territory.reverse_geocoding import reverse_geocode
from xiuhua.web.navigation import navigation_links
from xiuhua.web.tests.test_mobile import report_form, signed_in

pytestmark = pytest.mark.django_db


def point_report(people, spot, **extra) -> Case:
    data = ReportInput(class_code="01001", kind="event", description="路面有暴露垃圾", lng=spot[0], lat=spot[1])
    return report_by_staff(people.operator, data, **extra).case


def test_a_point_reported_without_words_gets_its_address_from_the_point(people, spot):
    case = point_report(people, spot)
    expected = reverse_geocode(*spot)
    assert case.address == expected.text and case.address
    assert case.location_precision == "point_" + expected.precision


def test_the_reporters_own_words_are_kept(loop):
    case = loop.report()
    assert (case.address, case.location_precision) == ("武原街道海滨东路 1 号", "point")


def test_a_pin_dropped_on_the_phone_is_stored_with_its_address(demo_city, spot):
    response = signed_in("inspector").post("/m/report/", report_form(spot), HTTP_IDEMPOTENCY_KEY="pin-1")
    assert response.status_code == 201, response.content
    case = Case.objects.get(number=response.json()["number"])
    assert case.address == reverse_geocode(*spot).text and case.location_precision.startswith("point_")


def test_the_api_reports_the_address_and_its_precision(people, spot, as_user):
    operator = as_user("operator")
    created = operator.post_json(
        "/reports", {"class_code": "01001", "kind": "event", "description": "井盖缺失", "lng": spot[0], "lat": spot[1]}
    )
    assert created.status_code == 201, created.content
    case = operator.get(f"/cases/{created.json()['number']}").json()
    assert case["address"] == reverse_geocode(*spot).text
    assert case["location_precision"].startswith("point_")


def test_fill_addresses_names_stored_cases_once(people, spot):
    case = point_report(people, spot)
    Case.objects.filter(pk=case.pk).update(address="", location_precision="point")
    named = point_report(people, spot)
    Case.objects.filter(pk=named.pk).update(address="热线来电人说的地址", location_precision="point")
    out = StringIO()
    call_command("fill_addresses", stdout=out)
    assert "已补全 1 件" in out.getvalue()
    case.refresh_from_db()
    named.refresh_from_db()
    assert case.address == reverse_geocode(*spot).text and case.location_precision.startswith("point_")
    assert named.address == "热线来电人说的地址" and named.location_precision == "point"
    call_command("fill_addresses", stdout=out)
    assert "已补全 0 件" in out.getvalue()


def test_the_address_is_shown_in_the_queues_the_panel_the_case_page_and_the_department(loop, people, spot):
    case = point_report(people, spot)
    address = case.address
    assert address
    assert address in signed_in("operator").get("/centre/intake/?tab=accept").content.decode()
    panel = signed_in("operator").get(f"/centre/intake/?case={case.number}").content.decode()
    assert address in panel and "地址由坐标推算" in panel
    assert address in signed_in("operator").get(f"/cases/{case.number}/").content.decode()
    assert address in signed_in("operator").get(f"/map/cases/{case.number}/").content.decode()
    loop.act(case, "accept", people.operator)
    loop.act(case, "register", people.shift_leader)
    loop.act(case, "dispatch", people.dispatcher, department="zhifa")
    assert address in signed_in("dept_zhifa").get("/department/").content.decode()


@pytest.fixture
def checking(loop, people, spot):
    """A case reported by a point, handled and reported back with a photo and words, sent to be checked."""
    case = point_report(people, spot, photos=[photo("before.jpg")])
    loop.act(case, "accept", people.operator)
    loop.act(case, "register", people.shift_leader)
    loop.act(case, "dispatch", people.dispatcher, department="zhifa")
    loop.act(case, "handle", people.zhifa)
    loop.act(case, "report_back", people.zhifa, files=[photo("after.jpg")], note="已清运完毕，路面已冲洗")
    return loop.act(case, "check", people.operator, inspector="inspector")


def test_the_desktop_case_page_says_how_the_address_was_found_and_links_the_map_apps(people, spot):
    case = point_report(people, spot)
    named = worded_report(people, spot, "武原街道海滨东路 1 号")

    for username in ("operator", "leader"):
        page = signed_in(username).get(f"/cases/{case.number}/").content.decode()
        precision = f'data-testid="case-precision">({precision_label(case.location_precision)})<'
        assert case.address in page and precision in page
        assert "地址由坐标推算" in page
        for link in navigation_links(case.lng, case.lat, case.address):
            assert f'href="{escape(link.url)}"' in page, link.app
    own_words = signed_in("operator").get(f"/cases/{named.number}/").content.decode()
    assert "武原街道海滨东路 1 号" in own_words and 'data-testid="case-precision"' not in own_words
    assert 'data-testid="nav-amap"' in own_words


def worded_report(people, spot, address: str) -> Case:
    """A case whose reporter gave the address in words: stored as said, with precision "point"."""
    data = ReportInput(
        class_code="01001", kind="event", description="路面有暴露垃圾", lng=spot[0], lat=spot[1], address=address
    )
    return report_by_staff(people.operator, data).case


def test_the_check_page_shows_before_and_after_the_reply_the_map_and_the_nav_links(checking):
    build_pending_derivatives()  # the worker's thumbnails (until then the page shows 照片处理中)
    page = signed_in("inspector").get(f"/m/cases/{checking.number}/").content.decode()
    before = page[page.index('data-testid="photos-before"') : page.index('data-testid="photos-after"')]
    after = page[page.index('data-testid="photos-after"') : page.index('data-testid="dept-reply"')]
    assert before.count("<img") == 1 and after.count("<img") == 1
    assert "已清运完毕，路面已冲洗" in page and "部门反馈" in page
    assert checking.address in page and 'data-testid="case-map"' in page
    assert f'data-place-url="/cases/{checking.number}/place.geojson"' in page
    for app in ("geo", "amap", "baidu", "apple"):
        assert f'data-testid="nav-{app}"' in page
    assert 'data-testid="m-action-check"' in page


def test_the_verify_page_has_the_address_map_and_nav_links_too(loop, people, spot):
    case = point_report(people, spot)
    loop.act(case, "accept", people.operator)
    loop.act(case, "verify", people.operator, inspector="inspector")
    page = signed_in("inspector").get(f"/m/cases/{case.number}/").content.decode()
    assert case.address in page and 'data-testid="case-map"' in page and 'data-testid="nav-amap"' in page
    assert 'data-testid="dept-reply"' not in page
    assert case.address in signed_in("inspector").get("/m/").content.decode()  # the task list names it too


def test_each_map_app_gets_the_point_in_its_own_coordinates():
    lng, lat = 120.948217, 30.526731
    links = {link.app: link.url for link in navigation_links(lng, lat, "海滨路 北侧 约 40 米")}
    assert links["geo"].startswith(f"geo:{lat:.6f},{lng:.6f}?q=")
    gcj = wgs84_to_gcj02(lng, lat)
    amap = parse_qs(urlparse(links["amap"]).query)
    assert amap["position"] == [f"{gcj[0]:.6f},{gcj[1]:.6f}"] and amap["coordinate"] == ["gaode"]
    assert amap["name"] == ["海滨路 北侧 约 40 米"]
    bd = wgs84_to_bd09(lng, lat)
    baidu = parse_qs(urlparse(links["baidu"]).query)
    assert baidu["location"] == [f"{bd[1]:.6f},{bd[0]:.6f}"] and baidu["coord_type"] == ["bd09ll"]
    apple = parse_qs(urlparse(links["apple"]).query)
    assert apple["ll"] == [f"{gcj[1]:.6f},{gcj[0]:.6f}"]
    # GCJ-02 is hundreds of metres off in places; here it must at least move the point.
    assert Geod(ellps="WGS84").inv(lng, lat, *gcj)[2] > 100


@pytest.mark.parametrize(
    ("metres", "shown"),
    [(0, "0 m"), (42.4, "42 m"), (856, "860 m"), (994, "990 m"), (996, "1.0 km"), (1108.1, "1.1 km"), (12e3, "12 km")],
)
def test_distances_read_in_metres_below_a_kilometre_and_kilometres_above(metres, shown):
    rendered = Template("{% load xiuhua_place %}{{ d|distance }}").render(Context({"d": metres}))
    assert rendered == shown


def test_the_task_list_says_1_1_km_for_a_case_1108_m_away_and_puts_the_nearest_first(loop, people, spot):
    patrol = User.objects.get(username="inspector").scope_division_codes
    other = UnitGrid.objects.filter(community__code__in=patrol).order_by("-code").first().geometry.centroid
    near = point_report(people, spot)
    far = point_report(people, (other.x, other.y))
    for case in (near, far):
        loop.act(case, "accept", people.operator)
        loop.act(case, "verify", people.operator, inspector="inspector")
    client = signed_in("inspector")
    east = Geod(ellps="WGS84").fwd(spot[0], spot[1], 90.0, 1108.1)[:2]
    page = client.get("/m/", {"lng": east[0], "lat": east[1]}).content.decode()
    assert "1108.1 km" not in page
    near_row = page[page.index(f'data-number="{near.number}"') :]
    assert near_row.index('data-testid="distance">1.1 km<') < near_row.index("</a>")
    at_spot = client.get("/m/", {"lng": spot[0], "lat": spot[1]}).content.decode()
    assert at_spot.index(near.number) < at_spot.index(far.number)
    assert 'data-testid="distance">0 m<' in at_spot
    at_other = client.get("/m/", {"lng": other.x, "lat": other.y}).content.decode()
    assert at_other.index(far.number) < at_other.index(near.number)
