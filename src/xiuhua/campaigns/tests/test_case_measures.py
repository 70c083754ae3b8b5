"""Case-measured targets count live from the case statistics: closures, reopenings, rules and drill-down."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from xiuhua.campaigns.choices import CaseCount, Measure, ProgressStatus, TaggedCases
from xiuhua.campaigns.measures import drill_down_cases, measure_target
from xiuhua.campaigns.models import CaseRule
from xiuhua.campaigns.progress import campaign_progress, target_progress
from xiuhua.campaigns.tests.conftest import case_target, copies_of, make_campaign, make_task, sh, tag

APRIL = sh(2026, 4, 30, 12)


def _hazards(loop, count: int = 149):
    """A 150-hazard target whose member (tagged) cases: `count` closed in March, one real case still open."""
    campaign = make_campaign()
    target = case_target(make_task(campaign), goal=150)
    open_case = loop.report(now=sh(2026, 3, 1, 9))
    closed = copies_of(open_case, count, closed_at=sh(2026, 3, 20, 10), status="closed")
    tag(campaign, [open_case, *closed])
    return campaign, target, open_case


def test_149_of_150_hazards_closed_is_99_3_percent_and_not_met(loop):
    campaign, target, _ = _hazards(loop)
    m = measure_target(target, at=APRIL)
    p = target_progress(target, m, APRIL.date())
    assert m.value == 149
    assert round(p.progress, 1) == Decimal("99.3")
    assert not p.met and p.status != ProgressStatus.MET


def test_the_150th_closure_meets_the_target_that_day_and_reopening_takes_it_back(loop, people):
    campaign, target, case = _hazards(loop)
    loop.close(case, now=sh(2026, 4, 10, 15))
    m = measure_target(target, at=APRIL)
    assert m.value == 150 and m.met_on == date(2026, 4, 10)
    assert target_progress(target, m, APRIL.date()).status == ProgressStatus.MET
    loop.act(case, "reopen", people.shift_leader, now=sh(2026, 4, 12, 9), note="问题复发")
    m = measure_target(target, at=APRIL)
    assert m.value == 149 and m.met_on is None
    assert target_progress(target, m, APRIL.date()).status != ProgressStatus.MET


def test_drill_down_lists_exactly_the_counted_cases(loop):
    campaign, target, case = _hazards(loop, count=12)
    assert drill_down_cases(target, at=APRIL).count() == measure_target(target, at=APRIL).value == 12
    assert case not in drill_down_cases(target, at=APRIL)


def test_counts_are_bounded_by_the_instant_asked_and_the_due_day(loop):
    campaign, target, case = _hazards(loop, count=5)
    assert measure_target(target, at=sh(2026, 3, 20, 9)).value == 0
    assert measure_target(target, at=sh(2026, 3, 20, 11)).value == 5
    target.due_on = date(2026, 3, 19)
    target.save()
    assert measure_target(target, at=APRIL).value == 0


def test_a_rule_selects_by_class_major_prefix_channel_and_grid(loop, spot):
    campaign = make_campaign()
    rule = {"class_codes": ["event:01"], "sources": ["inspector"], "counts": CaseCount.REPORTED, "tagged": "ignore"}
    target = case_target(make_task(campaign), goal=10, rule=rule)
    by_operator = loop.report(now=sh(2026, 2, 1, 9))  # source: the operator's channel, not an inspector's
    by_inspector = loop.report_by_inspector(now=sh(2026, 2, 1, 10))
    assert measure_target(target, at=APRIL).value == 1
    assert list(drill_down_cases(target, at=APRIL)) == [by_inspector]
    CaseRule.objects.filter(target=target).update(sources=[], grid_codes=[by_operator.grid_code[:12]])
    target.refresh_from_db()
    assert measure_target(target, at=APRIL).value == 2
    CaseRule.objects.filter(target=target).update(class_codes=["component:01"])
    target.refresh_from_db()
    assert measure_target(target, at=APRIL).value == 0


def test_a_drawn_polygon_takes_only_the_cases_inside_it(loop, spot):
    campaign = make_campaign()
    lng, lat = spot
    square = {
        "type": "Polygon",
        "coordinates": [
            [
                [lng - 1e-4, lat - 1e-4],
                [lng + 1e-4, lat - 1e-4],
                [lng + 1e-4, lat + 1e-4],
                [lng - 1e-4, lat + 1e-4],
                [lng - 1e-4, lat - 1e-4],
            ]
        ],
    }
    rule = {"area_geojson": json.dumps(square), "counts": CaseCount.REPORTED, "tagged": TaggedCases.IGNORE}
    target = case_target(make_task(campaign), goal=10, rule=rule)
    loop.report(now=sh(2026, 2, 1, 9))
    assert measure_target(target, at=APRIL).value == 1
    square["coordinates"][0] = [[x + 1e-3, y] for x, y in square["coordinates"][0]]
    CaseRule.objects.filter(target=target).update(area_geojson=json.dumps(square))
    target.refresh_from_db()
    assert measure_target(target, at=APRIL).value == 0


def test_tagged_cases_count_also_only_or_not_at_all(loop):
    campaign = make_campaign()
    rule = {"class_codes": ["99999"], "counts": CaseCount.REPORTED, "tagged": TaggedCases.ALSO}
    target = case_target(make_task(campaign), goal=10, rule=rule)
    tag(campaign, [loop.report(now=sh(2026, 2, 1, 9))])
    assert measure_target(target, at=APRIL).value == 1
    CaseRule.objects.filter(target=target).update(tagged=TaggedCases.IGNORE)
    target.refresh_from_db()
    assert measure_target(target, at=APRIL).value == 0


def test_a_rate_is_the_share_of_the_rules_cases_that_reached_the_step(loop):
    campaign = make_campaign()
    rule = {"counts": CaseCount.CLOSED, "out_of": CaseCount.REPORTED, "tagged": TaggedCases.IGNORE}
    target = case_target(make_task(campaign), goal=90, measure=Measure.CASE_RATE, rule=rule)
    first = loop.report(now=sh(2026, 2, 1, 9))
    loop.report(now=sh(2026, 2, 1, 10))
    loop.close(first, now=sh(2026, 2, 2, 10))
    m = measure_target(target, at=APRIL)
    assert (m.numerator, m.denominator, m.value) == (1, 2, Decimal(50))
    assert [c.pk for c in drill_down_cases(target, at=APRIL)] == [first.pk]


def test_campaign_progress_rolls_targets_up_by_weight(loop):
    campaign, target, _ = _hazards(loop, count=75)  # 50 %
    nothing = {"class_codes": ["99999"], "tagged": TaggedCases.IGNORE}
    other = case_target(make_task(campaign, code="2", unit="zhujian"), goal=10, weight=3, rule=nothing)  # 0 %
    progress = campaign_progress(campaign, at=APRIL)
    assert [t.task.code for t in progress.tasks] == ["1", "2"]
    assert progress.tasks[1].targets[0].target == other
    assert progress.progress == Decimal("25.00")  # tasks weigh 1 each: (50 + 0) / 2
