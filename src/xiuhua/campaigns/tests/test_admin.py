"""The campaigns' admin pages: set-up pages are editable, frozen and entered data read-only."""

from __future__ import annotations

from datetime import date

import pytest

from xiuhua.campaigns.models import ProgressSnapshot
from xiuhua.campaigns.tests.conftest import case_target, make_campaign, make_task, sh


@pytest.fixture
def admin_session(demo_city, client, settings):
    assert client.login(username="admin", password=settings.DEMO_PASSWORD)
    return client


@pytest.mark.parametrize(
    "page",
    ["campaign", "campaigntask", "target", "activityrecord", "manualentry", "progresssnapshot", "supervisionnotice"],
)
def test_campaign_admin_lists_render_in_chinese(admin_session, page):
    target = case_target(make_task(make_campaign()))
    ProgressSnapshot.objects.create(target=target, month=date(2026, 3, 1), status="behind", taken_at=sh(2026, 4, 1))
    response = admin_session.get(f"/admin/campaigns/{page}/")
    assert response.status_code == 200 and response.headers["Content-Language"] == "zh-hans"


def test_a_campaign_page_shows_its_phases_and_a_target_page_its_case_rule(admin_session):
    campaign = make_campaign()
    campaign.phases.create(name="集中整治", starts_on=date(2026, 3, 1), ends_on=date(2026, 6, 30), plan_percent=60)
    target = case_target(make_task(campaign))
    assert "集中整治" in admin_session.get(f"/admin/campaigns/campaign/{campaign.pk}/change/").content.decode()
    page = admin_session.get(f"/admin/campaigns/target/{target.pk}/change/").content.decode()
    assert "case_rule-0-counts" in page


def test_a_snapshot_cannot_be_changed_in_the_admin(admin_session):
    target = case_target(make_task(make_campaign()))
    snapshot = ProgressSnapshot.objects.create(
        target=target, month=date(2026, 3, 1), status="met", taken_at=sh(2026, 4, 1)
    )
    assert (
        admin_session.post(f"/admin/campaigns/progresssnapshot/{snapshot.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert ProgressSnapshot.objects.filter(pk=snapshot.pk).exists()
