"""Plan curves, statuses, roll-ups per unit, and the batched overview agreeing with target-by-target counts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from xiuhua.accounts.models import Department, User
from xiuhua.campaigns.choices import CaseCount, Comparator, Measure, PlanCurve, ProgressStatus, TaggedCases
from xiuhua.campaigns.measures import Measurement, measure_for, measure_target
from xiuhua.campaigns.models import CampaignPhase, Target
from xiuhua.campaigns.progress import campaign_progress, overview, planned_percent, target_progress, unit_progress
from xiuhua.campaigns.tests.conftest import case_target, copies_of, make_campaign, make_task, sh, tag
from xiuhua.territory.models import Division


def _count(value) -> Measurement:
    return Measurement(Decimal(value), Decimal(value), None, None, {})


def _target(**fields) -> Target:
    values = {"name": "目标", "measure": Measure.MANUAL_COUNT, "goal": 100, "due_on": date(2026, 4, 30), **fields}
    return Target.objects.create(task=make_task(make_campaign()), **values)


def test_a_linear_plan_grows_by_day_from_start_to_due(demo_city):
    target = _target(starts_on=date(2026, 4, 1))
    assert planned_percent(target, date(2026, 3, 31)) == 0
    assert planned_percent(target, date(2026, 4, 15)) == Decimal("50.00")
    assert planned_percent(target, date(2026, 5, 15)) == 100


def test_a_phase_plan_follows_each_phases_cumulative_percent(demo_city):
    target = _target(plan_curve=PlanCurve.PHASES, due_on=date(2026, 12, 31))
    campaign = target.task.campaign
    CampaignPhase.objects.create(
        campaign=campaign, name="调查摸底", starts_on=date(2026, 1, 1), ends_on=date(2026, 1, 31), plan_percent=10
    )
    CampaignPhase.objects.create(
        campaign=campaign, name="集中整治", starts_on=date(2026, 3, 1), ends_on=date(2026, 3, 31), plan_percent=70
    )
    assert planned_percent(target, date(2026, 1, 31)) == 10
    assert planned_percent(target, date(2026, 2, 15)) == 10  # between phases the plan waits
    assert planned_percent(target, date(2026, 3, 31)) == 70
    assert Decimal(39) < planned_percent(target, date(2026, 3, 16)) < Decimal(41)


def test_status_is_behind_when_more_than_the_gap_below_plan_and_overdue_after_the_due_date(demo_city, settings):
    target = _target(starts_on=date(2026, 4, 1))
    mid = date(2026, 4, 15)  # plan 50 %
    assert target_progress(target, _count(41), mid).status == ProgressStatus.ON_TRACK
    assert target_progress(target, _count(39), mid).status == ProgressStatus.BEHIND
    settings.XIUHUA_CAMPAIGN_BEHIND_GAP = 20
    assert target_progress(target, _count(39), mid).status == ProgressStatus.ON_TRACK
    assert target_progress(target, _count(100), mid).status == ProgressStatus.MET
    assert target_progress(target, _count(99), date(2026, 5, 1)).status == ProgressStatus.OVERDUE
    assert target_progress(target, _count(0), date(2026, 3, 1)).status == ProgressStatus.NOT_STARTED


def test_an_at_most_target_is_judged_only_at_its_due_date(demo_city):
    target = _target(goal=5, comparator=Comparator.AT_MOST)
    assert target_progress(target, _count(3), date(2026, 4, 1)).status == ProgressStatus.ON_TRACK
    assert target_progress(target, _count(6), date(2026, 4, 1)).status == ProgressStatus.BEHIND
    assert target_progress(target, _count(3), date(2026, 5, 1)).status == ProgressStatus.MET
    assert target_progress(target, _count(6), date(2026, 5, 1)).status == ProgressStatus.OVERDUE


def test_unit_progress_rolls_up_each_units_tasks_and_names_sub_districts(loop):
    campaign = make_campaign()
    subdistrict = Division.objects.filter(level="subdistrict").order_by("code").first()
    town = Department.objects.get(kind="subdistrict", division_code=subdistrict.code)
    done = make_task(campaign, "1", unit="zhujian")
    Target.objects.create(task=done, name="已完成", measure=Measure.MILESTONE, goal=1, due_on=date(2026, 12, 31))
    late = make_task(campaign, "2", unit=None, subdistrict=subdistrict)
    target = Target.objects.create(
        task=late, name="车位", measure=Measure.MANUAL_COUNT, goal=100, due_on=date(2026, 3, 31)
    )
    units = {u.unit: u for u in unit_progress(campaign, at=sh(2026, 6, 1))}
    assert units[town].status == ProgressStatus.OVERDUE and units[town].targets == 1
    assert units[Department.objects.get(short_name="zhujian")].progress == 0
    assert target.task.subdistrict == subdistrict


def test_the_batched_overview_agrees_with_counting_each_target_alone(loop):
    campaign = make_campaign()
    base = loop.report(now=sh(2026, 2, 1, 9))
    closed = copies_of(base, 6, closed_at=sh(2026, 2, 3, 9), status="closed", handling_on_time=True)
    tagged_elsewhere = copies_of(base, 2, closed_at=sh(2026, 2, 4, 9), status="closed", source="citizen")
    tag(campaign, tagged_elsewhere)
    community = base.community.code
    rules = [
        {"class_codes": ["01"], "counts": CaseCount.CLOSED, "tagged": TaggedCases.IGNORE},
        {"class_codes": ["event:01001"], "sources": ["inspector", "other"], "counts": CaseCount.CLOSED},
        {"division_codes": [community[:9]], "counts": CaseCount.CLOSED_ON_TIME, "tagged": TaggedCases.ALSO},
        {"sources": ["citizen"], "counts": CaseCount.REPORTED, "tagged": TaggedCases.ONLY},
        {"division_codes": ["999"], "counts": CaseCount.CLOSED, "tagged": TaggedCases.ALSO},
    ]
    task = make_task(campaign)
    targets = [case_target(task, goal=5, rule=rule) for rule in rules]
    rate = case_target(task, goal=90, measure=Measure.CASE_RATE, rule={"counts": "closed", "out_of": "reported"})
    at = sh(2026, 3, 1)
    alone = {t.pk: measure_target(t, at) for t in [*targets, rate]}
    fresh = list(Target.objects.filter(pk__in=alone).select_related("task__campaign", "case_rule"))
    together = {**measure_for(Measure.CASE_COUNT).measure_many(fresh[:-1], at)}
    together.update(measure_for(Measure.CASE_RATE).measure_many(fresh[-1:], at))
    assert together == alone
    assert [int(alone[t.pk].value) for t in targets] == [8, 2, 6, 2, 2]
    assert (alone[rate.pk].numerator, alone[rate.pk].denominator) == (8, 9)
    del closed


def test_the_overview_measures_many_campaigns_in_few_queries(loop):
    leader = User.objects.get(username="leader")
    for n in range(3):
        campaign = make_campaign(code=f"Z{n}")
        task = make_task(campaign)
        for goal in (10, 20, 30):
            case_target(task, goal=goal, rule={"class_codes": ["01"], "tagged": TaggedCases.IGNORE})
    with CaptureQueriesContext(connection) as queries:
        result = overview(leader, 2026, at=sh(2026, 3, 1))
    assert len(result) == 3 and sum(1 for c in result for _ in c.lines()) == 9
    assert len(queries) < 15, "\n".join(q["sql"][:150] for q in queries)
    assert campaign_progress(result[0].campaign, at=sh(2026, 3, 1)).progress == result[0].progress


def test_a_target_set_up_wrongly_shows_no_value_and_does_not_blank_the_others(loop):
    campaign = make_campaign()
    task = make_task(campaign)
    good = case_target(task, goal=5, rule={"class_codes": ["01"], "tagged": TaggedCases.IGNORE})
    broken = Target.objects.create(
        task=task, name="无规则", measure=Measure.CASE_COUNT, goal=5, due_on=date(2026, 12, 31)
    )
    progress = campaign_progress(campaign, at=sh(2026, 3, 1))
    lines = {line.target.pk: line for line in progress.lines()}
    assert lines[good.pk].measurement.value == 0
    assert lines[broken.pk].measurement.value is None and "没有案卷规则" in lines[broken.pk].measurement.detail["error"]


def test_unit_progress_can_be_read_from_a_frozen_month(loop):
    from xiuhua.campaigns.snapshots import freeze_month, frozen_progress

    campaign = make_campaign()
    target = Target.objects.create(
        task=make_task(campaign, "1", unit="zhujian"), name="车位", measure=Measure.MANUAL_COUNT, goal=100,
        due_on=date(2026, 12, 31),
    )  # fmt: skip
    freeze_month(date(2026, 3, 1), now=sh(2026, 4, 1, 1))
    frozen = frozen_progress(campaign, date(2026, 3, 1))
    (unit,) = unit_progress(campaign, at=sh(2026, 4, 1, 1), built=frozen)
    assert unit.unit.short_name == "zhujian" and unit.status == ProgressStatus.BEHIND and unit.progress == 0
    assert target.snapshots.get().planned == unit.planned
