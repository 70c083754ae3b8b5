"""12345 imports as jobs: uploaded on the page, run by the worker in small batches, progress on the page."""

import io
import threading
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from xiuhua.cases.models import Case
from xiuhua.cases.worker import JOBS
from xiuhua.intake import imports
from xiuhua.intake.channels.hotline.importer import batch_size
from xiuhua.intake.channels.hotline.models import WorkOrder
from xiuhua.intake.channels.hotline.tests.test_hotline_channel import export_rows, xlsx
from xiuhua.intake.imports import STALE_SECONDS, claim_next_job, queue_import, run_import_job, run_queued_imports
from xiuhua.intake.models import ImportJob

pytestmark = pytest.mark.django_db


class Killed(BaseException):
    """The worker process ending mid-import (not an error the worker could catch and record)."""


@pytest.fixture
def operator_page(client, settings, demo_city):
    assert client.login(username="operator", password=settings.DEMO_PASSWORD)
    return client


def upload(client, data: bytes):
    return client.post("/centre/calls/import/", {"file": SimpleUploadedFile("12345工单导出.xlsx", data)})


def test_an_upload_is_queued_and_the_worker_imports_it_and_the_page_shows_the_result(operator_page, spot):
    response = upload(operator_page, xlsx(export_rows(spot, 3)))
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/centre/calls/import/{job.pk}/"
    queued = operator_page.get(response["Location"]).content.decode()
    assert 'data-status="queued"' in queued and 'hx-trigger="every 2s"' in queued
    assert not WorkOrder.objects.exists()

    run_queued_imports()  # what the worker's job runs in its thread (see the transactional test below)

    done = operator_page.get(f"/centre/calls/import/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert 'data-status="done"' in done and "hx-trigger" not in done  # the poll stops
    assert "工单导入完成：新增 3 条" in done and "3 / 3" in done
    assert WorkOrder.objects.count() == 3 and Case.objects.filter(source="hotline_12345").count() == 3
    listing = operator_page.get("/centre/calls/import/").content.decode()
    assert "12345工单导出.xlsx" in listing and 'data-testid="import-job-row"' in listing


def test_the_page_shows_rows_done_while_the_worker_is_importing(operator_page, people, spot, monkeypatch):
    job = queue_import(xlsx(export_rows(spot, 5)), "orders.xlsx", people.operator)
    seen = []
    update = imports._update

    def update_then_look(job, **fields):
        update(job, **fields)
        if "rows_done" in fields and fields.get("status") is None:
            page = operator_page.get(f"/centre/calls/import/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
            seen.append(("hx-trigger" in page, f"{fields['rows_done']} / 5" in page))

    monkeypatch.setattr(imports, "_update", update_then_look)
    run_import_job(claim_next_job(), batch=2)
    assert seen == [(True, True)] * 3  # after rows 2, 4 and 5, each seen while the page still polls
    job.refresh_from_db()
    assert (job.status, job.rows_done, job.created) == ("done", 5, 5)


def test_a_wrong_file_fails_its_job_with_every_error_by_row_in_chinese_and_stores_nothing(operator_page, spot):
    rows = export_rows(spot)
    rows[1][5] = "闲聊"
    rows[2][10] = "99999"
    upload(operator_page, xlsx(rows))
    run_queued_imports()
    job = ImportJob.objects.get()
    assert job.status == "failed" and job.message == "发现 2 处错误，未写入任何数据"
    assert {(e["row"], e["column"]) for e in job.errors} == {(3, "诉求类型"), (4, "小类代码")}
    page = operator_page.get(f"/centre/calls/import/{job.pk}/").content.decode()
    assert page.count('data-testid="import-row-error"') == 2 and "诉求类型" in page
    assert not WorkOrder.objects.exists() and not Case.objects.exists()


def test_an_empty_upload_is_refused_in_chinese(operator_page):
    response = upload(operator_page, b"")
    assert response.status_code == 400 and not ImportJob.objects.exists()


def test_a_worker_killed_mid_import_is_resumed_without_duplicates(people, spot, monkeypatch):
    job = queue_import(xlsx(export_rows(spot, 7)), "orders.xlsx", people.operator)
    update = imports._update

    def die_after_first_batch(job, **fields):
        update(job, **fields)
        if fields.get("rows_done"):
            raise Killed  # the process is gone: nothing marks the job failed

    monkeypatch.setattr(imports, "_update", die_after_first_batch)
    with pytest.raises(Killed):
        run_queued_imports(batch=3)
    monkeypatch.setattr(imports, "_update", update)
    job.refresh_from_db()
    assert (job.status, job.rows_done) == ("running", 3) and WorkOrder.objects.count() == 3
    assert claim_next_job() is None  # a running job with recent progress belongs to its worker

    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(seconds=STALE_SECONDS + 1))
    assert run_queued_imports(batch=3) == {"done": 1}
    job.refresh_from_db()
    assert (job.status, job.attempts, job.created, job.unchanged) == ("done", 2, 4, 3)
    assert WorkOrder.objects.count() == 7 and Case.objects.count() == 7
    assert len(set(Case.objects.values_list("number", flat=True))) == 7


def test_the_import_command_runs_directly_and_prints_its_progress(people, tmp_path, spot):
    path = tmp_path / "orders.xlsx"
    path.write_bytes(xlsx(export_rows(spot, 3)))
    out = io.StringIO()
    call_command("import_work_orders", str(path), user="operator", batch=2, stdout=out)
    assert "已写入 3 / 3 行" in out.getvalue() and "新增 3 条" in out.getvalue()
    assert WorkOrder.objects.count() == 3 and not ImportJob.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the catalogue comes from migrations
def test_the_worker_job_imports_in_its_own_thread_so_the_timer_sweep_goes_on(people, spot, monkeypatch):
    job = queue_import(xlsx(export_rows(spot, 12)), "orders.xlsx", people.operator)
    writing, release = threading.Event(), threading.Event()
    update = imports._update

    def update_then_wait(job, **fields):  # the import pauses after its first batch until the test lets it go on
        update(job, **fields)
        if "rows_done" in fields and fields.get("status") is None and not release.is_set():
            writing.set()
            release.wait(30)

    monkeypatch.setattr(imports, "_update", update_then_wait)
    JOBS["imports"].run()  # returns at once: the import runs in a thread of its own
    assert writing.wait(30), "the import thread started writing"
    JOBS["sweep"].run()  # the worker's loop goes on while the import is under way
    job.refresh_from_db()
    assert (job.status, job.rows_done) == ("running", batch_size())
    release.set()
    imports.import_thread().join(30)
    job.refresh_from_db()
    assert (job.status, job.created) == ("done", 12)


def test_the_worker_job_starts_no_thread_when_no_import_waits(people, monkeypatch):
    monkeypatch.setattr(imports, "_runner", None)
    ImportJob.objects.all().delete()
    JOBS["imports"].run()
    assert imports.import_thread() is None
