"""The public channel: no account, GCJ-02 from WeChat, a receipt with a lookup code, a rate limit per client."""

import pytest
from django.test import Client

from xiuhua.cases.models import Case
from xiuhua.cases.tests.conftest import photo
from xiuhua.geo.crs import wgs84_to_gcj02
from xiuhua.intake.models import RejectedReport

pytestmark = pytest.mark.django_db


def wechat_form(spot, **extra):
    """What a WeChat page posts: the phone's position as WeChat gives it (GCJ-02), a photo, optional contact."""
    lng, lat = wgs84_to_gcj02(*spot)
    return {
        "class_code": "06010",
        "description": "小区门口垃圾堆了好几天没人管，味道很大",
        "lng": lng,
        "lat": lat,
        "crs": "gcj02",
        "name": "陈女士",
        "phone": "13857312345",
        "photos": [photo("wx_camera_1700000000.jpg")],
        **extra,
    }


def post_report(client, form, **headers):
    return client.post("/api/v1/public/reports", form, **headers)


def test_a_wechat_report_lands_in_the_right_grid_and_gets_a_receipt(demo_city, spot):
    response = post_report(Client(), wechat_form(spot))
    assert response.status_code == 201, response.content
    receipt = response.json()
    case = Case.objects.get(number=receipt["number"])
    assert case.source == "citizen" and case.original_crs == "gcj02"
    assert case.lng == pytest.approx(spot[0], abs=1e-5) and case.lat == pytest.approx(spot[1], abs=1e-5)
    assert receipt["lookup_code"] == case.lookup_code and len(case.lookup_code) == 8
    assert case.attachments.count() == 1


def test_the_lookup_code_opens_the_public_status_and_a_wrong_one_does_not(demo_city, spot):
    receipt = post_report(Client(), wechat_form(spot)).json()
    url = f"/api/v1/public/cases/{receipt['number']}"
    public = Client().get(url, {"code": receipt["lookup_code"].lower()})
    assert public.status_code == 200
    view = public.json()
    assert view["status"] == "待受理" and view["timeline"][0]["text"] == "已收到反映"
    assert "13857312345" not in public.content.decode() and "陈女士" not in public.content.decode()
    assert Client().get(url, {"code": "AAAAAAAA"}).status_code == 404


def test_staff_outside_the_centre_see_the_contact_masked(demo_city, spot, as_user, loop):
    number = post_report(Client(), wechat_form(spot)).json()["number"]
    case = Case.objects.get(number=number)
    loop.act(case, "accept", loop.p.operator)
    loop.act(case, "register", loop.p.shift_leader)
    loop.act(case, "dispatch", loop.p.dispatcher, department="zhifa")
    department_view = as_user("dept_zhifa").get(f"/cases/{number}").json()["reporter"]
    assert (department_view["name"], department_view["phone"]) == ("陈**", "138****2345")
    operator_view = as_user("operator").get(f"/cases/{number}").json()["reporter"]
    assert operator_view["phone"] == "13857312345"


def test_a_client_over_its_limit_is_told_to_wait_and_retries_do_not_count(demo_city, spot, settings):
    settings.XIUHUA_CITIZEN_RATE = (2, 3600)
    client = Client()
    assert post_report(client, wechat_form(spot), HTTP_IDEMPOTENCY_KEY="a").status_code == 201
    assert post_report(client, wechat_form(spot), HTTP_IDEMPOTENCY_KEY="a").status_code == 200
    assert post_report(client, wechat_form(spot), HTTP_IDEMPOTENCY_KEY="b").status_code == 201
    refused = post_report(client, wechat_form(spot), HTTP_IDEMPOTENCY_KEY="c")
    assert refused.status_code == 429 and "分钟后再试" in refused.json()["detail"]
    assert Case.objects.count() == 2
    other_client = Client(REMOTE_ADDR="10.1.2.3")
    assert post_report(other_client, wechat_form(spot)).status_code == 201


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"class_code": "99999"}, "问题类型"),
        ({"crs": "epsg3857"}, "crs"),
        ({"phone": "12345"}, "联系电话"),
        ({"description": ""}, "问题描述"),  # named as the citizen calls it
    ],
)
def test_a_bad_citizen_payload_names_the_field_and_is_logged(demo_city, spot, change, field):
    response = post_report(Client(), wechat_form(spot, **change))
    assert response.status_code == 400
    assert field in response.json()["detail"]
    assert not Case.objects.exists()
    assert RejectedReport.objects.get().channel == "citizen"


def test_a_merged_report_shows_the_case_it_is_handled_with(demo_city, spot, loop):
    first = post_report(Client(), wechat_form(spot)).json()
    second = post_report(Client(REMOTE_ADDR="10.9.9.9"), wechat_form(spot)).json()
    child = Case.objects.get(number=second["number"])
    loop.act(child, "merge", loop.p.operator, parent=first["number"])
    view = Client().get(f"/api/v1/public/cases/{second['number']}", {"code": second["lookup_code"]}).json()
    assert view["status"] == "合并办理"
    assert view["handled_with"]["number"] == first["number"]
    assert any(first["number"] in step["text"] for step in view["timeline"])


def test_the_public_class_list_uses_everyday_words(demo_city):
    classes = Client().get("/api/v1/public/classes").json()
    assert {"code": "01037", "label": "路灯不亮"} in classes
