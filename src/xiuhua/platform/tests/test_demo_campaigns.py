"""Haiyan's campaigns in the demo: from its plan, fed by the demo history, with a mix of statuses on any day."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from xiuhua.accounts.models import User
from xiuhua.campaigns.choices import Measure, ProgressStatus
from xiuhua.campaigns.measures import drill_down_cases, measure_target
from xiuhua.campaigns.models import (
    Campaign,
    CampaignCase,
    ManualEntry,
    ProgressReport,
    ProgressSnapshot,
    Target,
    TargetItem,
)
from xiuhua.campaigns.progress import overview, target_progress, unit_progress
from xiuhua.campaigns.queries import public_campaigns, visible_campaigns
from xiuhua.campaigns.snapshots import frozen_progress, month_end_instant
from xiuhua.core.errors import DomainError
from xiuhua.platform.demo_campaigns import BUILD_MONTH, build_demo_campaigns, campaign_year
from xiuhua.platform.demo_history import build_demo_history
from xiuhua.territory.services import forget_grid_index
from xiuhua.worktime.clock import SHANGHAI

pytestmark = pytest.mark.django_db
CODES = {"PQKD", "TCZZ", "LDTF", "HWGG", "QLGL"}
OVERDUE = "长邮路破墙开店整治完成"


def test_the_demo_command_leaves_the_campaigns_out_when_told(db, capsys):
    """First in the module: it needs an empty database, before the module's shared city is built."""
    forget_grid_index()
    try:
        small = ["--grids", "40", "--components", "60", "--history", "0", "--patrol-days", "0"]
        call_command("demo", *small, "--no-campaigns")
        assert "专项行动" not in capsys.readouterr().out and not Campaign.objects.exists()
        built = build_demo_campaigns()
        assert built.campaigns == 5 and set(Campaign.objects.values_list("code", flat=True)) == CODES
        with pytest.raises(DomainError):
            build_demo_campaigns()  # once per year
    finally:
        forget_grid_index()


def test_the_demo_command_builds_the_campaigns(db, capsys):
    forget_grid_index()
    try:
        call_command("demo", "--grids", "40", "--components", "60", "--history", "0", "--patrol-days", "0")
        assert "专项行动已生成：5 个行动" in capsys.readouterr().out
        assert set(Campaign.objects.values_list("code", flat=True)) == CODES
    finally:
        forget_grid_index()


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker, module_media):
    """The demo city, 90 days of history and the campaigns, built once for the module and rolled back after it."""
    from xiuhua.platform.demo import build_demo_city

    with django_db_blocker.unblock(), transaction.atomic():
        forget_grid_index()
        build_demo_city(grids=120, components=600, seed=7)
        now = timezone.now()
        build_demo_history(120, seed=3, days=90, end=now)
        result = build_demo_campaigns(now)
        yield result, now
        transaction.set_rollback(True)
        forget_grid_index()


def statuses(at: datetime) -> dict[str, list[str]]:
    """Target names by status, as the leader's overview of the year shows them at `at`."""
    leader = User.objects.get(username="leader")
    found: dict[str, list[str]] = {}
    for campaign in overview(leader, timezone.localtime(at, SHANGHAI).year, at):
        for line in campaign.lines():
            found.setdefault(line.progress.status, []).append(line.target.name)
    return found


@pytest.mark.parametrize("today", [date(2027, 1, 1), date(2027, 3, 31), date(2026, 9, 15), date(2026, 12, 31)])
def test_the_campaign_year_holds_the_build_day_in_its_ninth_month(today):
    start, end = campaign_year(today)
    assert start.day == 1 and start <= today <= end
    assert (end - start).days in (364, 365) and (end + timedelta(days=1)).day == 1
    assert (today.year * 12 + today.month) - (start.year * 12 + start.month) == BUILD_MONTH - 1


def test_haiyans_campaigns_come_from_its_plan_with_phases_units_and_one_public(built):
    result, now = built
    campaigns = list(Campaign.objects.prefetch_related("phases", "lead_units", "tasks__targets"))
    assert {c.code for c in campaigns} == CODES == set(result.codes)
    assert [c.code for c in public_campaigns()] == ["PQKD"]
    for campaign in campaigns:
        phases = list(campaign.phases.all())
        assert [p.name for p in phases] == ["调查摸底阶段", "集中整治阶段", "巩固提升阶段"]
        assert phases[0].starts_on == campaign.starts_on and phases[-1].ends_on == campaign.ends_on
        assert all(a.ends_on + timedelta(days=1) == b.starts_on for a, b in zip(phases, phases[1:], strict=False))
        assert campaign.lead_units.exists() and campaign.year == timezone.localdate(now).year
        assert all(task.responsible_unit_id for task in campaign.tasks.all())
    goals = {(t.name, t.goal, t.unit_label) for t in Target.objects.all()}
    annexes = [
        ("新增、修复机动车位", 300, "个"),
        ("查处违停", 10000, "辆次"),
        ("清理僵尸车", 60, "辆"),
        ("简易程序案件", 180, "起"),
        ("一般程序案件", 80, "起"),
        ("户外广告整治", 300, "处"),
        ("犬只登记", 500, "只"),
        ("收容流浪犬", 1000, "只"),
        ("犬只扰民投诉有效处置率", 90, "%"),
    ]
    for name, goal, unit_label in annexes:
        assert (name, Decimal(goal), unit_label) in goals
    leader = User.objects.get(username="leader")
    assert set(visible_campaigns(leader).values_list("code", flat=True)) == CODES


def test_the_overview_shows_targets_met_behind_and_exactly_one_overdue(built):
    _result, now = built
    found = statuses(now)
    assert found[ProgressStatus.OVERDUE] == [OVERDUE]
    assert {"新增、修复机动车位", "户外广告整治", "天宁寺路（百尺路至天宁寺路段）破墙开店整治完成"} <= set(
        found[ProgressStatus.MET]
    )
    assert {"施划非机动车停车位", "一般程序案件", "收容流浪犬"} <= set(found[ProgressStatus.BEHIND])


@pytest.mark.parametrize("day", [date(2027, 1, 1), date(2027, 2, 28), date(2027, 6, 30), date(2027, 12, 31)], ids=str)
def test_the_mix_holds_whatever_the_day_the_demo_is_built(built, day):
    for hour in (0, 23):  # the first and the last hour of the local day
        at = datetime.combine(day, time(hour, 30), SHANGHAI)
        Campaign.objects.all().delete()
        build_demo_campaigns(at)
        found = statuses(at)
        assert found[ProgressStatus.OVERDUE] == [OVERDUE]
        assert len(found[ProgressStatus.MET]) >= 3 and len(found[ProgressStatus.BEHIND]) >= 3


def test_live_targets_are_fed_by_the_history_and_drill_down_to_as_many_cases(built):
    _result, now = built
    today = timezone.localtime(now, SHANGHAI).date()
    towns = Target.objects.filter(task__campaign__code="LDTF", task__parent__isnull=False)
    standing = Counter(target_progress(t, measure_target(t, now), today).status for t in towns)
    assert towns.count() == 9 and standing[ProgressStatus.MET] >= 1 and standing[ProgressStatus.BEHIND] >= 4
    live = Target.objects.filter(measure__in=[Measure.CASE_COUNT, Measure.CASE_RATE]).select_related("case_rule")
    total = Decimal(0)
    for target in live:
        measured = measure_target(target, now)
        numerator = (
            measured.numerator if target.measure == Measure.CASE_RATE else measured.value - (target.baseline or 0)
        )
        assert drill_down_cases(target, now).count() == numerator, target.name
        total += numerator or 0
    assert total > 0


def test_cases_are_tagged_items_listed_records_kept_and_entries_await_review(built):
    result, now = built
    assert CampaignCase.objects.filter(campaign__code="QLGL").exists()
    assert result.tagged == CampaignCase.objects.count() > 0
    items = TargetItem.objects.filter(target__task__campaign__code="HWGG")
    assert items.filter(case__isnull=False).exists() and items.filter(resolved_at__isnull=False).count() == 2
    assert ManualEntry.objects.filter(state="pending").count() == result.pending >= 3
    reports = ProgressReport.objects.filter(campaign__code="LDTF")
    assert reports.count() == result.reports == 4 and reports.filter(state="pending").count() == 2
    assert all(r.submitted_at <= now for r in reports)
    last_month = (timezone.localtime(now, SHANGHAI).date().replace(day=1) - timedelta(days=1)).replace(day=1)
    frozen = ProgressSnapshot.objects.filter(month=last_month)
    assert frozen.count() == Target.objects.count() and result.snapshots == ProgressSnapshot.objects.count()
    monthly = Target.objects.get(name="每月至少开展3次专项整治")
    periods = measure_target(monthly, now).detail["periods"]
    finished = [p for p in periods if p["finished"]]
    assert [p["met"] for p in finished].count(False) == 1


def test_last_months_frozen_figures_show_sub_districts_lagging_for_the_supervision(built):
    _result, now = built
    month = (timezone.localtime(now, SHANGHAI).date().replace(day=1) - timedelta(days=1)).replace(day=1)
    campaign = Campaign.objects.get(code="LDTF")
    rows = unit_progress(campaign, at=month_end_instant(month), built=frozen_progress(campaign, month))
    lagging = [r.unit for r in rows if r.unit.kind == "subdistrict" and r.planned - (r.progress or 0) > 20]
    assert len(lagging) >= 4
