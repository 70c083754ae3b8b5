"""Merging duplicates into a parent case, repeat-complaint flags, and auto-dispatch on register."""

from datetime import timedelta

import pytest

from xiuhua.cases.models import CaseStats
from xiuhua.cases.tests.conftest import sh
from xiuhua.catalog.models import CaseClass
from xiuhua.core.errors import DomainError
from xiuhua.routing.models import AutoDispatch

pytestmark = pytest.mark.django_db


def close(loop, case):
    from xiuhua.cases.tests.conftest import photo

    loop.act(case, "accept", loop.p.operator)
    loop.act(case, "register", loop.p.shift_leader)
    loop.act(case, "dispatch", loop.p.dispatcher, department="zhifa")
    loop.act(case, "report_back", loop.p.zhifa, files=[photo()], note="已处置")
    loop.act(case, "check", loop.p.operator)
    loop.act(case, "check", loop.p.inspector, files=[photo()], result=True)
    return loop.act(case, "close", loop.p.shift_leader)


def test_a_merged_report_keeps_its_own_callback_after_the_parent_closes(loop, as_user):
    parent = loop.report(reporter_name="张先生", reporter_phone="13800000001")
    child = loop.report(reporter_name="李女士", reporter_phone="13800000002")
    child = loop.act(child, "merge", loop.p.operator, parent=parent.number)
    parent.refresh_from_db()
    assert (child.status, child.parent_id, parent.report_count) == ("merged", parent.pk, 2)
    with pytest.raises(DomainError, match="待其结案后再回访"):
        loop.act(child, "callback", loop.p.operator, satisfaction="satisfied")
    close(loop, parent)
    tasks = [t["number"] for t in as_user("operator").get("/me/tasks").json()["items"]]
    assert child.number in tasks and parent.number in tasks
    loop.act(child, "callback", loop.p.operator, satisfaction="dissatisfied")
    loop.act(parent, "callback", loop.p.operator, satisfaction="very_satisfied")
    scores = dict(CaseStats.objects.filter(case__in=[parent, child]).values_list("case_id", "satisfaction_score"))
    assert scores == {parent.pk: 100, child.pk: 0}


def test_a_case_cannot_be_merged_into_itself_or_into_a_closed_case(loop):
    case = loop.report()
    with pytest.raises(DomainError, match="它自己"):
        loop.act(case, "merge", loop.p.operator, parent=case.number)
    closed = close(loop, loop.report())
    with pytest.raises(DomainError, match="只能并入未办结"):
        loop.act(case, "merge", loop.p.operator, parent=closed.number)


def test_the_third_report_from_one_caller_in_30_days_is_a_repeat_complaint(loop, spot):
    base = sh(2026, 11, 2, 9, 0)
    first = loop.report(now=base, reporter_phone="13900000009")
    loop.spot = (spot[0], spot[1] - 0.001)  # 111 m away: another place
    second = loop.report(now=base + timedelta(days=10), reporter_phone="13900000009", class_code="06010")
    third = loop.report(now=base + timedelta(days=20), reporter_phone="13900000009", class_code="06010")
    assert [c.repeat_complaint for c in (first, second, third)] == [False, False, True]
    assert third.repeat_caller_count == 2
    late = loop.report(now=base + timedelta(days=45), reporter_phone="13900000009", class_code="06010")
    assert late.repeat_caller_count == 1 and not late.repeat_complaint


def test_the_same_problem_at_the_same_place_three_times_is_a_repeat_complaint(loop):
    base = sh(2026, 11, 2, 9, 0)
    cases = [loop.report(now=base + timedelta(days=d)) for d in (0, 7, 14)]
    assert [c.repeat_place_count for c in cases] == [0, 1, 2]
    assert cases[2].repeat_complaint


def test_a_class_set_to_auto_dispatch_goes_to_the_routed_unit_on_register(loop):
    AutoDispatch.objects.create(case_class=CaseClass.objects.get(code="01001", kind="event"))
    case = loop.to_registered()
    assert case.status == "dispatched" and case.lead_department is not None
    last = case.events.order_by("-id").first()
    assert (last.action, last.details["auto"]) == ("dispatch", True)
    assert [e.action for e in case.events.order_by("id")][-2:] == ["register", "dispatch"]
