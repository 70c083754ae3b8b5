"""The monthly report in a real browser: charts and map drawn, a PDF asked for, built by the worker, downloaded."""

from __future__ import annotations

from django.utils import timezone

from xiuhua.evaluation.periods import previous_month
from xiuhua.platform.demo_history import build_demo_history
from xiuhua.reports.jobs import run_report_jobs
from xiuhua.web.tests.browser.conftest import OUTPUT


def test_a_leader_reads_the_monthly_report_and_downloads_it_as_pdf(page, log_in, server):
    build_demo_history(160, seed=5, days=64)
    period = previous_month(timezone.now())
    log_in(page, "leader")

    page.goto(f"{server.url}/reports/monthly/?period={period.code}")
    for chart in ("trend-chart", "classes-chart", "hours-chart"):
        page.wait_for_selector(f"[data-testid={chart}] canvas")
    assert page.locator("[data-testid=grid-map] svg path, [data-testid=grid-map] svg polygon").count() > 0
    page.wait_for_timeout(1200)  # let the charts finish their animation before the screenshot
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUTPUT / "monthly-report.png"), full_page=True)

    page.get_by_test_id("request-pdf").click()
    page.wait_for_selector("[data-testid=job-queued]")
    assert run_report_jobs() == 1  # what the worker does every few seconds
    download_link = page.wait_for_selector("[data-testid=download]", timeout=15_000)
    with page.expect_download() as download:
        download_link.click()
    assert download.value.suggested_filename.endswith(".pdf")
    assert download.value.path().read_bytes().startswith(b"%PDF")
