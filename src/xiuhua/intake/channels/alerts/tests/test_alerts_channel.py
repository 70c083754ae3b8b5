"""Sensor and video alerts: one key per device, types mapped to classes, repeats folded into the open case."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from xiuhua.cases.models import Case
from xiuhua.intake.channels.alerts.adapter import register_device
from xiuhua.intake.channels.alerts.models import Alert
from xiuhua.intake.models import RejectedReport

pytestmark = pytest.mark.django_db


@pytest.fixture
def dust_meter(demo_city, spot):
    device, key = register_device("YC-DUST-0031", "海滨东路工地扬尘监测仪", "sensor", lng=spot[0], lat=spot[1])
    return device, key


def reading(minutes_ago: int = 0, **extra) -> dict:
    """A dust monitor's payload as its gateway sends it."""
    raised = timezone.now() - timedelta(minutes=minutes_ago)
    return {
        "device_id": "YC-DUST-0031",
        "alert_type": "dust_over_limit",
        "reading": 186.0,
        "threshold": 150.0,
        "unit": "µg/m³",
        "raised_at": raised.isoformat(),
        **extra,
    }


def post_alert(key: str, body: dict):
    return Client().post("/api/v1/alerts", body, content_type="application/json", HTTP_X_API_KEY=key)


def test_dust_over_the_limit_opens_a_construction_dust_case(dust_meter):
    _device, key = dust_meter
    response = post_alert(key, reading())
    assert response.status_code == 201, response.content
    case = Case.objects.get(number=response.json()["case_number"])
    assert (case.case_class.code, case.source) == ("08004", "sensor")
    assert "186µg/m³" in case.description and "阈值 150µg/m³" in case.description


def test_repeats_within_the_window_fold_into_the_open_case(dust_meter):
    _device, key = dust_meter
    first = post_alert(key, reading(minutes_ago=30)).json()
    second = post_alert(key, reading(minutes_ago=10)).json()
    assert second["case_number"] == first["case_number"] and second["folded"] is True
    assert second["report_count"] == 2
    assert Case.objects.count() == 1 and Alert.objects.count() == 2


def test_after_the_case_is_closed_a_new_alert_opens_a_new_case(dust_meter, loop):
    _device, key = dust_meter
    first = post_alert(key, reading(minutes_ago=30)).json()
    case = Case.objects.get(number=first["case_number"])
    loop.act(case, "decline", loop.p.operator, note="设备误报")
    second = post_alert(key, reading()).json()
    assert second["case_number"] != first["case_number"] and second["folded"] is False


def test_a_resent_alert_id_is_recorded_once(dust_meter):
    _device, key = dust_meter
    first = post_alert(key, reading(alert_id="A-778"))
    again = post_alert(key, reading(alert_id="A-778"))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["created"] is False and Alert.objects.count() == 1


def test_keys_belong_to_their_device(dust_meter, spot):
    _device, _key = dust_meter
    _camera, camera_key = register_device("YC-CAM-0007", "海滨路口视频", "video", lng=spot[0], lat=spot[1])
    assert post_alert("not-a-key", reading()).status_code == 401
    assert post_alert(camera_key, reading()).status_code == 403
    assert not Case.objects.exists()


def test_an_unknown_alert_type_is_refused_and_logged(dust_meter):
    _device, key = dust_meter
    response = post_alert(key, reading(alert_type="smoke"))
    assert response.status_code == 400 and "alert_type" in response.json()["detail"]
    assert RejectedReport.objects.get().channel == "alerts"
