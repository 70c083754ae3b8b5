"""Point → words, with known answers: a house number, a road's side and distance, the community, nothing."""

import pytest
import shapely
from pyproj import Geod

from xiuhua.geo.local import degrees_around, to_local
from xiuhua.territory.models import Road, StreetAddress, UnitGrid
from xiuhua.territory.reverse_geocoding import reverse_geocode, round_metres

pytestmark = pytest.mark.django_db


def offset(lng: float, lat: float, east_m: float, north_m: float) -> tuple[float, float]:
    """The point `east_m` metres east and `north_m` metres north of (lng, lat), exactly on the ellipsoid."""
    lng1, lat1, _ = Geod(ellps="WGS84").fwd(lng, lat, 90.0, east_m)
    return Geod(ellps="WGS84").fwd(lng1, lat1, 0.0, north_m)[:2]


@pytest.fixture
def street(demo_city):
    """Only our own roads and numbers: an east–west 海滨路, a north–south 滨江街 and number 12 of 海滨东路."""
    StreetAddress.objects.all().delete()
    Road.objects.all().delete()
    grid = UnitGrid.objects.order_by("code")[len(UnitGrid.objects.all()) // 2]
    centre = grid.geometry.centroid
    x0, y0 = centre.x, centre.y
    west, east = offset(x0, y0, -400, 0), offset(x0, y0, 400, 0)
    south, north = offset(x0, y0, 300, -400), offset(x0, y0, 300, 400)
    for code, name, line in (
        ("T1", "海滨路", [west, east]),
        ("T2", "滨江街", [north, south]),
    ):
        road = Road(code=code, name=name)
        road.set_geometry(shapely.LineString(line))
        road.save()
    beach_east = Road.objects.create(code="T3", name="海滨东路")
    number = offset(x0, y0, -200, 30)
    StreetAddress.objects.create(road=beach_east, number=12, lng=number[0], lat=number[1])
    StreetAddress.objects.create(road=beach_east, number=14, lng=offset(*number, 90, 0)[0], lat=number[1])
    return {"centre": (x0, y0), "number": number, "community": grid.community.name}


def test_a_point_at_a_house_number_is_that_number(street):
    place = reverse_geocode(*offset(*street["number"], 6, 3))
    assert (place.text, place.precision) == ("海滨东路12号", "address")


def test_a_point_a_little_further_is_near_that_number(street):
    place = reverse_geocode(*offset(*street["number"], 0, 40))
    assert (place.text, place.precision) == ("海滨东路12号附近", "near_address")
    assert place.distance_m == pytest.approx(40, abs=0.2)


def test_the_nearer_of_two_numbers_wins(street):
    place = reverse_geocode(*offset(*street["number"], 60, 0))  # 60 m from 12, 30 m from 14
    assert place.text == "海滨东路14号附近"


def test_without_a_number_nearby_the_road_gives_its_side_and_distance(street):
    x0, y0 = street["centre"]
    assert reverse_geocode(*offset(x0, y0, 0, 41)).text == "海滨路 北侧 约 40 米"
    assert reverse_geocode(*offset(x0, y0, 0, -123)).text == "海滨路 南侧 约 120 米"
    place = reverse_geocode(*offset(x0, y0, 300 + 27, -150))
    assert (place.text, place.precision) == ("滨江街 东侧 约 25 米", "road")
    assert place.distance_m == pytest.approx(27, abs=0.2)
    assert reverse_geocode(*offset(x0, y0, 300 - 72, -150)).text == "滨江街 西侧 约 70 米"


def test_a_point_on_the_road_itself_has_no_side(street):
    x0, y0 = street["centre"]
    assert reverse_geocode(*offset(x0, y0, 50, 1)).text == "海滨路上"


def test_far_from_numbers_and_roads_the_community_names_the_place(street, settings):
    settings.XIUHUA_ROAD_SNAP_METRES = 30
    x0, y0 = street["centre"]
    place = reverse_geocode(*offset(x0, y0, 100, 45))
    assert (place.text, place.precision) == (street["community"], "community")


def test_a_point_outside_the_territory_has_no_words(street):
    assert reverse_geocode(100.0, 30.0) is None


def test_the_snap_distance_is_a_setting(street, settings):
    settings.XIUHUA_ADDRESS_SNAP_METRES = 20
    place = reverse_geocode(*offset(*street["number"], 0, 40))
    assert place.precision == "road"


def test_local_metres_agree_with_geodesic_distances():
    lng, lat = 120.94, 30.52
    for east, north in ((40, 0), (0, 40), (300, -400), (-1000, 700)):
        x, y = to_local(*offset(lng, lat, east, north), lng, lat)
        assert (float(x), float(y)) == pytest.approx((east, north), abs=0.01 * max(abs(east), abs(north)) / 100)
    dlng, dlat = degrees_around(lat, 100)
    assert Geod(ellps="WGS84").inv(lng, lat, lng, lat + dlat)[2] == pytest.approx(100, abs=0.01)
    assert Geod(ellps="WGS84").inv(lng, lat, lng + dlng, lat)[2] == pytest.approx(100, abs=0.01)


@pytest.mark.parametrize(
    ("metres", "said"), [(0.4, 5), (7.4, 5), (7.6, 10), (41, 40), (123, 120), (995, 1000), (1260, 1250)]
)
def test_distances_are_rounded_as_people_say_them(metres, said):
    assert round_metres(metres) == said
