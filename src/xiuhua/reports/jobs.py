"""Report files built in the background: ask for one, the worker builds it section by section, it is kept.

`request_report` returns a kept file when one is fresh (built after the last change to any case, or less than
`XIUHUA_REPORT_CACHE_SECONDS` ago) for the same period, data scope and format; else the job already queued or
running for them; else a new queued job. `run_report_jobs` (a periodic job of the worker, `cases.worker`) builds
the queued ones, oldest first, updating the job's progress after each section.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from xiuhua.accounts.models import User
from xiuhua.cases.models import Case
from xiuhua.core.errors import DomainError, NotFound
from xiuhua.evaluation.periods import Period, PeriodError, parse_period, previous_month
from xiuhua.reports.excel import workbook_bytes
from xiuhua.reports.models import JobState, ReportFormat, ReportJob
from xiuhua.reports.monthly import build_monthly, check_may_read, scope_key, section_label
from xiuhua.reports.pdf import pdf_bytes
from xiuhua.web.shell import scope_label

log = logging.getLogger("xiuhua.reports")
PENDING = (JobState.QUEUED, JobState.RUNNING)
# Building the figures is most of the work; writing the file is the rest.
FIGURES_SHARE = 90


def check_format(fmt: str, allowed: tuple[str, ...] = tuple(ReportFormat.values)) -> str:
    if fmt not in allowed:
        raise DomainError(
            _("Unknown report format “%(format)s”; use one of %(formats)s.")
            % {"format": fmt, "formats": ", ".join(allowed)},
            code="bad_format",
        )
    return fmt


def read_period(text: str | None, now: datetime | None = None) -> Period:
    """A written period (2026-10, 2026-Q4 …); empty means the previous month, what a monthly report covers."""
    if not (text or "").strip():
        return previous_month(now or timezone.now())
    try:
        return parse_period(text)
    except PeriodError as error:
        raise DomainError(str(error), code="bad_period") from None


def job_for(user: User, job_id: int) -> ReportJob:
    """A report job the user asked for, or one built for the same data scope (else: not found)."""
    job = ReportJob.objects.filter(pk=job_id).first()
    if job is None or (job.user_id != user.pk and job.scope_key != scope_key(user)):
        raise NotFound(_("There is no report file %(id)s.") % {"id": job_id})
    return job


def kept_reports(user: User) -> list[ReportJob]:
    """The files kept for the user's data scope, newest first."""
    return list(ReportJob.objects.filter(scope_key=scope_key(user)).order_by("-created_at", "-id")[:100])


def render_file(report: dict, user: User, fmt: str) -> bytes:
    return workbook_bytes(report) if fmt == ReportFormat.XLSX else pdf_bytes(report, user)


def file_name(period: Period | str, fmt: str) -> str:
    return f"monthly-report-{period}.{fmt}"


def kept_report(user: User, period: Period, fmt: str, now: datetime | None = None) -> ReportJob | None:
    """The newest built file for the user's scope, period and format, if it is still fresh."""
    now = now or timezone.now()
    job = (
        ReportJob.objects.filter(period=period.code, scope_key=scope_key(user), format=fmt, state=JobState.DONE)
        .order_by("-finished_at")
        .first()
    )
    if job is None:
        return None
    if job.finished_at >= now - timedelta(seconds=settings.XIUHUA_REPORT_CACHE_SECONDS):
        return job
    last_change = Case.objects.aggregate(last=Max("updated_at"))["last"]
    return job if last_change is None or job.finished_at >= last_change else None


def request_report(user: User, period: Period, fmt: str, now: datetime | None = None) -> ReportJob:
    """A kept fresh file, the job already under way, or a new queued job."""
    check_may_read(user)
    check_format(fmt)
    if kept := kept_report(user, period, fmt, now):
        return kept
    key = scope_key(user)
    pending = ReportJob.objects.filter(period=period.code, scope_key=key, format=fmt, state__in=PENDING).first()
    if pending:
        return pending
    return ReportJob.objects.create(
        period=period.code,
        scope_key=key,
        scope_label=scope_label(user)[:200],
        user=user,
        format=fmt,
        created_at=now or timezone.now(),
        message=_("Waiting in the queue"),
    )


def run_report_jobs(limit: int = 10) -> int:
    """Build up to `limit` queued jobs, oldest first; how many were taken."""
    taken = 0
    while taken < limit:
        job = ReportJob.objects.filter(state=JobState.QUEUED).order_by("created_at", "id").first()
        if job is None:
            break
        # Claim it: another worker that read the same row updates nothing.
        if ReportJob.objects.filter(pk=job.pk, state=JobState.QUEUED).update(state=JobState.RUNNING) == 1:
            build(job)
            taken += 1
    return taken


def build(job: ReportJob) -> None:
    def progress(percent: int, section: str) -> None:
        ReportJob.objects.filter(pk=job.pk).update(
            progress=percent * FIGURES_SHARE // 100, message=section_label(section)
        )

    try:
        report = build_monthly(job.user, parse_period(job.period), progress=progress)
        content = render_file(report, job.user, job.format)
        job.file.save(file_name(job.period, job.format), ContentFile(content), save=False)
        job.state, job.progress, job.message, job.error = JobState.DONE, 100, _("Ready"), ""
    except Exception as error:  # the job shows the failure; the worker goes on with the next one
        log.exception("report job %s failed", job.pk)
        job.state, job.message = JobState.FAILED, _("Failed to build")
        job.error = getattr(error, "message", None) or str(error) or error.__class__.__name__
    job.finished_at = timezone.now()
    job.save(update_fields=["state", "progress", "message", "error", "file", "finished_at"])
