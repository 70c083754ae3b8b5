"""Work calendar actions: seed dates from chinese-calendar, fall back to Monday–Friday for unknown years."""

from collections.abc import Iterable
from datetime import date, time, timedelta

import chinese_calendar
from chinese_calendar import Holiday
from django.db import transaction

from xiuhua.worktime.models import DaySource, WorkDay, WorkWindow

DEFAULT_WORK_WINDOWS = ((time(8, 30), time(12, 0)), (time(13, 30), time(17, 30)))
_HOLIDAY_NAMES = {h.value: h.chinese for h in Holiday}


def official_years() -> range:
    """The years chinese-calendar has the State Council's schedule for."""
    years = {d.year for d in chinese_calendar.constants.holidays} | {
        d.year for d in chinese_calendar.constants.workdays
    }
    return range(min(years), max(years) + 1)


def calendar_day(day: date) -> tuple[bool, str, str]:
    """(is_workday, holiday name, source) for one date, as the library or the fallback says."""
    if day.year in official_years():
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
        is_workday = chinese_calendar.is_workday(day)
        label = _HOLIDAY_NAMES.get(name, name or "") if on_holiday and name else ""
        return is_workday, label, DaySource.OFFICIAL
    return day.weekday() < 5, "", DaySource.FALLBACK


def _dates_of(year: int) -> Iterable[date]:
    day = date(year, 1, 1)
    while day.year == year:
        yield day
        day += timedelta(days=1)


def seed_calendar(model: type[WorkDay], years: Iterable[int]) -> int:
    """Add missing dates for `years`; days already entered (by hand or earlier) are kept as they are."""
    created = 0
    for year in years:
        known = set(model.objects.filter(date__year=year).values_list("date", flat=True))
        rows = []
        for day in _dates_of(year):
            if day not in known:
                is_workday, name, source = calendar_day(day)
                rows.append(model(date=day, is_workday=is_workday, holiday_name=name, source=source))
        model.objects.bulk_create(rows, batch_size=1000)
        created += len(rows)
    return created


def seed_default_windows(model: type[WorkWindow]) -> None:
    if not model.objects.exists():
        model.objects.bulk_create(model(start=s, end=e) for s, e in DEFAULT_WORK_WINDOWS)


@transaction.atomic
def ensure_calendar(years: Iterable[int]) -> int:
    created = seed_calendar(WorkDay, years)
    seed_default_windows(WorkWindow)
    return created


def fallback_years() -> list[int]:
    """Years still on the Monday–Friday fallback: the admin warns until their schedule is entered."""
    days = WorkDay.objects.filter(source=DaySource.FALLBACK).dates("date", "year")
    return [d.year for d in days]


def is_workday(day: date) -> bool:
    row = WorkDay.objects.filter(date=day).only("is_workday").first()
    return row.is_workday if row is not None else calendar_day(day)[0]


@transaction.atomic
def confirm_years(years: Iterable[int]) -> int:
    """Mark fallback years as entered by hand, once someone has put in the official holidays and make-up days."""
    return WorkDay.objects.filter(date__year__in=list(years), source=DaySource.FALLBACK).update(source=DaySource.MANUAL)
