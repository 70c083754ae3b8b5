from datetime import UTC, date, datetime

import pytest

from xiuhua.evaluation.periods import PeriodError, parse_period, previous_month


def test_month_bounds_are_beijing_midnights_in_utc():
    start, end = parse_period("2026-10").bounds()
    assert start == datetime(2026, 9, 30, 16, 0, tzinfo=UTC)
    assert end == datetime(2026, 10, 31, 16, 0, tzinfo=UTC)


def test_late_evening_utc_belongs_to_the_next_beijing_month():
    now = datetime(2026, 10, 31, 17, 0, tzinfo=UTC)  # 1 November 01:00 in Shanghai
    assert parse_period("", now=now).code == "2026-11"
    assert previous_month(now).code == "2026-10"


@pytest.mark.parametrize(
    ("text", "first", "end", "previous"),
    [
        ("2026-01", date(2026, 1, 1), date(2026, 2, 1), "2025-12"),
        ("2026-Q1", date(2026, 1, 1), date(2026, 4, 1), "2025-Q4"),
        ("2026", date(2026, 1, 1), date(2027, 1, 1), "2025"),
        ("2026-10-01..2026-10-15", date(2026, 10, 1), date(2026, 10, 16), "2026-09-16..2026-09-30"),
    ],
)
def test_written_periods_read_back_with_their_previous_period(text, first, end, previous):
    period = parse_period(text)
    assert (period.first_day, period.end_day, period.code) == (first, end, text)
    assert period.previous().code == previous


@pytest.mark.parametrize("text", ["2026-13", "2026-02-30..2026-03-01", "October", "2026-10-05..2026-10-01"])
def test_unreadable_period_is_refused_with_a_message(text):
    with pytest.raises(PeriodError, match=text.split("..")[0]):
        parse_period(text)
