"""Leaders' assignments: urgent by default, the named unit suggested to the dispatcher, the centre told at once."""

import pytest

from xiuhua.cases.models import Case

pytestmark = pytest.mark.django_db


def assign(as_user, spot, username="leader", headers=None, **extra):
    body = {
        "class_code": "06010",
        "kind": "event",
        "description": "县领导检查发现海滨公园南门垃圾堆积，要求今日清理",
        "lng": spot[0],
        "lat": spot[1],
        "department": "zhujian",
        **extra,
    }
    return as_user(username).post_json("/assignments", body, **(headers or {}))


def test_an_assignment_goes_to_the_unit_the_leader_named(as_user, spot, loop):
    response = assign(as_user, spot)
    assert response.status_code == 201, response.content
    case = Case.objects.get(number=response.json()["number"])
    assert (case.source, case.urgency) == ("leader", "urgent")
    assert as_user("operator").get("/me/notices").json()[0]["title"].startswith("领导交办")
    loop.act(case, "accept", loop.p.operator)
    loop.act(case, "register", loop.p.shift_leader)
    case = loop.act(case, "dispatch", loop.p.dispatcher)
    assert case.lead_department.short_name == "zhujian"
    assert case.events.order_by("-id").first().details["routing"] == "领导交办时指定的单位"


def test_only_leaders_assign_and_an_unknown_unit_is_refused(as_user, spot):
    assert assign(as_user, spot, username="operator").status_code == 403
    refused = assign(as_user, spot, department="nobody")
    assert refused.status_code == 400 and "nobody" in refused.json()["detail"]
    assert not Case.objects.exists()


class Crashed(Exception):
    """The process died right after the notices were written."""


def test_a_crash_after_the_notices_rolls_back_the_case_and_a_retry_tells_the_centre(as_user, spot, monkeypatch):
    from xiuhua.intake.channels.leader import adapter
    from xiuhua.notify.models import Notice

    real = adapter.notify_centre

    def notify_then_crash(case, note):
        real(case, note)
        raise Crashed

    monkeypatch.setattr(adapter, "notify_centre", notify_then_crash)
    with pytest.raises(Crashed):
        assign(as_user, spot, headers={"HTTP_IDEMPOTENCY_KEY": "leader-retry-1"})
    # Case and notices went together: nothing half done for the retry to find.
    assert not Case.objects.exists() and not Notice.objects.exists()
    monkeypatch.setattr(adapter, "notify_centre", real)
    response = assign(as_user, spot, headers={"HTTP_IDEMPOTENCY_KEY": "leader-retry-1"})
    assert response.status_code == 201
    assert Notice.objects.filter(subject=response.json()["number"], recipient__username="operator").exists()


def test_the_centre_s_sms_carries_the_case_template_not_the_description(as_user, spot, settings):
    from xiuhua.accounts.models import User
    from xiuhua.notify.models import Message

    settings.XIUHUA_MESSAGE_CHANNELS = {"sms": "xiuhua.notify.channels.sms.SmppChannel"}
    User.objects.filter(username="operator").update(phone="13812340001")
    response = assign(as_user, spot)
    sms = Message.objects.get(recipient__username="operator", channel="sms")
    assert sms.subject == response.json()["number"] and sms.template is not None
    assert sms.variables["class_name"] and "交办" in sms.variables["body"]
    assert "海滨公园" not in sms.text and "海滨公园" not in sms.variables["body"]
