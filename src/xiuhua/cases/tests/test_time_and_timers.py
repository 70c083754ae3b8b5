"""Deadlines, lights, suspension and extensions on real cases, and the timer sweep with a frozen clock."""

from datetime import timedelta

import pytest
from django.core.management import call_command

from xiuhua.cases.models import Case, CaseEvent, CaseStats, Timer
from xiuhua.cases.presenters import current_light
from xiuhua.cases.tests.conftest import sh
from xiuhua.cases.timers import sweep
from xiuhua.catalog.models import CaseClass, RegisterCondition
from xiuhua.notify.models import Notice

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_working_days(demo_city) -> RegisterCondition:
    case_class = CaseClass.objects.get(code="01001", kind="event")
    return RegisterCondition.objects.create(
        case_class=case_class,
        description="测试：两个工作日",
        handling_limit_value=2,
        handling_limit_unit="working_days",
        close_condition="清理干净",
        sort_order=0,
    )


def dispatched_at(loop, moment, condition):
    case = loop.report(now=moment)
    loop.act(case, "accept", loop.p.operator, now=moment)
    loop.act(case, "register", loop.p.shift_leader, now=moment, register_condition=condition.pk)
    return loop.act(case, "dispatch", loop.p.dispatcher, now=moment, department="zhifa")


def test_dispatch_on_national_day_eve_falls_due_after_the_holiday(loop, two_working_days):
    case = dispatched_at(loop, sh(2026, 9, 30, 16, 0), two_working_days)
    assert case.handling_deadline == sh(2026, 10, 9, 16, 0)
    assert not (sh(2026, 10, 1) <= case.handling_deadline < sh(2026, 10, 8))


def test_lights_turn_yellow_at_eighty_percent_and_red_after_the_deadline(loop, two_working_days):
    case = dispatched_at(loop, sh(2026, 11, 2, 9, 0), two_working_days)  # a Monday: due Wed 11-04 09:00
    assert case.handling_deadline == sh(2026, 11, 4, 9, 0)
    assert current_light(case, sh(2026, 11, 3, 9, 0)) == "green"
    assert case.handling_warning_at == sh(2026, 11, 3, 15, 0)  # 80 % of 15 working hours = 12 h
    assert current_light(case, sh(2026, 11, 3, 14, 59)) == "green"
    assert current_light(case, sh(2026, 11, 3, 15, 0)) == "yellow"
    assert current_light(case, sh(2026, 11, 4, 9, 1)) == "red"


def test_suspended_time_does_not_count(loop, two_working_days):
    case = dispatched_at(loop, sh(2026, 11, 2, 9, 0), two_working_days)
    loop.act(case, "request_suspension", loop.p.zhifa, now=sh(2026, 11, 2, 10, 0), note="等待管线迁改")
    loop.act(case, "approve", loop.p.dispatcher, now=sh(2026, 11, 2, 11, 0))
    case = loop.act(case, "resume", loop.p.dispatcher, now=sh(2026, 11, 5, 11, 0))
    # 2 working hours were used before the pause (09:00–11:00); 13 remain from Thursday 11:00.
    assert case.handling_deadline == sh(2026, 11, 9, 9, 0)


def test_approved_extension_moves_the_bundle_deadline(loop, two_working_days):
    case = dispatched_at(loop, sh(2026, 11, 2, 9, 0), two_working_days)
    loop.act(
        case,
        "request_extension",
        loop.p.zhifa,
        now=sh(2026, 11, 3, 9, 0),
        note="材料未到",
        extension_value=1,
        extension_unit="days",
    )
    case = loop.act(case, "approve", loop.p.dispatcher, now=sh(2026, 11, 3, 10, 0))
    assert case.handling_deadline == sh(2026, 11, 5, 9, 0)
    assert case.stats.extension_total == timedelta(hours=7, minutes=30)


def test_report_back_after_the_deadline_counts_against_the_department(loop, two_working_days):
    case = dispatched_at(loop, sh(2026, 11, 2, 9, 0), two_working_days)
    loop.act(case, "report_back", loop.p.zhifa, now=sh(2026, 11, 4, 10, 0), files=[_photo()])
    stats = CaseStats.objects.get(case=case)
    assert stats.handling_on_time is False and stats.handling_overdue is True
    assert stats.handling_deadline == sh(2026, 11, 4, 9, 0)


def _photo():
    from xiuhua.cases.tests.conftest import photo

    return photo()


def test_sweep_warns_and_marks_overdue_once_however_often_it_runs(loop, two_working_days):
    case = dispatched_at(loop, sh(2026, 11, 2, 9, 0), two_working_days)
    assert sweep(now=sh(2026, 11, 3, 14, 0)) == {}
    assert sweep(now=sh(2026, 11, 3, 15, 0)) == {"handling_warning": 1}
    assert sweep(now=sh(2026, 11, 3, 15, 0)) == {}
    assert sweep(now=sh(2026, 11, 4, 9, 30)) == {"handling_overdue": 1}
    assert sweep(now=sh(2026, 11, 4, 9, 30)) == {}
    assert sweep(now=sh(2026, 11, 20, 0, 0)) == {}
    assert CaseStats.objects.get(case=case).handling_overdue is True
    marks = CaseEvent.objects.filter(case=case, action__in=["warn", "mark_overdue"])
    assert sorted(marks.values_list("action", flat=True)) == ["mark_overdue", "warn"]
    notices = Notice.objects.filter(subject=case.number, recipient=loop.p.zhifa)
    assert sorted(notices.values_list("kind", flat=True)) == ["overdue", "task", "warning"]


def test_a_late_sweep_marks_overdue_without_a_stale_warning(loop, two_working_days):
    case = dispatched_at(loop, sh(2026, 11, 2, 9, 0), two_working_days)
    assert sweep(now=sh(2026, 11, 4, 9, 30)) == {"handling_overdue": 1}
    assert list(CaseEvent.objects.filter(case=case, action="warn")) == []


def test_resuming_an_overdue_case_marks_it_once(loop, two_working_days):
    case = dispatched_at(loop, sh(2026, 11, 2, 9, 0), two_working_days)
    loop.act(case, "request_suspension", loop.p.zhifa, now=sh(2026, 11, 4, 9, 0), note="等待拆迁")
    loop.act(case, "approve", loop.p.dispatcher, now=sh(2026, 11, 4, 9, 0))
    sweep(now=sh(2026, 11, 4, 10, 0))
    case = loop.act(case, "resume", loop.p.dispatcher, now=sh(2026, 11, 9, 9, 0))
    assert CaseStats.objects.get(case=case).handling_overdue is True
    assert sweep(now=sh(2026, 11, 10, 9, 0)) == {}


def test_an_action_that_keeps_the_deadline_does_not_warn_twice(loop, two_working_days, people):
    case = dispatched_at(loop, sh(2026, 11, 2, 9, 0), two_working_days)
    sweep(now=sh(2026, 11, 3, 15, 0))
    loop.act(case, "urge", people.leader, now=sh(2026, 11, 3, 15, 30), note="抓紧")
    assert sweep(now=sh(2026, 11, 3, 16, 0)) == {}


def test_stage_limit_passes_when_nobody_accepts_the_report(loop, people):
    case = loop.report(now=sh(2026, 11, 2, 9, 0))
    assert case.stage == "accept" and case.stage_deadline == sh(2026, 11, 2, 9, 30)
    assert sweep(now=sh(2026, 11, 2, 9, 25)) == {"stage_warning": 1}
    assert sweep(now=sh(2026, 11, 2, 9, 40)) == {"stage_overdue": 1}
    assert Notice.objects.filter(subject=case.number, recipient=people.operator, kind="overdue").exists()
    case = loop.act(case, "accept", people.operator, now=sh(2026, 11, 2, 9, 45))
    assert case.stats.accept_on_time is False


def test_finished_limits_leave_no_pending_timers(loop, two_working_days):
    case = dispatched_at(loop, sh(2026, 11, 2, 9, 0), two_working_days)
    loop.act(case, "report_back", loop.p.zhifa, now=sh(2026, 11, 2, 10, 0), files=[_photo()])
    kinds = set(Timer.objects.filter(case=case, fired_at__isnull=True).values_list("kind", flat=True))
    assert kinds == {"stage_warning", "stage_overdue"}  # the check stage; the handling clock stopped


def test_sweep_command_reports_what_fired(loop, capsys):
    loop.report(now=sh(2026, 11, 2, 9, 0))
    call_command("sweep")
    assert "环节超时 1" in capsys.readouterr().out
    assert Case.objects.count() == 1
