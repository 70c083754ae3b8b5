"""An empty data scope is nothing; an inspector reads their beat, their own reports and their tasks.

Every demo account, over every list endpoint, reads 0 cases outside its scope.
"""

import pytest
from django.conf import settings
from django.test import Client

from xiuhua.accounts.choices import Role
from xiuhua.accounts.models import User
from xiuhua.accounts.queries import sees_division_code
from xiuhua.cases.models import Case
from xiuhua.cases.overview import overview
from xiuhua.cases.tests.conftest import photo
from xiuhua.intake.channels.staff.adapter import report_by_staff
from xiuhua.intake.services import ReportInput
from xiuhua.territory.models import UnitGrid

pytestmark = pytest.mark.django_db
PASSWORD = "Scope-test-2026!"


def far_spot(inspector: User) -> tuple[float, float]:
    """A point in a grid outside the inspector's patrol area."""
    grid = UnitGrid.objects.exclude(community__code__in=inspector.scope_division_codes).order_by("-code").first()
    point = grid.geometry.representative_point()
    return point.x, point.y


def report_at(user: User, spot: tuple[float, float]) -> Case:
    data = ReportInput(class_code="01001", kind="event", description="路面有暴露垃圾", lng=spot[0], lat=spot[1])
    return report_by_staff(user, data, [photo("before.jpg")]).case


@pytest.fixture
def spread(loop, people):
    """Cases on the inspector's beat and far from it, one reported by the inspector far away, one tasked."""
    far = far_spot(people.inspector)
    near = loop.to_dispatched()
    away = report_at(people.operator, far)
    own_far = report_at(people.inspector, far)
    tasked = report_at(people.operator, far)
    loop.act(tasked, "accept", people.operator)
    tasked = loop.act(tasked, "verify", people.operator)
    Case.objects.filter(pk=tasked.pk).update(assigned_inspector=people.inspector)
    return {"near": near, "away": away, "own_far": own_far, "tasked": tasked}


def api_as(client: Client, username: str, password: str = settings.DEMO_PASSWORD) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", {"username": username, "password": password}, "application/json")
    assert response.status_code == 200, response.content
    return {"HTTP_AUTHORIZATION": f"Bearer {response.json()['token']}"}


def unscoped(role: str) -> User:
    user = User(username=f"unscoped_{role}", role=role)
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.mark.parametrize("role", [Role.LEADER, Role.OPERATOR, Role.DISPATCHER, Role.SYSADMIN, Role.INSPECTOR])
def test_an_empty_scope_reads_no_case_on_list_detail_map_overview_and_evaluation(client, spread, role):
    user = unscoped(role)
    auth = api_as(client, user.username, PASSWORD)
    assert client.get("/api/v1/cases", **auth).json()["count"] == 0
    assert client.get("/api/v1/me/tasks", **auth).json()["count"] == 0
    for case in spread.values():
        assert client.get(f"/api/v1/cases/{case.number}", **auth).status_code == 404
    page = Client()
    page.force_login(user)
    statuses = ",".join(sorted({c.status for c in Case.objects.all()}))
    assert page.get("/map/cases.geojson", {"status": statuses}).json()["features"] == []
    district = Client()
    district.force_login(User.objects.get(username="leader"))
    assert district.get("/map/cases.geojson", {"status": statuses}).json()["features"], "the district sees them"
    figures = overview(user)
    assert figures.month.reported == 0 and figures.open_by_status == []
    if role == Role.LEADER:
        body = client.get("/api/v1/evaluation/subdistrict", **auth).json()
        assert body["rows"] == [], body


def test_an_empty_scope_gets_an_empty_dashboard_and_report_page_not_an_error(client, spread, settings):
    settings.XIUHUA_OVERVIEW_CACHE_SECONDS = 30  # the shared, cached figures key on the scope's SQL
    page = Client()
    page.force_login(unscoped(Role.LEADER))
    assert page.get("/dashboard/").status_code == 200
    assert page.get("/reports/monthly/").status_code == 200


def test_an_unscoped_department_reads_only_the_cases_sent_to_it(client, spread):
    zhifa = api_as(client, "dept_zhifa")
    numbers = {c["number"] for c in client.get("/api/v1/cases", {"limit": 500}, **zhifa).json()["items"]}
    assert numbers == {spread["near"].number}


def test_the_inspector_reads_the_beat_own_reports_and_tasks_and_nothing_else(client, spread, people):
    auth = api_as(client, "inspector")
    numbers = {c["number"] for c in client.get("/api/v1/cases", {"limit": 500}, **auth).json()["items"]}
    assert {spread["near"].number, spread["own_far"].number, spread["tasked"].number} <= numbers
    assert spread["away"].number not in numbers
    assert client.get(f"/api/v1/cases/{spread['away'].number}", **auth).status_code == 404
    for case in Case.objects.filter(number__in=numbers):
        on_beat = sees_division_code(people.inspector, case.grid_code)
        assert on_beat or people.inspector.pk in (case.reporter_id, case.assigned_inspector_id), case.number


LIST_ENDPOINTS = ["/api/v1/cases", "/api/v1/me/tasks", "/api/v1/hotline/orders"]


def _readable(user: User, case: Case) -> bool:
    if user.is_superuser:
        return True
    mine = {case.lead_department_id, *case.assisting_departments.values_list("pk", flat=True)}
    sent = user.role == Role.DEPARTMENT and user.department_id in mine
    tasked = user.role == Role.INSPECTOR and user.pk in (case.reporter_id, case.assigned_inspector_id)
    return sent or tasked or sees_division_code(user, case.grid_code)


def test_no_demo_account_reads_a_case_outside_its_scope_over_the_list_endpoints(client, spread):
    checked = 0
    for user in User.objects.filter(is_demo=True, is_active=True):
        auth = api_as(client, user.username)
        for path in LIST_ENDPOINTS:
            response = client.get(path, {"limit": 500}, **auth)
            if response.status_code == 403:
                continue
            for item in response.json()["items"]:
                number = item.get("number") or item.get("case_number")
                if number:
                    assert _readable(user, Case.objects.get(number=number)), (user.username, path, number)
                    checked += 1
    assert checked > 0
