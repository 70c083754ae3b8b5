"""Targets measured from the campaign's own records: fixed lists, recurring activities, entries, trends."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from xiuhua.campaigns.choices import CaseCount, Comparator, Frequency, Measure, ProgressStatus, Review, TaggedCases
from xiuhua.campaigns.measures import drill_down_cases, measure_target
from xiuhua.campaigns.models import ActivityRecord, ManualEntry, Target, TargetItem
from xiuhua.campaigns.progress import target_progress
from xiuhua.campaigns.tests.conftest import case_target, make_campaign, make_task, sh

JUNE_30 = date(2026, 6, 30)


def _target(measure: str, goal, **fields) -> Target:
    task = make_task(make_campaign())
    values = {"name": "目标", "goal": goal, "due_on": JUNE_30, **fields}
    return Target.objects.create(task=task, measure=measure, **values)


def _petitions(resolved: int, late: int = 0) -> Target:
    """619 petitions: `resolved` resolved by hand before 30 June, `late` more on 2 July."""
    target = _target(Measure.LIST_RATE, 90)
    items = []
    for n in range(619):
        when = sh(2026, 5, 1, 9) + timedelta(minutes=n) if n < resolved else None
        if resolved <= n < resolved + late:
            when = sh(2026, 7, 2, 9)
        items.append(TargetItem(target=target, code=f"XF{n:04d}", resolved_at=when))
    TargetItem.objects.bulk_create(items)
    return target


def test_558_of_619_petitions_resolved_by_30_june_is_90_1_percent_and_met(demo_city):
    target = _petitions(558)
    m = measure_target(target, at=sh(2026, 7, 10, 9))
    p = target_progress(target, m, date(2026, 7, 10))
    assert (m.numerator, m.denominator) == (558, 619)
    assert round(m.value, 1) == Decimal("90.1")
    assert p.met and p.status == ProgressStatus.MET
    assert m.met_on == date(2026, 5, 1)


def test_items_resolved_after_the_due_date_do_not_count_for_the_due_date_figure(demo_city):
    target = _petitions(550, late=20)
    m = measure_target(target, at=sh(2026, 7, 10, 9))
    assert m.numerator == 550 and m.detail["resolved_after_due"] == 20
    p = target_progress(target, m, date(2026, 7, 10))
    assert not p.met and p.status == ProgressStatus.OVERDUE


def test_an_item_is_resolved_when_its_case_or_its_work_orders_case_closes(loop):
    target = _target(Measure.LIST_RATE, 90)
    case = loop.report(now=sh(2026, 3, 1, 9))
    TargetItem.objects.create(target=target, code="1", case=case)
    TargetItem.objects.create(target=target, code="2")
    assert measure_target(target, at=sh(2026, 4, 1)).numerator == 0
    loop.close(case, now=sh(2026, 3, 5, 10))
    m = measure_target(target, at=sh(2026, 4, 1))
    assert (m.numerator, m.value) == (1, Decimal(50))
    assert list(drill_down_cases(target, at=sh(2026, 4, 1))) == [case]


def test_a_monthly_recurrence_with_no_record_in_march_meets_4_of_5_months_and_march_is_red(demo_city):
    target = _target(Measure.RECURRENCE, 5, frequency=Frequency.MONTH, per_period=1, due_on=date(2026, 5, 31))
    for month in (1, 2, 4, 5):
        ActivityRecord.objects.create(
            target=target, held_on=date(2026, month, 15), title="联合检查", recorded_at=sh(2026, month, 15, 18)
        )
    m = measure_target(target, at=sh(2026, 6, 2, 9))
    assert (m.value, m.denominator) == (4, 5)
    march = m.detail["periods"][2]
    assert march["start"] == "2026-03-01" and march["count"] == 0 and not march["met"]
    assert [p["met"] for p in m.detail["periods"]] == [True, True, False, True, True]


def test_the_current_period_counts_only_once_met(demo_city):
    target = _target(Measure.RECURRENCE, 12, frequency=Frequency.MONTH, per_period=3, due_on=date(2026, 12, 31))
    for day in (3, 10):
        ActivityRecord.objects.create(
            target=target, held_on=date(2026, 1, day), title="整治", recorded_at=sh(2026, 1, day)
        )
    m = measure_target(target, at=sh(2026, 1, 20, 9))
    assert (m.value, m.denominator) == (0, 0)
    ActivityRecord.objects.create(target=target, held_on=date(2026, 1, 17), title="整治", recorded_at=sh(2026, 1, 17))
    assert (measure_target(target, at=sh(2026, 1, 20, 9)).denominator) == 1


def _entry(target: Target, value, day: date, state: str = Review.APPROVED) -> ManualEntry:
    return ManualEntry.objects.create(
        target=target, value=value, occurred_on=day, state=state, entered_at=sh(2026, 1, 1), reviewed_at=sh(2026, 1, 1)
    )


def test_a_milestone_is_met_on_the_day_an_approved_entry_says_it_was_done(demo_city):
    target = _target(Measure.MILESTONE, 1)
    _entry(target, 1, date(2026, 5, 3), state=Review.PENDING)
    assert measure_target(target, at=sh(2026, 6, 1)).value == 0
    _entry(target, 1, date(2026, 5, 20))
    m = measure_target(target, at=sh(2026, 6, 1))
    assert m.value == 1 and m.met_on == date(2026, 5, 20)


def test_a_manual_count_sums_approved_entries_and_the_baseline(demo_city):
    target = _target(Measure.MANUAL_COUNT, 300, baseline=100)
    _entry(target, 120, date(2026, 3, 1))
    _entry(target, 80, date(2026, 4, 1))
    _entry(target, 50, date(2026, 4, 2), state=Review.RETURNED)
    m = measure_target(target, at=sh(2026, 6, 1))
    assert m.value == 300 and m.numerator == 200 and m.met_on == date(2026, 4, 1)


def test_a_trend_compares_cases_per_day_with_the_baseline_period(loop):
    campaign = make_campaign()
    rule = {"counts": CaseCount.REPORTED, "tagged": TaggedCases.IGNORE}
    target = case_target(
        make_task(campaign),
        goal=-10,
        measure=Measure.CASE_TREND,
        rule=rule,
        comparator=Comparator.AT_MOST,
        baseline_from=date(2025, 12, 1),
        baseline_to=date(2025, 12, 31),
        due_on=date(2026, 1, 31),
    )
    for day in (1, 2, 3, 4):
        loop.report(now=sh(2025, 12, day, 10))
    loop.report(now=sh(2026, 1, 5, 10))
    m = measure_target(target, at=sh(2026, 2, 1, 9))
    assert (m.numerator, m.denominator) == (1, 4)
    assert m.value == Decimal(-75)  # 1 a month against 4 a month, both 31 days
    p = target_progress(target, m, date(2026, 2, 1))
    assert p.met and p.status == ProgressStatus.MET
