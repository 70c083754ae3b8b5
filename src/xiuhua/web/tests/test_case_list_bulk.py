"""The case search page (filters by name, each status once) and the bulk actions taken from it."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from xiuhua.cases.models import Case, CaseEvent

pytestmark = pytest.mark.django_db


def signed_in(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=settings.DEMO_PASSWORD)
    return client


def listed(page) -> list[str]:
    return [case.number for case in page.context["table"].rows]


def test_the_search_page_names_departments_and_prints_each_status_once(demo_city):
    html = signed_in("dispatcher").get("/cases/").content.decode()
    start = html.index('data-testid="case-filters"')
    form = html[start : html.index("</form>", start)]

    assert form.count("已上报") == 1  # the status check box's label, once (no hidden <option> beside it)
    assert '<option value="zhifa">海盐县综合行政执法局</option>' in html
    assert not re.search(r">\s*zhifa\s*<", html) and not re.search(r">\s*wuyuan\s*<", html)
    assert 'name="status" value="reported"' in html and 'type="checkbox"' in html


def test_the_list_shows_the_lead_department_by_name(loop):
    loop.to_dispatched()

    html = signed_in("dispatcher").get("/cases/").content.decode()

    assert "海盐县综合行政执法局" in html and ">zhifa<" not in html


def test_filters_overdue_due_soon_status_group_department_and_sub_district(loop):
    overdue = loop.to_dispatched(now=timezone.now() - timedelta(days=30))
    soon = loop.to_dispatched(department="zhujian")
    Case.objects.filter(pk=soon.pk).update(handling_warning_at=timezone.now() - timedelta(minutes=1))
    waiting = loop.to_registered()
    client = signed_in("leader")

    assert listed(client.get("/cases/?overdue=true")) == [overdue.number]
    assert listed(client.get("/cases/?due_soon=true")) == [soon.number]
    assert set(listed(client.get("/cases/?group=with_department"))) == {overdue.number, soon.number}
    assert listed(client.get("/cases/?group=centre")) == [waiting.number]
    assert listed(client.get("/cases/?department=zhujian")) == [soon.number]
    subdistrict = overdue.grid_code[:9]
    assert len(listed(client.get(f"/cases/?division={subdistrict}"))) == 3
    assert client.get("/cases/?group=nonsense").status_code == 400


def test_a_leader_urges_the_selected_cases_at_once_and_is_told_which_could_not_be(loop, people):
    first, second = loop.to_dispatched(), loop.to_dispatched()
    unregistered = loop.report()  # 督办 is open only once a case is registered
    client = signed_in("leader")

    page = client.post(
        "/cases/bulk/",
        {"action": "urge", "note": "请加快处置", "numbers": [first.number, second.number, unregistered.number]},
    )

    assert page.status_code == 200
    outcomes = {o.number: o for o in page.context["outcomes"]}
    assert outcomes[first.number].done and outcomes[second.number].done
    assert not outcomes[unregistered.number].done
    assert "不能「督办」" in outcomes[unregistered.number].message
    assert CaseEvent.objects.filter(action="urge", case__in=[first, second]).count() == 2
    assert "成功 2 件，未成功 1 件" in page.content.decode()


def test_urging_without_a_note_is_refused_for_each_case_in_chinese(loop):
    case = loop.to_dispatched()

    page = signed_in("leader").post("/cases/bulk/", {"action": "urge", "numbers": [case.number]})

    (outcome,) = page.context["outcomes"]
    assert not outcome.done and "督办内容" in outcome.message


def test_a_dispatcher_dispatches_several_at_once_to_a_chosen_department(loop):
    first, second = loop.to_registered(), loop.to_registered()
    already = loop.to_dispatched()

    page = signed_in("dispatcher").post(
        "/cases/bulk/",
        {"action": "dispatch", "department": "zhujian", "numbers": [first.number, second.number, already.number]},
    )

    done = {o.number: o.done for o in page.context["outcomes"]}
    assert done == {first.number: True, second.number: True, already.number: False}
    assert set(Case.objects.filter(lead_department__short_name="zhujian").values_list("number", flat=True)) == {
        first.number,
        second.number,
    }


def test_a_dispatcher_approves_several_requests_at_once(loop, people):
    first, second = loop.to_dispatched(), loop.to_dispatched()
    for case in (first, second):
        loop.act(case, "request_suspension", people.zhifa, note="需等待配套施工")
    not_asked = loop.to_dispatched()

    page = signed_in("dispatcher").post(
        "/cases/bulk/", {"action": "approve", "numbers": [first.number, second.number, not_asked.number]}
    )

    done = {o.number: o.done for o in page.context["outcomes"]}
    assert done == {first.number: True, second.number: True, not_asked.number: False}
    suspended = set(Case.objects.filter(status="suspended").values_list("number", flat=True))
    assert suspended == {first.number, second.number}


def test_roles_without_a_bulk_action_get_no_check_boxes_and_are_refused(loop):
    case = loop.to_dispatched()

    assert "data-bulk-check" not in signed_in("operator").get("/cases/").content.decode()
    assert "data-bulk-check" in signed_in("leader").get("/cases/").content.decode()
    page = signed_in("operator").post("/cases/bulk/", {"action": "urge", "note": "x", "numbers": [case.number]})
    assert page.status_code == 403 and "不能批量" in page.content.decode()
    nothing = signed_in("leader").post("/cases/bulk/", {"action": "urge", "note": "x"})
    assert nothing.status_code == 400 and "请先勾选" in nothing.content.decode()


def test_the_api_lists_the_same_due_soon_and_status_group_as_the_page(loop, as_user):
    soon = loop.to_dispatched()
    Case.objects.filter(pk=soon.pk).update(handling_warning_at=timezone.now() - timedelta(minutes=1))
    loop.to_registered()
    api = as_user("leader")

    due = api.get("/cases", due_soon="true").json()
    assert [item["number"] for item in due["items"]] == [soon.number]
    assert api.get("/cases", group="centre").json()["count"] == 1
    assert api.get("/cases", date_field="dispatched", reported_from=timezone.localdate()).json()["count"] == 1
    assert api.get("/cases", group="nonsense").status_code in (400, 422)
