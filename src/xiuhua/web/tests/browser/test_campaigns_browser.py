"""The campaign pages in a real browser: a leader goes from the year's overview to a campaign, sees each target's
curve and the 挂图作战 map drawn, and opens the cases behind a figure. Saves `campaigns.png` (docs/screenshots/)."""

from __future__ import annotations

import re
from datetime import date

from xiuhua.campaigns.choices import Measure
from xiuhua.campaigns.models import ActivityRecord, Target, TargetItem
from xiuhua.campaigns.tests.conftest import case_target, copies_of, make_campaign, make_task, sh, tag
from xiuhua.cases.models import Case
from xiuhua.cases.tests import conftest as case_fixtures
from xiuhua.web.tests.browser.conftest import OUTPUT

loop, people, spot = case_fixtures.loop, case_fixtures.people, case_fixtures.spot


def _campaign(loop):
    """安全隐患整治 with a case count (23 closed), a petition list (2 of 3 resolved) and a monthly inspection."""
    campaign = make_campaign(name="安全隐患整治专项行动")
    hazards = case_target(make_task(campaign, name="隐患排查整改"), goal=150, name="整改安全隐患150处")
    open_case = loop.report(now=sh(2026, 3, 1, 9))
    closed = copies_of(open_case, 23, closed_at=sh(2026, 3, 20, 10), status="closed")
    Case.objects.filter(pk__in=[c.pk for c in closed]).update(status="closed")
    tag(campaign, [open_case, *closed])
    petitions = Target.objects.create(
        task=make_task(campaign, code="2", unit="zhujian", name="信访投诉化解"),
        name="信访投诉化解率90%",
        measure=Measure.LIST_RATE,
        goal=90,
        unit_label="%",
        due_on=date(2026, 6, 30),
    )
    for n, case in enumerate([closed[0], closed[1], open_case], start=1):
        TargetItem.objects.create(target=petitions, code=f"XF-{n:03d}", title="信访件", case=case)
    inspection = Target.objects.create(
        task=make_task(campaign, code="3", name="联合检查"),
        name="每月开展一次联合检查",
        measure=Measure.RECURRENCE,
        goal=12,
        frequency="month",
        per_period=1,
        due_on=date(2026, 12, 31),
    )
    for month in (1, 2, 4, 5, 6, 7, 8, 9, 10, 11):
        ActivityRecord.objects.create(
            target=inspection, held_on=date(2026, month, 12), title="联合检查", recorded_at=sh(2026, month, 12, 17)
        )
    return campaign, hazards


def test_a_leader_reads_a_campaign_its_curves_and_map_and_opens_the_cases_behind_a_figure(page, log_in, server, loop):
    campaign, hazards = _campaign(loop)
    log_in(page, "leader")
    page.goto(f"{server.url}/campaigns/?year=2026")
    card = page.locator(f"[data-testid=campaign-card][data-campaign='{campaign.pk}']")
    assert card.locator("[data-testid=target-row]").count() == 3
    card.get_by_role("link", name=campaign.name).click()

    page.wait_for_url(re.compile(rf"/campaigns/{campaign.pk}/$"))
    page.wait_for_selector("[data-testid=campaign-curve] canvas")
    page.wait_for_selector("[data-testid=campaign-map][data-loaded=true]")
    assert page.locator("#campaign-map .leaflet-interactive").count() >= 23
    assert page.locator("[data-testid=period-cell].text-bg-danger").count() == 1  # March: no inspection
    page.wait_for_timeout(1000)  # the curve's animation
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUTPUT / "campaigns.png"), full_page=True)

    link = page.locator(f"[data-testid=task-tree] [data-testid=drill-link][data-target='{hazards.pk}']")
    shown = int(link.inner_text())
    link.click()
    page.wait_for_url(re.compile(rf"/cases/\?target={hazards.pk}$"))
    assert int(page.get_by_test_id("target-drill-down").get_by_test_id("drill-count").inner_text()) == shown == 23
