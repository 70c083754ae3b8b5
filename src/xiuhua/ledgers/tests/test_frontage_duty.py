"""门前三包: the shop whose duty area holds a spot is suggested for a case there; 门责告知履约率 per sub-district."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from xiuhua.geo.local import degrees_around
from xiuhua.ledgers import frontage
from xiuhua.ledgers.models import Shop
from xiuhua.ledgers.tests.credit_fixtures import district, shops
from xiuhua.territory.models import Division

pytestmark = pytest.mark.django_db


def square_around(lng: float, lat: float, metres: float) -> str:
    d_lng, d_lat = degrees_around(lat, metres)
    ring = [[lng - d_lng, lat - d_lat], [lng + d_lng, lat - d_lat], [lng + d_lng, lat + d_lat],
            [lng - d_lng, lat + d_lat], [lng - d_lng, lat - d_lat]]  # fmt: skip
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


def metres_east(lng: float, lat: float, metres: float) -> float:
    return lng + degrees_around(lat, metres)[0]


def test_a_case_registered_inside_a_shops_duty_area_suggests_that_shop(loop):
    lng, lat = loop.spot
    [owner] = shops(1, lng=metres_east(lng, lat, 8), lat=lat, prefix="A", duty_area_geojson=square_around(lng, lat, 12))
    [neighbour] = shops(1, lng=metres_east(lng, lat, 10), lat=lat, prefix="B", duty_frontage_m=Decimal("20"))
    [far] = shops(1, lng=metres_east(lng, lat, 60), lat=lat, prefix="C", duty_area_geojson=square_around(
        metres_east(lng, lat, 60), lat, 10))  # fmt: skip
    Shop.objects.bulk_create([owner, neighbour, far])
    case = loop.to_registered()
    suggestion = frontage.suggest_shop_for_case(case)
    assert suggestion.shop.code == owner.code and suggestion.inside_area
    assert "门前三包责任区内" in suggestion.why and owner.name in suggestion.why
    # The neighbour's frontage (10 m away, no polygon) covers the spot too, after the polygon; the far shop not.
    assert [m.shop.code for m in frontage.shops_for_point(lng, lat)] == [owner.code, neighbour.code]


def test_a_shop_with_only_a_frontage_length_covers_the_pavement_within_the_set_distance(demo_city, settings):
    lng, lat = 120.9, 30.5
    near, away = shops(2, lng=lng, lat=lat, duty_frontage_m=Decimal("12"))
    away.lng = metres_east(lng, lat, 30)
    Shop.objects.bulk_create([near, away])
    [match] = frontage.shops_for_point(metres_east(lng, lat, 14), lat)
    assert match.shop.code == near.code and not match.inside_area and round(match.distance_m) == 14
    assert "14 米" in match.why
    settings.XIUHUA_FRONTAGE_DISTANCE_M = 10
    assert frontage.shops_for_point(metres_east(lng, lat, 14), lat) == []


def test_duty_rates_are_signed_letters_over_active_shops_per_sub_district(demo_city):
    first, second = Division.objects.filter(level="subdistrict").order_by("code")[:2]
    signed = date(2026, 3, 1)
    rows = shops(6, lng=120.9, lat=30.5, prefix="A", subdistrict=first, duty_letter_signed_on=signed)
    rows += shops(2, lng=120.9, lat=30.5, prefix="B", subdistrict=first)
    rows += shops(3, lng=120.9, lat=30.5, prefix="C", subdistrict=second)
    rows += shops(4, lng=120.9, lat=30.5, prefix="D", subdistrict=first, duty_letter_signed_on=signed, active=False)
    rows += shops(1, lng=120.9, lat=30.5, prefix="E", subdistrict=second, duty_letter_signed_on=date(2026, 6, 1))
    Shop.objects.bulk_create(rows)
    per_subdistrict, total = frontage.duty_rates(district(), on=date(2026, 5, 1))
    assert [(r.code, r.shops, r.signed, r.rate) for r in per_subdistrict] == [
        (first.code, 8, 6, 75.0),
        (second.code, 4, 0, 0.0),  # the letter signed in June does not count on 1 May
    ]
    assert (total.shops, total.signed, total.rate) == (12, 6, 50.0)
    later = frontage.duty_rates(district(), on=date(2026, 6, 1))[1]
    assert (later.signed, later.rate) == (7, 58.3)


def test_the_api_suggests_the_shop_for_a_case_inside_its_duty_area_and_says_why(loop, as_user):
    lng, lat = loop.spot
    [owner] = shops(1, lng=lng, lat=lat, prefix="A", duty_area_geojson=square_around(lng, lat, 12))
    Shop.objects.bulk_create([owner])
    case = loop.to_registered()
    body = as_user("shift_leader").get(f"/ledgers/frontage/cases/{case.number}/shop").json()
    assert body["shop"]["code"] == owner.code and "门前三包责任区内" in body["why"]
    Shop.objects.update(active=False)
    assert as_user("shift_leader").get(f"/ledgers/frontage/cases/{case.number}/shop").json()["shop"] is None
