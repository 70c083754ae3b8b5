"""The staff channel: an inspector's phone (photo, GPS, retries offline) and the operator's desk."""

import pytest

from xiuhua.cases.models import Case
from xiuhua.cases.tests.conftest import photo
from xiuhua.intake.models import RejectedReport

pytestmark = pytest.mark.django_db

# What the inspector app sends from the street: multipart, GPS from the phone, one photo.
INSPECTOR_FORM = {
    "class_code": "06010",
    "kind": "event",
    "description": "海滨东路公交站旁暴露垃圾约 2 平方米",
    "crs": "wgs84",
    "address": "武原街道海滨东路公交站",
}


def test_an_offline_retry_with_the_same_key_returns_the_first_case(as_user, spot):
    inspector = as_user("inspector")
    form = {**INSPECTOR_FORM, "lng": spot[0], "lat": spot[1]}
    first = inspector.post_form("/reports", {**form, "photos": [photo()]}, HTTP_IDEMPOTENCY_KEY="phone-7f3a-0001")
    again = inspector.post_form("/reports", {**form, "photos": [photo()]}, HTTP_IDEMPOTENCY_KEY="phone-7f3a-0001")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["number"] == first.json()["number"] and again.json()["created"] is False
    assert Case.objects.filter(source="inspector").count() == 1


def test_a_refused_report_names_the_field_stores_nothing_and_is_logged(as_user, spot):
    form = {**INSPECTOR_FORM, "lng": spot[0], "lat": spot[1], "description": ""}
    response = as_user("inspector").post_form("/reports", {**form, "photos": [photo()]})
    assert response.status_code == 400
    assert "问题描述" in response.json()["detail"]
    assert not Case.objects.exists()
    logged = RejectedReport.objects.get()
    assert (logged.channel, logged.error_code) == ("staff", "description_required")
    assert logged.payload["form"]["class_code"] == "06010"
    assert logged.payload["files"]["photos"][0]["file"] == "scene.jpg"


def test_a_point_outside_the_territory_is_refused_with_a_message(as_user):
    form = {**INSPECTOR_FORM, "lng": 116.39, "lat": 39.91}
    response = as_user("inspector").post_form("/reports", {**form, "photos": [photo()]})
    assert response.status_code == 400
    assert "网格" in response.json()["detail"] or "辖区" in response.json()["detail"]
    assert not Case.objects.exists()


def test_operators_read_the_intake_log_and_departments_may_not(as_user, spot):
    as_user("inspector").post_form("/reports", {**INSPECTOR_FORM, "lng": spot[0], "lat": spot[1]})
    rows = as_user("operator").get("/intake/rejections", channel="staff").json()
    assert rows[0]["error_code"] == "photo_required"
    assert as_user("dept_zhifa").get("/intake/rejections").status_code == 403
