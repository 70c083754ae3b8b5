"""Units' progress reports through the API: submitted by a unit of the campaign, reviewed by the lead unit,
refused for a month whose snapshots are frozen."""

from datetime import date

import pytest
from django.utils import timezone

from xiuhua.campaigns.choices import ProgressStatus, Review
from xiuhua.campaigns.models import Evidence, ProgressReport, ProgressSnapshot
from xiuhua.campaigns.tests.helpers import build_campaign
from xiuhua.cases.tests.conftest import photo
from xiuhua.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(demo_city):
    return build_campaign()


def report(client, campaign, day="2026-11-16", period="month", **fields):
    body = {"period": period, "day": day, "text": "本月新增停车位 40 个", "figures": {"新增停车位": 40}, **fields}
    return client.post_json(f"/campaigns/{campaign.pk}/reports", body)


def test_a_partner_unit_submits_a_monthly_report_and_the_lead_unit_accepts_it(as_user, campaign):
    town = as_user("dept_wuyuan")
    response = report(town, campaign)
    assert response.status_code == 201, response.content.decode()
    sent = response.json()
    assert (sent["unit"], sent["period_start"], sent["state"]) == ("wuyuan", "2026-11-01", Review.PENDING)
    assert sent["figures"] == {"新增停车位": 40}

    reviewed = as_user("dept_zhifa").post_json(f"/campaigns/reports/{sent['id']}/review", {"accept": True})
    assert reviewed.status_code == 200, reviewed.content.decode()
    assert reviewed.json()["state"] == Review.APPROVED
    assert AuditEntry.objects.filter(action="campaigns.report_reviewed").count() == 1
    listed = town.get(f"/campaigns/{campaign.pk}/reports").json()
    assert [r["state"] for r in listed] == [Review.APPROVED]


def test_a_weekly_report_covers_the_week_of_the_day_given(as_user, campaign):
    response = report(as_user("dept_wuyuan"), campaign, day="2026-11-19", period="week")
    assert response.json()["period_start"] == "2026-11-16"  # that week's Monday


def test_a_report_carries_its_photos_as_evidence(as_user, campaign, media_in_tmp):
    town = as_user("dept_wuyuan")
    fields = {"period": "month", "day": "2026-11-02", "text": "新划车位", "files": [photo("spaces.jpg")]}
    response = town.post_form(f"/campaigns/{campaign.pk}/reports", fields)
    assert response.status_code == 201, response.content.decode()
    assert [f["name"] for f in response.json()["files"]] == ["spaces.jpg"]
    assert Evidence.objects.get().report_id == response.json()["id"]


def test_a_returned_report_can_be_sent_again_but_a_pending_one_cannot(as_user, campaign):
    town, lead = as_user("dept_wuyuan"), as_user("dept_zhifa")
    first = report(town, campaign).json()
    again = report(town, campaign)
    assert again.status_code == 400 and again.json()["code"] == "duplicate_report"

    no_reason = lead.post_json(f"/campaigns/reports/{first['id']}/review", {"accept": False})
    assert no_reason.status_code == 400 and "理由" in no_reason.json()["detail"]
    returned = lead.post_json(f"/campaigns/reports/{first['id']}/review", {"accept": False, "note": "缺照片"})
    assert returned.json()["state"] == Review.RETURNED

    resent = report(town, campaign, text="补充了照片")
    assert resent.status_code == 201
    assert resent.json()["id"] == first["id"] and resent.json()["state"] == Review.PENDING
    assert ProgressReport.objects.count() == 1


def test_a_report_for_a_frozen_month_is_refused_in_chinese_and_nothing_is_written(as_user, campaign):
    target = campaign.tasks.get(code="2").targets.get()
    ProgressSnapshot.objects.create(
        target=target, month=date(2026, 3, 1), status=ProgressStatus.BEHIND, taken_at=timezone.now()
    )
    response = report(as_user("dept_wuyuan"), campaign, day="2026-03-20")
    assert response.status_code == 400
    assert response.json()["code"] == "period_frozen"
    assert "2026年03月" in response.json()["detail"] and "冻结" in response.json()["detail"]
    # A week straddling March and April touches the frozen March too.
    straddling = report(as_user("dept_wuyuan"), campaign, day="2026-04-01", period="week")
    assert straddling.status_code == 400
    assert not ProgressReport.objects.exists() and not Evidence.objects.exists()


def test_a_unit_outside_the_campaign_cannot_report_and_a_partner_cannot_review(as_user, campaign):
    outsider = report(as_user("dept_shuiwu"), campaign)
    assert outsider.status_code in (403, 404)
    sent = report(as_user("dept_wuyuan"), campaign).json()
    by_partner = as_user("dept_wuyuan").post_json(f"/campaigns/reports/{sent['id']}/review", {"accept": True})
    assert by_partner.status_code == 403 and "牵头单位" in by_partner.json()["detail"]
    assert ProgressReport.objects.get().state == Review.PENDING


def test_a_report_with_a_bad_period_or_figure_is_refused(as_user, campaign):
    town = as_user("dept_wuyuan")
    assert report(town, campaign, period="year").json()["code"] == "invalid_period"
    assert report(town, campaign, figures={"车位": "很多"}).json()["code"] == "invalid_figures"
    assert not ProgressReport.objects.exists()
