"""The leader dashboard and the big screen in a real browser: figures, ECharts canvases, the live map, 1920×1080."""

from __future__ import annotations

import re

import pytest

from xiuhua.web.tests.browser.conftest import _context
from xiuhua.web.tests.browser.test_map_browser import spread_cases

SCREEN = {"width": 1920, "height": 1080}


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

    with page.expect_response(re.compile(r"/dashboard/figures/")):  # what the poll does every minute
        page.evaluate("htmx.ajax('GET', '/dashboard/figures/?view=dashboard', {swap: 'none'}) && null")
    page.wait_for_function(
        "n => document.querySelector('[data-testid=counts-today] [data-figure=reported]').textContent === n",
        arg=str(int(before) + 1),
    )
    assert page.locator("[data-testid=trend-chart] canvas").count() == 1


def test_the_big_screen_fills_1920_by_1080_with_dark_panels(wall, log_in, server, people):
    spread_cases(people)
    log_in(wall, "leader")

    wall.goto(f"{server.url}/screen/")
    wall.wait_for_selector("[data-testid=trend-chart] canvas")
    wall.wait_for_selector("[data-testid=ontime-chart] canvas")
    wall.wait_for_selector("[data-testid=status-chart] canvas")
    wall.wait_for_selector("[data-testid=map][data-case-count]")
    wall.wait_for_function("document.querySelector('[data-testid=screen-clock]').textContent.length > 0")

    box = wall.get_by_test_id("screen").bounding_box()
    assert (box["width"], box["height"]) == (1920, 1080)
    size = wall.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    assert size == [1920, 1080]
    background = wall.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(5, 13, 26)"
    assert wall.locator("#app-menu").count() == 0
    wall.wait_for_timeout(1500)  # let the charts finish their first animation before the screenshot
