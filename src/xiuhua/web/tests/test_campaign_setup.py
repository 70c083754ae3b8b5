"""Setting campaigns up from the pages: a leader creates one, its managers add phases, tasks and targets (with case
rules), import the task table and make the year-end review; a partner unit can do none of it, and bad input is shown
in Chinese with nothing written."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from xiuhua.accounts.choices import Role
from xiuhua.accounts.models import User
from xiuhua.campaigns.choices import CampaignStatus, CaseCount, Measure, ReviewDecision
from xiuhua.campaigns.models import Campaign, CampaignPhase, CampaignTask, CaseRule, Target
from xiuhua.campaigns.review import review_campaign
from xiuhua.campaigns.tests.conftest import case_target, district, make_campaign, make_task

pytestmark = pytest.mark.django_db

TASK_TABLE = [
    "序号,任务,责任单位,街镇,完成时限,权重,目标名称,目标值,单位,测量方式,频次,案件类别,计数,分母",
    "5,流动摊贩整治,zhifa,,2026-12-31,2,,,,,,,,",
    "5.1,规劝违法行为,zhifa,,2026-12-31,1,全年规劝5000次以上,5000,次,填报,,,,",
    "5.2,占道经营整治,zhifa,,2026-06-30,1,占道经营案件结案率90%,90,%,案件比率,,02,结案,立案",
]
TARGET = {
    "name": "整改安全隐患150处",
    "measure": Measure.CASE_COUNT,
    "goal": "150",
    "comparator": "gte",
    "unit_label": "处",
    "due_on": "2026-12-31",
    "plan_curve": "linear",
    "weight": "1",
    "class_codes": "01、02",
    "division_codes": "",
    "counts": CaseCount.CLOSED,
    "tagged": "also",
}


def _as(client, username: str):
    client.force_login(User.objects.get(username=username))
    return client


def _campaign_form(**changes) -> dict:
    values = {
        "code": "ZX09",
        "year": "2026",
        "name": "背街小巷整治",
        "district_code": district().code,
        "starts_on": "2026-03-01",
        "ends_on": "2026-12-31",
        "lead_units": ["zhifa"],
        "partner_units": ["zhujian"],
        "goal": "背街小巷环境明显改善",
        "public": "on",
    }
    return {**values, **changes}


def _upload(client, campaign: Campaign, lines: list[str]):
    data = ("\n".join(lines) + "\n").encode("utf-8")
    return client.post(f"/campaigns/{campaign.pk}/import/", {"file": SimpleUploadedFile("任务分解表.csv", data)})


def test_a_leader_creates_a_campaign_and_its_lead_unit_adds_a_phase_a_task_and_a_case_target(demo_city, client):
    page = _as(client, "leader").get("/campaigns/new/")
    assert page.status_code == 200 and 'data-testid="campaign-form"' in page.content.decode()
    created = client.post("/campaigns/new/", _campaign_form(), HTTP_HX_REQUEST="true")
    campaign = Campaign.objects.get(code="ZX09", year=2026)
    assert created.status_code == 204 and created["HX-Redirect"] == f"/campaigns/{campaign.pk}/setup/"
    assert campaign.public and list(campaign.lead_units.values_list("short_name", flat=True)) == ["zhifa"]

    lead = _as(client, "dept_zhifa")
    assert lead.get(f"/campaigns/{campaign.pk}/setup/").status_code == 200
    phase = {"name": "集中整治", "starts_on": "2026-03-01", "ends_on": "2026-06-30", "plan_percent": "60"}
    assert lead.post(f"/campaigns/{campaign.pk}/phases/", phase).status_code == 302
    task = {"code": "1", "name": "背街小巷环境整治", "responsible_unit": "zhujian", "weight": "1"}
    assert lead.post(f"/campaigns/{campaign.pk}/tasks/", task).status_code == 302
    made = CampaignTask.objects.get(campaign=campaign, code="1")
    assert lead.post(f"/campaigns/{campaign.pk}/targets/", {**TARGET, "task": made.pk}).status_code == 302
    target = Target.objects.get(task=made)
    assert CampaignPhase.objects.get(campaign=campaign).plan_percent == 60
    assert made.responsible_unit.short_name == "zhujian"
    rule = CaseRule.objects.get(target=target)
    assert (target.measure, target.goal, rule.class_codes, rule.counts) == ("case_count", 150, ["01", "02"], "closed")


def test_a_lead_unit_edits_its_campaign_and_a_phase_in_the_pages(demo_city, client):
    campaign = make_campaign()
    phase = CampaignPhase.objects.create(
        campaign=campaign, name="动员", starts_on=date(2026, 1, 1), ends_on=date(2026, 2, 28), plan_percent=10
    )
    lead = _as(client, "dept_zhifa")
    changed = _campaign_form(code=campaign.code, name="安全隐患专项整治")
    assert lead.post(f"/campaigns/{campaign.pk}/edit/", changed).status_code == 302
    edit = {
        "phase": phase.pk,
        "name": "动员部署",
        "starts_on": "2026-01-01",
        "ends_on": "2026-02-28",
        "plan_percent": "15",
    }
    assert lead.post(f"/campaigns/{campaign.pk}/phases/", edit).status_code == 302
    campaign.refresh_from_db()
    phase.refresh_from_db()
    assert (campaign.name, campaign.starts_on, phase.name, phase.plan_percent) == (
        "安全隐患专项整治", date(2026, 3, 1), "动员部署", 15,
    )  # fmt: skip


def test_a_target_with_an_unknown_class_shows_the_error_next_to_its_field_and_writes_nothing(demo_city, client):
    campaign = make_campaign()
    task = make_task(campaign)
    response = _as(client, "dept_zhifa").post(
        f"/campaigns/{campaign.pk}/targets/", {**TARGET, "task": task.pk, "class_codes": "99999"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="field-error">分类「99999」不存在' in html
    assert not Target.objects.filter(task=task).exists()


def test_a_rate_target_without_its_denominator_is_refused_in_chinese(demo_city, client):
    campaign = make_campaign()
    task = make_task(campaign)
    data = {**TARGET, "task": task.pk, "measure": Measure.CASE_RATE, "goal": "90"}
    response = _as(client, "dept_zhifa").post(f"/campaigns/{campaign.pk}/targets/", data)
    assert response.status_code == 400 and "需要指定分母" in response.content.decode()
    assert not Target.objects.filter(task=task).exists()


def test_a_campaign_ending_before_it_starts_is_refused_and_not_created(demo_city, client):
    response = _as(client, "leader").post("/campaigns/new/", _campaign_form(ends_on="2026-01-01"))
    assert response.status_code == 400
    assert 'data-testid="field-error">专项行动的结束日期早于开始日期' in response.content.decode()
    assert not Campaign.objects.filter(code="ZX09").exists()


def test_a_partner_unit_can_neither_set_up_nor_import_nor_review_the_campaign(demo_city, client):
    campaign = make_campaign()
    task = make_task(campaign, unit="zhujian")
    partner = _as(client, "dept_zhujian")
    page = partner.get(f"/campaigns/{campaign.pk}/").content.decode()
    assert 'data-testid="setup-link"' not in page and 'data-testid="year-review-form"' not in page
    assert partner.get(f"/campaigns/{campaign.pk}/setup/").status_code == 403
    assert partner.get(f"/campaigns/{campaign.pk}/import/").status_code == 403
    assert _upload(partner, campaign, TASK_TABLE).status_code == 403
    assert partner.get("/campaigns/new/").status_code == 403
    task_data = {"code": "9", "name": "自己加的任务", "weight": "1"}
    assert partner.post(f"/campaigns/{campaign.pk}/tasks/", task_data).status_code == 403
    assert partner.post(f"/campaigns/{campaign.pk}/targets/", {**TARGET, "task": task.pk}).status_code == 403
    refused = partner.post(f"/campaigns/{campaign.pk}/year-review/", {"decision": "end", "note": "结束"})
    assert refused.status_code == 403 and "牵头单位" in refused.content.decode()
    campaign.refresh_from_db()
    assert campaign.review == "" and campaign.tasks.count() == 1 and not Target.objects.exists()


def test_the_lead_unit_imports_a_task_table_and_sees_what_was_created(demo_city, client):
    campaign = make_campaign()
    lead = _as(client, "dept_zhifa")
    page = lead.get(f"/campaigns/{campaign.pk}/import/").content.decode()
    assert 'href="/campaigns/task-table-template/"' in page
    template = lead.get("/campaigns/task-table-template/", {"format": "csv"})
    assert template.status_code == 200 and "序号" in template.content.decode("utf-8-sig")
    response = _upload(lead, campaign, TASK_TABLE)
    html = response.content.decode()
    assert response.status_code == 200 and 'data-testid="import-result"' in html
    assert html.count('data-testid="created-task"') == 3 and html.count('data-testid="created-target"') == 2
    assert sorted(campaign.tasks.values_list("code", flat=True)) == ["5", "5.1", "5.2"]


def test_a_task_table_with_errors_lists_them_by_row_and_column_and_writes_nothing(demo_city, client):
    campaign = make_campaign()
    lines = [*TASK_TABLE[:2], "5.1,夜市巡查,不存在的局,,2026-12-31,1,巡查,10,次,填报,,,,"]
    lines.append("5.2,占道,zhifa,,2026-12-31,1,占道案件,10,件,案件计数,,99999,结案,")
    response = _upload(_as(client, "dept_zhifa"), campaign, lines)
    html = response.content.decode()
    assert response.status_code == 400 and "未写入任何数据" in html
    assert html.count('data-testid="import-row-error"') == 2
    assert "<td>3</td><td>责任单位</td><td>单位「不存在的局」不存在" in html
    assert "<td>4</td><td>案件类别</td><td>分类「99999」不存在" in html
    assert not campaign.tasks.exists()


def test_continuing_a_campaign_shows_the_decision_and_links_next_years_copy_and_back(demo_city, client):
    campaign = make_campaign()
    case_target(make_task(campaign))
    lead = _as(client, "dept_zhifa")
    assert 'data-testid="year-review-form"' in lead.get(f"/campaigns/{campaign.pk}/").content.decode()
    done = lead.post(f"/campaigns/{campaign.pk}/year-review/", {"decision": "continue", "note": "明年继续"})
    assert done.status_code == 302
    copy = Campaign.objects.get(year=2027, code=campaign.code)
    page = lead.get(f"/campaigns/{campaign.pk}/").content.decode()
    assert 'data-decision="continue"' in page and "明年继续" in page
    assert f'href="/campaigns/{copy.pk}/"' in page and 'data-testid="year-review-form"' not in page
    back = lead.get(f"/campaigns/{copy.pk}/").content.decode()
    assert 'data-testid="continued-from"' in back and f'href="/campaigns/{campaign.pk}/"' in back
    assert copy.status == CampaignStatus.DRAFT and Target.objects.filter(task__campaign=copy).count() == 1


def test_a_review_without_a_decision_is_shown_in_chinese_and_changes_nothing(demo_city, client):
    campaign = make_campaign()
    response = _as(client, "dept_zhifa").post(f"/campaigns/{campaign.pk}/year-review/", {"note": "未选择"})
    assert response.status_code == 400 and 'data-testid="field-error"' in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.review == "" and not Campaign.objects.filter(year=2027).exists()


def test_the_overview_lists_the_years_campaigns_awaiting_review_once_its_last_month_began(demo_city, client):
    last_year = timezone.localdate().year - 1
    dates = {"starts_on": date(last_year, 1, 1), "ends_on": date(last_year, 12, 31)}
    waiting = make_campaign(year=last_year, code="ZX-A", **dates)
    reviewed = make_campaign(year=last_year, code="ZX-B", **dates)
    review_campaign(User.objects.get(username="leader"), reviewed.pk, ReviewDecision.END)
    next_year = make_campaign(year=last_year + 2, code="ZX-C", starts_on=date(last_year + 2, 1, 1),
                              ends_on=date(last_year + 2, 12, 31))  # fmt: skip
    leader = _as(client, "leader")
    html = leader.get("/campaigns/", {"year": last_year}).content.decode()
    assert f'data-awaiting="{waiting.pk}"' in html and f'data-awaiting="{reviewed.pk}"' not in html
    later = leader.get("/campaigns/", {"year": last_year + 2}).content.decode()
    assert f'data-awaiting="{next_year.pk}"' not in later and 'data-testid="awaiting-review"' not in later


def test_an_ended_campaign_awaits_its_review_on_the_overview_before_december(demo_city, client):
    year = timezone.localdate().year + 2
    dates = {"starts_on": date(year, 1, 1), "ends_on": date(year, 12, 31)}
    ended = make_campaign(year=year, code="ZX-E", status=CampaignStatus.ENDED, **dates)
    running = make_campaign(year=year, code="ZX-R", **dates)
    html = _as(client, "leader").get("/campaigns/", {"year": year}).content.decode()
    assert f'data-awaiting="{ended.pk}"' in html and f'data-awaiting="{running.pk}"' not in html


def test_a_commander_of_the_district_creates_a_campaign_and_a_dispatcher_cannot(demo_city, client):
    leader = User.objects.get(username="leader")
    commander = User.objects.create_user(
        "commander", password="x", role=Role.COMMANDER, scope_division_codes=leader.scope_division_codes
    )
    client.force_login(commander)
    assert client.post("/campaigns/new/", _campaign_form(code="ZX10")).status_code == 302
    assert Campaign.objects.get(code="ZX10").created_by == commander
    dispatcher = _as(client, "dispatcher")
    assert dispatcher.get("/campaigns/new/").status_code == 403
    assert dispatcher.post("/campaigns/new/", _campaign_form(code="ZX11")).status_code == 403
    assert not Campaign.objects.filter(code="ZX11").exists()


def test_a_file_that_is_no_table_is_refused_in_chinese_and_writes_nothing(demo_city, client):
    campaign = make_campaign()
    upload = SimpleUploadedFile("任务分解表.xlsx", b"\x89PNG\r\n\x1a\n not a workbook")
    response = _as(client, "dept_zhifa").post(f"/campaigns/{campaign.pk}/import/", {"file": upload})
    html = response.content.decode()
    assert response.status_code == 400 and re.search(r"data-testid=\"import-error\">[^<]*[\u4e00-\u9fff]", html)
    assert not campaign.tasks.exists()
