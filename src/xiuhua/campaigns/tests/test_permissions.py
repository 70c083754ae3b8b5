"""Who sees a campaign and who may change it or one of its tasks."""

from __future__ import annotations

from xiuhua.accounts.models import User
from xiuhua.campaigns.queries import can_edit_task, can_manage, public_campaigns, visible_campaigns
from xiuhua.campaigns.tests.conftest import commander, make_campaign, make_task


def test_a_partner_unit_edits_only_the_tasks_it_answers_for(demo_city):
    campaign = make_campaign()
    own, other = make_task(campaign, "1", unit="zhujian"), make_task(campaign, "2", unit="zhifa")
    sub = make_task(campaign, "1.1", unit=None, parent=own)
    partner = User.objects.get(username="dept_zhujian")
    assert can_edit_task(partner, own) and can_edit_task(partner, sub)
    assert not can_edit_task(partner, other)
    assert not can_manage(partner, campaign)


def test_lead_unit_users_and_commanders_in_scope_manage_the_campaign(demo_city):
    campaign = make_campaign()
    task = make_task(campaign, "1", unit="zhujian")
    lead = User.objects.get(username="dept_zhifa")
    assert can_manage(lead, campaign) and can_edit_task(lead, task)
    assert can_manage(commander(), campaign)
    assert not can_manage(User.objects.get(username="dispatcher"), campaign)
    elsewhere = User.objects.create(username="far_leader", role="leader", scope_division_codes=["110101"])
    assert not can_manage(elsewhere, campaign)


def test_units_taking_part_and_people_in_scope_see_the_campaign_and_an_empty_scope_sees_nothing(demo_city):
    campaign = make_campaign()
    make_task(campaign, "1", unit="zhujian")
    assert campaign in visible_campaigns(User.objects.get(username="dept_zhujian"))
    assert campaign in visible_campaigns(User.objects.get(username="leader"))
    nobody = User.objects.create(username="nobody", role="leader", scope_division_codes=[])
    assert not visible_campaigns(nobody).exists()
    assert list(visible_campaigns(User.objects.get(username="leader"))) == [campaign]  # no duplicates from joins


def test_only_published_campaigns_that_are_not_drafts_are_public(demo_city):
    make_campaign(code="A")
    shown = make_campaign(code="B", public=True)
    make_campaign(code="C", public=True, status="draft")
    assert list(public_campaigns()) == [shown]
