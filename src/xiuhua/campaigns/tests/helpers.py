"""A small campaign over the demo city for the API, import, report, supervision and review tests."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from xiuhua.accounts.models import Department, User
from xiuhua.campaigns.choices import CaseCount, Measure, Review
from xiuhua.campaigns.models import Campaign, CampaignPhase, CampaignTask, CaseRule, ManualEntry, Target
from xiuhua.cases.tests.conftest import SHANGHAI
from xiuhua.territory.models import Division

YEAR = 2026


def unit(short_name: str) -> Department:
    return Department.objects.get(short_name=short_name)


def build_campaign(code: str = "TC1") -> Campaign:
    """Parking campaign: lead 执法局, partner 武原街道; task 1 (执法局) met early, task 2 (武原街道) not started,
    task 3 (nobody's) a case rate."""
    campaign = Campaign.objects.create(
        code=code,
        year=YEAR,
        name="停车秩序专项整治",
        district=Division.objects.get(code="330424"),
        starts_on=date(YEAR, 1, 1),
        ends_on=date(YEAR, 12, 31),
    )
    campaign.lead_units.add(unit("zhifa"))
    campaign.partner_units.add(unit("wuyuan"))
    CampaignPhase.objects.create(
        campaign=campaign, name="集中整治", starts_on=date(YEAR, 1, 1), ends_on=date(YEAR, 6, 30), plan_percent=60
    )
    first = CampaignTask.objects.create(campaign=campaign, code="1", name="违停整治", responsible_unit=unit("zhifa"))
    child = CampaignTask.objects.create(
        campaign=campaign, parent=first, code="1.1", name="僵尸车清理", responsible_unit=unit("zhifa")
    )
    cleared = manual_target(child, "清理僵尸车60辆", 60)
    approved_entry(cleared, 60, date(YEAR, 2, 10))
    # A rate over live cases, on a task no single unit answers for (the centre's own).
    handling = CampaignTask.objects.create(campaign=campaign, code="3", name="违停案件办理")
    rate = Target.objects.create(
        task=handling, name="违停案件结案率90%", measure=Measure.CASE_RATE, goal=90, due_on=date(YEAR, 12, 31)
    )
    CaseRule.objects.create(target=rate, class_codes=["02"], counts=CaseCount.CLOSED, out_of=CaseCount.REGISTERED)
    town = CampaignTask.objects.create(
        campaign=campaign,
        code="2",
        name="武原街道新增停车位",
        responsible_unit=unit("wuyuan"),
        subdistrict=Division.objects.get(code="330424001"),
        due_on=date(YEAR, 12, 31),
    )
    manual_target(town, "新增停车位300个", 300)
    return campaign


def manual_target(task: CampaignTask, name: str, goal: int) -> Target:
    return Target.objects.create(
        task=task,
        name=name,
        measure=Measure.MANUAL_COUNT,
        goal=Decimal(goal),
        starts_on=date(YEAR, 1, 1),
        due_on=date(YEAR, 12, 31),
    )


def approved_entry(target: Target, value: int, day: date) -> ManualEntry:
    moment = datetime(day.year, day.month, day.day, 17, tzinfo=SHANGHAI)
    return ManualEntry.objects.create(
        target=target,
        value=Decimal(value),
        occurred_on=day,
        state=Review.APPROVED,
        entered_by=User.objects.get(username="dept_zhifa"),
        entered_at=moment,
        reviewed_at=moment,  # counted from its approval on
    )
