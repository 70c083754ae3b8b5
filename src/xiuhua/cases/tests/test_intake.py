"""POST /reports: what is stored, idempotent retries, and bad input refused in Chinese with nothing written."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from xiuhua.cases.models import Case, CaseAttachment
from xiuhua.cases.tests.conftest import photo
from xiuhua.geo.crs import wgs84_to_gcj02

pytestmark = pytest.mark.django_db


def hotline_report(spot, **extra):
    return {
        "class_code": "01001",
        "kind": "event",
        "description": "垃圾满溢",
        "lng": spot[0],
        "lat": spot[1],
        "source": "hotline_12345",
        **extra,
    }


def test_report_is_numbered_by_day_and_located_in_its_grid(as_user, spot):
    operator = as_user("operator")
    first = operator.post_json("/reports", hotline_report(spot)).json()
    second = operator.post_json("/reports", hotline_report(spot)).json()
    assert first["status"] == "reported" and first["created"] is True
    assert len(first["number"]) == 13 and first["number"][8:] == "00001" and second["number"][8:] == "00002"
    case = Case.objects.get(number=first["number"])
    assert case.grid_code == first["grid_code"] and case.unit_grid.code == case.grid_code
    assert case.community.code == case.grid_code[:12] and case.subdistrict.code == case.grid_code[:9]


def test_a_gcj02_point_is_converted_and_the_original_kept(as_user, spot):
    gcj_lng, gcj_lat = wgs84_to_gcj02(*spot)
    body = as_user("operator").post_json("/reports", hotline_report((gcj_lng, gcj_lat), crs="gcj02")).json()
    case = Case.objects.get(number=body["number"])
    assert (case.original_lng, case.original_lat, case.original_crs) == (gcj_lng, gcj_lat, "gcj02")
    assert abs(case.lng - spot[0]) < 1e-6 and abs(case.lat - spot[1]) < 1e-6


def test_retry_with_the_same_idempotency_key_returns_the_first_case(as_user, spot):
    operator = as_user("operator")
    first = operator.post_json("/reports", hotline_report(spot), HTTP_IDEMPOTENCY_KEY="call-778")
    again = operator.post_json("/reports", hotline_report(spot), HTTP_IDEMPOTENCY_KEY="call-778")
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["number"] == first.json()["number"] and again.json()["created"] is False
    assert Case.objects.count() == 1


def test_inspector_report_stores_the_photo_as_before(as_user, spot):
    body = {**hotline_report(spot), "photos": [photo("scene.jpg")]}
    body.pop("source")
    response = as_user("inspector").post_form("/reports", body)
    assert response.status_code == 201, response.content
    case = Case.objects.get(number=response.json()["number"])
    assert case.source == "inspector"
    [attachment] = CaseAttachment.objects.filter(case=case)
    assert attachment.stage == "before" and attachment.content_type == "image/jpeg" and len(attachment.sha256) == 64
    download = as_user("operator").get(f"/cases/{case.number}/attachments/{attachment.pk}")
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"\xff\xd8\xff")


BAD_REPORTS = [
    ({"lng": 121.5, "lat": 31.2}, 400, "不在本辖区的任何单元网格内"),
    ({"class_code": "99999"}, 400, "未知的分类代码「99999」"),
    ({"description": "  "}, 400, "请填写问题描述"),
    ({"urgency": "asap"}, 422, "紧急程度：应为以下之一"),
    ({"crs": "epsg3857"}, 400, "不支持的坐标系"),
    ({"lng": "东经120度"}, 422, "经度：应为数字"),
    ({"source": "inspector"}, 400, "来源 source 应为以下之一"),
    ({"component_code": "33042499999999999"}, 400, "未找到部件"),
]


@pytest.mark.parametrize(("change", "status", "message"), BAD_REPORTS)
def test_bad_reports_are_refused_in_chinese_and_write_nothing(as_user, spot, change, status, message):
    response = as_user("operator").post_json("/reports", {**hotline_report(spot), **change})
    assert response.status_code == status, response.content
    assert message in response.json()["detail"]
    assert Case.objects.count() == 0


def test_inspector_report_without_a_photo_is_refused(as_user, spot):
    body = hotline_report(spot)
    body.pop("source")
    response = as_user("inspector").post_json("/reports", body)
    assert response.status_code == 400 and response.json()["detail"] == "监督员上报需附现场照片"


def test_a_file_that_is_not_a_photo_is_refused(as_user, spot):
    fake = SimpleUploadedFile("scene.jpg", b"MZ\x90\x00 this is a program", content_type="image/jpeg")
    body = {**hotline_report(spot), "photos": [fake]}
    body.pop("source")
    response = as_user("inspector").post_form("/reports", body)
    assert response.status_code == 400
    assert "不是照片、视频或录音" in response.json()["detail"]
    assert Case.objects.count() == 0 and CaseAttachment.objects.count() == 0


def test_departments_and_leaders_cannot_enter_reports(as_user, spot):
    response = as_user("dept_zhifa").post_json("/reports", hotline_report(spot))
    assert response.status_code == 403 and "受理员和监督员" in response.json()["detail"]


def test_broken_json_is_a_clear_error(as_user):
    operator = as_user("operator")
    response = operator.client.post("/api/v1/reports", "{oops", content_type="application/json", **operator.auth)
    assert response.status_code == 400 and response.json()["detail"] == "请求体不是合法的 JSON"
