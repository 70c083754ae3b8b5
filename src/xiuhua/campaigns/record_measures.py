"""Measures made of the campaign's own records: a fixed list's items, activity records and reviewed entries.

Each is bounded by the instant asked and by the end of the target's due day, like the case measures: an item
resolved after the due date does not count toward the due-date figure, and a record entered after a month's end
does not change that month's snapshot.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import ROUND_CEILING, Decimal

from django.db.models import Q, QuerySet

from xiuhua.campaigns.choices import Frequency, Measure, Review
from xiuhua.campaigns.measures import Measurement, TargetMeasure, percent, register_measure
from xiuhua.campaigns.models import ActivityRecord, ManualEntry, Target, TargetItem
from xiuhua.campaigns.rules import Window, local_day, target_start
from xiuhua.cases.models import Case

_ITEM_TIMES = ("resolved_at", "case__stats__closed_at", "work_order__case__stats__closed_at")


def item_resolved_at(times: tuple[datetime | None, ...]) -> datetime | None:
    """When an item was resolved: by hand, or when its case (or its work order's case) closed, whichever first."""
    known = [t for t in times if t is not None]
    return min(known) if known else None


def _needed(goal_percent: Decimal, total: int) -> int:
    return int((Decimal(str(goal_percent)) * total / 100).to_integral_value(rounding=ROUND_CEILING))


class ListRateMeasure(TargetMeasure):
    """Percent of the list's items resolved by min(now, end of the due day)."""

    def measure(self, target: Target, at: datetime) -> Measurement:
        return self.measure_many([target], at)[target.pk]

    def measure_many(self, targets: list[Target], at: datetime) -> dict[int, Measurement]:
        times: dict[int, list[datetime | None]] = {t.pk: [] for t in targets}
        rows = TargetItem.objects.filter(target__in=targets).values_list("target_id", *_ITEM_TIMES)
        for target_id, *item_times in rows:
            times[target_id].append(item_resolved_at(tuple(item_times)))
        return {t.pk: self._measurement(t, times[t.pk], at) for t in targets}

    def _measurement(self, target: Target, times: list[datetime | None], at: datetime) -> Measurement:
        end = Window.of(target, at).end
        resolved = sorted(t for t in times if t is not None and t < end)
        late = sum(1 for t in times if t is not None and end <= t < at)
        total = len(times)
        met_on = None
        needed = _needed(target.goal, total)
        if total and 0 < needed <= len(resolved):
            met_on = local_day(resolved[needed - 1])
        detail = {"resolved_after_due": late}
        return Measurement(percent(len(resolved), total), Decimal(len(resolved)), Decimal(total), met_on, detail)

    def cases(self, target: Target, at: datetime) -> QuerySet[Case]:
        end = Window.of(target, at).end
        items = TargetItem.objects.filter(target=target)
        own = items.filter(case__stats__closed_at__lt=end).values("case_id")
        ordered = items.filter(work_order__case__stats__closed_at__lt=end).values("work_order__case_id")
        return Case.objects.filter(Q(pk__in=own) | Q(pk__in=ordered))


def _next_period_start(start: date, frequency: str) -> date:
    if frequency == Frequency.WEEK:
        return start + timedelta(days=7)
    months = {Frequency.MONTH: 1, Frequency.QUARTER: 3, Frequency.YEAR: 12}[frequency]
    month = start.month - 1 + months
    return date(start.year + month // 12, month % 12 + 1, 1)


def _period_start(day: date, frequency: str) -> date:
    """The calendar period containing `day`: its Monday, first of month, of quarter, of year."""
    if frequency == Frequency.WEEK:
        return day - timedelta(days=day.weekday())
    if frequency == Frequency.MONTH:
        return day.replace(day=1)
    if frequency == Frequency.QUARTER:
        return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return date(day.year, 1, 1)


def periods(target: Target, today: date) -> list[tuple[date, date]]:
    """Calendar periods [first, last] from the target's start to min(today, due); the first and last are clipped."""
    start, last_day = target_start(target), min(today, target.due_on)
    result = []
    cursor = _period_start(start, target.frequency or Frequency.MONTH)
    while cursor <= last_day:
        following = _next_period_start(cursor, target.frequency or Frequency.MONTH)
        result.append((max(cursor, start), min(following - timedelta(days=1), target.due_on)))
        cursor = following
    return result


class RecurrenceMeasure(TargetMeasure):
    """Periods with at least `per_period` records; the current period counts once met (it is not failed yet)."""

    def measure(self, target: Target, at: datetime) -> Measurement:
        return self.measure_many([target], at)[target.pk]

    def measure_many(self, targets: list[Target], at: datetime) -> dict[int, Measurement]:
        days: dict[int, list[date]] = defaultdict(list)
        records = ActivityRecord.objects.filter(target__in=targets, recorded_at__lte=at, held_on__lte=local_day(at))
        for target_id, held_on in records.values_list("target_id", "held_on"):
            days[target_id].append(held_on)
        return {t.pk: self._measurement(t, days[t.pk], local_day(at)) for t in targets}

    @staticmethod
    def _measurement(target: Target, held: list[date], today: date) -> Measurement:
        needed = target.per_period or 1
        rows, met_count, elapsed, met_on = [], 0, 0, None
        for first, last in periods(target, today):
            count = sum(1 for day in held if first <= day <= last)
            met, finished = count >= needed, last < today
            if met or finished:
                elapsed += 1
            if met:
                met_count += 1
                if met_count >= target.goal and met_on is None:
                    met_on = sorted(day for day in held if first <= day <= last)[needed - 1]
            rows.append({"start": first.isoformat(), "end": last.isoformat(), "count": count, "met": met,
                         "finished": finished})  # fmt: skip
        value = Decimal(met_count)
        return Measurement(value, value, Decimal(elapsed), met_on, {"periods": rows, "per_period": needed})


def _approved(targets: list[Target], at: datetime) -> QuerySet[ManualEntry]:
    return ManualEntry.objects.filter(
        target__in=targets, state=Review.APPROVED, reviewed_at__lte=at, occurred_on__lte=local_day(at)
    ).order_by("occurred_on", "id")


class MilestoneMeasure(TargetMeasure):
    """Met (value 1) once an approved entry says it was done by the due date; met on the day it was done."""

    def measure(self, target: Target, at: datetime) -> Measurement:
        return self.measure_many([target], at)[target.pk]

    def measure_many(self, targets: list[Target], at: datetime) -> dict[int, Measurement]:
        first_done: dict[int, date] = {}
        for target_id, day in _approved(targets, at).values_list("target_id", "occurred_on"):
            first_done.setdefault(target_id, day)
        result = {}
        for target in targets:
            day = first_done.get(target.pk)
            done = day is not None and day <= target.due_on
            value = Decimal(1 if done else 0)
            result[target.pk] = Measurement(value, value, Decimal(1), day if done else None, {})
        return result


class ManualCountMeasure(TargetMeasure):
    """Approved entries done from the target's start to its due day, plus the baseline done before counting."""

    def measure(self, target: Target, at: datetime) -> Measurement:
        return self.measure_many([target], at)[target.pk]

    def measure_many(self, targets: list[Target], at: datetime) -> dict[int, Measurement]:
        entries: dict[int, list[tuple[date, Decimal]]] = defaultdict(list)
        for target_id, day, value in _approved(targets, at).values_list("target_id", "occurred_on", "value"):
            entries[target_id].append((day, value))
        return {t.pk: self._measurement(t, entries[t.pk]) for t in targets}

    @staticmethod
    def _measurement(target: Target, entries: list[tuple[date, Decimal]]) -> Measurement:
        baseline = target.baseline or Decimal(0)
        total, met_on = baseline, None
        counted = Decimal(0)
        for day, value in entries:
            if not target_start(target) <= day <= target.due_on:
                continue
            counted += value
            total += value
            if met_on is None and total >= target.goal:
                met_on = day
        return Measurement(total, counted, None, met_on, {"baseline": str(baseline)})


register_measure(Measure.LIST_RATE, ListRateMeasure())
register_measure(Measure.RECURRENCE, RecurrenceMeasure())
register_measure(Measure.MILESTONE, MilestoneMeasure())
register_measure(Measure.MANUAL_COUNT, ManualCountMeasure())
