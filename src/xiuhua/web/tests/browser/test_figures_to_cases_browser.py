"""A dashboard figure clicked through to its cases, and those cases urged in one go, in a real browser."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from xiuhua.cases.models import CaseEvent
from xiuhua.web.tests.browser.conftest import _context

SCREENSHOT = settings.PROJECT_DIR / "docs" / "screenshots" / "figures-to-cases.png"


@pytest.fixture(autouse=True)
def fresh_figures(settings):
    cache.clear()
    settings.XIUHUA_OVERVIEW_CACHE_SECONDS = 0


@pytest.fixture
def laptop(browser, request, server, demo_city):
    yield from _context(browser, request, viewport={"width": 1366, "height": 800})


def test_a_leader_clicks_overdue_now_and_urges_all_those_cases_at_once(laptop, log_in, server, loop):
    page = laptop
    month_ago = timezone.now() - timedelta(days=30)
    overdue = [loop.to_dispatched(now=month_ago), loop.to_dispatched(now=month_ago)]
    in_time = loop.to_dispatched()
    log_in(page, "leader")

    figure = page.get_by_test_id("overdue-now")
    expect(figure).to_have_text("2")
    figure.click()

    page.wait_for_url("**/cases/?overdue=true")
    expect(page.get_by_test_id("case-count")).to_have_text("共 2 件案卷")
    rows = page.locator("#case-table tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator(f"tr[data-case='{in_time.number}']")).to_have_count(0)
    page.get_by_test_id("select-all").check()
    expect(page.get_by_test_id("bulk-selected")).to_have_text("2")
    expect(page.get_by_test_id("bulk-action")).to_have_value("urge")
    page.get_by_test_id("bulk-note").fill("已超期，请今天内处置完毕")
    page.screenshot(path=str(SCREENSHOT))
    page.get_by_test_id("bulk-submit").click()

    expect(page.get_by_test_id("bulk-summary")).to_have_text("成功 2 件，未成功 0 件。")
    for case in overdue:
        expect(page.locator(f"[data-testid=bulk-outcomes] tr[data-case='{case.number}']")).to_contain_text("已督办")
    assert CaseEvent.objects.filter(action="urge", case__in=overdue).count() == 2
    page.get_by_test_id("bulk-back").click()
    page.wait_for_url("**/cases/?overdue=true")
