"""The evaluation page in a real browser: the ranking, the scores chart, and a figure opening its case list."""

from __future__ import annotations

import re

from django.utils import timezone

from xiuhua.evaluation.periods import previous_month
from xiuhua.platform.demo_history import build_demo_history
from xiuhua.web.tests.browser.conftest import OUTPUT


def test_a_leader_ranks_departments_and_opens_the_cases_behind_a_figure(page, log_in, server):
    build_demo_history(160, seed=5, days=64)
    period = previous_month(timezone.now())
    log_in(page, "leader")

    page.goto(f"{server.url}/evaluation/?type=department&period={period.code}")
    page.wait_for_selector("[data-testid=scores-chart] canvas")
    assert page.locator("[data-testid=ranking] tbody tr").count() >= 2
    # Every indicator column has its note; the other six are rank, name, sample size, score, grade and change.
    assert (
        page.locator("[data-testid=indicator-notes] dt").count() == page.locator("[data-testid=ranking] th").count() - 6
    )
    page.wait_for_timeout(1200)  # let the bars finish their animation before the screenshot
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUTPUT / "evaluation.png"), full_page=True)

    figure = page.locator("[data-testid=ranking] a[data-figure=count][href*='indicator=need_handle&']").first
    shown = int(figure.inner_text().replace(",", ""))
    figure.click()

    page.wait_for_url(re.compile(r"/cases/\?indicator=need_handle&"))
    banner = page.get_by_test_id("drill-down")
    assert int(banner.get_by_test_id("drill-count").inner_text()) == shown
    assert period.code in banner.inner_text()
    assert page.locator(".case-table tbody tr").count() == min(shown, 25)

    banner.get_by_role("link").click()
    page.wait_for_url(re.compile(r"/evaluation/\?type=department"))
    page.wait_for_selector("[data-testid=ranking]")
