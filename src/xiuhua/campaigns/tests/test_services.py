"""Writes through the services: permissions, validation with nothing written, imports, entries and reviews."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from xiuhua.accounts.models import User
from xiuhua.campaigns import services
from xiuhua.campaigns.choices import Measure, ProgressStatus, Review
from xiuhua.campaigns.measures import measure_target
from xiuhua.campaigns.models import Campaign, CampaignCase, ManualEntry, Target, TargetItem
from xiuhua.campaigns.progress import target_progress
from xiuhua.campaigns.services import CampaignInput, RuleInput, TargetInput, TaskInput
from xiuhua.campaigns.tests.conftest import commander, district, make_campaign, make_task, sh
from xiuhua.cases.tests.conftest import JPEG
from xiuhua.core.errors import DomainError, ImportRejected, PermissionDenied
from xiuhua.core.models import AuditEntry
from xiuhua.territory.models import Division


def _input(**fields) -> CampaignInput:
    values = {
        "code": "ZX09",
        "year": 2026,
        "name": "共享停车位",
        "district_code": fields.pop("district_code", None) or district().code,
        "starts_on": date(2026, 1, 1),
        "ends_on": date(2026, 12, 31),
        "lead_units": ["zhifa"],
        "partner_units": ["zhujian"],
        **fields,
    }
    return CampaignInput(**values)


def test_a_commander_creates_a_campaign_and_a_dispatcher_may_not(demo_city):
    campaign = services.create_campaign(commander(), _input())
    assert [u.short_name for u in campaign.lead_units.all()] == ["zhifa"]
    assert AuditEntry.objects.filter(action="campaigns.campaign_created", target=str(campaign.pk)).exists()
    with pytest.raises(PermissionDenied):
        services.create_campaign(User.objects.get(username="dispatcher"), _input(code="ZX10"))
    with pytest.raises(DomainError, match="已有编号"):
        services.create_campaign(User.objects.get(username="leader"), _input())
    with pytest.raises(DomainError, match="牵头单位「nope」不存在"):
        services.create_campaign(User.objects.get(username="leader"), _input(code="ZX11", lead_units=["nope"]))
    assert Campaign.objects.count() == 1


def _target_input(**fields) -> TargetInput:
    values = {"name": "整改隐患", "measure": Measure.CASE_COUNT, "goal": Decimal(150), "due_on": date(2026, 12, 31)}
    return TargetInput(**{**values, **fields})


def test_a_target_is_checked_before_anything_is_written(demo_city):
    campaign = make_campaign()
    task = make_task(campaign)
    lead = User.objects.get(username="dept_zhifa")
    with pytest.raises(DomainError, match="分类「99999」不存在"):
        services.save_target(lead, task, _target_input(rule=RuleInput(class_codes=["01001", "99999"])))
    with pytest.raises(DomainError, match="需要案卷规则"):
        services.save_target(lead, task, _target_input())
    with pytest.raises(DomainError, match="没有选择计量方式"):
        services.save_target(lead, task, _target_input(measure=""))
    with pytest.raises(DomainError, match="需要频次"):
        services.save_target(lead, task, _target_input(measure=Measure.RECURRENCE))
    assert not Target.objects.exists()
    target = services.save_target(lead, task, _target_input(rule=RuleInput(class_codes=["01"], sources=["citizen"])))
    assert target.case_rule.class_codes == ["01"] and target.case_rule.sources == ["citizen"]


def test_a_partner_unit_enters_counts_only_on_its_own_tasks_and_the_lead_unit_reviews_them(demo_city):
    campaign = make_campaign()
    own, other = make_task(campaign, "1", unit="zhujian"), make_task(campaign, "2", unit="zhifa")
    values = {"name": "新增车位", "measure": Measure.MANUAL_COUNT, "goal": 180, "due_on": date(2026, 12, 31)}
    mine, theirs = Target.objects.create(task=own, **values), Target.objects.create(task=other, **values)
    partner, lead = User.objects.get(username="dept_zhujian"), User.objects.get(username="dept_zhifa")
    photo = SimpleUploadedFile("spaces.jpg", JPEG, content_type="image/jpeg")
    entry = services.enter_value(partner, mine, value=Decimal(60), occurred_on=date(2026, 3, 2), files=[photo])
    assert entry.files.count() == 1 and entry.state == Review.PENDING
    with pytest.raises(PermissionDenied):
        services.enter_value(partner, theirs, value=Decimal(60), occurred_on=date(2026, 3, 2), note="新增")
    assert measure_target(mine).value == 0  # counted only once approved
    with pytest.raises(PermissionDenied):
        services.review_entry(partner, entry.pk, Review.APPROVED)
    services.review_entry(lead, entry.pk, Review.APPROVED)
    assert measure_target(mine).value == 60
    with pytest.raises(DomainError, match="已审核"):
        services.review_entry(lead, entry.pk, Review.RETURNED, note="重复")
    assert ManualEntry.objects.count() == 1


def test_records_of_a_recurring_activity_are_added_by_the_responsible_unit(demo_city):
    campaign = make_campaign()
    task = make_task(campaign, "1", unit="zhujian")
    target = Target.objects.create(
        task=task, name="联合检查", measure=Measure.RECURRENCE, goal=12, due_on=date(2026, 12, 31),
        frequency="month", per_period=1,
    )  # fmt: skip
    partner = User.objects.get(username="dept_zhujian")
    record = services.add_record(
        partner, target, held_on=date(2026, 2, 10), title="联合检查", unit_codes=["zhujian", "zhifa"], people=12,
        now=sh(2026, 2, 10, 18),
    )  # fmt: skip
    assert record.units.count() == 2
    with pytest.raises(DomainError, match="晚于今天"):
        services.add_record(partner, target, held_on=date(2026, 2, 11), title="联合检查", now=sh(2026, 2, 10, 18))


def _xlsx(rows: list[list]) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.append(["编号", "标题", "工单号", "案卷号"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("清单.xlsx", buffer.getvalue())


def _list_target(campaign: Campaign) -> Target:
    task = make_task(campaign, "1", unit="zhujian")
    return Target.objects.create(
        task=task, name="信访化解", measure=Measure.LIST_RATE, goal=90, due_on=date(2026, 6, 30)
    )


def test_an_imported_619_item_list_with_558_resolved_by_30_june_is_90_1_percent_and_met(loop):
    target = _list_target(make_campaign())
    partner = User.objects.get(username="dept_zhujian")
    case = loop.report(now=sh(2026, 3, 1, 9))
    rows = [[f"XF{n:04d}", f"信访件 {n}", None, case.number if n == 0 else None] for n in range(619)]
    result = services.import_items(partner, target, _xlsx(rows), filename="清单.xlsx")
    assert result.created == 619 and TargetItem.objects.get(code="XF0000").case == case
    loop.close(case, now=sh(2026, 5, 1, 10))
    codes = [f"XF{n:04d}" for n in range(1, 557)]
    TargetItem.objects.filter(code__in=codes).update(resolved_at=sh(2026, 6, 20, 10))
    services.resolve_item(partner, TargetItem.objects.get(code="XF0557").pk, "已当面答复并签字", now=sh(2026, 6, 30, 9))
    services.resolve_item(partner, TargetItem.objects.get(code="XF0558").pk, "逾期化解", now=sh(2026, 7, 2, 9))
    m = measure_target(target, at=sh(2026, 7, 10))
    assert m.numerator == 558 and round(m.value, 1) == Decimal("90.1")
    assert target_progress(target, m, date(2026, 7, 10)).status == ProgressStatus.MET


def test_an_item_list_with_unknown_work_orders_or_cases_is_rejected_whole(demo_city):
    target = _list_target(make_campaign())
    partner = User.objects.get(username="dept_zhujian")
    rows = [
        ["A1", "一", None, None],
        ["A2", "二", "GD-404", None],
        ["A3", "三", None, "2026999999999"],
        ["A1", "重", None, None],
    ]
    with pytest.raises(ImportRejected) as rejected:
        services.import_items(partner, target, _xlsx(rows), filename="清单.xlsx")
    messages = [str(e) for e in rejected.value.errors]
    assert any("工单「GD-404」不存在" in m for m in messages)
    assert any("案卷「2026999999999」不存在" in m for m in messages)
    assert any("与第 2 行重复" in m for m in messages)
    assert not TargetItem.objects.exists()


def test_cases_are_tagged_and_untagged_by_the_campaigns_managers(loop):
    campaign = make_campaign()
    case = loop.report(now=sh(2026, 3, 1, 9))
    lead, partner = User.objects.get(username="dept_zhifa"), User.objects.get(username="dept_zhujian")
    with pytest.raises(PermissionDenied):
        services.tag_case(partner, campaign, case.number)
    services.tag_case(lead, campaign, case.number, note="市督办")
    with pytest.raises(DomainError, match="已标记"):
        services.tag_case(lead, campaign, case.number)
    services.untag_case(lead, campaign, case.number)
    assert not CampaignCase.objects.exists()


def test_tasks_form_a_tree_without_cycles_and_unique_numbers(demo_city):
    campaign = make_campaign()
    lead = User.objects.get(username="dept_zhifa")
    parent = services.save_task(lead, campaign, TaskInput(code="1", name="停车治理", responsible_unit="zhujian"))
    child = services.save_task(lead, campaign, TaskInput(code="1.1", name="新增车位", parent_code="1"))
    with pytest.raises(DomainError, match="自己的下级"):
        services.save_task(lead, campaign, TaskInput(code="1", name="停车治理", parent_code="1.1"), task_id=parent.pk)
    with pytest.raises(DomainError, match="已存在"):
        services.save_task(lead, campaign, TaskInput(code="1", name="重复"))
    assert child.parent == parent


def test_a_lead_unit_may_not_move_its_campaign_to_a_district_outside_its_leaders_reach(demo_city):
    campaign = services.create_campaign(commander(), _input())
    home = district()
    elsewhere = Division.objects.create(code="330481", name="海宁市", level="district")
    lead_unit_user = User.objects.get(username="dept_zhifa")
    with pytest.raises(PermissionDenied, match="海宁市"):
        services.update_campaign(lead_unit_user, campaign.pk, _input(district_code=elsewhere.code, name="改名"))
    campaign.refresh_from_db()
    assert (campaign.district, campaign.name) == (home, "共享停车位")
    services.update_campaign(lead_unit_user, campaign.pk, _input(district_code=home.code, name="共享停车位（二期）"))
    assert Campaign.objects.get(pk=campaign.pk).name == "共享停车位（二期）"
