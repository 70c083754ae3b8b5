"""The citizens' pages (/public/) on the server side: no login, a report with a receipt, the status with the lookup
code (a wrong code is a 404), clear refusals (400, 429), and a rating once the case is closed."""

import re

import pytest
from django.test import Client

from xiuhua.cases.models import Case
from xiuhua.cases.tests.conftest import photo
from xiuhua.intake.channels.citizen.models import CitizenRating

pytestmark = pytest.mark.django_db


def citizen_form(spot, **extra) -> dict:
    return {
        "class_code": "06010",
        "description": "小区门口垃圾堆了好几天",
        "lng": f"{spot[0]:.7f}",
        "lat": f"{spot[1]:.7f}",
        "name": "陈女士",
        "phone": "13857312345",
        "idempotency_key": "form-1",
        "photos": [photo("IMG_0001.jpg")],
        **extra,
    }


def reported(client, spot, **extra) -> Case:
    response = client.post("/public/", citizen_form(spot, **extra))
    assert response.status_code == 302, response.content.decode()[:2000]
    return Case.objects.get(number=re.search(r"/public/receipt/(\d+)/", response["Location"]).group(1))


@pytest.mark.parametrize("path", ["/public/", "/public/lookup/"])
def test_citizen_pages_need_no_login(demo_city, path):
    response = Client().get(path)

    assert response.status_code == 200 and "app-menu" not in response.content.decode()


def test_the_report_form_offers_the_citizen_channels_short_list(demo_city):
    page = Client().get("/public/").content.decode()

    assert "路边有垃圾" in page and "井盖坏了或不见了" in page
    assert 'capture="environment"' in page and 'name="idempotency_key"' in page


def test_a_report_leads_to_a_receipt_with_the_number_and_the_lookup_code(demo_city, spot):
    client = Client()
    response = client.post("/public/", citizen_form(spot))

    case = Case.objects.get()
    assert response["Location"] == f"/public/receipt/{case.number}/?code={case.lookup_code}"
    assert case.source == "citizen" and case.original_crs == "wgs84" and case.attachments.count() == 1
    assert case.reporter_phone == "13857312345"
    receipt = client.get(response["Location"]).content.decode()
    assert case.number in receipt and case.lookup_code in receipt


def test_sending_the_form_twice_makes_one_case(demo_city, spot):
    client = Client()
    first, second = reported(client, spot), reported(client, spot)

    assert first == second and Case.objects.count() == 1


def test_an_address_without_a_position_is_placed_by_the_street_address_table(demo_city, spot):
    from xiuhua.territory.models import StreetAddress

    street = StreetAddress.objects.select_related("road").first()
    case = reported(Client(), spot, lng="", lat="", address=f"{street.road.name}{street.number}号")

    assert case.location_precision in ("address", "near_address")


def test_bad_input_comes_back_with_a_chinese_message_and_a_400(demo_city, spot):
    response = Client().post("/public/", citizen_form(spot, phone="12345"))

    assert response.status_code == 400
    page = response.content.decode()
    assert "联系电话格式不正确" in page and "小区门口垃圾堆了好几天" in page  # what was typed is kept
    assert not Case.objects.exists()


def test_no_place_at_all_is_refused(demo_city, spot):
    response = Client().post("/public/", citizen_form(spot, lng="", lat=""))

    assert response.status_code == 400 and "请给出位置" in response.content.decode()


def test_too_many_reports_are_refused_with_429(demo_city, spot, settings):
    settings.XIUHUA_CITIZEN_RATE = (1, 3600)
    client = Client()
    reported(client, spot)

    response = client.post("/public/", citizen_form(spot, idempotency_key="form-2"))

    assert response.status_code == 429 and "提交过于频繁" in response.content.decode()


def test_the_status_page_shows_the_public_timeline_and_no_contact(demo_city, spot):
    case = reported(Client(), spot)

    page = Client().get(f"/public/cases/{case.number}/", {"code": case.lookup_code.lower()}).content.decode()

    assert "已收到反映" in page and "待受理" in page
    assert "13857312345" not in page and "陈女士" not in page


@pytest.mark.parametrize("path", ["/public/cases/{number}/", "/public/receipt/{number}/"])
def test_a_wrong_lookup_code_is_not_found(demo_city, spot, path):
    case = reported(Client(), spot)

    response = Client().get(path.format(number=case.number), {"code": "AAAAAAAA"})

    assert response.status_code == 404 and "案卷号或查询码不正确" in response.content.decode()


def test_the_lookup_form_goes_to_the_status_page(demo_city):
    response = Client().get("/public/lookup/", {"number": "2026112300001", "code": "7kq2m9xa "})

    assert response["Location"] == "/public/cases/2026112300001/?code=7kq2m9xa"


def test_a_closed_case_is_rated_once(loop, spot):
    case = reported(Client(), spot)
    client = Client()
    status_url = f"/public/cases/{case.number}/?code={case.lookup_code}"
    assert 'data-testid="rating-form"' not in client.get(status_url).content.decode()

    early = client.post(f"/public/cases/{case.number}/rate/", {"code": case.lookup_code, "satisfaction": "satisfied"})
    assert early.status_code == 400 and "办结后才能评价" in early.content.decode()

    loop.close(case)
    assert 'data-testid="rating-form"' in client.get(status_url).content.decode()
    rated = client.post(
        f"/public/cases/{case.number}/rate/",
        {"code": case.lookup_code, "satisfaction": "very_satisfied", "comment": "很快就清理了"},
    )
    assert rated.status_code == 302 and rated["Location"] == status_url
    rate_url = f"/public/cases/{case.number}/rate/"
    again = client.post(rate_url, {"code": case.lookup_code, "satisfaction": "dissatisfied"})
    assert again.status_code == 409
    rating = CitizenRating.objects.get()
    assert rating.satisfaction == "very_satisfied" and rating.score == 100 and rating.comment == "很快就清理了"
    assert 'data-testid="rating-done"' in client.get(status_url).content.decode()


def test_rating_needs_the_lookup_code_and_a_choice(loop, spot):
    case = loop.close(reported(Client(), spot))
    url = f"/public/cases/{case.number}/rate/"

    assert Client().post(url, {"code": "AAAAAAAA", "satisfaction": "satisfied"}).status_code == 404
    assert Client().post(url, {"code": case.lookup_code}).status_code == 400
    assert not CitizenRating.objects.exists()


def test_the_public_map_shows_grids_near_the_pin_without_codes(demo_city, spot):
    lng, lat = spot
    near = Client().get("/public/grids/", {"bbox": f"{lng - 0.002},{lat - 0.002},{lng + 0.002},{lat + 0.002}"})
    too_wide = Client().get("/public/grids/", {"bbox": f"{lng - 0.1},{lat - 0.1},{lng + 0.1},{lat + 0.1}"})
    where = Client().get("/public/where/", {"lng": lng, "lat": lat})

    features = near.json()["features"]
    assert features and set(features[0]["properties"]) == {"community_name"}
    assert too_wide.status_code == 400 and "bbox 范围过大" in too_wide.json()["detail"]
    assert where.status_code == 200 and where.json()["community_name"]
