"""A department's monthly figures, checked against a month of cases whose answers are known by construction."""

from datetime import date, timedelta

import pytest

from xiuhua.cases.figures import department_month_figures, month_bounds, month_start_of
from xiuhua.cases.tests.conftest import photo, sh

pytestmark = pytest.mark.django_db

MARCH = date(2026, 3, 1)
NOW = sh(2026, 3, 25, 12, 0)


def report_back(loop, case, at):
    return loop.act(case, "report_back", loop.p.zhifa, now=at, files=[photo("after.jpg")])


def check_and_close(loop, case, at, passed=True):
    loop.act(case, "check", loop.p.operator, now=at)
    loop.act(case, "check", loop.p.inspector, now=at, files=[photo("check.jpg")], result=passed)
    if passed:
        loop.act(case, "close", loop.p.shift_leader, now=at)


@pytest.fixture
def march(loop):
    """Cases of 综合行政执法局 (zhifa) around March 2026, each annotated with what it must count as."""
    # A: received in February, reported back on time in March → handled, on time.
    a = loop.to_dispatched(now=sh(2026, 2, 27, 10, 0))
    assert a.handling_deadline > sh(2026, 3, 2, 9, 0)
    report_back(loop, a, sh(2026, 3, 2, 9, 0))
    # B: received and handled on time in March, closed without rework → received, handled, on time.
    b = loop.to_dispatched(now=sh(2026, 3, 3, 9, 0))
    report_back(loop, b, sh(2026, 3, 3, 15, 0))
    check_and_close(loop, b, sh(2026, 3, 3, 16, 0))
    # C: received in March, reported back an hour late → received, handled, not on time.
    c = loop.to_dispatched(now=sh(2026, 3, 4, 9, 0))
    report_back(loop, c, c.handling_deadline + timedelta(hours=1))
    # D: received in March, never handled, limit long past by NOW → received, overdue open.
    loop.to_dispatched(now=sh(2026, 3, 5, 9, 0))
    # E: another department's overdue case → counts nowhere for zhifa.
    loop.to_dispatched(now=sh(2026, 3, 6, 9, 0), department="zhujian")
    # F: received, failed check (rework), reported back again on time, closed in March → handled, on time, reworked.
    f = loop.to_dispatched(now=sh(2026, 3, 9, 9, 0))
    report_back(loop, f, sh(2026, 3, 9, 10, 0))
    check_and_close(loop, f, sh(2026, 3, 9, 14, 0), passed=False)
    report_back(loop, f, sh(2026, 3, 10, 10, 0))
    check_and_close(loop, f, sh(2026, 3, 10, 15, 0))
    # G: received recently, still within its limit → received only.
    loop.to_dispatched(now=sh(2026, 3, 24, 9, 0))
    # H: dispatched ten minutes into April, Shanghai time (still 31 March in UTC) → not March.
    loop.to_dispatched(now=sh(2026, 4, 1, 0, 10))
    # I: dispatched ten minutes into March, Shanghai time (still February in UTC) → received, and overdue by NOW.
    loop.to_dispatched(now=sh(2026, 3, 1, 0, 10))
    return loop.p.department("zhifa")


def test_department_figures_for_a_month_match_the_cases_built_for_them(march):
    figures = department_month_figures(march, MARCH, NOW)

    assert figures.received == 6  # B C D F G I
    assert figures.handled == 4  # A B C F
    assert figures.handled_on_time == 3  # A B F
    assert figures.overdue_open == 2  # D I
    # The two overdue open cases count as not on time: 3 ÷ (4 handled + 2 overdue).
    assert figures.on_time_rate == pytest.approx(0.5)
    assert figures.reworked == 1  # F


def test_another_department_sees_only_its_own_case(march, loop):
    figures = department_month_figures(loop.p.department("zhujian"), MARCH, NOW)

    assert (figures.received, figures.handled, figures.overdue_open, figures.reworked) == (1, 0, 1, 0)
    # Nothing handled yet, but one case is overdue: 0 %, not "no figure".
    assert figures.on_time_rate == 0


def test_the_previous_month_counts_only_what_happened_in_it(march):
    figures = department_month_figures(march, date(2026, 2, 1), NOW)

    assert (figures.received, figures.handled, figures.handled_on_time, figures.reworked) == (1, 0, 0, 0)


def test_months_are_shanghai_calendar_months():
    start, end = month_bounds(date(2026, 12, 1))

    assert (start, end) == (sh(2026, 12, 1), sh(2027, 1, 1))
    assert month_start_of(sh(2026, 4, 1, 0, 10)) == date(2026, 4, 1)
