import random
import time as stopwatch
from datetime import UTC, date, datetime, time, timedelta
from functools import cache

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xiuhua.worktime.choices import LimitUnit
from xiuhua.worktime.clock import (
    SHANGHAI,
    WorkCalendar,
    current_calendar,
    forget_calendar,
    load_calendar,
)
from xiuhua.worktime.models import WorkDay, WorkWindow
from xiuhua.worktime.services import DEFAULT_WORK_WINDOWS, official_years

WORKING_HOURS = LimitUnit.WORKING_HOURS
WORKING_DAYS = LimitUnit.WORKING_DAYS
URGENT_HOURS = LimitUnit.URGENT_HOURS
NATURAL_DAYS = LimitUnit.NATURAL_DAYS
WORKING_UNITS = (WORKING_HOURS, WORKING_DAYS)


def sh(*args) -> datetime:
    """A moment given in Asia/Shanghai local time."""
    return datetime(*args, tzinfo=SHANGHAI)


def days_of(*years: int):
    day = date(min(years), 1, 1)
    while day.year <= max(years):
        yield day
        day += timedelta(days=1)


@cache
def official_calendar() -> WorkCalendar:
    """The seeded calendar without the database: chinese-calendar's years, Monday–Friday beyond them."""
    known = official_years()
    workdays = {d: chinese_calendar.is_workday(d) for d in days_of(2024, 2029) if d.year in known}
    return WorkCalendar(workdays=workdays, windows=DEFAULT_WORK_WINDOWS)


@cache
def odd_calendar() -> WorkCalendar:
    """A table with gaps, random holidays and make-up weekends, and windows touching midnight."""
    rng = random.Random(5)
    workdays = {d: rng.random() < 0.6 for d in days_of(2025, 2028) if rng.random() < 0.7}
    windows = ((time(0, 0), time(0, 45)), (time(9, 0), time(11, 15, 30)), (time(14, 0), time(23, 59, 59)))
    return WorkCalendar(workdays=workdays, windows=windows)


@pytest.fixture
def calendar(db) -> WorkCalendar:
    return load_calendar()


@pytest.fixture(autouse=True)
def fresh_snapshot():
    # Each test's database changes are rolled back, which no signal reports: start and end uncached.
    forget_calendar()
    yield
    forget_calendar()


# -- deadlines on the seeded calendar ----------------------------------------------------------------


def test_two_working_days_from_national_day_eve_end_after_the_holiday(calendar):
    due = calendar.add_limit(sh(2026, 9, 30, 16, 0), 2, WORKING_DAYS)
    assert due == sh(2026, 10, 9, 16, 0)
    assert due.tzinfo is UTC


def test_three_working_days_from_national_day_eve_end_on_the_make_up_saturday(calendar):
    assert calendar.add_limit(sh(2026, 9, 30, 16, 0), 3, WORKING_DAYS) == sh(2026, 10, 10, 16, 0)
    assert calendar.add_limit(sh(2026, 9, 30, 16, 0), 4, WORKING_DAYS) == sh(2026, 10, 12, 16, 0)


def test_no_deadline_falls_during_the_national_day_holiday(calendar):
    start = sh(2026, 9, 30, 8, 30)
    for minutes in range(0, 3 * 450 + 1, 7):
        due = calendar.add(start, timedelta(minutes=minutes), WORKING_HOURS).astimezone(SHANGHAI)
        assert not date(2026, 10, 1) <= due.date() <= date(2026, 10, 7)


def test_a_working_day_from_friday_afternoon_ends_on_monday_afternoon(calendar):
    assert calendar.add_limit(sh(2026, 3, 6, 16, 0), 1, WORKING_DAYS) == sh(2026, 3, 9, 16, 0)


def test_a_make_up_sunday_counts_as_a_working_day(calendar):
    # 2026-09-20 is a Sunday worked in exchange for National Day.
    assert calendar.is_workday(date(2026, 9, 20))
    assert calendar.add_limit(sh(2026, 9, 18, 10, 0), 1, WORKING_DAYS) == sh(2026, 9, 20, 10, 0)


def test_spring_festival_is_skipped_and_its_make_up_saturdays_are_worked(calendar):
    friday = sh(2026, 2, 13, 16, 0)
    assert calendar.add_limit(friday, 1, WORKING_DAYS) == sh(2026, 2, 14, 16, 0)  # Saturday, make-up day
    assert calendar.add_limit(friday, 2, WORKING_DAYS) == sh(2026, 2, 24, 16, 0)  # after Feb 15–23
    assert calendar.add_limit(friday, 6, WORKING_DAYS) == sh(2026, 2, 28, 16, 0)  # Saturday, make-up day


def test_the_lunch_break_does_not_count(calendar):
    assert calendar.add_limit(sh(2026, 3, 10, 11, 0), 2, WORKING_HOURS) == sh(2026, 3, 10, 14, 30)
    assert calendar.elapsed(sh(2026, 3, 10, 11, 0), sh(2026, 3, 10, 14, 30), WORKING_HOURS) == timedelta(hours=2)
    assert calendar.elapsed(sh(2026, 3, 10, 12, 0), sh(2026, 3, 10, 13, 30), WORKING_HOURS) == timedelta(0)


def test_a_case_dispatched_at_night_starts_counting_at_the_next_morning(calendar):
    assert calendar.add_limit(sh(2026, 3, 10, 22, 0), 1, WORKING_HOURS) == sh(2026, 3, 11, 9, 30)
    assert calendar.add_limit(sh(2026, 3, 11, 6, 0), 1, WORKING_HOURS) == sh(2026, 3, 11, 9, 30)


def test_a_case_dispatched_on_a_weekend_starts_counting_on_monday(calendar):
    assert calendar.add_limit(sh(2026, 3, 7, 10, 0), 1, WORKING_HOURS) == sh(2026, 3, 9, 9, 30)
    assert calendar.add_limit(sh(2026, 3, 8, 23, 0), 1, WORKING_DAYS) == sh(2026, 3, 9, 17, 30)


def test_a_deadline_at_the_end_of_a_window_stays_there(calendar):
    assert calendar.add(sh(2026, 3, 10, 8, 30), timedelta(hours=3, minutes=30), WORKING_HOURS) == sh(2026, 3, 10, 12)
    assert calendar.add_limit(sh(2026, 3, 10, 8, 30), 1, WORKING_DAYS) == sh(2026, 3, 10, 17, 30)
    # Started in the lunch break: the first working minute is 13:30.
    assert calendar.add_limit(sh(2026, 3, 10, 12, 30), 4, WORKING_HOURS) == sh(2026, 3, 10, 17, 30)


def test_adding_nothing_returns_the_start_even_outside_working_time(calendar):
    night = sh(2026, 10, 3, 2, 15)
    for unit in LimitUnit:
        result = calendar.add(night, timedelta(0), unit)
        assert result == night
        assert result.tzinfo is UTC


def test_urgent_hours_and_natural_days_run_round_the_clock_through_holidays(calendar):
    start = sh(2026, 9, 30, 16, 0)
    assert calendar.add_limit(start, 24, URGENT_HOURS) == sh(2026, 10, 1, 16, 0)
    assert calendar.add_limit(start, 3, NATURAL_DAYS) == sh(2026, 10, 3, 16, 0)
    assert calendar.elapsed(start, sh(2026, 10, 9, 16, 0), NATURAL_DAYS) == timedelta(days=9)
    assert calendar.elapsed(start, sh(2026, 10, 9, 16, 0), WORKING_DAYS) == timedelta(hours=15)


def test_limit_durations_are_in_each_units_own_clock(calendar):
    assert calendar.workday_length == timedelta(hours=7, minutes=30)
    assert calendar.limit_duration(3, WORKING_HOURS) == timedelta(hours=3)
    assert calendar.limit_duration(2, WORKING_DAYS) == timedelta(hours=15)
    assert calendar.limit_duration(2, URGENT_HOURS) == timedelta(hours=2)
    assert calendar.limit_duration(2, NATURAL_DAYS) == timedelta(days=2)
    assert calendar.limit_duration(2, "working_days") == timedelta(hours=15)  # plain strings work too


def test_elapsed_is_zero_when_the_end_is_not_after_the_start(calendar):
    moment = sh(2026, 3, 10, 10, 0)
    for unit in LimitUnit:
        assert calendar.elapsed(moment, moment, unit) == timedelta(0)
        assert calendar.elapsed(moment, moment - timedelta(hours=5), unit) == timedelta(0)


def test_utc_and_local_inputs_mean_the_same_moment(calendar):
    local = sh(2026, 9, 30, 16, 0)
    assert calendar.add_limit(local.astimezone(UTC), 2, WORKING_DAYS) == calendar.add_limit(local, 2, WORKING_DAYS)


def test_a_year_on_the_fallback_in_the_table_uses_monday_to_friday(calendar):
    assert calendar.workdays[date(2027, 2, 8)] is True  # in the table, though it will be Spring Festival
    # Friday 2027-02-05 → Monday 2027-02-08: the fallback knows no Spring Festival.
    assert calendar.add_limit(sh(2027, 2, 5, 10, 0), 1, WORKING_DAYS) == sh(2027, 2, 8, 10, 0)


def test_a_year_missing_from_the_table_uses_monday_to_friday(calendar):
    assert date(2030, 1, 1) not in calendar.workdays
    assert calendar.is_workday(date(2030, 1, 1))  # a Tuesday; nobody has entered New Year's Day
    assert not calendar.is_workday(date(2030, 1, 5))
    assert calendar.add_limit(sh(2030, 1, 4, 16, 0), 1, WORKING_DAYS) == sh(2030, 1, 7, 16, 0)
    # Across the end of the table: 2027-12-31 is a Friday.
    assert calendar.add_limit(sh(2027, 12, 31, 16, 0), 1, WORKING_DAYS) == sh(2028, 1, 3, 16, 0)
    assert calendar.elapsed(sh(2027, 12, 31, 8, 30), sh(2030, 1, 7, 8, 30), WORKING_DAYS) == 526 * timedelta(
        hours=7, minutes=30
    )


def test_a_date_before_the_table_uses_monday_to_friday(calendar):
    assert calendar.add_limit(sh(2003, 12, 31, 16, 0), 1, WORKING_DAYS) == sh(2004, 1, 2, 16, 0)
    assert calendar.add_limit(sh(2003, 12, 26, 16, 0), 1, WORKING_DAYS) == sh(2003, 12, 29, 16, 0)


def test_naive_datetimes_are_refused(calendar):
    with pytest.raises(ValueError, match="timezone-aware"):
        calendar.add(datetime(2026, 3, 10, 10, 0), timedelta(hours=1), WORKING_HOURS)
    with pytest.raises(ValueError, match="timezone-aware"):
        calendar.elapsed(sh(2026, 3, 10, 10, 0), datetime(2026, 3, 11), URGENT_HOURS)


def test_unknown_units_and_negative_amounts_are_refused(calendar):
    with pytest.raises(ValueError, match="unknown limit unit"):
        calendar.add_limit(sh(2026, 3, 10, 10, 0), 1, "fortnights")
    with pytest.raises(ValueError, match="negative"):
        calendar.add(sh(2026, 3, 10, 10, 0), timedelta(hours=-1), WORKING_HOURS)
    with pytest.raises(ValueError, match="negative"):
        calendar.limit_duration(-1, NATURAL_DAYS)


# -- calendars built by hand ------------------------------------------------------------------------


def test_windows_must_be_sorted_and_must_not_overlap():
    with pytest.raises(ValueError, match="overlap"):
        WorkCalendar(workdays={}, windows=((time(13, 0), time(17, 0)), (time(8, 0), time(12, 0))))
    with pytest.raises(ValueError, match="overlap"):
        WorkCalendar(workdays={}, windows=((time(8, 0), time(12, 0)), (time(11, 0), time(17, 0))))
    with pytest.raises(ValueError, match="end after it starts"):
        WorkCalendar(workdays={}, windows=((time(12, 0), time(8, 0)),))
    with pytest.raises(ValueError, match="at least one"):
        WorkCalendar(workdays={}, windows=())


def test_an_empty_table_is_monday_to_friday_everywhere():
    calendar = WorkCalendar(workdays={}, windows=DEFAULT_WORK_WINDOWS)
    assert calendar.add_limit(sh(2026, 9, 30, 16, 0), 2, WORKING_DAYS) == sh(2026, 10, 2, 16, 0)
    assert calendar.add_limit(sh(1999, 12, 31, 16, 0), 1, WORKING_DAYS) == sh(2000, 1, 3, 16, 0)


def test_the_snapshot_cannot_be_changed():
    calendar = official_calendar()
    with pytest.raises(TypeError):
        calendar.workdays[date(2026, 10, 1)] = True
    with pytest.raises(AttributeError):
        calendar.windows = ()


# -- the cached snapshot ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_current_calendar_sees_an_admin_edit_at_once(admin_client):
    before = current_calendar()
    assert before.is_workday(date(2026, 3, 10))
    assert current_calendar() is before  # cached

    response = admin_client.post(
        "/admin/worktime/workday/2026-03-10/change/",
        {"date": "2026-03-10", "holiday_name": "停电", "source": "manual"},  # is_workday unticked
    )
    assert response.status_code == 302, response.content.decode()[:2000]

    after = current_calendar()
    assert not after.is_workday(date(2026, 3, 10))
    assert after.add_limit(sh(2026, 3, 9, 16, 0), 1, WORKING_DAYS) == sh(2026, 3, 11, 16, 0)


@pytest.mark.django_db
def test_current_calendar_follows_saved_and_deleted_work_windows():
    assert current_calendar().workday_length == timedelta(hours=7, minutes=30)
    morning = WorkWindow.objects.get(start=time(8, 30))
    morning.start = time(9, 0)
    morning.save()
    assert current_calendar().workday_length == timedelta(hours=7)
    WorkWindow.objects.get(start=time(13, 30)).delete()
    assert current_calendar().windows == ((time(9, 0), time(12, 0)),)


@pytest.mark.django_db
def test_without_work_window_rows_the_default_windows_apply():
    WorkWindow.objects.all().delete()  # a queryset delete still sends post_delete per row
    assert current_calendar().windows == DEFAULT_WORK_WINDOWS


@pytest.mark.django_db
def test_overlapping_window_rows_count_as_their_union():
    WorkWindow.objects.create(start=time(11, 0), end=time(14, 0))
    assert load_calendar().windows == ((time(8, 30), time(17, 30)),)


@pytest.mark.django_db
def test_a_bulk_update_is_seen_after_forget_or_when_the_snapshot_expires(monkeypatch):
    from xiuhua.worktime import clock

    current_calendar()
    WorkDay.objects.filter(date=date(2026, 3, 10)).update(is_workday=False)  # sends no signal
    assert current_calendar().is_workday(date(2026, 3, 10))

    later = stopwatch.monotonic() + clock.CACHE_SECONDS + 1
    monkeypatch.setattr(clock, "monotonic", lambda: later)
    assert not current_calendar().is_workday(date(2026, 3, 10))

    WorkDay.objects.filter(date=date(2026, 3, 10)).update(is_workday=True)
    forget_calendar()
    assert current_calendar().is_workday(date(2026, 3, 10))


# -- properties -------------------------------------------------------------------------------------


def reference_add(calendar: WorkCalendar, start: datetime, amount: timedelta) -> datetime:
    """Working-time add by walking day by day and window by window (slow, obviously right)."""
    if not amount:
        return start
    local = start.astimezone(SHANGHAI)
    day, cursor, remaining = local.date(), local.time().replace(tzinfo=None), amount
    while True:
        if calendar.is_workday(day):
            for window_start, window_end in calendar.windows:
                begin = max(window_start, cursor)
                if begin >= window_end:
                    continue
                available = datetime.combine(day, window_end) - datetime.combine(day, begin)
                if remaining <= available:
                    return datetime.combine(day, begin, tzinfo=SHANGHAI) + remaining
                remaining -= available
        day, cursor = day + timedelta(days=1), time.min


calendars = st.sampled_from([official_calendar, odd_calendar]).map(lambda build: build())
starts = st.datetimes(
    min_value=datetime(2025, 1, 1),
    max_value=datetime(2028, 12, 31, 23, 59, 59),
    timezones=st.sampled_from([SHANGHAI, UTC]),
)
amounts = st.one_of(
    st.integers(0, 30 * 450 * 60).map(lambda seconds: timedelta(seconds=seconds)),
    st.integers(0, 30 * 450).map(lambda minutes: timedelta(minutes=minutes)),
)
units = st.sampled_from(list(LimitUnit))
properties = settings(max_examples=300, deadline=None, database=None)


@properties
@given(calendar=calendars, start=starts, amount=amounts, unit=units)
def test_elapsed_undoes_add(calendar, start, amount, unit):
    assert calendar.elapsed(start, calendar.add(start, amount, unit), unit) == amount


@properties
@given(calendar=calendars, start=starts, a1=amounts, a2=amounts, unit=units)
def test_add_is_monotonic_in_the_amount(calendar, start, a1, a2, unit):
    a1, a2 = sorted((a1, a2))
    assert calendar.add(start, a1, unit) <= calendar.add(start, a2, unit)


@properties
@given(calendar=calendars, s1=starts, s2=starts, amount=amounts, unit=units)
def test_add_is_monotonic_in_the_start(calendar, s1, s2, amount, unit):
    s1, s2 = sorted((s1, s2))
    assert calendar.add(s1, amount, unit) <= calendar.add(s2, amount, unit)


@properties
@given(calendar=calendars, a=starts, b=starts, c=starts, unit=units)
def test_elapsed_is_additive_over_a_split_point(calendar, a, b, c, unit):
    a, b, c = sorted((a, b, c))
    assert calendar.elapsed(a, c, unit) == calendar.elapsed(a, b, unit) + calendar.elapsed(b, c, unit)


@properties
@given(calendar=calendars, start=starts, amount=amounts, unit=st.sampled_from(WORKING_UNITS))
def test_a_working_time_deadline_lies_inside_a_work_window_of_a_workday(calendar, start, amount, unit):
    if not amount:
        return
    due = calendar.add(start, amount, unit).astimezone(SHANGHAI)
    assert due > start
    assert calendar.is_workday(due.date())
    assert any(s < due.time().replace(tzinfo=None) <= e for s, e in calendar.windows)


@properties
@given(calendar=calendars, start=starts, amount=amounts, unit=st.sampled_from(WORKING_UNITS))
def test_working_time_add_agrees_with_a_day_by_day_walk(calendar, start, amount, unit):
    assert calendar.add(start, amount, unit) == reference_add(calendar, start, amount)


@properties
@given(start=starts, amount=amounts, unit=st.sampled_from([URGENT_HOURS, NATURAL_DAYS]))
def test_natural_time_ignores_the_calendar(start, amount, unit):
    due = official_calendar().add(start, amount, unit)
    assert due == start + amount
    assert due.tzinfo is UTC
