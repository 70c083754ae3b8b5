"""Leaders' assignments: urgent by default, the named unit suggested to the dispatcher, the centre told at once."""

import pytest

from xiuhua.cases.models import Case

pytestmark = pytest.mark.django_db


def assign(as_user, spot, username="leader", **extra):
    body = {
        "class_code": "06010",
        "kind": "event",
        "description": "县领导检查发现海滨公园南门垃圾堆积，要求今日清理",
        "lng": spot[0],
        "lat": spot[1],
        "department": "zhujian",
        **extra,
    }
    return as_user(username).post_json("/assignments", body)


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
