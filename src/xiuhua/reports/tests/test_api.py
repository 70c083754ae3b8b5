"""GET /api/v1/reports/monthly and the job endpoints, as the demo accounts see them."""

import pytest

from xiuhua.reports.jobs import run_report_jobs

pytestmark = pytest.mark.django_db


def test_json_returns_the_data(october, as_user):
    response = as_user("leader").get("/reports/monthly", period="2026-10")

    assert response.status_code == 200
    body = response.json()
    assert body["period"] == "2026-10" and body["totals"]["reported"] == 5


def test_the_figures_are_shared_for_the_cache_window(october, as_user, loop, settings):
    settings.XIUHUA_REPORT_CACHE_SECONDS = 600
    first = as_user("leader").get("/reports/monthly", period="2026-10").json()
    loop.report(now=october.replace(month=10, day=20))

    assert as_user("leader").get("/reports/monthly", period="2026-10").json() == first
    settings.XIUHUA_REPORT_CACHE_SECONDS = 0
    assert as_user("leader").get("/reports/monthly", period="2026-10").json()["totals"]["reported"] == 6


def test_a_file_is_queued_then_followed_and_downloaded(october, as_user):
    leader = as_user("leader")
    queued = leader.get("/reports/monthly", period="2026-10", format="pdf")
    assert queued.status_code == 202
    job = queued.json()
    assert (job["state"], job["progress"], job["download_url"]) == ("queued", 0, None)

    run_report_jobs()
    state = leader.get(f"/reports/jobs/{job['id']}").json()
    assert (state["state"], state["progress"]) == ("done", 100)
    download = leader.client.get(state["download_url"], **leader.auth)
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    again = leader.get("/reports/monthly", period="2026-10", format="pdf")  # kept: returned at once
    assert again.status_code == 200 and again["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ({"period": "2026-13"}, "不是有效的统计周期"),
        ({"period": "last month"}, "2026-10"),
        ({"format": "docx"}, "docx"),
    ],
)
def test_a_bad_period_or_format_is_a_400_in_chinese(demo_city, as_user, query, words):
    response = as_user("leader").get("/reports/monthly", **query)

    assert response.status_code == 400
    assert words in response.json()["detail"]


@pytest.mark.parametrize("username", ["inspector", "dept_zhifa"])
def test_inspectors_and_departments_get_403(demo_city, as_user, username):
    response = as_user(username).get("/reports/monthly", period="2026-10")

    assert response.status_code == 403 and response.json()["code"] == "forbidden"


def test_an_inspector_is_refused_a_job_and_an_unknown_job_is_not_found(october, as_user):
    job = as_user("leader").get("/reports/monthly", period="2026-10", format="xlsx").json()

    assert as_user("inspector").get(f"/reports/jobs/{job['id']}").status_code == 403
    assert as_user("leader").get("/reports/jobs/99999").status_code == 404
