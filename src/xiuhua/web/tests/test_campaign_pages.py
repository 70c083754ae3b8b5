"""The campaign pages: the leaders' overview, a campaign's page and map, the drill-down to the case list, the units'
forms with their permissions, and the public page (三公开) without personal data."""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from xiuhua.accounts.models import Department, User
from xiuhua.campaigns.choices import Measure, Review
from xiuhua.campaigns.measures import measure_target
from xiuhua.campaigns.models import (
    ActivityRecord,
    Campaign,
    ManualEntry,
    ProgressReport,
    ProgressSnapshot,
    Target,
    TargetItem,
)
from xiuhua.campaigns.tests.conftest import case_target, copies_of, make_campaign, make_task, sh, tag
from xiuhua.cases.models import Case
from xiuhua.cases.tests import conftest as case_fixtures

pytestmark = pytest.mark.django_db
# The case tests' fixtures (a case driven through the workflow, photos kept in a temporary media root).
loop, people, spot, media_in_tmp = (
    case_fixtures.loop,
    case_fixtures.people,
    case_fixtures.spot,
    case_fixtures.media_in_tmp,
)


def _with_closed_cases(loop, closed: int = 12) -> tuple[Campaign, Target]:
    """A 150-hazard campaign of the demo district: `closed` tagged cases closed in March, one still open."""
    campaign = make_campaign()
    target = case_target(make_task(campaign), goal=150)
    open_case = loop.report(now=sh(2026, 3, 1, 9))
    copies = copies_of(open_case, closed, closed_at=sh(2026, 3, 20, 10), status="closed")
    Case.objects.filter(pk__in=[c.pk for c in copies]).update(status="closed")  # the case as its statistics say
    tag(campaign, [open_case, *copies])
    return campaign, target


def _manual_target(campaign: Campaign, unit: str, code: str) -> Target:
    task = make_task(campaign, code=code, unit=unit)
    return Target.objects.create(
        task=task, name="新增停车位", measure=Measure.MANUAL_COUNT, goal=300, due_on=date(2026, 12, 31)
    )


def _as(client, username: str):
    client.force_login(User.objects.get(username=username))
    return client


def test_overview_shows_each_campaign_target_with_its_value_goal_and_the_status_counts(loop, client):
    campaign, target = _with_closed_cases(loop)
    page = _as(client, "leader").get("/campaigns/?year=2026")
    assert page.status_code == 200
    html = page.content.decode()
    assert campaign.name in html and target.name in html
    row = re.search(r'data-testid="target-row" data-status="(\w+)">.*?</tr>', html, re.S)
    assert row and ">12</a>" in row.group(0) and "150处" in row.group(0)
    counts = dict(re.findall(r'data-status="(\w+)">[^<]*<strong>(\d+)</strong>', html))
    assert sum(int(n) for n in counts.values()) == 1 and counts[row.group(1)] == "1"


def test_a_figure_links_to_a_case_list_of_exactly_the_cases_it_counts(loop, client):
    campaign, target = _with_closed_cases(loop, closed=12)
    client = _as(client, "leader")
    page = client.get(f"/campaigns/{campaign.pk}/").content.decode()
    assert f'href="/cases/?target={target.pk}"' in page
    listed = client.get(f"/cases/?target={target.pk}")
    count = re.search(r'data-testid="drill-count">(\d+)<', listed.content.decode()).group(1)
    assert int(count) == measure_target(target).value == 12


def test_a_drill_down_to_a_target_the_user_cannot_see_lists_nothing_and_says_why(loop, client):
    campaign, target = _with_closed_cases(loop)
    listed = _as(client, "dept_zhujian").get(f"/cases/?target={target.pk + 1000}")
    assert listed.status_code == 400
    assert "没有这个按案件计算的指标" in listed.content.decode()


def test_the_campaign_page_has_the_task_tree_each_target_curve_and_the_map_of_its_cases(loop, client):
    campaign, target = _with_closed_cases(loop)
    client = _as(client, "leader")
    page = client.get(f"/campaigns/{campaign.pk}/")
    html = page.content.decode()
    assert 'data-testid="task-row"' in html and f'data-target="{target.pk}"' in html
    curves = json.loads(re.search(r'id="campaign-curves"[^>]*>(.*?)</script>', html, re.S).group(1))
    assert curves[0]["id"] == target.pk and curves[0]["labels"][0] == "2026-01" and len(curves[0]["plan"]) == 12
    features = client.get(f"/campaigns/{campaign.pk}/map.geojson").json()["features"]
    assert len(features) == 12 and all(f["properties"]["closed"] for f in features)


def test_a_campaign_outside_the_users_campaigns_is_not_found(loop, client):
    campaign, _ = _with_closed_cases(loop)
    Department.objects.create(name="无关单位", short_name="other", kind="professional")
    outsider = User.objects.create(username="outsider", role="department")
    outsider.department = Department.objects.get(short_name="other")
    outsider.save()
    client.force_login(outsider)
    assert client.get(f"/campaigns/{campaign.pk}/").status_code == 404


def test_a_responsible_unit_enters_a_count_on_its_task_and_not_on_another_units(loop, client):
    campaign, _ = _with_closed_cases(loop)
    own = _manual_target(campaign, "zhujian", "2")
    other = _manual_target(campaign, "zhifa", "3")
    client = _as(client, "dept_zhujian")
    data = {"value": "40", "occurred_on": "2026-05-10", "note": "新增车位"}
    refused = client.post(f"/campaigns/targets/{other.pk}/entry/", data, HTTP_HX_REQUEST="true")
    assert refused.status_code == 403 and not ManualEntry.objects.exists()
    done = client.post(f"/campaigns/targets/{own.pk}/entry/", data, HTTP_HX_REQUEST="true")
    assert done.status_code == 204 and done["HX-Redirect"] == f"/campaigns/{campaign.pk}/"
    entry = ManualEntry.objects.get()
    assert entry.target == own and entry.value == Decimal(40) and entry.state == Review.PENDING


def test_a_bad_entry_comes_back_with_the_error_next_to_its_field_and_nothing_written(loop, client):
    campaign, _ = _with_closed_cases(loop)
    own = _manual_target(campaign, "zhujian", "2")
    answer = _as(client, "dept_zhujian").post(f"/campaigns/targets/{own.pk}/entry/", {"value": "很多"})
    assert answer.status_code == 400
    errors = re.findall(r'data-testid="field-error">([^<]+)<', answer.content.decode())
    assert errors and all(re.search(r"[\u4e00-\u9fff]", e) for e in errors)
    assert not ManualEntry.objects.exists()


def test_the_lead_unit_approves_an_entry_on_the_campaign_page(loop, client):
    campaign, _ = _with_closed_cases(loop)
    own = _manual_target(campaign, "zhujian", "2")
    entered = {"value": "40", "occurred_on": "2026-05-10", "note": "新增车位 40 个"}
    _as(client, "dept_zhujian").post(f"/campaigns/targets/{own.pk}/entry/", entered)
    entry = ManualEntry.objects.get()
    client = _as(client, "dept_zhifa")
    assert f"/campaigns/entries/{entry.pk}/review/" in client.get(f"/campaigns/{campaign.pk}/").content.decode()
    answer = client.post(f"/campaigns/entries/{entry.pk}/review/", {"decision": "approved", "note": ""})
    assert answer.status_code == 302
    entry.refresh_from_db()
    assert entry.state == Review.APPROVED


def test_the_public_page_shows_scope_deadline_progress_and_result_without_names_or_phones(loop, client):
    campaign, target = _with_closed_cases(loop)
    member = User.objects.create(username="member", display_name="张建国", phone="13912345678", role="leader")
    campaign.members.add(member)
    Department.objects.filter(short_name="zhifa").update(contact_person="李四", contact_phone="0573-86001234")
    assert client.get(f"/public/campaigns/{campaign.pk}/").status_code == 404  # not published yet
    Campaign.objects.filter(pk=campaign.pk).update(public=True, scope_text="全县安全隐患", result_text="")
    html = client.get(f"/public/campaigns/{campaign.pk}/").content.decode()
    assert "全县安全隐患" in html and "2026-12-31" in html and target.name in html
    for personal in ("张建国", "13912345678", "李四", "0573-86001234"):
        assert personal not in html
    assert f"/public/campaigns/{campaign.pk}/" in client.get("/public/campaigns/").content.decode()


def test_a_monthly_recurrence_shows_a_cell_per_month_and_the_month_without_a_record_red(loop, client):
    campaign, _ = _with_closed_cases(loop)
    target = Target.objects.create(
        task=make_task(campaign, code="4", unit="zhujian"),
        name="每月联合检查",
        measure=Measure.RECURRENCE,
        goal=5,
        frequency="month",
        per_period=1,
        starts_on=date(2026, 1, 1),
        due_on=date(2026, 5, 31),
    )
    for month in (1, 2, 4, 5):
        ActivityRecord.objects.create(
            target=target, held_on=date(2026, month, 10), title="联合检查", recorded_at=sh(2026, month, 10, 18)
        )
    html = _as(client, "leader").get(f"/campaigns/{campaign.pk}/").content.decode()
    section = re.search(rf'data-testid="recurrence" data-target="{target.pk}">.*?</section>', html, re.S).group(0)
    cells = re.findall(
        r'text-bg-(\w+) period-cell" data-testid="period-cell" data-met="\w+" title="\d+">([\d-]+)<', section
    )
    assert cells == [("success", "2026-01"), ("success", "2026-02"), ("danger", "2026-03"), ("success", "2026-04"),
                     ("success", "2026-05")]  # fmt: skip
    assert "5 个周期中 4 个达标" in section


def test_a_targets_curve_shows_past_months_as_frozen_and_the_current_month_live(loop, client):
    campaign, target = _with_closed_cases(loop, closed=12)
    ProgressSnapshot.objects.create(
        target=target, month=date(2026, 3, 1), value=5, plan=20, progress=Decimal("3.33"), status="behind",
        taken_at=sh(2026, 4, 1, 0),
    )  # fmt: skip
    html = _as(client, "leader").get(f"/campaigns/{campaign.pk}/").content.decode()
    curve = json.loads(re.search(r'id="campaign-curves"[^>]*>(.*?)</script>', html, re.S).group(1))[0]
    march = curve["labels"].index("2026-03")
    assert (curve["actual"][march], curve["plan"][march]) == (5, 20)  # not the 12 closed in March counted live
    assert curve["actual"][march - 1] is None  # February was never frozen: a gap, not a guess
    now = f"{timezone.localdate():%Y-%m}"
    if now in curve["labels"]:
        assert curve["actual"][curve["labels"].index(now)] == 12


def test_a_responsible_unit_resolves_a_list_item_with_a_photo_and_adds_an_activity_record(loop, client):
    campaign, _ = _with_closed_cases(loop)
    task = make_task(campaign, code="5", unit="zhujian")
    petitions = Target.objects.create(
        task=task, name="信访化解", measure=Measure.LIST_RATE, goal=90, unit_label="%", due_on=date(2026, 12, 31)
    )
    item = TargetItem.objects.create(target=petitions, code="XF-001", title="信访件")
    inspections = Target.objects.create(
        task=task, name="每月联合检查", measure=Measure.RECURRENCE, goal=12, frequency="month", per_period=1,
        due_on=date(2026, 12, 31),
    )  # fmt: skip
    client = _as(client, "dept_zhujian")
    resolved = client.post(
        f"/campaigns/items/{item.pk}/resolve/", {"note": "已当面答复并化解", "evidence": case_fixtures.photo()}
    )
    assert resolved.status_code == 302
    item.refresh_from_db()
    assert item.resolved_at is not None and item.files.count() == 1
    record = {"held_on": "2026-03-12", "title": "联合检查", "people": "12", "findings": "发现问题 3 处"}
    assert client.post(f"/campaigns/targets/{inspections.pk}/record/", record).status_code == 302
    assert ActivityRecord.objects.get(target=inspections).people == 12
    html = client.get(f"/campaigns/{campaign.pk}/").content.decode()
    assert "1 条中已化解 1 条" in html and "发现问题 3 处" in html


def test_a_unit_submits_a_progress_report_and_the_lead_unit_returns_it_with_a_reason(loop, client):
    campaign, _ = _with_closed_cases(loop)
    make_task(campaign, code="6", unit="zhujian")
    client = _as(client, "dept_zhujian")
    report = {"period": "month", "day": f"{timezone.localdate():%Y-%m-%d}", "text": "本月新增车位 40 个"}
    assert client.post(f"/campaigns/{campaign.pk}/report/", report).status_code == 302
    submitted = ProgressReport.objects.get()
    assert submitted.unit.short_name == "zhujian" and submitted.state == Review.PENDING
    client = _as(client, "dept_zhifa")
    no_reason = client.post(f"/campaigns/reports/{submitted.pk}/review/", {"decision": "returned", "note": ""})
    assert no_reason.status_code == 400 and "退回报送时请说明理由" in no_reason.content.decode()
    returned = client.post(f"/campaigns/reports/{submitted.pk}/review/", {"decision": "returned", "note": "请补充照片"})
    assert returned.status_code == 302
    submitted.refresh_from_db()
    assert submitted.state == Review.RETURNED and submitted.review_note == "请补充照片"


def test_a_target_set_up_wrongly_shows_its_reason_and_the_others_their_figures(loop, client):
    campaign, target = _with_closed_cases(loop)
    Target.objects.create(
        task=target.task, name="没有规则的目标", measure=Measure.CASE_COUNT, goal=10, due_on=date(2026, 12, 31)
    )
    html = _as(client, "leader").get("/campaigns/?year=2026").content.decode()
    reason = re.search(r'data-testid="measure-error"[^>]*>(.*?)</span>', html, re.S).group(1)
    assert re.search(r"[\u4e00-\u9fff]", reason)
    assert f'data-target="{target.pk}" title="这个数字背后的案件">12</a>' in html
