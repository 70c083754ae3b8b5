"""Import jobs: an uploaded export is stored as a job row and imported by the worker, with progress.

The page stores the file and returns at once; the worker (`run_queued_imports`, registered in `IntakeConfig`)
checks the whole file first (nothing is stored when any row is wrong, every error kept with its row number), then
stores it in small batches, writing rows done / total after each so the page can show progress. A worker killed
mid-import leaves its job `running` without progress: after `STALE_SECONDS` another run takes it again and the
orders already stored are skipped (orders are idempotent by hotline and order number). The worker's job only
starts a thread for this (`start_queued_imports`): an import of a large file takes minutes, and the worker's loop
must keep sweeping timers and sending reports meanwhile.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import F, Q
from django.utils import timezone

from xiuhua.accounts.models import User
from xiuhua.core.errors import DomainError, ImportRejected
from xiuhua.core.tabular import audit_import
from xiuhua.intake.channels.hotline.importer import checked_work_orders, store_work_orders
from xiuhua.intake.models import ImportJob, ImportStatus

log = logging.getLogger("xiuhua.imports")
STALE_SECONDS = 120.0  # a running job without progress this long lost its worker (a batch takes well under 1 s)
MAX_ATTEMPTS = 3  # a file that kills the worker every time must not be retried for ever
MAX_FILE_BYTES = 20 * 1024 * 1024


def queue_import(content: bytes, filename: str, actor: User) -> ImportJob:
    """Store an uploaded 12345 export as a queued job; the worker imports it."""
    if not content:
        raise DomainError("上传的文件是空的", code="empty_file")
    if len(content) > MAX_FILE_BYTES:
        raise DomainError(
            f"文件太大（最大 {MAX_FILE_BYTES // 1024 // 1024} MB），请分成几个文件导入", code="file_too_big"
        )
    return ImportJob.objects.create(
        filename=filename[:255], content=content, created_by=actor, created_at=timezone.now()
    )


def run_import_job(job: ImportJob, *, batch: int | None = None) -> ImportJob:
    """Check and store one claimed job's file; the job ends `done` or `failed` (with the errors by row)."""
    try:
        orders = checked_work_orders(bytes(job.content), filename=job.filename)
    except ImportRejected as exc:
        errors = [{"row": e.row, "column": e.column, "message": e.message} for e in exc.errors]
        return _finish(job, ImportStatus.FAILED, f"发现 {len(errors)} 处错误，未写入任何数据", errors=errors)
    except DomainError as exc:
        return _finish(job, ImportStatus.FAILED, exc.message)
    _update(job, rows_total=len(orders), heartbeat_at=timezone.now())

    def progress(done: int, total: int) -> None:
        _update(job, rows_done=done, heartbeat_at=timezone.now())

    try:
        result = store_work_orders(orders, job.created_by, batch=batch, progress=progress)
    except DomainError as exc:  # e.g. the day's case numbers ran out: what is stored stays, a rerun resumes
        return _finish(job, ImportStatus.FAILED, f"导入在第 {job.rows_done} 行后中止：{exc.message}")
    audit_import(job.created_by, "intake.work_orders_imported", job.filename, result)
    return _finish(job, ImportStatus.DONE, result.summary(), created=result.created, unchanged=result.unchanged)


def claim_next_job() -> ImportJob | None:
    """The oldest queued job, or a running one whose worker died; claimed so no other worker runs it too."""
    now = timezone.now()
    for job in ImportJob.objects.filter(_waiting(now)).order_by("created_at")[:10]:
        if job.attempts >= MAX_ATTEMPTS:
            _finish(job, ImportStatus.FAILED, f"导入已中断 {job.attempts} 次，不再重试；请检查文件后重新上传")
            continue
        # A conditional update is the claim: of two workers seeing the same job, one changes the row.
        claimed = ImportJob.objects.filter(pk=job.pk, status=job.status, heartbeat_at=job.heartbeat_at).update(
            status=ImportStatus.RUNNING, heartbeat_at=now, started_at=job.started_at or now, attempts=F("attempts") + 1
        )
        if claimed:
            job.refresh_from_db()
            return job
    return None


def _waiting(now: datetime) -> Q:
    """Jobs to run: queued, or running with a worker that stopped beating."""
    abandoned = Q(status=ImportStatus.RUNNING, heartbeat_at__lt=now - timedelta(seconds=STALE_SECONDS))
    return Q(status=ImportStatus.QUEUED) | abandoned


def run_queued_imports(batch: int | None = None) -> dict[str, int]:
    """The worker's job: run every waiting import, one after the other."""
    counts = {"done": 0, "failed": 0}
    while job := claim_next_job():
        try:
            job = run_import_job(job, batch=batch)
        except Exception as exc:  # a bug must fail this job visibly, not loop on it or stop the worker
            log.exception("import %s failed", job.pk)
            job = _finish(job, ImportStatus.FAILED, f"导入出错：{exc}")
        counts[job.status] += 1
    return {k: v for k, v in counts.items() if v}


_runner: threading.Thread | None = None
_runner_lock = threading.Lock()


def start_queued_imports() -> None:
    """The worker's job: run waiting imports in a thread of this process (one at a time), and return at once."""
    global _runner
    with _runner_lock:
        if _runner is not None and _runner.is_alive():
            return
        # Most turns find nothing: one indexed query here instead of a thread (and its connection) every 5 s.
        if not ImportJob.objects.filter(_waiting(timezone.now())).exists():
            return
        _runner = threading.Thread(target=_run_in_thread, name="xiuhua-imports", daemon=True)
        _runner.start()


def import_thread() -> threading.Thread | None:
    """The thread `start_queued_imports` started last (tests wait for it)."""
    return _runner


def _run_in_thread() -> None:
    try:
        counts = run_queued_imports()
        if counts:
            log.info("imports: %s", counts)
    except Exception:  # logged like a failed worker job; the next turn tries again
        log.exception("imports failed")
    finally:
        connection.close()  # this thread's own connection


def recent_jobs(user: User, limit: int = 10) -> list[ImportJob]:
    """The user's latest imports, newest first, without their files."""
    jobs = ImportJob.objects.filter(created_by=user).defer("content").order_by("-created_at", "-pk")
    return list(jobs[:limit])


def _update(job: ImportJob, **fields: object) -> None:
    for name, value in fields.items():
        setattr(job, name, value)
    ImportJob.objects.filter(pk=job.pk).update(**fields)


def _finish(job: ImportJob, status: str, message: str, **fields: object) -> ImportJob:
    now = timezone.now()
    done = {"rows_done": job.rows_total} if status == ImportStatus.DONE else {}
    _update(job, status=status, message=message, finished_at=now, heartbeat_at=now, **done, **fields)
    return job
