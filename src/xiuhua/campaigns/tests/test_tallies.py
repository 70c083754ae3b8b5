"""Daily tallies: every workflow action keeps them equal to a recount, and live figures read them."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from xiuhua.accounts.models import User
from xiuhua.campaigns import tallies
from xiuhua.campaigns.choices import CaseCount, Measure, TaggedCases
from xiuhua.campaigns.measures import measure_for, measure_targets
from xiuhua.campaigns.models import Target, TargetTally
from xiuhua.campaigns.rules import local_day
from xiuhua.campaigns.services import RuleInput, TargetInput, save_target, tag_case
from xiuhua.campaigns.tests.conftest import case_target, make_campaign, make_task
from xiuhua.cases.models import CaseStats
from xiuhua.cases.worker import JOBS
from xiuhua.territory.models import UnitGrid

pytestmark = pytest.mark.django_db


def admin() -> User:
    return User.objects.get(username="admin")


def today():
    return local_day(timezone.now())


@pytest.fixture
def targets(loop, spot):
    """A live campaign (started 60 days ago) with one target of each kind the tallies keep, and one past due."""
    start = today() - timedelta(days=60)
    campaign = make_campaign(year=start.year, starts_on=start, ends_on=today() + timedelta(days=300))
    task = make_task(campaign)
    grid = UnitGrid.objects.order_by("code").first()
    due = today() + timedelta(days=30)
    kinds = {
        "closed": {"class_codes": ["01001"], "counts": CaseCount.CLOSED, "tagged": TaggedCases.ALSO},
        "registered": {"class_codes": ["01"], "division_codes": [grid.code[:9]], "counts": CaseCount.REGISTERED},
        "dispatched": {"grid_codes": [grid.code], "counts": CaseCount.DISPATCHED, "tagged": TaggedCases.IGNORE},
        "on_time": {"counts": CaseCount.CLOSED_ON_TIME, "tagged": TaggedCases.IGNORE},
        "tagged": {"counts": CaseCount.CLOSED, "tagged": TaggedCases.ONLY},
        "other_class": {"class_codes": ["02"], "counts": CaseCount.REGISTERED, "tagged": TaggedCases.IGNORE},
    }
    made = {name: case_target(task, 2, rule=rule, due_on=due) for name, rule in kinds.items()}
    made["rate"] = case_target(
        task,
        90,
        measure=Measure.CASE_RATE,
        rule={"counts": CaseCount.CLOSED, "out_of": CaseCount.REGISTERED, "tagged": TaggedCases.IGNORE},
        due_on=due,
    )
    made["past_due"] = case_target(
        task, 2, rule={"counts": CaseCount.REGISTERED, "tagged": TaggedCases.IGNORE}, due_on=today() - timedelta(1)
    )
    return made


def fresh(targets: dict[str, Target]) -> list[Target]:
    return list(
        Target.objects.filter(pk__in=[t.pk for t in targets.values()]).select_related("case_rule", "task__campaign")
    )


def assert_tallies_agree(targets: dict[str, Target]) -> None:
    """Every target is read from its tallies, and each live figure equals the recount from the statistics."""
    now = timezone.now()
    loaded = fresh(targets)
    assert tallies.tallied(loaded, now) == loaded
    live = measure_targets(loaded, now)
    for target in loaded:
        recount = measure_for(target.measure).measure(target, now)
        assert live[target.pk] == recount, target.name


def rows_of(targets: dict[str, Target]) -> dict:
    rows = TargetTally.objects.filter(target__in=list(targets.values()), counted__gt=0)
    return {(r.target_id, r.day): (r.counted, r.reached) for r in rows}


def test_every_action_keeps_the_tallies_equal_to_a_recount(loop, people, targets):
    assert tallies.rebuild_stale_tallies() == len(targets)
    loop.to_registered()
    assert_tallies_agree(targets)
    closed = loop.close(loop.report())
    second = loop.to_dispatched(class_code="02001")
    assert_tallies_agree(targets)
    loop.act(closed, "reopen", people.shift_leader, note="问题复发")
    assert_tallies_agree(targets)
    loop.act(second, "request_void", people.dispatcher, note="重复上报")
    loop.act(second, "approve", people.shift_leader)
    assert_tallies_agree(targets)
    kept = rows_of(targets)
    assert kept, "the actions counted something"
    Target.objects.filter(pk__in=[t.pk for t in targets.values()]).update(tallied_at=None)
    tallies.rebuild_stale_tallies()
    assert rows_of(targets) == kept


def test_the_counts_on_the_tallies_are_the_cases_of_each_rule(loop, targets):
    tallies.rebuild_stale_tallies()
    loop.close(loop.report())
    loop.to_registered(class_code="02001")
    live = measure_targets(fresh(targets))
    assert live[targets["closed"].pk].numerator == 1
    assert live[targets["registered"].pk].numerator == 1  # class 01 in the grid's community
    assert live[targets["other_class"].pk].numerator == 1
    assert live[targets["tagged"].pk].numerator == 0
    assert live[targets["rate"].pk].value == 50  # one of two registered cases closed
    assert live[targets["past_due"].pk].numerator == 0  # due yesterday: today's cases are after its window


def test_a_live_figure_reads_the_tallies_and_a_past_one_recounts(loop, targets):
    tallies.rebuild_stale_tallies()
    loop.close(loop.report())
    target = fresh(targets)[0]
    TargetTally.objects.filter(target=target).update(counted=40)
    assert measure_targets([target])[target.pk].numerator == 40
    an_hour_ago = timezone.now() - timedelta(hours=1)
    assert measure_targets([target], an_hour_ago)[target.pk].numerator == 0


def test_the_day_a_count_was_met_comes_from_the_tallies(loop, targets):
    tallies.rebuild_stale_tallies()
    loop.close(loop.report())
    loop.close(loop.report())
    target = Target.objects.select_related("case_rule", "task__campaign").get(pk=targets["closed"].pk)
    assert measure_targets([target])[target.pk].met_on == today()
    assert_tallies_agree(targets)


def test_tagging_a_case_makes_the_campaigns_tallies_stale_until_the_worker_rebuilds_them(loop, people, targets):
    tallies.rebuild_stale_tallies()
    case = loop.close(loop.report(class_code="02001"))
    campaign = targets["tagged"].task.campaign
    tag_case(admin(), campaign, case.number)
    stale = set(Target.objects.filter(tallied_at__isnull=True).values_list("name", "case_rule__tagged"))
    assert {tagged for _name, tagged in stale} == {TaggedCases.ALSO, TaggedCases.ONLY}
    loaded = fresh(targets)
    assert measure_targets(loaded)[targets["tagged"].pk].numerator == 1  # counted from the statistics meanwhile
    JOBS["campaign_tallies"].run()
    assert_tallies_agree(targets)
    assert measure_targets(fresh(targets))[targets["tagged"].pk].numerator == 1


def _input(target: Target, name: str | None = None, class_codes: list[str] | None = None) -> TargetInput:
    rule = target.case_rule
    return TargetInput(
        name=name or target.name,
        measure=target.measure,
        goal=target.goal,
        due_on=target.due_on,
        rule=RuleInput(class_codes=class_codes or rule.class_codes, counts=rule.counts, tagged=rule.tagged),
    )


def test_changing_a_rule_makes_the_target_stale_but_renaming_it_does_not(people, targets):
    tallies.rebuild_stale_tallies()
    target = Target.objects.select_related("case_rule", "task").get(pk=targets["closed"].pk)
    save_target(admin(), target.task, _input(target, name="整改安全隐患（更名）"), target.pk)
    assert Target.objects.get(pk=target.pk).tallied_at is not None
    save_target(admin(), target.task, _input(target, class_codes=["01"]), target.pk)
    assert Target.objects.get(pk=target.pk).tallied_at is None


def test_a_worker_run_stops_when_its_time_is_spent_and_the_next_run_goes_on(targets):
    assert tallies.rebuild_stale_tallies(budget_seconds=-1) == 0
    assert Target.objects.filter(tallied_at__isnull=True).count() == len(targets)
    assert tallies.rebuild_stale_tallies(budget_seconds=None) == len(targets)
    assert not Target.objects.filter(tallied_at__isnull=True).exists()


def test_the_command_recounts_every_tally_after_a_repair_outside_the_workflow(loop, targets):
    tallies.rebuild_stale_tallies()
    loop.close(loop.report())
    CaseStats.objects.update(closed_at=None)  # a data repair the tallies cannot see
    output = StringIO()
    call_command("campaign_tallies", "--all", stdout=output)
    assert output.getvalue().strip() == f"已重建 {len(targets)} 个目标的每日累计"
    assert_tallies_agree(targets)
    assert measure_targets(fresh(targets))[targets["closed"].pk].numerator == 0
