"""/api/v1/patrol/: the phone's 上岗/下岗 and batches (token or session), and the centre's views, scope-checked."""

import pytest
from django.conf import settings
from django.test import Client

from xiuhua.accounts.models import User
from xiuhua.patrol import services
from xiuhua.patrol.models import PatrolShift, PatrolTrack
from xiuhua.patrol.tests.conftest import minutes_ago, signed_in, walk

pytestmark = pytest.mark.django_db


def token_client(username: str) -> Client:
    client = Client()
    answer = client.post(
        "/api/v1/auth/token",
        {"username": username, "password": settings.DEMO_PASSWORD},
        content_type="application/json",
    )
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {answer.json()['token']}"
    return client


def as_json(points) -> dict:
    return {
        "points": [
            {"recorded_at": p.recorded_at.isoformat(), "lng": p.lng, "lat": p.lat, "accuracy": p.accuracy_m}
            for p in points
        ]
    }


def test_an_inspector_goes_on_duty_sends_points_and_goes_off_with_a_token(inspector, beat):
    phone = token_client("inspector")
    started = phone.post("/api/v1/patrol/shifts/start", {"started_at": minutes_ago(20).isoformat()}, "application/json")
    assert started.status_code == 201 and started.json()["on_duty"]
    assert phone.post("/api/v1/patrol/shifts/start", {}, "application/json").status_code == 200
    batch = as_json(walk(beat, minutes_ago(15), 10, dlng=0.0001))
    sent = phone.post("/api/v1/patrol/points", batch, "application/json").json()
    resent = phone.post("/api/v1/patrol/points", batch, "application/json").json()
    assert (sent["accepted"], resent["accepted"], resent["duplicates"]) == (10, 0, 10)
    status = phone.get("/api/v1/patrol/me").json()
    assert status["on_duty"] and status["shift"]["point_count"] == 10 and status["interval_seconds"] == 30
    ended = phone.post("/api/v1/patrol/shifts/end", {}, "application/json").json()
    assert not ended["on_duty"] and ended["end_reason"] == "inspector" and ended["distance_m"] > 80


def test_bad_points_get_chinese_messages_not_500(inspector):
    phone = token_client("inspector")
    phone.post("/api/v1/patrol/shifts/start", {}, "application/json")
    bad = phone.post(
        "/api/v1/patrol/points", {"points": [{"recorded_at": "yesterday", "lng": 500, "lat": 30}]}, "application/json"
    )
    assert bad.status_code == 422
    assert "应为时间" in bad.json()["detail"] and "不能大于 180" in bad.json()["detail"]
    future = phone.post(
        "/api/v1/patrol/points",
        {"points": [{"recorded_at": minutes_ago(-30).isoformat(), "lng": 120.9, "lat": 30.5}]},
        "application/json",
    )
    assert future.status_code == 200 and "晚于服务器当前时间" in future.json()["rejected"][0]["detail"]
    off = token_client("inspector")
    off.post("/api/v1/patrol/shifts/end", {}, "application/json")
    again = off.post("/api/v1/patrol/shifts/end", {}, "application/json")
    assert again.status_code == 200  # the same 下岗 sent again by the phone's queue
    assert token_client("inspector_2").post("/api/v1/patrol/shifts/end", {}, "application/json").json()["code"] == (
        "not_on_duty"
    )


def test_the_phone_page_session_needs_its_csrf_token(inspector):
    browser = Client(enforce_csrf_checks=True)
    browser.login(username="inspector", password=settings.DEMO_PASSWORD)
    refused = browser.post("/api/v1/patrol/shifts/start", {}, "application/json")
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"] and "校验码" in refused.json()["detail"]
    browser.get("/m/")
    token = browser.cookies["csrftoken"].value
    accepted = browser.post("/api/v1/patrol/shifts/start", {}, "application/json", HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code == 201


def test_other_roles_cannot_go_on_duty(demo_city):
    answer = token_client("operator").post("/api/v1/patrol/shifts/start", {}, "application/json")
    assert answer.status_code == 403 and "只用于监督员" in answer.json()["detail"]
    assert Client().get("/api/v1/patrol/me").status_code == 401


def test_the_shift_leader_sees_who_is_on_duty_and_replays_a_track(inspector, beat):
    services.start_shift(inspector, minutes_ago(20))
    services.add_points(inspector, walk(beat, minutes_ago(10), 5, dlng=0.0001))
    leader = signed_in("shift_leader")
    on_duty = leader.get("/api/v1/patrol/on-duty").json()
    assert [row["inspector_name"] for row in on_duty] == ["监督员"]
    assert on_duty[0]["lng"] == pytest.approx(beat[0] + 0.0004)
    shifts = leader.get(f"/api/v1/patrol/inspectors/{inspector.pk}/shifts").json()
    track = leader.get(f"/api/v1/patrol/shifts/{shifts[0]['id']}/track").json()
    assert len(track["points"]) == 5 and track["points"][0][0] == pytest.approx(beat[0])


def test_a_scoped_viewer_sees_only_inspectors_of_their_area(inspector, beat):
    other = User.objects.get(username="inspector_2")
    services.start_shift(inspector, minutes_ago(20))
    shift, _ = services.start_shift(other, minutes_ago(20))
    leader = User.objects.get(username="shift_leader")
    leader.scope_division_codes = list(inspector.scope_division_codes)
    leader.save()
    client = signed_in("shift_leader")
    assert [row["inspector_name"] for row in client.get("/api/v1/patrol/on-duty").json()] == ["监督员"]
    hidden = client.get(f"/api/v1/patrol/shifts/{shift.pk}/track")
    assert hidden.status_code == 404 and "不在您的数据范围内" in hidden.json()["detail"]
    assert signed_in("operator").get("/api/v1/patrol/on-duty").status_code == 403


def test_a_batch_over_the_limit_is_refused(inspector, beat):
    phone = token_client("inspector")
    phone.post("/api/v1/patrol/shifts/start", {}, "application/json")
    too_many = as_json(walk(beat, minutes_ago(600), 501, every_s=1, dlng=0))
    answer = phone.post("/api/v1/patrol/points", too_many, "application/json")
    assert answer.status_code == 422 and "最多 500 项" in answer.json()["detail"]
    assert PatrolTrack.objects.count() == 0 and PatrolShift.objects.count() == 1
