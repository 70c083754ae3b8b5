"""POST requests: form-urlencoded and multipart, api_key, idempotency, and every refusal logged."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from xiuhua.cases.choices import Source
from xiuhua.cases.models import Case, CaseAttachment
from xiuhua.intake.models import RejectedReport
from xiuhua.intake.open311.tests.conftest import BASE, error_of, jpeg, parse
from xiuhua.territory.models import StreetAddress

FORMATS = ["xml", "json"]
FORM = "application/x-www-form-urlencoded; charset=utf-8"


def post_form(client, fmt: str, fields: dict, query: str = "", **headers):
    """POST as most clients do: form-urlencoded, UTF-8."""
    url = f"{BASE}/requests.{fmt}" + (f"?{query}" if query else "")
    return client.post(url, urlencode(fields), content_type=FORM, **headers)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_fixmystreet_style_post_creates_an_open311_case(client, fms_form, fmt):
    response = post_form(client, fmt, {**fms_form, "account_id": "fms-user-9"})

    assert response.status_code == 201
    [reply] = parse(response, fmt)
    case = Case.objects.get(number=reply["service_request_id"])
    assert "token" not in reply
    assert reply["account_id"] == "fms-user-9"
    assert case.number in reply["service_notice"]
    assert case.source == Source.OPEN311 and case.status == "reported"
    assert case.case_class.kind == "event" and case.case_class.code == fms_form["service_code"]
    assert case.description.startswith("标题：人行道上有暴露垃圾")
    assert case.reporter_name == "张三" and case.reporter_phone == "13800000000"
    details = case.events.get(action="report").details["open311"]
    assert details["client"] == "demo-app"
    assert case.reporter_email == "zhangsan@example.com" and "email" not in details
    assert details["media_url"] == fms_form["media_url"]
    assert details["attributes"]["fixmystreet_id"] == "123"


def test_multipart_media_file_is_stored_and_wins_over_media_url(client, fms_form):
    response = client.post(f"{BASE}/requests.json", {**fms_form, "media": jpeg()})

    assert response.status_code == 201
    case = Case.objects.get(number=response.json()[0]["service_request_id"])
    [photo] = CaseAttachment.objects.filter(case=case)
    assert photo.stage == "before" and photo.content_type == "image/jpeg"
    assert "media_url" not in case.events.get(action="report").details["open311"]


def test_media_array_field_takes_several_files(client, fms_form):
    response = client.post(f"{BASE}/requests.json", {**fms_form, "media[]": [jpeg("a.jpg"), jpeg("b.jpg")]})

    assert response.status_code == 201
    assert CaseAttachment.objects.filter(case__number=response.json()[0]["service_request_id"]).count() == 2


def test_api_key_and_jurisdiction_may_come_in_the_query_string(client, fms_form, api_key):
    form = {k: v for k, v in fms_form.items() if k not in ("api_key", "jurisdiction_id")}

    response = post_form(client, "json", form, urlencode({"api_key": api_key, "jurisdiction_id": "xiuhua.local"}))

    assert response.status_code == 201


def test_an_empty_jurisdiction_id_is_ignored(client, fms_form):
    assert post_form(client, "xml", {**fms_form, "jurisdiction_id": ""}).status_code == 201


def test_no_description_means_the_service_name(client, fms_form):
    response = post_form(client, "json", {**fms_form, "description": ""})

    case = Case.objects.get(number=response.json()[0]["service_request_id"])
    assert case.description == case.case_class.name


def test_html_is_stripped_from_the_description(client, fms_form):
    response = post_form(client, "json", {**fms_form, "description": "<p>井盖<b>缺失</b></p><script>x()</script>"})

    case = Case.objects.get(number=response.json()[0]["service_request_id"])
    assert "<" not in case.description and "井盖缺失" in case.description


def test_address_string_is_geocoded(client, fms_form):
    street = StreetAddress.objects.select_related("road").first()
    form = {k: v for k, v in fms_form.items() if k not in ("lat", "long")}

    response = post_form(client, "json", {**form, "address_string": f"{street.road.name}{street.number}号"})

    assert response.status_code == 201, response.content
    case = Case.objects.get(number=response.json()[0]["service_request_id"])
    assert (case.lng, case.lat) == (street.lng, street.lat)
    assert case.location_precision == "address"


def test_address_id_is_a_row_of_the_street_address_table(client, fms_form):
    street = StreetAddress.objects.select_related("road").first()
    form = {k: v for k, v in fms_form.items() if k not in ("lat", "long")}

    response = post_form(client, "json", {**form, "address_id": str(street.pk)})

    case = Case.objects.get(number=response.json()[0]["service_request_id"])
    assert (case.lng, case.lat) == (street.lng, street.lat)
    assert case.address == f"{street.road.name}{street.number}号"


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_retry_with_the_same_idempotency_key_gets_the_same_request(client, fms_form, fmt):
    first = post_form(client, fmt, fms_form, HTTP_IDEMPOTENCY_KEY="app-42-report-7")
    again = post_form(client, fmt, fms_form, HTTP_IDEMPOTENCY_KEY="app-42-report-7")

    assert (first.status_code, again.status_code) == (201, 200)
    assert parse(first, fmt)[0]["service_request_id"] == parse(again, fmt)[0]["service_request_id"]
    assert Case.objects.count() == 1


def test_device_id_with_a_client_token_is_an_idempotency_key(client, fms_form):
    form = {**fms_form, "device_id": "phone-1", "token": "r-0001"}

    first = post_form(client, "json", form).json()[0]["service_request_id"]
    again = post_form(client, "json", form).json()[0]["service_request_id"]
    other = post_form(client, "json", {**form, "token": "r-0002"}).json()[0]["service_request_id"]

    assert first == again != other


def test_the_same_key_from_another_client_is_another_request(client, fms_form):
    from xiuhua.accounts.services import create_api_key

    other_key = create_api_key("other-app")[1]
    first = post_form(client, "json", fms_form, HTTP_IDEMPOTENCY_KEY="k1").json()[0]["service_request_id"]
    other = post_form(client, "json", {**fms_form, "api_key": other_key}, HTTP_IDEMPOTENCY_KEY="k1")

    assert other.json()[0]["service_request_id"] != first


# -- refusals: Open311 error documents with the right status, and a line in the intake log


def refused(client, fmt: str, fields: dict, status: int, query: str = "") -> str:
    before = RejectedReport.objects.count()
    description = error_of(post_form(client, fmt, fields, query), fmt, status)
    assert RejectedReport.objects.count() == before + 1
    assert Case.objects.count() == 0
    return description


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_api_key_is_403(client, fms_form, fmt):
    form = {k: v for k, v in fms_form.items() if k != "api_key"}

    assert "api_key" in refused(client, fmt, form, 403)
    assert RejectedReport.objects.get().client == "127.0.0.1"


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_invalid_api_key_is_403_and_logged_without_the_key(client, fms_form, fmt):
    assert "api_key" in refused(client, fmt, {**fms_form, "api_key": "not-a-key"}, 403)
    logged = RejectedReport.objects.get()
    assert logged.channel == "open311" and logged.error_code == "forbidden"
    assert "api_key" not in logged.payload["form"] and "not-a-key" not in str(logged.payload)


def test_an_invalid_api_key_in_the_query_is_403(client, fms_form):
    form = {k: v for k, v in fms_form.items() if k != "api_key"}

    refused(client, "json", form, 403, query="api_key=nope")


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_unknown_service_code_is_404(client, fms_form, fmt):
    assert "99999" in refused(client, fmt, {**fms_form, "service_code": "99999"}, 404)
    assert RejectedReport.objects.get().client == "demo-app"


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_foreign_jurisdiction_is_404(client, fms_form, fmt):
    assert "sfgov.org" in refused(client, fmt, {**fms_form, "jurisdiction_id": "sfgov.org"}, 404)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_missing_service_code_is_400_naming_the_field(client, fms_form, fmt):
    assert "service_code" in refused(client, fmt, {**fms_form, "service_code": ""}, 400)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_missing_location_is_400(client, fms_form, fmt):
    form = {k: v for k, v in fms_form.items() if k not in ("lat", "long")}

    description = refused(client, fmt, form, 400)

    assert "lat" in description and "address_string" in description and "address_id" in description


@pytest.mark.parametrize(
    ("lat", "long", "named"),
    [("abc", "120.9", "lat"), ("30.5", "", "lat"), ("30.5", "nan", "long"), ("91", "120.9", "91")],
)
def test_bad_coordinates_are_400(client, fms_form, lat, long, named):
    assert named in refused(client, "json", {**fms_form, "lat": lat, "long": long}, 400)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_point_outside_the_territory_is_400_in_chinese(client, fms_form, fmt):
    description = refused(client, fmt, {**fms_form, "lat": "39.9042", "long": "116.4074"}, 400)

    assert "不在本辖区" in description


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_description_over_4000_characters_is_400(client, fms_form, fmt):
    assert "description" in refused(client, fmt, {**fms_form, "description": "垃" * 4001}, 400)


def test_a_description_of_4000_characters_is_accepted_whole(client, fms_form):
    response = client.post("/open311/v2/requests.json", {**fms_form, "description": "垃" * 4000})

    assert response.status_code == 201
    number = response.json()[0]["service_request_id"]
    assert len(Case.objects.get(number=number).description) == 4000


def test_an_unknown_address_id_is_400(client, fms_form):
    form = {k: v for k, v in fms_form.items() if k not in ("lat", "long")}

    assert "address_id" in refused(client, "json", {**form, "address_id": "99999999"}, 400)
    assert "address_id" in refused(client, "json", {**form, "address_id": "9" * 40}, 400)


def test_a_bad_email_is_400(client, fms_form):
    assert "email" in refused(client, "json", {**fms_form, "email": "not an email"}, 400)


def test_a_file_that_is_no_photo_is_400(client, fms_form):
    from django.core.files.uploadedfile import SimpleUploadedFile

    before = RejectedReport.objects.count()
    bogus = SimpleUploadedFile("x.jpg", b"MZ\x90\x00not a photo", content_type="image/jpeg")

    response = client.post(f"{BASE}/requests.json", {**fms_form, "media": bogus})

    assert "x.jpg" in error_of(response, "json", 400)
    assert RejectedReport.objects.count() == before + 1
    assert RejectedReport.objects.first().payload["files"]["media"][0]["file"] == "x.jpg"


def test_posts_are_not_blocked_by_csrf(fms_form):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(f"{BASE}/requests.json", fms_form)

    assert response.status_code == 201
