"""The monthly report pages: the report in HTML, a file requested and its progress followed, the kept list."""

import pytest
from django.conf import settings

from xiuhua.reports.jobs import run_report_jobs

pytestmark = pytest.mark.django_db


@pytest.fixture
def leader_client(client, demo_city):
    client.login(username="leader", password=settings.DEMO_PASSWORD)
    return client


def test_the_page_shows_every_section_with_its_charts_and_the_map(october, leader_client):
    page = leader_client.get("/reports/monthly/?period=2026-10").content.decode()

    for heading in (
        "1. 总体情况与趋势",
        "2. 考核排名",
        "3. 多发问题",
        "4. 多发区域",
        "5. 多发时段",
        "6. 超期与返工案卷",
        "7. 12345 热线",
    ):
        assert heading in page
    assert 'id="report-trend"' in page and 'id="report-hours"' in page and "<svg" in page
    assert "40.0%" in page  # the closure rate
    assert '<option value="2026-10" selected>' in page


def test_the_menu_offers_the_report_to_leaders_only(leader_client, client):
    assert "/reports/monthly/" in leader_client.get("/dashboard/").content.decode()
    client.login(username="dept_zhifa", password=settings.DEMO_PASSWORD)
    assert client.get("/reports/monthly/").status_code == 403


def test_a_bad_period_says_so_and_shows_the_previous_month(leader_client):
    page = leader_client.get("/reports/monthly/?period=2026-13").content.decode()

    assert 'data-testid="period-error"' in page and "2026-13" in page


def test_a_file_request_shows_progress_until_it_can_be_downloaded(october, leader_client):
    queued = leader_client.post("/reports/monthly/file/", {"period": "2026-10", "format": "xlsx"}).content.decode()
    assert 'data-testid="job-queued"' in queued and 'hx-trigger="every 1s"' in queued
    job_url = queued.split('hx-get="')[1].split('"')[0]

    run_report_jobs()
    done = leader_client.get(job_url).content.decode()
    assert 'data-testid="job-done"' in done and "hx-trigger" not in done
    download_url = done.split('href="')[1].split('"')[0]
    response = leader_client.get(download_url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"PK")
    kept = leader_client.get("/reports/kept/").content.decode()
    assert download_url in kept and "2026-10" in kept
