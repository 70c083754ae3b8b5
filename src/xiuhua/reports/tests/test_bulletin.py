"""The campaigns' monthly 专报: every target of the month's snapshots with value, plan and status, per lead unit, as
PDF and Excel, read from the frozen snapshots only."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from xiuhua.accounts.models import Department, User
from xiuhua.campaigns.choices import Measure, ProgressStatus, Review
from xiuhua.campaigns.models import ManualEntry, ProgressSnapshot, Target
from xiuhua.campaigns.snapshots import freeze_month
from xiuhua.campaigns.tests.conftest import make_campaign, make_task, sh
from xiuhua.reports.bulletin import build_bulletin

pytestmark = pytest.mark.django_db
MARCH = date(2026, 3, 1)


def _frozen_campaign(demo_city) -> Target:
    """A campaign led by two units with one target, frozen at March's end at 40 of 300 against a plan of 75."""
    campaign = make_campaign()
    campaign.lead_units.add(Department.objects.get(short_name="zhujian"))
    target = Target.objects.create(
        task=make_task(campaign), name="新增停车位", measure=Measure.MANUAL_COUNT, goal=300, due_on=date(2026, 12, 31)
    )
    ProgressSnapshot.objects.create(
        target=target,
        month=MARCH,
        goal=Decimal(300),
        value=Decimal(40),
        plan=Decimal(75),
        progress=Decimal("13.33"),
        status=ProgressStatus.BEHIND,
        taken_at=timezone.now(),
    )
    return target


def test_the_bulletin_lists_each_target_of_the_months_snapshots_under_each_lead_unit(demo_city):
    target = _frozen_campaign(demo_city)
    bulletin = build_bulletin(User.objects.get(username="leader"), MARCH)
    lead = sorted(target.task.campaign.lead_units.values_list("name", flat=True))
    assert list(bulletin.units) == lead
    for rows in bulletin.units.values():
        assert rows == [[target.task.campaign.name, "1 任务 1", "新增停车位", 300, 40, 75, 13.33, "滞后", ""]]
    assert build_bulletin(User.objects.get(username="leader"), date(2026, 4, 1)).units == {}


def test_the_bulletin_reads_the_snapshot_not_the_live_figures(demo_city):
    target = _frozen_campaign(demo_city)
    # The target's live figure changes after the freeze (a larger goal, more done): March stays as frozen.
    Target.objects.filter(pk=target.pk).update(goal=500)
    ProgressSnapshot.objects.create(
        target=target, month=date(2026, 4, 1), value=90, plan=100, progress=30, status="behind", taken_at=timezone.now()
    )
    rows = next(iter(build_bulletin(User.objects.get(username="leader"), MARCH).units.values()))
    assert rows[0][3:8] == [300, 40, 75, 13.33, "滞后"]


def test_the_bulletin_downloads_as_pdf_and_as_excel_with_a_sheet_per_lead_unit(demo_city, client):
    target = _frozen_campaign(demo_city)
    client.force_login(User.objects.get(username="leader"))
    pdf = client.get("/reports/campaigns/bulletin/?month=2026-03&format=pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content[:5] == b"%PDF-"
    xlsx = client.get("/reports/campaigns/bulletin/?month=2026-03&format=xlsx")
    book = load_workbook(io.BytesIO(xlsx.content))
    lead = sorted(target.task.campaign.lead_units.values_list("name", flat=True))
    assert book.sheetnames == ["专报", *lead]
    sheet = book[lead[0]]
    assert [c.value for c in sheet[1]][:3] == ["专项行动", "任务", "指标"]
    assert [c.value for c in sheet[2]][2:8] == ["新增停车位", 300, 40, 75, 13.33, "滞后"]


def test_a_bulletin_of_a_month_not_given_is_refused_in_chinese(demo_city, client):
    client.force_login(User.objects.get(username="leader"))
    answer = client.get("/reports/campaigns/bulletin/?month=三月&format=pdf")
    assert answer.status_code == 400 and "请选择专报的月份" in answer.content.decode()


def test_a_unit_outside_the_campaign_gets_an_empty_bulletin(demo_city):
    _frozen_campaign(demo_city)
    Department.objects.create(name="无关单位", short_name="other", kind="professional")
    outsider = User.objects.create(
        username="outsider", role="department", department=Department.objects.get(short_name="other")
    )
    assert build_bulletin(outsider, MARCH).units == {}


def test_the_bulletin_of_a_month_frozen_by_the_worker_stays_as_frozen_after_later_entries(demo_city):
    target = Target.objects.create(
        task=make_task(make_campaign()), name="新增停车位", measure=Measure.MANUAL_COUNT, goal=300,
        due_on=date(2026, 12, 31),
    )  # fmt: skip
    leader = User.objects.get(username="leader")
    approved = {"state": Review.APPROVED, "entered_at": sh(2026, 3, 10, 9), "reviewed_at": sh(2026, 3, 11, 9)}
    ManualEntry.objects.create(target=target, value=40, occurred_on=date(2026, 3, 10), **approved)
    freeze_month(MARCH, now=sh(2026, 4, 1, 1))
    frozen = build_bulletin(leader, MARCH).units
    ManualEntry.objects.create(target=target, value=60, occurred_on=date(2026, 3, 30), **approved)
    freeze_month(MARCH, now=sh(2026, 4, 2, 1))
    assert build_bulletin(leader, MARCH).units == frozen
    assert next(iter(frozen.values()))[0][3:5] == [300, 40]
