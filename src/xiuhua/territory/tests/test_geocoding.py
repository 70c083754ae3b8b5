"""Address text → point through the demo city's street-address table, with the precision said."""

import pytest
import shapely

from xiuhua.core.errors import DomainError
from xiuhua.territory.geocoding import Precision, geocode
from xiuhua.territory.models import Division, Road, StreetAddress
from xiuhua.territory.services import locate_point

pytestmark = pytest.mark.django_db


@pytest.fixture
def address(demo_city) -> StreetAddress:
    return StreetAddress.objects.select_related("road", "unit_grid").order_by("road__code", "number")[5]


def test_demo_city_numbers_its_roads_odd_on_one_side_even_on_the_other(demo_city):
    road = Road.objects.order_by("code").first()
    numbers = list(road.addresses.order_by("number").values_list("number", flat=True))
    assert len(numbers) > 10 and numbers[:3] == [1, 2, 3]
    one, two = road.addresses.get(number=1), road.addresses.get(number=2)
    # Set back from the centre line, on opposite sides.
    side_one = road.geometry.distance(shapely.Point(one.lng, one.lat))
    assert side_one > 0
    assert shapely.LineString([(one.lng, one.lat), (two.lng, two.lat)]).intersects(road.geometry)


def test_a_house_number_is_found_exactly_and_lies_in_its_grid(address):
    found = geocode(f"海盐县{address.road.name}{address.number}号")
    assert (found.lng, found.lat, found.precision) == (address.lng, address.lat, Precision.ADDRESS)
    assert locate_point(found.lng, found.lat).grid_code == address.unit_grid.code


def test_full_width_digits_and_spaces_are_understood(address):
    wide = str(address.number).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert geocode(f"{address.road.name} {wide} 号").precision == Precision.ADDRESS


def test_an_unknown_number_falls_back_to_the_nearest_on_that_road(address):
    found = geocode(f"{address.road.name}99999号")
    assert found.precision == Precision.NEAR_ADDRESS and found.matched.startswith(address.road.name)


def test_a_road_without_a_number_gives_a_point_on_the_road(address):
    found = geocode(f"{address.road.name}与某巷交叉口")
    assert found.precision == Precision.ROAD


def test_a_community_name_gives_its_centre(demo_city):
    community = Division.objects.filter(level="community").order_by("code").first()
    found = geocode(f"{community.name}门口")
    assert found.precision == Precision.COMMUNITY
    assert locate_point(found.lng, found.lat).community_code == community.code


def test_text_that_names_no_place_is_refused(demo_city):
    with pytest.raises(DomainError, match="无法根据地址"):
        geocode("我家楼下")


def test_geocode_api_and_report_by_address(address, as_user):
    operator = as_user("operator")
    body = operator.get("/geocode", address=f"{address.road.name}{address.number}号").json()
    assert body["precision"] == "address" and body["grid_code"] == address.unit_grid.code
    created = operator.post_json(
        "/reports",
        {
            "class_code": "01001",
            "kind": "event",
            "description": "井盖缺失",
            "address": f"{address.road.name}{address.number}号",
        },
    )
    assert created.status_code == 201, created.content
    case = operator.get(f"/cases/{created.json()['number']}").json()
    assert case["location_precision"] == "address" and case["grid_code"] == address.unit_grid.code
    refused = operator.post_json(
        "/reports", {"class_code": "01001", "kind": "event", "description": "井盖缺失", "address": "我家楼下"}
    )
    assert refused.status_code == 400 and "无法根据地址" in refused.json()["detail"]
