"""Evaluation periods: a calendar month by default, also a quarter, a year or a range of days.

Periods are calendar periods in Asia/Shanghai (a case reported at 23:30 on 31 October Beijing time belongs
to October even though it is 15:30 UTC); `bounds` turns one into the half-open UTC interval that queries use.
Written forms, as in URLs and the API: `2026-10`, `2026-Q4`, `2026`, `2026-10-01..2026-10-15` (both days included).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.utils.translation import gettext as _

from xiuhua.worktime.clock import SHANGHAI

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")
MAX_RANGE_DAYS = 366 * 3


class PeriodError(ValueError):
    """A period written in a form this module does not read; the message is for the user."""


@dataclass(frozen=True)
class Period:
    """Local calendar days from `first_day` up to, not including, `end_day`."""

    first_day: date
    end_day: date
    kind: str  # month | quarter | year | range

    @property
    def code(self) -> str:
        """The written form, which `parse_period` reads back."""
        if self.kind == "month":
            return f"{self.first_day:%Y-%m}"
        if self.kind == "quarter":
            return f"{self.first_day.year}-Q{(self.first_day.month - 1) // 3 + 1}"
        if self.kind == "year":
            return f"{self.first_day.year}"
        return f"{self.first_day.isoformat()}..{self.last_day.isoformat()}"

    @property
    def last_day(self) -> date:
        return self.end_day - timedelta(days=1)

    @property
    def days(self) -> int:
        return (self.end_day - self.first_day).days

    def bounds(self) -> tuple[datetime, datetime]:
        """The period as a half-open interval of aware UTC datetimes: start <= t < end."""
        return _local_midnight(self.first_day), _local_midnight(self.end_day)

    def previous(self) -> Period:
        """The period of the same kind just before this one (a range: the same number of days before)."""
        if self.kind == "month":
            return month_period(_add_months(self.first_day, -1))
        if self.kind == "quarter":
            start = _add_months(self.first_day, -3)
            return Period(start, self.first_day, "quarter")
        if self.kind == "year":
            return Period(self.first_day.replace(year=self.first_day.year - 1), self.first_day, "year")
        return Period(self.first_day - timedelta(days=self.days), self.first_day, "range")

    def __str__(self) -> str:
        return self.code


def month_period(any_day: date) -> Period:
    """The calendar month containing `any_day`."""
    first = any_day.replace(day=1)
    return Period(first, _add_months(first, 1), "month")


def current_month(now: datetime) -> Period:
    """The month that `now` falls in, Beijing time."""
    return month_period(now.astimezone(SHANGHAI).date())


def previous_month(now: datetime) -> Period:
    """The last complete month before `now` (what a monthly report covers by default)."""
    return current_month(now).previous()


def parse_period(text: str | None, now: datetime | None = None) -> Period:
    """Read a written period; empty means the current month. Raises `PeriodError` with a message for the user."""
    text = (text or "").strip()
    if not text:
        return current_month(now or datetime.now(UTC))
    try:
        period = _parse(text)
    except ValueError as error:  # a month 13 or 31 February
        reason = _reason(error)
        raise PeriodError(_("“%(text)s” is not a valid period: %(error)s") % {"text": text, "error": reason}) from None
    if period is None:
        raise PeriodError(
            _(
                "“%(text)s” is not a period; write a month (2026-10), a quarter (2026-Q4), a year (2026) "
                "or a range of days (2026-10-01..2026-10-15)."
            )
            % {"text": text}
        )
    return period


# Python's own date errors are English ("month must be in 1..12"): what a person reads instead.
_DATE_ERRORS = (
    ("month must be in", "月份应为 1 到 12"),
    ("day is out of range", "该月没有这一天"),
    ("year", "年份超出范围"),
)


def _reason(error: ValueError) -> str:
    text = str(error)
    if any("\u4e00" <= char <= "\u9fff" for char in text):  # our own, already translated
        return text
    return next((reason for start, reason in _DATE_ERRORS if text.startswith(start)), "日期不存在")


def _parse(text: str) -> Period | None:
    if match := _MONTH.match(text):
        return month_period(date(int(match[1]), int(match[2]), 1))
    if match := _QUARTER.match(text):
        first = date(int(match[1]), 3 * int(match[2]) - 2, 1)
        return Period(first, _add_months(first, 3), "quarter")
    if match := _YEAR.match(text):
        return Period(date(int(match[1]), 1, 1), date(int(match[1]) + 1, 1, 1), "year")
    if match := _RANGE.match(text):
        first, last = date.fromisoformat(match[1]), date.fromisoformat(match[2])
        if last < first:
            raise ValueError(_("the last day is before the first"))
        if (last - first).days >= MAX_RANGE_DAYS:
            raise ValueError(_("a range may span at most three years"))
        return Period(first, last + timedelta(days=1), "range")
    return None


def _add_months(first_of_month: date, months: int) -> date:
    index = first_of_month.year * 12 + first_of_month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _local_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=SHANGHAI).astimezone(UTC)
