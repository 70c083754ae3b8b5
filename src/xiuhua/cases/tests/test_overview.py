"""The dashboard figures: known cases at known times, counted by Asia/Shanghai days and months, within scope."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xiuhua.accounts.choices import Role
from xiuhua.accounts.models import User
from xiuhua.cases.overview import Counts, overview, periods
from xiuhua.cases.tests.conftest import photo, sh
from xiuhua.territory.models import UnitGrid

pytestmark = pytest.mark.django_db

NOW = sh(2026, 11, 23, 15, 0)  # a Monday


@pytest.fixture
def history(loop, people):
    """Six cases round the loop at known moments (the demo limit of these classes: 3 working days).

    - old: dispatched Tue 20 Oct, never handled → overdue since 23 Oct (before this month);
    - late_open: dispatched Mon 16 Nov, never handled → overdue since Thu 19 Nov;
    - late_handled: dispatched Mon 2 Nov (due Thu 5 Nov), reported back Fri 20 Nov → handled late;
    - done_today: reported, dispatched, handled and checked today at 09:00, closed at 10:00;
    - new_today: reported today at 08:40, nothing else;
    - october: reported Mon 26 Oct, closed Tue 27 Oct (in the 30-day trend, not in this month).
    """
    cases = {
        "old": loop.to_dispatched(now=sh(2026, 10, 20, 10, 0)),
        "late_open": loop.to_dispatched(now=sh(2026, 11, 16, 10, 0), class_code="01002"),
        "late_handled": loop.to_dispatched(now=sh(2026, 11, 2, 10, 0)),
        "done_today": loop.to_checked(now=sh(2026, 11, 23, 9, 0)),
        "new_today": loop.report(now=sh(2026, 11, 23, 8, 40)),
        "october": loop.to_checked(now=sh(2026, 10, 26, 9, 0)),
    }
    late = cases["late_handled"]
    loop.act(late, "handle", people.zhifa, now=sh(2026, 11, 20, 9, 0))
    loop.act(late, "report_back", people.zhifa, now=sh(2026, 11, 20, 10, 0), files=[photo("after.jpg")], note="已修复")
    loop.act(cases["done_today"], "close", people.shift_leader, now=sh(2026, 11, 23, 10, 0))
    loop.act(cases["october"], "close", people.shift_leader, now=sh(2026, 10, 27, 9, 0))
    for case in cases.values():
        case.refresh_from_db()
    assert cases["old"].handling_deadline < sh(2026, 11, 1, 0, 0)
    assert sh(2026, 11, 1, 0, 0) < cases["late_open"].handling_deadline < sh(2026, 11, 23, 0, 0)
    return cases


def test_today_and_this_month_count_each_step_in_its_local_day_and_month(history, people):
    figures = overview(people.leader, now=NOW)

    assert figures.today == Counts(reported=2, registered=1, dispatched=1, closed=1, overdue=0)
    assert figures.month == Counts(reported=4, registered=3, dispatched=3, closed=1, overdue=2)


def test_overdue_now_open_cases_and_on_time_rate(history, people):
    figures = overview(people.leader, now=NOW)

    assert figures.overdue_now == 2  # old and late_open; late_handled has stopped its clock
    assert figures.open_cases == 4  # everything but the two closed cases
    assert figures.open_by_status == [("reported", 1), ("dispatched", 2), ("handled", 1)]
    assert (figures.handled_month, figures.handled_on_time_month) == (2, 1)
    # 按期处置率 counts the two cases overdue now as not on time: 1 ÷ (2 handled + 2 overdue).
    assert figures.on_time_rate == 0.25


def test_top_classes_and_grids_of_this_month(history, people, spot):
    figures = overview(people.leader, now=NOW)
    grid = UnitGrid.objects.get(code=history["done_today"].grid_code)

    assert [(c.code, c.count) for c in figures.top_classes] == [("01001", 3), ("01002", 1)]
    assert [(g.code, g.name, g.detail, g.count) for g in figures.top_grids] == [
        (grid.code, grid.name, grid.community.name, 4)
    ]


def test_trend_counts_reported_and_closed_per_local_day_over_30_days(history, people):
    trend = overview(people.leader, now=NOW).trend

    assert len(trend.days) == 30 and (trend.days[0], trend.days[-1]) == (date(2026, 10, 25), date(2026, 11, 23))
    reported = {day: n for day, n in zip(trend.days, trend.reported, strict=True) if n}
    closed = {day: n for day, n in zip(trend.days, trend.closed, strict=True) if n}
    assert reported == {date(2026, 10, 26): 1, date(2026, 11, 2): 1, date(2026, 11, 16): 1, date(2026, 11, 23): 2}
    assert closed == {date(2026, 10, 27): 1, date(2026, 11, 23): 1}


def test_a_case_reported_just_after_local_midnight_counts_for_that_day(loop, people):
    loop.report(now=sh(2026, 11, 23, 0, 5))  # 16:05 UTC on the 22nd
    loop.report(now=sh(2026, 11, 22, 23, 55))

    figures = overview(people.leader, now=NOW)

    assert figures.today.reported == 1 and figures.trend.reported[-2:] == [1, 1]


def test_the_first_of_the_month_starts_a_new_month(loop, people):
    loop.report(now=sh(2026, 10, 31, 23, 30))
    loop.report(now=sh(2026, 11, 1, 0, 30))

    assert overview(people.leader, now=sh(2026, 11, 1, 8, 0)).month.reported == 1
    assert periods(sh(2026, 11, 1, 8, 0)).month == sh(2026, 11, 1, 0, 0)


def test_on_the_31st_the_month_reaches_back_beyond_the_30_day_trend(loop, people):
    loop.report(now=sh(2026, 12, 1, 9, 0))
    loop.report(now=sh(2026, 12, 31, 9, 0))

    figures = overview(people.leader, now=sh(2026, 12, 31, 18, 0))

    assert figures.trend.days[0] == date(2026, 12, 2) and sum(figures.trend.reported) == 1
    assert (figures.today.reported, figures.month.reported) == (1, 2)


def test_a_user_scoped_to_another_sub_district_counts_nothing(history, spot):
    other = UnitGrid.objects.exclude(code__startswith=history["old"].grid_code[:9]).order_by("code").first()
    scoped = User.objects.create(username="other_leader", role=Role.LEADER, scope_division_codes=[other.code[:9]])

    figures = overview(scoped, now=NOW)

    assert figures.today == Counts() and figures.month == Counts()
    assert (figures.open_cases, figures.overdue_now, figures.top_classes, figures.on_time_rate) == (0, 0, [], None)
    assert figures.open_by_status == []
    assert sum(figures.trend.reported) == 0


def test_the_figures_take_a_fixed_number_of_queries_whatever_the_cases(history, people):
    with CaptureQueriesContext(connection) as queries:
        overview(people.leader, now=NOW)

    assert len(queries) <= 14
