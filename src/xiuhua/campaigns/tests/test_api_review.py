"""The year-end review through the API: continue copies the campaign's plan into next year, end ends it."""

from datetime import date

import pytest
from django.utils import timezone

from xiuhua.campaigns.choices import CampaignStatus, ProgressStatus, ReviewDecision
from xiuhua.campaigns.models import Campaign, CaseRule, ManualEntry, ProgressSnapshot, Target
from xiuhua.campaigns.tests.helpers import YEAR, build_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(demo_city):
    built = build_campaign()
    target = Target.objects.filter(task__campaign=built).first()
    ProgressSnapshot.objects.create(
        target=target, month=date(YEAR, 3, 1), status=ProgressStatus.MET, taken_at=timezone.now()
    )
    return built


def test_continuing_copies_phases_tasks_targets_and_rules_into_next_year_without_the_records(as_user, campaign):
    response = as_user("leader").post_json(
        f"/campaigns/{campaign.pk}/review", {"decision": "continue", "note": "群众满意度高，延续"}
    )
    assert response.status_code == 200, response.content.decode()
    assert response.json()["continued_year"] == YEAR + 1
    copy = Campaign.objects.get(pk=response.json()["continued_as"])
    assert (copy.code, copy.continued_from_id, copy.status) == (campaign.code, campaign.pk, CampaignStatus.DRAFT)
    assert (copy.starts_on, copy.ends_on) == (date(YEAR + 1, 1, 1), date(YEAR + 1, 12, 31))
    assert list(copy.lead_units.values_list("short_name", flat=True)) == ["zhifa"]
    assert [(p.name, p.ends_on) for p in copy.phases.all()] == [("集中整治", date(YEAR + 1, 6, 30))]
    tasks = {t.code: t for t in copy.tasks.all()}
    assert sorted(tasks) == ["1", "1.1", "2", "3"] and tasks["1.1"].parent == tasks["1"]
    assert tasks["2"].due_on == date(YEAR + 1, 12, 31)
    targets = Target.objects.filter(task__campaign=copy)
    assert targets.count() == 3 and {t.due_on for t in targets} == {date(YEAR + 1, 12, 31)}
    rule = CaseRule.objects.get(target__task__campaign=copy)
    assert (rule.class_codes, rule.out_of) == (["02"], "registered")
    assert not ManualEntry.objects.filter(target__task__campaign=copy).exists()
    assert not ProgressSnapshot.objects.filter(target__task__campaign=copy).exists()
    campaign.refresh_from_db()
    assert campaign.review == ReviewDecision.CONTINUE and campaign.review_note == "群众满意度高，延续"


def test_ending_a_campaign_sets_it_ended_and_a_second_review_is_refused(as_user, campaign):
    lead = as_user("dept_zhifa")
    response = lead.post_json(f"/campaigns/{campaign.pk}/review", {"decision": "end"})
    assert response.json()["status"] == CampaignStatus.ENDED
    again = lead.post_json(f"/campaigns/{campaign.pk}/review", {"decision": "continue"})
    assert again.status_code == 400 and again.json()["code"] == "already_reviewed"
    assert Campaign.objects.count() == 1


def test_only_those_who_manage_the_campaign_review_it(as_user, campaign):
    by_partner = as_user("dept_wuyuan").post_json(f"/campaigns/{campaign.pk}/review", {"decision": "end"})
    assert by_partner.status_code == 403
    bad = as_user("leader").post_json(f"/campaigns/{campaign.pk}/review", {"decision": "maybe"})
    assert bad.status_code == 400 and "评估结论" in bad.json()["detail"]
    campaign.refresh_from_db()
    assert campaign.review == "" and campaign.status == CampaignStatus.ACTIVE


def test_a_campaign_already_continued_into_next_year_is_not_copied_twice(as_user, campaign):
    Campaign.objects.create(
        code=campaign.code, year=YEAR + 1, name="已建", district=campaign.district,
        starts_on=date(YEAR + 1, 1, 1), ends_on=date(YEAR + 1, 12, 31),
    )  # fmt: skip
    response = as_user("leader").post_json(f"/campaigns/{campaign.pk}/review", {"decision": "continue"})
    assert response.status_code == 400 and response.json()["code"] == "duplicate_code"
    campaign.refresh_from_db()
    assert campaign.review == ""
