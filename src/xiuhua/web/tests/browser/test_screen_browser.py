"""The big screen on the wall: readable from across a room, steady over a night of refreshes, back after an outage.

Refreshes are triggered through `XiuhuaFigures.refresh()` (the function the page's timer calls) so that 30 of
them take seconds, not 30 minutes.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.cache import cache
from playwright.sync_api import expect

from xiuhua.web.tests.browser.conftest import _context
from xiuhua.web.tests.browser.test_map_browser import spread_cases

SCREEN = {"width": 1920, "height": 1080}
SCREENSHOT = settings.PROJECT_DIR / "docs" / "screenshots" / "screen.png"

# Every visible element of the screen that holds text itself, with its computed font size.
TEXT_SIZES = """() => {
  const out = [];
  for (const el of document.querySelectorAll("[data-testid=screen] *")) {
    const own = Array.from(el.childNodes).some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own || !el.getClientRects().length) continue;
    const style = getComputedStyle(el);
    if (style.visibility === "hidden" || style.display === "none") continue;
    out.push({ text: el.textContent.trim().slice(0, 30), cls: el.className, size: parseFloat(style.fontSize) });
  }
  return out;
}"""

CHART_SIZES = """() => {
  const sizes = {};
  for (const id of ["trend-chart", "classes-chart", "status-chart", "ontime-chart"]) {
    const o = echarts.getInstanceByDom(document.getElementById(id)).getOption();
    sizes[id] = [];
    for (const axis of [].concat(o.xAxis || [], o.yAxis || [])) {
      if (axis.show !== false) sizes[id].push(axis.axisLabel.fontSize);
    }
    for (const legend of o.legend || []) sizes[id].push(legend.textStyle.fontSize);
    for (const series of o.series) {
      if (series.label && series.label.show) sizes[id].push(series.label.fontSize);
      if (series.detail) sizes[id].push(series.detail.fontSize);
    }
  }
  return sizes;
}"""


@pytest.fixture(autouse=True)
def fresh_figures(settings):
    cache.clear()
    settings.XIUHUA_OVERVIEW_CACHE_SECONDS = 0


@pytest.fixture
def wall(browser, request, server, demo_city):
    """A 1920×1080 tab, the size of the command centre's video wall."""
    yield from _context(browser, request, viewport=SCREEN)


def open_screen(wall, log_in, server) -> None:
    log_in(wall, "leader")
    wall.goto(f"{server.url}/screen/")
    wall.wait_for_selector("[data-testid=status-chart] canvas")
    wall.wait_for_selector("[data-testid=map][data-case-count]")


def test_the_big_screen_text_is_at_least_18px_and_key_figures_at_least_40px(wall, log_in, server, people):
    spread_cases(people)
    open_screen(wall, log_in, server)

    texts = wall.evaluate(TEXT_SIZES)
    assert len(texts) > 30
    small = [t for t in texts if t["size"] < 18]
    assert small == [], small
    figures = wall.evaluate(
        "Array.from(document.querySelectorAll('[data-figure], .kpi-value')).filter((e) => e.getClientRects().length)"
        ".map((e) => parseFloat(getComputedStyle(e).fontSize))"
    )
    # Twelve KPI tiles plus 即将到期 (due soon), each a link to its cases.
    assert len(figures) == 13 and min(figures) >= 40
    charts = wall.evaluate(CHART_SIZES)
    assert all(charts.values()) and min(min(sizes) for sizes in charts.values()) >= 18
    assert wall.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]") == [
        1920,
        1080,
    ]
    wall.wait_for_timeout(1500)  # the charts' first animation
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    wall.screenshot(path=str(SCREENSHOT))


def metrics(wall, cdp) -> dict[str, float]:
    cdp.send("HeapProfiler.collectGarbage")
    return {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}


def test_thirty_refreshes_leave_dom_listeners_and_heap_steady(wall, log_in, server, people, loop):
    spread_cases(people)
    open_screen(wall, log_in, server)
    cdp = wall.context.new_cdp_session(wall)
    cdp.send("Performance.enable")
    for _ in range(3):  # warm up: first-time allocations (fonts, ECharts internals, caches) are not growth
        assert wall.evaluate("XiuhuaFigures.refresh()") is True
    wall.wait_for_timeout(1000)
    before = metrics(wall, cdp)

    for n in range(30):
        if n % 10 == 0:
            loop.report()  # the figures change now and then, as on a real night
        assert wall.evaluate("XiuhuaFigures.refresh()") is True
    wall.wait_for_timeout(1500)  # the map's last case reload
    after = metrics(wall, cdp)

    assert wall.locator("[data-testid=trend-chart] canvas").count() == 1
    assert wall.locator("#figure-counts").count() == 1
    assert abs(after["Nodes"] - before["Nodes"]) <= 60, (before["Nodes"], after["Nodes"])
    assert after["JSEventListeners"] - before["JSEventListeners"] <= 20, (before, after)
    assert after["JSHeapUsedSize"] <= before["JSHeapUsedSize"] * 1.25 + 2_000_000, (before, after)


def test_the_screen_says_the_connection_is_lost_backs_off_and_recovers_by_itself(wall, log_in, server, people, loop):
    spread_cases(people)
    open_screen(wall, log_in, server)
    notice = wall.get_by_test_id("figures-offline")
    expect(notice).to_be_hidden()
    before = int(wall.locator("[data-testid=counts-today] [data-figure=reported]").inner_text())

    wall.route("**/dashboard/figures/**", lambda route: route.fulfill(status=502, body="Bad Gateway"))
    assert wall.evaluate("XiuhuaFigures.refresh()") is False
    expect(notice).to_be_visible()
    expect(notice).to_have_text("连接中断，正在重试")
    first_wait = int(wall.evaluate("document.body.dataset.nextRefresh"))
    wall.route("**/dashboard/figures/**", lambda route: route.abort())  # now the server is gone altogether
    assert wall.evaluate("XiuhuaFigures.refresh()") is False
    assert int(wall.evaluate("document.body.dataset.nextRefresh")) == 2 * first_wait == 10_000

    loop.report()
    wall.unroute("**/dashboard/figures/**")
    # No hook from here: the page's own retry (10 s after the last failure) finds the server back.
    expect(notice).to_be_hidden(timeout=20_000)
    expect(wall.locator("[data-testid=counts-today] [data-figure=reported]")).to_have_text(str(before + 1))
    assert int(wall.evaluate("document.body.dataset.nextRefresh")) == 60_000
