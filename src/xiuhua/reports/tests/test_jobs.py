"""Report files built by the worker: queued, built section by section, kept and reused while fresh."""

import io
import threading
from datetime import timedelta

import openpyxl
import pytest
from django.utils import timezone

from xiuhua.accounts.models import User
from xiuhua.cases.worker import JOBS, run_worker
from xiuhua.evaluation.periods import parse_period
from xiuhua.reports.jobs import request_report, run_report_jobs

pytestmark = pytest.mark.django_db

OCTOBER = parse_period("2026-10")


def test_a_queued_job_is_built_by_the_worker_and_kept(october, people):
    job = request_report(people.leader, OCTOBER, "xlsx")
    assert (job.state, job.progress) == ("queued", 0)

    assert run_report_jobs() == 1
    job.refresh_from_db()
    assert (job.state, job.progress, job.message, job.error) == ("done", 100, "已生成", "")
    assert job.finished_at is not None and job.file.name.endswith(".xlsx")
    book = openpyxl.load_workbook(io.BytesIO(job.file.read()))
    assert "多发问题" in book.sheetnames


def test_an_account_with_an_empty_scope_gets_a_report_of_nothing_not_an_error(october, settings):
    nobody = User.objects.create_user("nobody", role="commander")
    settings.XIUHUA_REPORT_CACHE_SECONDS = 0
    job = request_report(nobody, OCTOBER, "xlsx")
    assert job.state == "queued"


def test_a_fresh_kept_file_is_reused_and_a_change_to_a_case_makes_a_new_one(october, people, loop, settings):
    commander = User.objects.create_user(
        "commander", role="commander", scope_division_codes=people.leader.scope_division_codes
    )
    settings.XIUHUA_REPORT_CACHE_SECONDS = 0
    first = request_report(people.leader, OCTOBER, "pdf")
    assert request_report(people.leader, OCTOBER, "pdf") == first  # the same job while queued
    run_report_jobs()
    first.refresh_from_db()

    assert request_report(people.leader, OCTOBER, "pdf") == first  # kept: nothing changed since
    assert request_report(commander, OCTOBER, "pdf") == first  # the same scope shares it
    loop.report()  # a case changes
    again = request_report(people.leader, OCTOBER, "pdf")
    assert again != first and again.state == "queued"


def test_the_cache_window_keeps_a_file_even_after_changes(october, people, loop, settings):
    settings.XIUHUA_REPORT_CACHE_SECONDS = 600
    first = request_report(people.leader, OCTOBER, "xlsx")
    run_report_jobs()
    loop.report()
    assert request_report(people.leader, OCTOBER, "xlsx") == first
    later = timezone.now() + timedelta(minutes=11)
    assert request_report(people.leader, OCTOBER, "xlsx", now=later) != first


def test_a_failed_build_is_recorded_on_the_job(october, people, settings):
    settings.XIUHUA_REPORT_FONT = "/nonexistent/font.ttc"
    from reportlab.pdfbase import pdfmetrics

    registered = pdfmetrics._fonts.pop("XiuhuaReportCJK", None)
    try:
        job = request_report(people.leader, OCTOBER, "pdf")
        run_report_jobs()
    finally:
        if registered is not None:
            pdfmetrics._fonts["XiuhuaReportCJK"] = registered
    job.refresh_from_db()
    assert job.state == "failed" and "fonts-wqy-zenhei" in job.error and not job.file


def test_the_worker_runs_the_report_builder_beside_the_timer_sweep():
    assert JOBS["sweep"].every is None  # every worker interval, as before
    assert JOBS["reports"].run is run_report_jobs and JOBS["reports"].every <= 10


def test_the_worker_loop_stops_when_told(people):
    stop = threading.Event()
    stop.set()
    run_worker(stop, interval=0.01)  # returns at once
