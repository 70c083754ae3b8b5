"""The command centre's workbenches on the server side: who may open them, what each queue holds, the side
panel (duplicates, register conditions, routing, pending requests) and acting from it back to the queue."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from xiuhua.accounts.models import User
from xiuhua.cases.choices import CaseStatus
from xiuhua.cases.models import Case
from xiuhua.cases.tests.conftest import photo, sh
from xiuhua.catalog.models import RegisterCondition
from xiuhua.routing.services import route_case
from xiuhua.territory.models import UnitGrid
from xiuhua.web.workbench import register_conditions

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_city(shared_demo_city):
    """Every test here uses the demo city and none commits: one city for the module (conftest.module_demo_city),
    each test in a savepoint of it."""
    return shared_demo_city


METRE_LAT = 1 / 111_320.0
WUYUAN = "330424001"
INTAKE, DISPATCH = "/centre/intake/", "/centre/dispatch/"
PANEL = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "side-panel"}


def signed_in(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=settings.DEMO_PASSWORD)
    return client


def page(username: str, url: str, **headers) -> str:
    response = signed_in(username).get(url, **headers)
    assert response.status_code == 200, response.content.decode()[-2000:]
    return response.content.decode()


def queue_numbers(html: str) -> list[str]:
    """The case numbers of the queue's rows, in the order shown."""
    return re.findall(r'data-number="(\d+)" data-testid="queue-row"', html)


def row(html: str, number: str) -> str:
    """The queue row of one case."""
    return re.search(rf'<tr [^>]*data-number="{number}".*?</tr>', html, re.S).group(0)


def count(html: str, tab: str) -> int:
    return int(re.search(rf'data-testid="count-{tab}">(\d+)<', html).group(1))


def south_of(spot: tuple[float, float], metres: float) -> tuple[float, float]:
    return spot[0], spot[1] - metres * METRE_LAT  # the first grid lies on the district's north edge


# -- who may open them


@pytest.mark.parametrize(
    ("username", "landing"),
    [("operator", INTAKE), ("shift_leader", INTAKE), ("dispatcher", DISPATCH)],
)
def test_centre_staff_land_on_their_workbench_after_logging_in(demo_city, username, landing):
    response = Client().post("/login/", {"username": username, "password": settings.DEMO_PASSWORD}, follow=True)

    assert response.redirect_chain[-1][0] == landing
    assert 'data-testid="workbench"' in response.content.decode()


@pytest.mark.parametrize("url", [INTAKE, DISPATCH])
@pytest.mark.parametrize("username", ["dept_zhifa", "inspector", "leader"])
def test_other_roles_are_refused_the_workbenches_with_a_reason(demo_city, url, username):
    response = signed_in(username).get(url)

    assert response.status_code == 403
    assert 'data-testid="error-message"' in response.content.decode()


@pytest.mark.parametrize(
    ("username", "url"), [("dispatcher", INTAKE), ("operator", DISPATCH), ("shift_leader", DISPATCH)]
)
def test_each_centre_role_is_refused_the_other_workbench(demo_city, username, url):
    assert signed_in(username).get(url).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(demo_city):
    response = Client().get(INTAKE)

    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_menu_shows_each_workbench_only_to_its_roles(demo_city):
    assert f'href="{INTAKE}"' in page("operator", INTAKE)
    assert f'href="{DISPATCH}"' not in page("operator", INTAKE)
    assert f'href="{INTAKE}"' not in page("dispatcher", DISPATCH)


# -- the intake queues


def test_intake_tabs_hold_reports_by_step_with_counts(loop, people):
    reported = loop.report()
    accepted = loop.report()
    loop.act(accepted, "accept", people.operator)
    verifying = loop.report()
    loop.act(verifying, "accept", people.operator)
    loop.act(verifying, "verify", people.operator, inspector="inspector")
    handled = loop.to_handled()
    checked = loop.to_checked()
    loop.to_registered()  # the dispatcher's, not here

    html = page("operator", INTAKE)
    assert queue_numbers(html) == [reported.number]
    assert [count(html, tab) for tab in ("accept", "register", "close", "callback")] == [1, 2, 2, 0]
    assert set(queue_numbers(page("operator", f"{INTAKE}?tab=register"))) == {accepted.number, verifying.number}
    assert set(queue_numbers(page("operator", f"{INTAKE}?tab=close"))) == {handled.number, checked.number}


def test_verification_results_show_on_the_reports_waiting_to_register(loop, people):
    true, false = loop.report(), loop.report()
    for case, result in ((true, True), (false, False)):
        loop.act(case, "accept", people.operator)
        loop.act(case, "verify", people.operator, inspector="inspector")
        loop.act(case, "verify", people.inspector, result=result)

    html = page("shift_leader", f"{INTAKE}?tab=register")
    assert 'data-testid="badge-verified"' in row(html, true.number)
    assert 'data-testid="badge-verified-false"' in row(html, false.number)


def test_shift_leaders_open_on_the_reports_to_register(loop, people):
    accepted = loop.report()
    loop.act(accepted, "accept", people.operator)

    assert queue_numbers(page("shift_leader", INTAKE)) == [accepted.number]


def test_urgent_reports_come_first_then_the_oldest(loop):
    older = loop.report(now=sh(2026, 11, 2, 9, 0))
    urgent = loop.report(now=sh(2026, 11, 2, 11, 0), urgency="urgent")
    newer = loop.report(now=sh(2026, 11, 2, 10, 0))

    html = page("operator", INTAKE)
    assert queue_numbers(html) == [urgent.number, older.number, newer.number]
    assert 'data-testid="badge-urgent"' in html


def test_rows_name_their_channel_and_flag_repeat_complaints(loop):
    inspectors = loop.report_by_inspector()
    calls = [loop.report(source="hotline_12319", reporter_phone="13812345678") for _ in range(3)]

    html = page("operator", INTAKE)
    assert 'data-source="inspector"' in row(html, inspectors.number)
    flagged = {c.number for c in Case.objects.filter(repeat_complaint=True)}
    assert flagged and flagged <= {c.number for c in calls}
    for case in [inspectors, *calls]:
        assert ('data-testid="badge-repeat"' in row(html, case.number)) == (case.number in flagged)
        assert case.source != "hotline_12319" or 'data-source="hotline_12319"' in row(html, case.number)


def test_a_merged_report_shows_on_its_parent_as_a_report_count(loop, people):
    parent = loop.report()
    child = loop.report()
    loop.act(child, "merge", people.operator, parent=parent.number)

    html = page("operator", INTAKE)
    assert queue_numbers(html) == [parent.number]
    assert 'data-testid="badge-reports"' in html and "×2" in html


def test_queues_keep_to_the_users_data_scope(loop, people):
    inside = loop.report()
    grid = UnitGrid.objects.exclude(code__startswith=WUYUAN).order_by("code").first()
    loop.spot = (grid.geometry.representative_point().x, grid.geometry.representative_point().y)
    outside = loop.report()
    user = User(username="wuyuan_operator", role="operator", scope_division_codes=[WUYUAN])
    user.set_password(settings.DEMO_PASSWORD)
    user.save()

    assert queue_numbers(page("wuyuan_operator", INTAKE)) == [inside.number]
    assert signed_in("wuyuan_operator").get(f"{INTAKE}?case={outside.number}").status_code == 404
    assert set(queue_numbers(page("operator", INTAKE))) == {inside.number, outside.number}


# -- the side panel


def test_clicking_a_row_loads_only_the_side_panel(loop):
    case = loop.report()

    html = page("operator", f"{INTAKE}?tab=accept&case={case.number}", **PANEL)
    assert "<html" not in html and f'data-testid="case-panel" data-number="{case.number}"' in html
    assert 'name="next" value="/centre/intake/?tab=accept"' in html


def test_a_full_page_opens_with_the_chosen_case_beside_the_queue(loop):
    case = loop.report()

    html = page("operator", f"{INTAKE}?case={case.number}")
    assert "<html" in html and f'data-testid="case-panel" data-number="{case.number}"' in html
    assert 'class="queue-row table-active"' in html


def test_sorting_swaps_only_the_queue(loop):
    loop.report()

    html = page("operator", f"{INTAKE}?tab=accept&sort=-reported_at", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="queue")
    assert "<html" not in html and 'data-testid="queue"' in html and 'data-testid="count-accept"' not in html


def test_the_panel_lists_a_near_report_of_the_same_class_as_a_possible_duplicate(loop, spot):
    base = sh(2026, 11, 2, 9, 0)
    loop.spot = south_of(spot, 20)
    first = loop.report(now=base)
    loop.spot = spot
    second = loop.report(now=base + timedelta(minutes=5))

    html = page("operator", f"{INTAKE}?case={second.number}", **PANEL)
    duplicate = re.search(rf'data-testid="duplicate" data-number="{first.number}">(.*?)</li>', html, re.S).group(1)
    assert re.search(r'data-testid="duplicate-distance">20 m<', duplicate)
    assert "已上报" in duplicate  # its status
    assert f'data-testid="merge-into-{first.number}"' in duplicate


def test_choosing_merge_into_opens_the_merge_form_with_the_parent_filled_in(loop, spot):
    first = loop.report()
    second = loop.report()

    html = page("operator", f"{INTAKE}?tab=accept&case={second.number}&merge={first.number}", **PANEL)
    assert f'hx-get="?tab=accept&amp;case={second.number}&amp;merge={first.number}"' in html
    assert re.search(r'<details class="action-panel mb-2" data-action="merge" open>', html)
    assert f'name="parent" value="{first.number}"' in html


def test_merging_from_the_panel_returns_to_the_queue(loop, people):
    first = loop.report()
    second = loop.report()

    response = signed_in("operator").post(
        f"/cases/{second.number}/act/merge/",
        {"parent": first.number, "version": second.version, "next": f"{INTAKE}?tab=accept"},
    )
    assert response.status_code == 302 and response["Location"] == f"{INTAKE}?tab=accept"
    assert Case.objects.get(pk=second.pk).status == CaseStatus.MERGED
    assert queue_numbers(page("operator", INTAKE)) == [first.number]


def test_the_panel_shows_photos_description_and_place(loop):
    case = loop.report_by_inspector()
    attachment = case.attachments.get()

    html = page("operator", f"{INTAKE}?case={case.number}", **PANEL)
    assert f"/cases/{case.number}/attachments/{attachment.pk}/" in html
    assert "墙面有小广告" in html and case.grid_code in html


def test_a_shift_leader_sees_each_register_condition_with_its_limit(loop, people):
    case = loop.report()
    loop.act(case, "accept", people.operator)
    conditions = RegisterCondition.objects.filter(case_class=case.case_class, active=True)

    html = page("shift_leader", f"{INTAKE}?tab=register&case={case.number}", **PANEL)
    for condition in conditions:
        assert f'data-testid="condition" data-id="{condition.pk}"' in html
        assert f"{condition.description} —— {condition.handling_limit_text}" in html  # the select's label
    normal = conditions.get(urgency="normal")
    assert re.search(rf'<option value="{normal.pk}" selected>', html)


def test_an_inactive_register_condition_is_not_offered(loop, people):
    case = loop.report()
    loop.act(case, "accept", people.operator)
    retired = RegisterCondition.objects.filter(case_class=case.case_class).first()
    retired.active = False
    retired.save()

    html = page("shift_leader", f"{INTAKE}?tab=register&case={case.number}", **PANEL)
    assert f'<option value="{retired.pk}"' not in html


def test_the_deadline_preview_counts_working_days_over_the_holiday(loop):
    case = loop.report()
    two_working_days = RegisterCondition.objects.get(
        case_class=case.case_class, handling_limit_value=2, handling_limit_unit="working_days"
    )

    previews = dict(register_conditions(case, sh(2026, 9, 30, 16, 0)))
    assert timezone.localtime(previews[two_working_days]) == sh(2026, 10, 9, 16, 0)


def test_an_operator_sends_a_verify_task_choosing_the_inspector(loop, people):
    case = loop.report()
    loop.act(case, "accept", people.operator)

    html = page("operator", f"{INTAKE}?tab=register&case={case.number}", **PANEL)
    assert 'data-testid="action-verify"' in html and '<option value="inspector">' in html
    assert 'data-testid="action-register"' not in html  # the shift leader's


def test_decline_and_void_ask_for_a_required_reason(loop, people):
    reported = loop.report()
    accepted = loop.report()
    loop.act(accepted, "accept", people.operator)

    assert re.search(
        r'id="decline-note" name="note" rows="2" required',
        page("operator", f"{INTAKE}?case={reported.number}", **PANEL),
    )
    assert re.search(
        r'id="request_void-note" name="note" rows="2" required',
        page("operator", f"{INTAKE}?case={accepted.number}", **PANEL),
    )


def test_closed_hotline_cases_wait_in_the_callback_tab_until_called_back(loop, people):
    case = loop.to_checked()
    loop.act(case, "close", people.shift_leader)

    html = page("operator", f"{INTAKE}?tab=callback")
    assert queue_numbers(html) == [case.number] and count(html, "callback") == 1
    panel = page("operator", f"{INTAKE}?tab=callback&case={case.number}", **PANEL)
    assert 'name="satisfaction"' in panel and 'name="service_satisfaction"' in panel

    signed_in("operator").post(
        f"/cases/{case.number}/act/callback/", {"satisfaction": "satisfied", "service_satisfaction": "very_satisfied"}
    )
    assert queue_numbers(page("operator", f"{INTAKE}?tab=callback")) == []


def test_a_report_merged_into_a_closed_case_waits_for_its_own_callback(loop, people):
    parent, child = loop.report(), loop.report()
    loop.act(child, "merge", people.operator, parent=parent.number)
    steps = [("accept", people.operator, {}), ("register", people.shift_leader, {})]
    steps += [("dispatch", people.dispatcher, {"department": "zhifa"}), ("handle", people.zhifa, {})]
    steps += [("report_back", people.zhifa, {"files": [photo("after.jpg")]}), ("check", people.operator, {})]
    steps += [("check", people.inspector, {"files": [photo("check.jpg")], "result": True})]
    for action, actor, params in steps:
        loop.act(parent, action, actor, **params)
    assert queue_numbers(page("operator", f"{INTAKE}?tab=callback")) == []

    loop.act(parent, "close", people.shift_leader)
    assert set(queue_numbers(page("operator", f"{INTAKE}?tab=callback"))) == {parent.number, child.number}

    loop.act(parent, "reopen", people.shift_leader, note="居民反映问题复发")
    assert queue_numbers(page("operator", f"{INTAKE}?tab=callback")) == []


def test_only_roles_that_call_back_have_the_callback_tab(demo_city):
    assert 'data-testid="tab-callback"' in page("operator", INTAKE)
    assert 'data-testid="tab-callback"' not in page("shift_leader", INTAKE)


def test_a_shift_leader_closes_a_checked_case_from_the_close_tab(loop, people):
    case = loop.to_checked()

    html = page("shift_leader", f"{INTAKE}?tab=close&case={case.number}", **PANEL)
    assert 'data-testid="action-close"' in html
    response = signed_in("shift_leader").post(
        f"/cases/{case.number}/act/close/",
        {"version": Case.objects.get(pk=case.pk).version, "next": f"{INTAKE}?tab=close"},
    )
    assert response["Location"] == f"{INTAKE}?tab=close"
    assert Case.objects.get(pk=case.pk).status == CaseStatus.CLOSED


# -- dispatch


def test_the_dispatch_queue_shows_each_cases_routing_suggestion_and_why(loop):
    case = loop.to_registered(class_code="07001")  # 宣传广告类: the demo's rule sends it to 执法局

    html = page("dispatcher", DISPATCH)
    assert queue_numbers(html) == [case.number]
    assert "海盐县综合行政执法局" in html and "宣传广告类事件由综合行政执法局主办" in html


def test_the_dispatch_form_is_filled_in_with_the_suggested_units(loop):
    case = loop.to_registered(class_code="09001")  # 街面秩序 in 武原街道: 执法局 leads, 武原街道 assists
    suggestion = route_case(case, timezone.now())

    html = page("dispatcher", f"{DISPATCH}?case={case.number}", **PANEL)
    lead = suggestion.lead.short_name
    assert f'data-short-name="{lead}"' in html and suggestion.reason in html
    dispatch_form = html[html.index('data-action="dispatch"') :]
    assert re.search(rf'<option value="{lead}" selected>', dispatch_form)
    for unit in suggestion.assisting:
        assert re.search(rf'name="assisting"[^>]*>.*<option value="{unit.short_name}" selected>', dispatch_form, re.S)


def test_dispatching_with_the_suggestion_returns_to_the_queue(loop):
    case = loop.to_registered(class_code="07001")

    response = signed_in("dispatcher").post(
        f"/cases/{case.number}/act/dispatch/",
        {"department": "zhifa", "version": Case.objects.get(pk=case.pk).version, "next": f"{DISPATCH}?tab=dispatch"},
    )
    assert response["Location"] == f"{DISPATCH}?tab=dispatch"
    assert Case.objects.get(pk=case.pk).lead_department.short_name == "zhifa"
    assert queue_numbers(page("dispatcher", DISPATCH)) == []


# -- approvals


def make_requests(loop, people) -> dict[str, Case]:
    """One pending request of each kind a centre role decides."""
    extension = loop.to_dispatched()
    loop.act(extension, "request_extension", people.zhifa, note="需协调", extension_value=2, extension_unit="days")
    returned = loop.to_dispatched()
    loop.act(returned, "request_return", people.zhifa, note="不属于本单位")
    void = loop.report()
    loop.act(void, "accept", people.operator)
    loop.act(void, "request_void", people.operator, note="重复上报")
    self_handled = loop.report_by_inspector()
    loop.act(self_handled, "self_handle", people.inspector, files=[photo("after.jpg")])
    return {"extension": extension, "return": returned, "void": void, "self_handle": self_handled}


def request_kinds(html: str) -> set[str]:
    return set(re.findall(r'data-testid="request-kind" data-kind="(\w+)"', html))


def test_each_role_sees_the_requests_the_workflow_lets_it_decide(loop, people):
    make_requests(loop, people)

    assert request_kinds(page("dispatcher", f"{DISPATCH}?tab=approvals")) == {"extension", "return"}
    assert request_kinds(page("shift_leader", f"{INTAKE}?tab=approvals")) == {"void"}
    assert request_kinds(page("operator", f"{INTAKE}?tab=approvals")) == {"self_handle"}
    assert count(page("dispatcher", DISPATCH), "approvals") == 2


def test_refusing_a_request_requires_a_reason_and_only_a_return_asks_for_a_unit(loop, people):
    cases = make_requests(loop, people)

    extension = page("dispatcher", f"{DISPATCH}?tab=approvals&case={cases['extension'].number}", **PANEL)
    assert 'data-testid="pending-request" data-kind="extension"' in extension and "需协调" in extension
    assert re.search(r'id="refuse-note" name="note" rows="2" required', extension)
    assert 'id="approve-department"' not in extension
    returned = page("dispatcher", f"{DISPATCH}?tab=approvals&case={cases['return'].number}", **PANEL)
    assert 'id="approve-department"' in returned


def test_approving_from_the_panel_empties_the_approvals_tab(loop, people):
    void = make_requests(loop, people)["void"]

    response = signed_in("shift_leader").post(
        f"/cases/{void.number}/act/approve/",
        {"version": Case.objects.get(pk=void.pk).version, "next": f"{INTAKE}?tab=approvals"},
    )
    assert response["Location"] == f"{INTAKE}?tab=approvals"
    assert Case.objects.get(pk=void.pk).status == CaseStatus.VOIDED
    assert request_kinds(page("shift_leader", f"{INTAKE}?tab=approvals")) == set()


def test_suspended_cases_wait_for_the_dispatcher_to_resume_them(loop, people):
    case = loop.to_dispatched()
    loop.act(case, "request_suspension", people.zhifa, note="需等待拆迁")
    loop.act(case, "approve", people.dispatcher)

    html = page("dispatcher", f"{DISPATCH}?tab=suspended&case={case.number}")
    assert queue_numbers(html) == [case.number] and 'data-testid="action-resume"' in html
