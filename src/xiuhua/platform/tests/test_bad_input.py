"""Input no endpoint can use gets a 400 with a Chinese message on every door, never a 500."""

import json

import pytest
from django.test import Client

from xiuhua.intake.models import RejectedReport
from xiuhua.territory.models import UnitGrid

pytestmark = pytest.mark.django_db

NON_FINITE = ["NaN", "Infinity", "-Infinity"]


class _AnyChinese:
    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and any("\u4e00" <= ch <= "\u9fff" for ch in other)


ANY_CHINESE = _AnyChinese()


@pytest.fixture
def auth(api_token) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token}"}


@pytest.fixture
def spot(demo_city) -> tuple[float, float]:
    centre = UnitGrid.objects.order_by("code").first().geometry.representative_point()
    return centre.x, centre.y


def citizen_body(spot, **extra) -> dict:
    return {"class_code": "06010", "description": "路灯不亮了，晚上很黑", "lng": spot[0], "lat": spot[1], **extra}


def assert_bad_input(response) -> None:
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "bad_input" and any("\u4e00" <= ch <= "\u9fff" for ch in body["detail"])


@pytest.mark.parametrize("word", NON_FINITE)
def test_non_finite_coordinates_in_a_citizen_json_report_are_400_and_kept_in_the_log_as_text(demo_city, spot, word):
    text = json.dumps(citizen_body(spot)).replace(f"{spot[0]}", word)
    response = Client().post("/api/v1/public/reports", text, content_type="application/json")
    assert_bad_input(response)
    logged = RejectedReport.objects.get(channel="citizen")
    assert logged.error_code == "bad_input" and word in logged.payload["text"]
    assert logged.client.startswith("citizen:") and "127.0.0.1" not in logged.client, "no address is stored"


def test_a_number_beyond_float_range_is_refused_like_infinity(demo_city, spot):
    text = json.dumps(citizen_body(spot)).replace(f"{spot[1]}", "1e999")
    assert_bad_input(Client().post("/api/v1/public/reports", text, content_type="application/json"))


@pytest.mark.parametrize("word", ["nan", "inf", "-Infinity"])
def test_non_finite_coordinates_as_form_values_are_400(demo_city, spot, word):
    response = Client().post("/api/v1/public/reports", citizen_body(spot, lng=word))
    assert_bad_input(response)


@pytest.mark.parametrize("word", ["NaN", "inf"])
def test_non_finite_query_values_are_400(client, auth, word):
    assert_bad_input(client.get(f"/api/v1/cases/map?lng={word}&lat=30.5", **auth))
    assert_bad_input(client.get(f"/api/v1/grids/locate?lng=120.9&lat={word}", **auth))


def test_hundred_thousand_deep_json_is_400_on_the_staff_channel(client, auth):
    deep = "[" * 100_000 + "]" * 100_000
    assert_bad_input(client.post("/api/v1/reports", deep, content_type="application/json", **auth))
    deep_object = '{"a":' * 100_000 + "1" + "}" * 100_000
    assert_bad_input(client.post("/api/v1/public/reports", deep_object, content_type="application/json"))


def test_forty_levels_of_nesting_are_already_too_deep(client, auth):
    nested = "[" * 40 + "]" * 40
    assert_bad_input(client.post("/api/v1/reports", json.dumps({"x": json.loads(nested)}), "application/json", **auth))


def test_nul_bytes_in_path_query_and_body_are_400(client, auth, spot):
    assert_bad_input(client.get("/api/v1/cases/2026%00001", **auth))
    assert_bad_input(client.get("/api/v1/cases?q=a%00b", **auth))
    assert_bad_input(Client().post("/api/v1/public/reports", citizen_body(spot, description="坏了\x00")))
    text = json.dumps(citizen_body(spot, description="坏了\u0000"))
    assert_bad_input(Client().post("/api/v1/public/reports", text, content_type="application/json"))
    open311 = client.get("/open311/v2/requests.json?status=open%00")
    assert open311.status_code == 400 and "空字符" in open311.json()[0]["description"]


def test_invalid_utf8_in_path_query_and_body_is_400(client, auth, spot):
    assert_bad_input(client.get("/api/v1/cases/%FF%FE", **auth))
    assert_bad_input(client.get("/api/v1/cases?q=%C3%28", **auth))
    body = json.dumps(citizen_body(spot), ensure_ascii=False).encode().replace("路灯".encode(), b"\xc3\x28")
    assert_bad_input(Client().post("/api/v1/public/reports", body, content_type="application/json"))
    form = b"class_code=06010&description=%C3%28&lng=120.9&lat=30.5"
    response = Client().post("/api/v1/public/reports", form, content_type="application/x-www-form-urlencoded")
    assert_bad_input(response)


def test_open311_post_with_nan_coordinates_is_400_and_logged(demo_city, spot):
    form = f"service_code=06010&description=broken&lat=NaN&long={spot[0]}"
    response = Client().post("/open311/v2/requests.json", form, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400 and response.json() == [{"code": 400, "description": ANY_CHINESE}]
    logged = RejectedReport.objects.get(channel="open311")
    assert logged.error_code == "bad_input" and "lat=NaN" in logged.payload["text"] and logged.client == "127.0.0.1"
    xml = Client().post("/open311/v2/requests.xml", form, content_type="application/x-www-form-urlencoded")
    assert xml.status_code == 400 and xml.content.startswith(b"<?xml") and b"<errors>" in xml.content


def test_pages_outside_the_api_get_a_readable_chinese_error_page(client):
    response = client.get("/cases/%00")
    assert response.status_code == 400 and "请求无法处理" in response.content.decode()
    response = client.get("/login/?next=%FF")
    assert response.status_code == 400 and "UTF-8" in response.content.decode()


def test_ordinary_malformed_json_keeps_its_own_error_and_a_word_nan_in_a_search_is_fine(client, auth):
    response = client.post("/api/v1/reports", "{not json", content_type="application/json", **auth)
    assert response.status_code == 400 and response.json()["code"] == "invalid_json"
    assert client.get("/api/v1/cases?q=nan", **auth).status_code == 200
