"""Report API: the monthly report as JSON, or its Excel/PDF file (kept, or built in the background)."""

from __future__ import annotations

from typing import Literal

from django.http import FileResponse, HttpRequest
from ninja import Field, Query, Router, Schema, Status

from xiuhua.core.api_schemas import ERRORS
from xiuhua.reports.jobs import check_format, file_name, job_for, read_period, request_report
from xiuhua.reports.models import JobState, ReportJob
from xiuhua.reports.monthly import cached_monthly, check_may_read

router = Router(tags=["reports"])
FORMATS = ("json", "xlsx", "pdf")
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


class MonthlyQuery(Schema):
    period: str = Field("", description="统计周期：2026-10（月）、2026-Q4、2026 或 2026-10-01..2026-10-15；默认上个月")
    format: str = Field("json", description="json（数据）、xlsx 或 pdf（文件）")


class JobOut(Schema):
    id: int
    period: str
    format: str
    state: Literal["queued", "running", "done", "failed"]
    progress: int = Field(..., description="0–100")
    message: str
    error: str
    download_url: str | None = Field(None, description="已生成时的下载地址")


def job_out(job: ReportJob) -> dict:
    done = job.state == JobState.DONE
    return {
        "id": job.pk,
        "period": job.period,
        "format": job.format,
        "state": job.state,
        "progress": job.progress,
        "message": job.message,
        "error": job.error,
        "download_url": f"/api/v1/reports/jobs/{job.pk}/file" if done else None,
    }


def job_file(job: ReportJob) -> FileResponse:
    return FileResponse(
        job.file.open("rb"),
        content_type=CONTENT_TYPES[job.format],
        filename=file_name(job.period, job.format),
        as_attachment=True,
    )


@router.get(
    "/reports/monthly",
    response={200: dict, 202: JobOut, **ERRORS},
    summary="月度报告：json 返回数据；xlsx/pdf 有可用文件时直接返回，否则排队生成（202 与任务号）",
)
def monthly(request: HttpRequest, query: Query[MonthlyQuery]):
    check_format(query.format, FORMATS)
    period = read_period(query.period)
    if query.format == "json":
        return cached_monthly(request.auth, period)
    job = request_report(request.auth, period, query.format)
    if job.state == JobState.DONE:
        return job_file(job)
    return Status(202, job_out(job))


@router.get("/reports/jobs/{job_id}", response={200: JobOut, **ERRORS}, summary="报告生成任务的状态与进度")
def job_state(request: HttpRequest, job_id: int):
    check_may_read(request.auth)
    return job_out(job_for(request.auth, job_id))


@router.get("/reports/jobs/{job_id}/file", response={200: None, 202: JobOut, **ERRORS}, summary="下载已生成的报告文件")
def job_download(request: HttpRequest, job_id: int):
    check_may_read(request.auth)
    job = job_for(request.auth, job_id)
    if job.state != JobState.DONE:
        return Status(202, job_out(job))
    return job_file(job)
