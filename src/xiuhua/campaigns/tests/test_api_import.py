"""The task table (任务分解表) imported through the API: all or nothing, every error named by row and column."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from xiuhua.campaigns.choices import Frequency, Measure
from xiuhua.campaigns.models import CampaignTask, CaseRule, Target
from xiuhua.campaigns.tests.helpers import build_campaign
from xiuhua.core.models import AuditEntry

pytestmark = pytest.mark.django_db

HEADER = "序号,任务,责任单位,街镇,完成时限,权重,目标名称,目标值,单位,测量方式,频次,案件类别,计数,分母"
GOOD = [
    HEADER,
    "3,流动摊贩整治,zhifa,,2026-12-31,2,,,,,,,,",
    "3.1,规劝违法行为,zhifa,,2026-12-31,1,全年规劝5000次以上,5000,次,填报,,,,",
    "3.1,,,,,,每月至少3次专项整治,3,次,频次,每月,,,",
    "3.2,武原街道占道经营,武原街道,武原街道,2026-06-30,1,占道经营案件结案率90%,90,%,案件比率,,02,结案,立案",
]


def upload(client, campaign, lines, name="任务分解表.csv"):
    data = ("\n".join(lines) + "\n").encode("utf-8")
    return client.post_form(f"/campaigns/{campaign.pk}/tasks/import", {"file": SimpleUploadedFile(name, data)})


@pytest.fixture
def campaign(demo_city):
    return build_campaign()


def test_a_task_table_becomes_the_task_tree_with_targets_and_rules(as_user, campaign):
    response = upload(as_user("dept_zhifa"), campaign, GOOD)
    assert response.status_code == 200, response.content.decode()
    tasks = {t.code: t for t in CampaignTask.objects.filter(campaign=campaign, code__startswith="3")}
    assert sorted(tasks) == ["3", "3.1", "3.2"]
    assert tasks["3.1"].parent == tasks["3"] and tasks["3"].weight == Decimal(2)
    assert tasks["3.2"].subdistrict.name == "武原街道" and tasks["3.2"].responsible_unit.short_name == "wuyuan"
    recurring = Target.objects.get(task=tasks["3.1"], measure=Measure.RECURRENCE)
    assert (recurring.frequency, recurring.per_period) == (Frequency.MONTH, 1)
    rate = Target.objects.get(task=tasks["3.2"])
    assert str(rate.due_on) == "2026-06-30"
    rule = CaseRule.objects.get(target=rate)
    assert (rule.class_codes, rule.counts, rule.out_of) == (["02"], "closed", "registered")
    assert AuditEntry.objects.filter(action="campaigns.task_table_imported").count() == 1


def test_a_bad_task_table_names_every_error_by_row_and_column_and_writes_nothing(as_user, campaign):
    before = (CampaignTask.objects.count(), Target.objects.count())
    lines = [
        HEADER,
        "4,夜市整治,不存在的局,,2026-12-31,1,夜市整治100处,100,处,填报,,,,",
        "4.1,夜市巡查,zhifa,,2026-13-45,1,巡查,10,次,频次,每月,,,",
        "4.2,占道,zhifa,,2026-12-31,1,占道经营,10,件,估算,,,,",
        "4.3,占道案件,zhifa,,2026-12-31,1,占道案件,10,件,案件计数,,99999,结案,",
        "4.4,无测量,zhifa,,2026-12-31,1,没有测量方式的目标,10,件,,,,,",
    ]
    response = upload(as_user("dept_zhifa"), campaign, lines)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "import_rejected" and "未写入任何数据" in body["detail"]
    where = {(e["row"], e["column"]) for e in body["errors"]}
    assert {(2, "责任单位"), (3, "完成时限"), (4, "测量方式"), (5, "案件类别"), (6, "测量方式")} <= where
    messages = " ".join(e["message"] for e in body["errors"])
    assert "不存在的局" in messages and "不是有效日期" in messages and "99999" in messages
    assert (CampaignTask.objects.count(), Target.objects.count()) == before


def test_a_task_number_already_used_in_the_campaign_is_refused(as_user, campaign):
    response = upload(as_user("dept_zhifa"), campaign, [HEADER, "2,重复,zhifa,,2026-12-31,1,,,,,,,,"])
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "序号「2」的任务在本专项行动中已存在"


def test_only_those_who_manage_the_campaign_import_its_task_table(as_user, campaign):
    response = upload(as_user("dept_wuyuan"), campaign, GOOD)
    assert response.status_code == 403
    assert not CampaignTask.objects.filter(code__startswith="3").exists()


def test_the_template_downloads_as_excel_with_the_task_table_columns(as_user, campaign):
    import io

    import openpyxl

    response = as_user("dept_zhifa").get("/campaigns/task-table-template")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    headers = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert headers[:4] == ["序号", "任务", "责任单位", "街镇"] and "测量方式" in headers
