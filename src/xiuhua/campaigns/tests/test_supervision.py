"""Month-end supervision: a unit or sub-district behind plan by more than the gap gets exactly one 督导 notice per
campaign and month, once that month's snapshots are frozen."""

from datetime import date, datetime

import pytest
from django.core.management import call_command

from xiuhua.campaigns.models import SupervisionNotice
from xiuhua.campaigns.snapshots import freeze_month
from xiuhua.campaigns.supervision import supervise_month
from xiuhua.campaigns.tests.helpers import YEAR, approved_entry, build_campaign
from xiuhua.cases.tests.conftest import SHANGHAI
from xiuhua.notify.models import Notice, NoticeKind

pytestmark = pytest.mark.django_db
MARCH = date(YEAR, 3, 1)


@pytest.fixture
def campaign(demo_city):
    return build_campaign()


def frozen_march() -> None:
    freeze_month(MARCH, now=datetime(YEAR, 4, 1, 1, tzinfo=SHANGHAI))


def test_a_sub_district_behind_plan_gets_exactly_one_supervision_notice(as_user, campaign):
    frozen_march()
    assert supervise_month(MARCH) == 1
    assert supervise_month(MARCH) == 0  # a second run sends nothing new
    call_command("campaign_supervision", "--month", "2026-03")

    notice = SupervisionNotice.objects.get()
    assert (notice.unit.short_name, notice.month) == ("wuyuan", MARCH)
    assert notice.plan - notice.progress > 10
    inbox = Notice.objects.filter(recipient__username="dept_wuyuan", kind=NoticeKind.URGE)
    assert inbox.count() == 1 and "停车秩序专项整治" in inbox.get().title
    # The lead unit met its own targets early: no notice for it.
    assert not Notice.objects.filter(recipient__username="dept_zhifa", kind=NoticeKind.URGE).exists()

    listed = as_user("leader").get(f"/campaigns/{campaign.pk}/supervision").json()
    assert [(n["unit"], n["month"]) for n in listed] == [("wuyuan", "2026-03")]
    assert "落后" in listed[0]["text"]


def test_nothing_is_sent_before_the_month_is_frozen(campaign):
    assert supervise_month(MARCH) == 0
    assert not SupervisionNotice.objects.exists() and not Notice.objects.filter(kind=NoticeKind.URGE).exists()


def test_a_unit_within_the_gap_gets_no_notice(campaign, settings):
    settings.XIUHUA_CAMPAIGN_SUPERVISION_GAP = 60  # by the end of March the plan asks for about 25 %
    frozen_march()
    assert supervise_month(MARCH) == 0
    assert not SupervisionNotice.objects.exists()


def test_a_months_snapshot_through_the_api_keeps_its_figures_after_a_later_entry(as_user, campaign):
    frozen_march()
    town_target = campaign.tasks.get(code="2").targets.get()
    approved_entry(town_target, 150, date(YEAR, 3, 30))  # approved after March was frozen
    leader = as_user("leader")
    march = leader.get(f"/campaigns/{campaign.pk}/snapshots", month="2026-03").json()
    assert march["frozen"] is True
    town = next(t for t in march["tasks"] if t["code"] == "2")
    assert town["targets"][0]["measurement"]["value"] == 0.0
    assert leader.get(f"/campaigns/{campaign.pk}/snapshots", month="2026-05").json() == {
        "month": "2026-05",
        "frozen": False,
    }
    assert leader.get(f"/campaigns/{campaign.pk}/snapshots", month="March").status_code == 400
