"""Who sees which cases (data scope), list filters, and each role's work queue."""

from datetime import datetime

import pytest

from xiuhua.accounts.models import User
from xiuhua.cases.tests.conftest import SHANGHAI, ApiClient, photo, sh
from xiuhua.cases.timers import sweep
from xiuhua.territory.models import UnitGrid

pytestmark = pytest.mark.django_db
WUYUAN = "330424001"


def point_outside(prefix: str) -> tuple[float, float]:
    grid = UnitGrid.objects.exclude(code__startswith=prefix).order_by("code").first()
    centre = grid.geometry.representative_point()
    return centre.x, centre.y


def report(as_user, spot):
    body = {"class_code": "01001", "kind": "event", "description": "占道经营", "lng": spot[0], "lat": spot[1]}
    response = as_user("operator").post_json("/reports", body)
    assert response.status_code == 201, response.content
    return response.json()["number"]


def scoped_client(client, settings, username: str, role: str, scope: list[str]) -> ApiClient:
    user = User(username=username, role=role, scope_division_codes=scope)
    user.set_password(settings.DEMO_PASSWORD)
    user.save()
    return ApiClient(client, username, settings.DEMO_PASSWORD)


def test_a_sub_district_sees_its_own_cases_but_not_its_neighbours(as_user, spot):
    inside = report(as_user, spot)
    outside = report(as_user, point_outside(WUYUAN))
    wuyuan = as_user("dept_wuyuan")
    assert wuyuan.get(f"/cases/{inside}").status_code == 200
    assert wuyuan.get(f"/cases/{outside}").status_code == 404
    assert [c["number"] for c in wuyuan.get("/cases").json()["items"]] == [inside]


def test_command_centre_staff_scoped_to_a_sub_district_get_404_elsewhere(as_user, spot, client, settings):
    outside = report(as_user, point_outside(WUYUAN))
    operator = scoped_client(client, settings, "wuyuan_operator", "operator", [WUYUAN])
    response = operator.get(f"/cases/{outside}")
    assert response.status_code == 404 and response.json()["detail"] == f"未找到案卷「{outside}」"
    assert operator.act(outside, "accept").status_code == 404


def test_inspector_sees_cases_in_their_grids_and_their_own_reports(as_user, spot, client, settings):
    outside = report(as_user, point_outside(WUYUAN))
    inside = report(as_user, spot)
    inspector = scoped_client(client, settings, "wuyuan_inspector", "inspector", [WUYUAN])
    assert inspector.get(f"/cases/{inside}").status_code == 200
    assert inspector.get(f"/cases/{outside}").status_code == 404


def test_case_list_filters(as_user, spot):
    first, second = report(as_user, spot), report(as_user, point_outside(WUYUAN))
    as_user("operator").act(first, "accept")
    operator = as_user("operator")
    assert [c["number"] for c in operator.get("/cases", status="accepted").json()["items"]] == [first]
    assert [c["number"] for c in operator.get("/cases", division=WUYUAN).json()["items"]] == [first]
    assert operator.get("/cases", source="hotline_12345").json()["count"] == 2
    assert operator.get("/cases", **{"class": "01001"}).json()["count"] == 2
    assert operator.get("/cases", light="green").json()["count"] == 2
    assert operator.get("/cases", light="red").json()["count"] == 0
    assert operator.get("/cases", status="dreaming").status_code == 400
    reported_at = datetime.fromisoformat(operator.get(f"/cases/{second}").json()["reported_at"])
    today = reported_at.astimezone(SHANGHAI).date().isoformat()  # filters count days in Asia/Shanghai
    assert operator.get("/cases", reported_from=today, reported_to=today).json()["count"] == 2


def test_each_role_finds_its_work_in_its_queue(as_user, spot):
    number = report(as_user, spot)
    assert [t["number"] for t in as_user("operator").get("/me/tasks").json()["items"]] == [number]
    assert as_user("shift_leader").get("/me/tasks").json()["count"] == 0
    as_user("operator").act(number, "accept")
    assert [t["number"] for t in as_user("shift_leader").get("/me/tasks").json()["items"]] == [number]
    as_user("shift_leader").act(number, "register")
    as_user("dispatcher").act(number, "dispatch", department="zhifa")
    zhifa_tasks = as_user("dept_zhifa").get("/me/tasks").json()["items"]
    assert [(t["number"], t["light"]) for t in zhifa_tasks] == [(number, "green")]
    assert as_user("dept_zhujian").get("/me/tasks").json()["count"] == 0


def test_leaders_queue_holds_the_overdue_cases(loop, people, as_user):
    case = loop.report(now=sh(2026, 11, 2, 9, 0))
    loop.act(case, "accept", people.operator, now=sh(2026, 11, 2, 9, 0))
    loop.act(case, "register", people.shift_leader, now=sh(2026, 11, 2, 9, 0))
    loop.act(case, "dispatch", people.dispatcher, now=sh(2026, 11, 2, 9, 0), department="zhifa")
    sweep(now=sh(2026, 11, 25, 9, 0))
    leader = as_user("leader")
    assert [t["number"] for t in leader.get("/me/tasks").json()["items"]] == [case.number]
    assert leader.get("/cases", overdue="true").json()["count"] == 1
    assert leader.get("/cases", light="red").json()["count"] == 1
    loop.act(case, "report_back", people.zhifa, files=[photo()])
    assert leader.get("/cases", overdue="true").json()["count"] == 0
