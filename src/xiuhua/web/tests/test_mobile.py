"""The inspector's phone pages (/m/) on the server side: who may open them, tasks nearest first, a task answered
through the shared action endpoint, reports with the browser's idempotency key, self-handling, the map's data."""

import pytest
from django.conf import settings
from django.test import Client

from xiuhua.accounts.models import User
from xiuhua.cases.models import Case
from xiuhua.cases.tests.conftest import photo
from xiuhua.territory.models import UnitGrid

pytestmark = pytest.mark.django_db


def signed_in(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=settings.DEMO_PASSWORD)
    return client


def verify_task(loop, people, **report):
    case = loop.report(**report)
    loop.act(case, "accept", people.operator)
    return loop.act(case, "verify", people.operator, inspector="inspector")


def report_form(spot, **extra) -> dict:
    return {
        "class_code": "01001",
        "kind": "event",
        "description": "人行道暴露垃圾",
        "lng": f"{spot[0]:.7f}",
        "lat": f"{spot[1]:.7f}",
        "photos": [photo("camera.jpg")],
        **extra,
    }


@pytest.mark.parametrize("path", ["/m/", "/m/report/", "/m/me/"])
def test_phone_pages_are_for_inspectors_only(demo_city, path):
    assert signed_in("inspector").get(path).status_code == 200
    assert signed_in("operator").get(path).status_code == 403
    anonymous = Client().get(path)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/login/?next=")


@pytest.mark.parametrize("path", ["/m/grids/?bbox=120.9,30.5,120.95,30.55", "/m/where/?lng=120.94&lat=30.52"])
def test_phone_data_answers_json_refusals(demo_city, path):
    assert signed_in("dispatcher").get(path).status_code == 403
    anonymous = Client().get(path)
    assert anonymous.status_code == 401 and anonymous.json()["code"] == "login_required"


def test_an_inspector_starts_on_the_phone_workbench(demo_city):
    assert signed_in("inspector").get("/")["Location"] == "/m/"


def test_tasks_are_nearest_first_with_a_position_and_by_deadline_without(loop, people, spot):
    patrol = User.objects.get(username="inspector").scope_division_codes  # the far grid must be on the beat
    far_grid = UnitGrid.objects.filter(community__code__in=patrol).order_by("-code").first()
    far_grid = far_grid.geometry.representative_point()
    first = verify_task(loop, people)  # at the spot, older: earlier deadline
    loop.spot = (far_grid.x, far_grid.y)
    second = verify_task(loop, people)
    client = signed_in("inspector")

    by_deadline = client.get("/m/").content.decode()
    assert by_deadline.index(first.number) < by_deadline.index(second.number)
    assert 'data-sort="deadline"' in by_deadline

    near_second = client.get("/m/", {"lng": far_grid.x, "lat": far_grid.y}, HTTP_HX_REQUEST="true")
    page = near_second.content.decode()
    assert page.startswith('<div id="task-list"') and 'data-sort="distance"' in page
    assert page.index(second.number) < page.index(first.number)


def test_a_verify_task_is_answered_through_the_shared_action_endpoint(loop, people):
    case = verify_task(loop, people)
    client = signed_in("inspector")

    page = client.get(f"/m/cases/{case.number}/").content.decode()
    assert f'action="/cases/{case.number}/act/verify/"' in page and 'capture="environment"' in page

    response = client.post(
        f"/cases/{case.number}/act/verify/",
        {"version": case.version, "result": "true", "photos": [photo()], "next": "/m/"},
    )
    assert response.status_code == 302 and response["Location"] == "/m/"
    case.refresh_from_db()
    assert case.status == "accepted" and case.events.filter(action="verify").count() == 2


def test_a_failed_check_from_the_phone_sends_the_case_back_for_rework(loop, people):
    case = loop.to_handled()
    loop.act(case, "check", people.operator, inspector="inspector")
    client = signed_in("inspector")

    page = client.get(f"/m/cases/{case.number}/").content.decode()
    assert 'data-testid="m-action-check"' in page and 'data-testid="photos" required' in page

    case.refresh_from_db()
    response = client.post(
        f"/cases/{case.number}/act/check/",
        {"version": case.version, "result": "false", "photos": [photo("still-dirty.jpg")], "note": "仍有垃圾"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "dispatched" and case.stats.rework_count == 1


def test_a_case_the_inspector_cannot_see_is_not_found(demo_city):
    assert signed_in("inspector").get("/m/cases/2099010100001/").status_code == 404


def test_a_report_from_the_phone_is_stored_once_per_key(demo_city, spot):
    client = signed_in("inspector")

    first = client.post("/m/report/", report_form(spot), HTTP_IDEMPOTENCY_KEY="m-0001")
    again = client.post("/m/report/", report_form(spot), HTTP_IDEMPOTENCY_KEY="m-0001")

    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["number"] == again.json()["number"] and again.json()["created"] is False
    case = Case.objects.get()
    assert case.source == "inspector" and case.original_crs == "wgs84" and case.attachments.count() == 1


def test_a_report_without_a_photo_is_refused_in_chinese_and_logged(demo_city, spot):
    form = report_form(spot)
    del form["photos"]

    response = signed_in("inspector").post("/m/report/", form, HTTP_IDEMPOTENCY_KEY="m-0002")

    assert response.status_code == 400 and response.json()["detail"] == "监督员上报需附现场照片"
    assert not Case.objects.exists()
    from xiuhua.intake.models import RejectedReport

    assert RejectedReport.objects.get().error_code == "photo_required"


def test_a_self_handled_report_needs_the_after_photo_and_waits_for_the_audit(demo_city, spot):
    client = signed_in("inspector")

    refused = client.post("/m/report/", report_form(spot, self_handled="1"), HTTP_IDEMPOTENCY_KEY="m-3")
    done = client.post(
        "/m/report/", report_form(spot, self_handled="1", after_photos=[photo("after.jpg")]), HTTP_IDEMPOTENCY_KEY="m-4"
    )

    assert refused.status_code == 400 and "处置后照片" in refused.json()["detail"]
    assert done.status_code == 201 and done.json()["status"] == "self_handled"


def test_a_reported_case_can_be_self_handled_from_its_page(loop, people):
    case = loop.report_by_inspector()

    page = signed_in("inspector").get(f"/m/cases/{case.number}/").content.decode()

    assert f'action="/cases/{case.number}/act/self_handle/"' in page


def test_the_report_page_offers_frequent_classes_first_and_every_class(loop, people):
    loop.report_by_inspector()  # 01001, by the inspector

    page = signed_in("inspector").get("/m/report/").content.decode()

    frequent = page[page.index('data-testid="frequent"') :]
    assert 'data-code="01001"' in frequent[: frequent.index("</div>")]
    assert page.count('class="m-class"') > 300  # the whole catalogue, searchable in the browser


def test_the_map_gets_grids_with_codes_and_the_place_of_the_pin(demo_city, spot):
    client = signed_in("inspector")
    lng, lat = spot

    grids = client.get("/m/grids/", {"bbox": f"{lng - 0.002},{lat - 0.002},{lng + 0.002},{lat + 0.002}"}).json()
    where = client.get("/m/where/", {"lng": lng, "lat": lat}).json()
    outside = client.get("/m/where/", {"lng": 121.5, "lat": 31.2})

    assert grids["features"] and "code" in grids["features"][0]["properties"]
    assert where["grid_code"] == UnitGrid.objects.order_by("code").first().code
    assert outside.status_code == 400 and "不在本辖区" in outside.json()["detail"]


def test_me_lists_the_inspectors_own_reports(loop, people):
    mine = loop.report_by_inspector()
    other = loop.report()

    page = signed_in("inspector").get("/m/me/").content.decode()

    assert mine.number in page and other.number not in page


def test_the_service_worker_is_served_for_the_app_scope(demo_city):
    response = Client().get("/m/sw.js")

    assert response.status_code == 200 and response["Content-Type"].startswith("text/javascript")
    body = response.content.decode()
    assert "/static/web/m-queue.js" in body and "/static/vendor/leaflet/leaflet.js" in body
