"""Deadline arithmetic: add and measure working or natural time on the work calendar.

Working time is mapped to a single number, the *position*: microseconds of working time from an origin
date. Position of a moment = (workdays before its local date) × workday length + working time already
done that day. Adding is then "position + amount, back to the earliest moment with that position", and
elapsed time is a difference of positions, so both are O(1) whatever the amount.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from time import monotonic
from types import MappingProxyType
from zoneinfo import ZoneInfo

from xiuhua.worktime.choices import LimitUnit

SHANGHAI = ZoneInfo("Asia/Shanghai")
CACHE_SECONDS = 60.0

_US_PER_SECOND = 1_000_000
_WORKING_UNITS = frozenset({LimitUnit.WORKING_HOURS, LimitUnit.WORKING_DAYS})
NATURAL_UNITS = frozenset({LimitUnit.URGENT_HOURS, LimitUnit.NATURAL_DAYS})
# Any date will do as the origin of an empty table; positions are only ever compared or subtracted.
_EMPTY_TABLE_ORIGIN = date(2000, 1, 1).toordinal()


def _weekdays_before(ordinal: int) -> int:
    """Monday–Friday count in [ordinal 1, ordinal); negative below 1, so differences count any span."""
    # date.fromordinal(1) is a Monday, so (ordinal - 1) % 7 is the weekday.
    weeks, rest = divmod(ordinal - 1, 7)
    return 5 * weeks + min(rest, 5)


def _weekday_number(count: int) -> int:
    """The ordinal of the weekday d with _weekdays_before(d) == count (inverse of _weekdays_before)."""
    weeks, rest = divmod(count, 5)
    return 7 * weeks + rest + 1


def _micros(delta: timedelta) -> int:
    return (delta.days * 86_400 + delta.seconds) * _US_PER_SECOND + delta.microseconds


def _time_micros(value: time) -> int:
    return ((value.hour * 60 + value.minute) * 60 + value.second) * _US_PER_SECOND + value.microsecond


def _check_aware(value: datetime, name: str) -> None:
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, not {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime (got naive {value.isoformat()})")


def _check_unit(unit: str) -> None:
    if unit not in _WORKING_UNITS and unit not in NATURAL_UNITS:
        choices = ", ".join(u.value for u in LimitUnit)
        raise ValueError(f"unknown limit unit {unit!r}; expected one of: {choices}")


@dataclass(frozen=True)
class WorkCalendar:
    """Immutable snapshot: which dates are workdays, and the daily work windows (local Asia/Shanghai times)."""

    workdays: Mapping[date, bool] = field(repr=False)
    windows: tuple[tuple[time, time], ...]

    # Derived tables, filled in __post_init__; a dense run of days from the first to the last table date.
    _first: int = field(init=False, repr=False, compare=False)  # ordinal of the first dense day
    _flags: tuple[bool, ...] = field(init=False, repr=False, compare=False)
    _before: tuple[int, ...] = field(init=False, repr=False, compare=False)  # workdays before each dense day
    _ordinals: tuple[int, ...] = field(init=False, repr=False, compare=False)  # n-th workday of the dense run
    _spans: tuple[tuple[int, int, int], ...] = field(init=False, repr=False, compare=False)  # start, end, done
    _day_micros: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        windows = tuple((start, end) for start, end in self.windows)
        if not windows:
            raise ValueError("a work calendar needs at least one work window")
        spans, done, previous_end = [], 0, -1
        for start, end in windows:
            if not (isinstance(start, time) and isinstance(end, time)):
                raise TypeError("work windows must be pairs of datetime.time")
            if start.tzinfo is not None or end.tzinfo is not None:
                raise ValueError("work window times are local Asia/Shanghai wall-clock times and must be naive")
            s, e = _time_micros(start), _time_micros(end)
            if s >= e:
                raise ValueError(f"work window {start:%H:%M}–{end:%H:%M} must end after it starts")
            if s < previous_end:
                raise ValueError("work windows must be sorted by start and must not overlap")
            spans.append((s, e, done))
            done += e - s
            previous_end = e

        workdays = MappingProxyType(dict(self.workdays))
        if workdays:
            first, last = min(workdays).toordinal(), max(workdays).toordinal()
        else:
            first, last = _EMPTY_TABLE_ORIGIN, _EMPTY_TABLE_ORIGIN - 1
        flags, before, ordinals = [], [0], []
        get = workdays.get
        for ordinal in range(first, last + 1):
            flag = get(date.fromordinal(ordinal))
            if flag is None:
                flag = (ordinal - 1) % 7 < 5
            flags.append(bool(flag))
            if flag:
                ordinals.append(ordinal)
            before.append(len(ordinals))

        set_ = object.__setattr__  # frozen dataclass: derived fields are set once, here
        set_(self, "workdays", workdays)
        set_(self, "windows", windows)
        set_(self, "_first", first)
        set_(self, "_flags", tuple(flags))
        set_(self, "_before", tuple(before))
        set_(self, "_ordinals", tuple(ordinals))
        set_(self, "_spans", tuple(spans))
        set_(self, "_day_micros", done)

    # -- public API ---------------------------------------------------------------------------------

    def is_workday(self, day: date) -> bool:
        """Whether `day` is a workday: the table says so, or, for dates not in it, Monday to Friday."""
        index = day.toordinal() - self._first
        if 0 <= index < len(self._flags):
            return self._flags[index]
        return day.weekday() < 5

    @property
    def workday_length(self) -> timedelta:
        """The working time in one workday: the sum of the windows."""
        return timedelta(microseconds=self._day_micros)

    def limit_duration(self, value: int, unit: str) -> timedelta:
        """The length of a limit of `value` `unit`s, in the unit's own clock (working or natural time)."""
        _check_unit(unit)
        if value < 0:
            raise ValueError(f"a limit must not be negative (got {value})")
        if unit == LimitUnit.WORKING_DAYS:
            return timedelta(microseconds=value * self._day_micros)
        if unit == LimitUnit.NATURAL_DAYS:
            return timedelta(days=value)
        return timedelta(hours=value)

    def add(self, start: datetime, amount: timedelta, unit: str) -> datetime:
        """`start` + `amount` of working or natural time (per `unit`), as an aware UTC datetime."""
        _check_aware(start, "start")
        _check_unit(unit)
        if amount < timedelta(0):
            raise ValueError(f"the amount to add must not be negative (got {amount})")
        if unit in NATURAL_UNITS:
            # Through UTC: aware + timedelta is wall-clock arithmetic, which is wrong across DST changes.
            return start.astimezone(UTC) + amount
        if not amount:
            return start.astimezone(UTC)
        return self._moment(self._position(start) + _micros(amount))

    def elapsed(self, start: datetime, end: datetime, unit: str) -> timedelta:
        """The working or natural time (per `unit`) from `start` to `end`; zero if `end` <= `start`."""
        _check_aware(start, "start")
        _check_aware(end, "end")
        _check_unit(unit)
        if end <= start:
            return timedelta(0)
        if unit in NATURAL_UNITS:
            # Both to UTC: subtracting datetimes that share a tzinfo ignores their offsets.
            return end.astimezone(UTC) - start.astimezone(UTC)
        return timedelta(microseconds=self._position(end) - self._position(start))

    def add_limit(self, start: datetime, value: int, unit: str) -> datetime:
        """The due time of a limit of `value` `unit`s that starts at `start`."""
        return self.add(start, self.limit_duration(value, unit), unit)

    # -- positions ----------------------------------------------------------------------------------

    def _workdays_before(self, ordinal: int) -> int:
        index = ordinal - self._first
        before = self._before
        if 0 <= index < len(before):
            return before[index]
        if index < 0:
            return _weekdays_before(ordinal) - _weekdays_before(self._first)
        return before[-1] + _weekdays_before(ordinal) - _weekdays_before(self._first + len(self._flags))

    def _nth_workday(self, count: int) -> int:
        """The ordinal of the workday with `count` workdays before it."""
        ordinals = self._ordinals
        if 0 <= count < len(ordinals):
            return ordinals[count]
        if count < 0:
            return _weekday_number(_weekdays_before(self._first) + count)
        return _weekday_number(count - len(ordinals) + _weekdays_before(self._first + len(self._flags)))

    def _position(self, moment: datetime) -> int:
        local = moment.astimezone(SHANGHAI)
        ordinal = local.toordinal()
        position = self._workdays_before(ordinal) * self._day_micros
        index = ordinal - self._first
        workday = self._flags[index] if 0 <= index < len(self._flags) else (ordinal - 1) % 7 < 5
        if workday:
            now = ((local.hour * 60 + local.minute) * 60 + local.second) * _US_PER_SECOND + local.microsecond
            for start, end, done in self._spans:
                if now <= start:
                    return position + done
                if now < end:
                    return position + done + now - start
            return position + self._day_micros
        return position

    def _moment(self, position: int) -> datetime:
        """The earliest moment at `position`: a window's end rather than the next window's start."""
        count, rest = divmod(position, self._day_micros)
        if rest == 0:
            count, rest = count - 1, self._day_micros
        for start, end, done in self._spans:
            if rest <= done + end - start:
                offset = start + rest - done
                break
        day = date.fromordinal(self._nth_workday(count))
        local = datetime(day.year, day.month, day.day, tzinfo=SHANGHAI) + timedelta(microseconds=offset)
        return local.astimezone(UTC)


# -- the process-wide snapshot ----------------------------------------------------------------------


def _merged(windows: list[tuple[time, time]]) -> tuple[tuple[time, time], ...]:
    """Overlapping or touching rows entered in the admin count as one window (their union)."""
    merged: list[tuple[time, time]] = []
    for start, end in sorted(windows):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return tuple(merged)


def load_calendar() -> WorkCalendar:
    """A fresh snapshot of the WorkDay and WorkWindow tables (default windows if there are none)."""
    # Imported here so that the arithmetic above works without Django apps loaded (benchmarks, scripts).
    from xiuhua.worktime.models import WorkDay, WorkWindow
    from xiuhua.worktime.services import DEFAULT_WORK_WINDOWS

    workdays = dict(WorkDay.objects.values_list("date", "is_workday"))
    windows = _merged(list(WorkWindow.objects.values_list("start", "end"))) or DEFAULT_WORK_WINDOWS
    return WorkCalendar(workdays=workdays, windows=windows)


_lock = threading.Lock()
_cached: tuple[WorkCalendar, float] | None = None
_generation = 0


def current_calendar() -> WorkCalendar:
    """The per-process snapshot: rebuilt after a WorkDay/WorkWindow save or delete, and at most CACHE_SECONDS old."""
    global _cached
    cached = _cached
    now = monotonic()
    if cached is not None and now - cached[1] < CACHE_SECONDS:
        return cached[0]
    generation = _generation
    calendar = load_calendar()
    with _lock:
        # A change signalled while we were reading may not be in what we read: serve it, don't keep it.
        if generation == _generation:
            _cached = (calendar, now)
    return calendar


def forget_calendar() -> None:
    """Drop the cached snapshot; the next current_calendar() reads the tables again."""
    global _cached, _generation
    with _lock:
        _generation += 1
        _cached = None


def calendar_changed(sender=None, using: str | None = None, **kwargs) -> None:
    """post_save/post_delete receiver for WorkDay and WorkWindow (connected in WorktimeConfig.ready)."""
    from django.db import transaction

    forget_calendar()
    # Again after commit: another thread may have re-read the old rows before this transaction committed.
    transaction.on_commit(forget_calendar, using=using)
