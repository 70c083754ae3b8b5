"""The charts' bars and slices lead to their cases, like every other figure: a real click on the canvas."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from xiuhua.web.tests.browser.conftest import _context

# Where a chart's item finally is, in page pixels: a bar's middle from its axes, a slice's middle from its layout.
ITEM_POINT = """([id, index]) => {
  const element = document.getElementById(id);
  const chart = echarts.getInstanceByDom(element);
  const box = element.getBoundingClientRect();
  const series = chart.getModel().getSeriesByIndex(0);
  let x, y;
  if (series.subType === "pie") {
    const l = series.getData().getItemLayout(index);
    const angle = (l.startAngle + l.endAngle) / 2, radius = (l.r0 + l.r) / 2;
    [x, y] = [l.cx + radius * Math.cos(angle), l.cy + radius * Math.sin(angle)];
  } else {
    const value = series.getData().get("x", index);
    [x, y] = chart.convertToPixel({ seriesIndex: 0 }, [value / 2, index]);
  }
  return [box.left + x, box.top + y];
}"""


@pytest.fixture(autouse=True)
def fresh_figures(settings):
    cache.clear()
    settings.XIUHUA_OVERVIEW_CACHE_SECONDS = 0


@pytest.fixture
def wall(browser, request, server, demo_city):
    yield from _context(browser, request, viewport={"width": 1920, "height": 1080})


def click_item(page, chart_id: str, index: int) -> None:
    chart = page.locator(f"#{chart_id}")
    expect(chart).to_have_attribute("data-drawn", "true")  # the animation is over: the item is where it stays
    x, y = page.evaluate(ITEM_POINT, [chart_id, index])
    page.mouse.click(x, y)


def test_a_class_bar_on_the_dashboard_opens_that_class_reported_this_month(page, log_in, server, loop):
    loop.report(class_code="01001")
    loop.report(class_code="01001")
    other = loop.report(class_code="01002")
    log_in(page, "leader")

    page.goto(f"{server.url}/dashboard/")
    click_item(page, "classes-chart", 1)  # drawn bottom-up: the last bar is the most reported class

    page.wait_for_url("**/cases/?class_code=01001&reported_from=*")
    expect(page.get_by_test_id("case-count")).to_have_text("共 2 件案卷")
    expect(page.locator(f"tr[data-case='{other.number}']")).to_have_count(0)


def test_a_status_slice_on_the_big_screen_opens_the_open_cases_in_that_status(wall, log_in, server, loop):
    dispatched = [loop.to_dispatched(), loop.to_dispatched()]
    loop.report()
    log_in(wall, "leader")

    wall.goto(f"{server.url}/screen/")
    click_item(wall, "status-chart", 1)  # slices in workflow order: reported, then dispatched

    wall.wait_for_url("**/cases/?status=dispatched")
    expect(wall.get_by_test_id("case-count")).to_have_text("共 2 件案卷")
    for case in dispatched:
        expect(wall.locator(f"tr[data-case='{case.number}']")).to_have_count(1)
