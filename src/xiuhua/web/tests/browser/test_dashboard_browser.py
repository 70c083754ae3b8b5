"""The leader dashboard and the big screen in a real browser: figures, ECharts canvases, the live map, 1920×1080."""

from __future__ import annotations

import json
import re

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from xiuhua.cases import overview
from xiuhua.cases.models import Case
from xiuhua.platform.demo_history import build_demo_history
from xiuhua.web.tests.browser.conftest import OUTPUT, _context
from xiuhua.web.tests.browser.test_map_browser import spread_cases

SCREEN = {"width": 1920, "height": 1080}


@pytest.fixture(autouse=True)
def fresh_figures(settings):
    cache.clear()
    settings.XIUHUA_OVERVIEW_CACHE_SECONDS = 0


@pytest.fixture
def wall(browser, request, server, demo_city):
    """A 1920×1080 tab, the size of the command centre's video wall."""
    yield from _context(browser, request, viewport=SCREEN)


def test_the_dashboard_shows_figures_charts_and_the_live_map(page, log_in, server, people):
    made = spread_cases(people)
    log_in(page, "leader")

    assert page.url.endswith("/dashboard/")
    page.wait_for_selector("[data-testid=trend-chart] canvas")
    page.wait_for_selector("[data-testid=classes-chart] canvas")
    page.wait_for_selector("[data-testid=map][data-case-count]")

    reported = page.get_by_test_id("counts-today").locator("[data-figure=reported]").inner_text()
    assert int(reported) == len(made["reported"]) + len(made["registered"])
    assert int(page.get_by_test_id("overdue-now").inner_text()) == len(made["overdue"])
    assert page.get_by_test_id("map").get_attribute("data-case-count") == str(sum(len(v) for v in made.values()))
    assert page.get_by_test_id("top-grids").locator("li").count() >= 1
    page.wait_for_timeout(1500)  # let the charts finish their first animation before the screenshot


def test_the_dashboard_refreshes_its_figures_in_place(page, log_in, server, people, loop):
    log_in(page, "shift_leader")
    page.goto(f"{server.url}/dashboard/")
    page.wait_for_selector("[data-testid=trend-chart] canvas")
    before = page.get_by_test_id("counts-today").locator("[data-figure=reported]").inner_text()
    loop.report()

    with page.expect_response(re.compile(r"/dashboard/figures/")):  # what the refresh timer does every minute
        assert page.evaluate("XiuhuaFigures.refresh()") is True
    expect(page.locator("[data-testid=counts-today] [data-figure=reported]")).to_have_text(str(int(before) + 1))
    assert page.locator("[data-testid=trend-chart] canvas").count() == 1


def test_the_big_screen_fills_1920_by_1080_with_dark_panels(wall, log_in, server, people):
    spread_cases(people)
    log_in(wall, "leader")

    wall.goto(f"{server.url}/screen/")
    wall.wait_for_selector("[data-testid=trend-chart] canvas")
    wall.wait_for_selector("[data-testid=ontime-chart] canvas")
    wall.wait_for_selector("[data-testid=status-chart] canvas")
    wall.wait_for_selector("[data-testid=map][data-case-count]")
    expect(wall.get_by_test_id("screen-clock")).to_have_text(re.compile(r"\S"))

    box = wall.get_by_test_id("screen").bounding_box()
    assert (box["width"], box["height"]) == (1920, 1080)
    size = wall.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    assert size == [1920, 1080]
    background = wall.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(5, 13, 26)"
    assert wall.locator("#app-menu").count() == 0
    wall.wait_for_timeout(1500)  # let the charts finish their first animation before the screenshot


def test_a_month_of_demo_history_fills_the_dashboard_and_the_screen_consistently(page, browser, log_in, server):
    build_demo_history(150, seed=3, days=29)  # all inside the 30-day trend
    since = overview.midnight(overview.periods(timezone.now()).trend_days[0])
    reported = Case.objects.filter(reported_at__gte=since).count()
    open_cases = Case.objects.exclude(status__in=["closed", "declined", "voided", "merged"]).count()
    log_in(page, "leader")

    page.wait_for_selector("[data-testid=trend-chart] canvas")
    page.wait_for_selector("[data-testid=map][data-case-count]")
    trend = json.loads(page.locator("#chart-json").text_content())["trend"]
    assert sum(trend["series"][0]["data"]) == reported == 150
    assert page.get_by_test_id("open-cases").inner_text() == str(open_cases)
    assert page.get_by_test_id("map").get_attribute("data-case-count") == str(open_cases)
    page.wait_for_timeout(1500)

    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport=SCREEN)
    context.add_cookies(page.context.cookies())
    wall = context.new_page()
    wall.goto(f"{server.url}/screen/")
    wall.wait_for_selector("[data-testid=status-chart] canvas")
    wall.wait_for_selector("[data-testid=map][data-case-count]")
    wall.wait_for_timeout(1500)
    assert wall.get_by_test_id("open-cases").inner_text() == str(open_cases)
    OUTPUT.mkdir(parents=True, exist_ok=True)
    wall.screenshot(path=str(OUTPUT / "big_screen_with_a_month_of_history.png"))
    context.close()
