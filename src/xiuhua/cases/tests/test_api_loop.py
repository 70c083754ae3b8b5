"""The whole loop and its side paths through the API, as the demo accounts."""

import pytest

from xiuhua.cases.models import Case, CaseEvent
from xiuhua.cases.tests.conftest import photo

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_city(shared_demo_city):
    """Every test here uses the demo city and none commits: one city for the module (conftest.module_demo_city),
    each test in a savepoint of it."""
    return shared_demo_city


@pytest.fixture
def staff(as_user):
    return {
        name: as_user(name)
        for name in ("operator", "shift_leader", "dispatcher", "inspector", "leader", "dept_zhifa", "dept_zhujian")
    }


def report_by_inspector(staff, spot, **extra):
    fields = {
        "class_code": "01001",
        "kind": "event",
        "description": "人行道上有暴露垃圾",
        "lng": spot[0],
        "lat": spot[1],
        "address": "海滨东路 1 号",
        "photos": [photo()],
        **extra,
    }
    response = staff["inspector"].post_form("/reports", fields)
    assert response.status_code == 201, response.content
    return response.json()["number"]


def ok(response):
    assert response.status_code == 200, response.content.decode()
    return response.json()


def test_a_case_goes_round_the_whole_loop_through_the_api(staff, spot):
    number = report_by_inspector(staff, spot)
    assert ok(staff["operator"].act(number, "accept"))["status"] == "accepted"
    assert ok(staff["shift_leader"].act(number, "register"))["status"] == "registered"
    dispatched = ok(staff["dispatcher"].act(number, "dispatch", department="zhifa"))
    assert dispatched["status"] == "dispatched"
    assert dispatched["handling"]["running"] and dispatched["handling"]["light"] == "green"
    assert ok(staff["dept_zhifa"].act(number, "handle"))["status"] == "handling"
    handled = ok(staff["dept_zhifa"].act(number, "report_back", photos=[photo("after.jpg")], note="已清理"))
    assert handled["status"] == "handled" and handled["stats"]["handling_on_time"] is True
    assert ok(staff["operator"].act(number, "check", inspector="inspector"))["status"] == "checking"
    checked = ok(staff["inspector"].act(number, "check", photos=[photo("ok.jpg")], result="true"))
    assert checked["status"] == "checked"
    closed = ok(staff["shift_leader"].act(number, "close"))
    assert closed["status"] == "closed"
    assert [e["action"] for e in closed["timeline"]] == [
        "report",
        "accept",
        "register",
        "dispatch",
        "handle",
        "report_back",
        "check",
        "check",
        "close",
    ]
    assert {a["stage"] for e in closed["timeline"] for a in e["attachments"]} == {"before", "after"}
    assert closed["stats"]["accurate_dispatch"] is True and closed["stats"]["rework_count"] == 0


def test_hotline_report_is_verified_then_called_back(staff, spot):
    response = staff["operator"].post_json(
        "/reports",
        {
            "class_code": "01001",
            "kind": "event",
            "description": "小区门口垃圾堆积",
            "lng": spot[0],
            "lat": spot[1],
            "source": "hotline_12345",
            "reporter_name": "王女士",
            "reporter_phone": "13800000000",
            "reporter_confidential": True,
        },
    )
    assert response.status_code == 201, response.content
    number = response.json()["number"]
    ok(staff["operator"].act(number, "accept"))
    assert ok(staff["operator"].act(number, "verify", inspector="inspector"))["status"] == "verifying"
    assert ok(staff["inspector"].act(number, "verify", result=True, photos=[photo()]))["verified"] is True
    ok(staff["shift_leader"].act(number, "register"))
    ok(staff["dispatcher"].act(number, "dispatch", department="zhifa"))
    seen_by_department = ok(staff["dept_zhifa"].get(f"/cases/{number}"))
    assert seen_by_department["reporter"]["name"] == "（保密）"
    assert seen_by_department["reporter"]["phone"] == "（保密）"
    ok(staff["dept_zhifa"].act(number, "report_back", photos=[photo()]))
    ok(staff["operator"].act(number, "check"))
    ok(staff["inspector"].act(number, "check", result=True, photos=[photo()]))
    ok(staff["shift_leader"].act(number, "close"))
    called = ok(staff["operator"].act(number, "callback", satisfaction="very_satisfied"))
    assert called["stats"]["satisfaction_score"] == 100
    again = staff["operator"].act(number, "callback", satisfaction="dissatisfied")
    assert again.status_code == 400 and "已于" in again.json()["detail"]
    assert "callback" not in ok(staff["operator"].get(f"/cases/{number}"))["allowed_actions"]
    assert ok(staff["operator"].get(f"/cases/{number}"))["reporter"]["phone"] == "13800000000"


def test_false_report_is_declined_and_cannot_be_registered(staff, spot):
    number = report_by_inspector(staff, spot)
    ok(staff["operator"].act(number, "accept"))
    ok(staff["operator"].act(number, "verify"))
    ok(staff["inspector"].act(number, "verify", result=False))
    refused = staff["shift_leader"].act(number, "register")
    assert refused.status_code == 400
    assert "不属实" in refused.json()["detail"]
    assert ok(staff["shift_leader"].act(number, "decline", note="现场无此问题"))["status"] == "declined"


def dispatched_case(staff, spot, department="zhifa"):
    number = report_by_inspector(staff, spot)
    ok(staff["operator"].act(number, "accept"))
    ok(staff["shift_leader"].act(number, "register"))
    ok(staff["dispatcher"].act(number, "dispatch", department=department))
    return number


def test_failed_check_sends_the_case_back_to_the_same_department_as_rework(staff, spot):
    number = dispatched_case(staff, spot)
    ok(staff["dept_zhifa"].act(number, "report_back", photos=[photo()]))
    ok(staff["operator"].act(number, "check"))
    back = ok(staff["inspector"].act(number, "check", result=False, photos=[photo()], note="仍有垃圾"))
    assert back["status"] == "dispatched"
    assert back["lead_department"]["short_name"] == "zhifa"
    assert back["stats"]["rework_count"] == 1
    assert back["handling"]["running"]


def test_extension_approved_moves_the_deadline(staff, spot):
    number = dispatched_case(staff, spot)
    before = ok(staff["dept_zhifa"].get(f"/cases/{number}"))["handling"]["deadline"]
    requested = ok(
        staff["dept_zhifa"].act(
            number, "request_extension", extension_value=2, extension_unit="days", note="需协调施工单位"
        )
    )
    assert requested["status"] == "extension_requested"
    approved = ok(staff["dispatcher"].act(number, "approve"))
    assert approved["status"] == "dispatched"
    assert approved["handling"]["deadline"] > before
    assert approved["stats"]["extension_count"] == 1


def test_bad_extension_length_is_refused_in_chinese(staff, spot):
    number = dispatched_case(staff, spot)
    response = staff["dept_zhifa"].act(
        number, "request_extension", extension_value=90, extension_unit="days", note="太久"
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "延期时长 extension_value 应为 1 到 30 天的整数"
    assert Case.objects.get(number=number).status == "dispatched"


def test_refused_request_returns_the_case_where_it_was(staff, spot):
    number = dispatched_case(staff, spot)
    ok(staff["dept_zhifa"].act(number, "handle"))
    ok(staff["dept_zhifa"].act(number, "request_suspension", note="需等待拆迁"))
    refused = ok(staff["dispatcher"].act(number, "refuse", note="可先行处置"))
    assert refused["status"] == "handling"
    assert refused["pending_request"] is None


def test_return_is_approved_and_redispatched_to_the_right_unit(staff, spot):
    number = dispatched_case(staff, spot)
    ok(staff["dept_zhifa"].act(number, "request_return", note="属住建局管辖"))
    moved = ok(staff["dispatcher"].act(number, "approve", department="zhujian"))
    assert moved["status"] == "dispatched"
    assert moved["lead_department"]["short_name"] == "zhujian"
    assert moved["stats"]["return_count"] == 1
    assert moved["stats"]["accurate_dispatch"] is False
    assert staff["dept_zhifa"].get(f"/cases/{number}").status_code == 404


def test_suspension_pauses_the_clock_until_resumed(staff, spot):
    number = dispatched_case(staff, spot)
    ok(staff["dept_zhifa"].act(number, "request_suspension", note="雨季无法施工"))
    suspended = ok(staff["dispatcher"].act(number, "approve"))
    assert suspended["status"] == "suspended"
    assert suspended["handling"]["running"] is False and suspended["handling"]["deadline"] is None
    resumed = ok(staff["dispatcher"].act(number, "resume"))
    assert resumed["status"] == "dispatched" and resumed["handling"]["running"]
    assert resumed["stats"]["suspension_count"] == 1


def test_void_needs_the_shift_leaders_approval(staff, spot):
    number = dispatched_case(staff, spot)
    ok(staff["dispatcher"].act(number, "request_void", note="与 2026 号案卷重复"))
    refused = staff["dispatcher"].act(number, "approve")
    assert refused.status_code == 403
    assert "值班长" in refused.json()["detail"]
    assert ok(staff["shift_leader"].act(number, "approve"))["status"] == "voided"


def test_inspector_self_handles_with_before_and_after_photos_and_operator_audits(staff, spot):
    response = staff["inspector"].post_form(
        "/reports",
        {
            "class_code": "01001",
            "kind": "event",
            "description": "路边小广告",
            "lng": spot[0],
            "lat": spot[1],
            "self_handled": "true",
            "photos": [photo("before.jpg")],
            "after_photos": [photo("after.jpg")],
        },
    )
    assert response.status_code == 201, response.content
    number = response.json()["number"]
    assert response.json()["status"] == "self_handled"
    closed = ok(staff["operator"].act(number, "approve"))
    assert closed["status"] == "closed" and closed["stats"]["self_handled"] is True


def test_leader_urges_and_the_department_is_notified(staff, spot):
    number = dispatched_case(staff, spot)
    urged = ok(staff["leader"].act(number, "urge", note="请今日内处理"))
    assert urged["stats"]["urge_count"] == 1
    notices = ok(staff["dept_zhifa"].get("/me/notices"))
    assert any(n["kind"] == "urge" and n["subject"] == number for n in notices)


def test_shift_leader_reopens_a_closed_case_as_rework(staff, spot):
    number = dispatched_case(staff, spot)
    ok(staff["dept_zhifa"].act(number, "report_back", photos=[photo()]))
    ok(staff["operator"].act(number, "check"))
    ok(staff["inspector"].act(number, "check", result=True, photos=[photo()]))
    ok(staff["shift_leader"].act(number, "close"))
    reopened = ok(staff["shift_leader"].act(number, "reopen", note="市民反映问题复发"))
    assert reopened["status"] == "dispatched" and reopened["stats"]["rework_count"] == 1
    assert reopened["closed_at"] is None


def test_wrong_role_is_403_with_the_reason(staff, spot):
    number = report_by_inspector(staff, spot)
    response = staff["dispatcher"].act(number, "accept")
    assert response.status_code == 403
    assert response.json()["detail"] == "「受理」需要受理员角色，你的角色是派遣员"


def test_wrong_state_is_409_saying_what_happened(staff, spot):
    number = report_by_inspector(staff, spot)
    ok(staff["operator"].act(number, "accept"))
    response = staff["operator"].act(number, "accept")
    assert response.status_code == 409
    assert "当前为「已受理」" in response.json()["detail"]
    assert "「受理」" in response.json()["detail"]


def test_stale_version_is_409(staff, spot):
    number = report_by_inspector(staff, spot)
    seen = ok(staff["operator"].get(f"/cases/{number}"))["version"]
    ok(staff["operator"].act(number, "accept"))
    response = staff["shift_leader"].act(number, "register", version=seen)
    assert response.status_code == 409
    assert "请刷新" in response.json()["detail"]
    assert Case.objects.get(number=number).status == "accepted"


def test_report_back_without_an_after_photo_is_refused(staff, spot):
    number = dispatched_case(staff, spot)
    response = staff["dept_zhifa"].act(number, "report_back", note="已处理")
    assert response.status_code == 400
    assert response.json()["detail"] == "反馈需上传处置后照片"


def test_department_cannot_see_or_touch_a_case_sent_elsewhere(staff, spot):
    number = dispatched_case(staff, spot, department="zhujian")
    assert staff["dept_zhifa"].get(f"/cases/{number}").status_code == 404
    assert staff["dept_zhifa"].act(number, "handle").status_code == 404


def test_unknown_action_and_unknown_fields_are_refused(staff, spot):
    number = report_by_inspector(staff, spot)
    assert staff["operator"].act(number, "teleport").json()["detail"] == "没有「teleport」这个操作"
    response = staff["operator"].act(number, "accept", colour="red")
    assert response.status_code == 422
    assert "colour" in response.json()["detail"]


def test_detail_lists_the_actions_the_caller_may_take(staff, spot):
    number = report_by_inspector(staff, spot)
    assert ok(staff["operator"].get(f"/cases/{number}"))["allowed_actions"] == ["accept", "decline", "merge"]
    assert ok(staff["inspector"].get(f"/cases/{number}"))["allowed_actions"] == ["self_handle"]
    assert ok(staff["dispatcher"].get(f"/cases/{number}"))["allowed_actions"] == []


def test_events_cannot_be_changed_or_deleted(staff, spot):
    number = report_by_inspector(staff, spot)
    event = CaseEvent.objects.get(case__number=number)
    event.note = "篡改"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        CaseEvent.objects.filter(pk=event.pk).update(note="篡改")
    with pytest.raises(TypeError):
        CaseEvent.objects.filter(pk=event.pk).delete()
    assert CaseEvent.objects.get(pk=event.pk).note == ""
