"""The monthly report pages: the report as HTML with ECharts charts, file downloads built in the background.

The download buttons POST a request (`jobs.request_report`) and swap in a progress bar that polls the job with
htmx every second until the file is ready; `kept/` lists the files kept for the user's data scope.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from reportlab.graphics import renderSVG

from xiuhua.core.errors import DomainError, NotFound, PermissionDenied
from xiuhua.evaluation.periods import Period, previous_month
from xiuhua.reports import bulletin, charts
from xiuhua.reports.api import CONTENT_TYPES
from xiuhua.reports.jobs import check_format, file_name, job_for, kept_reports, read_period, request_report
from xiuhua.reports.models import JobState, ReportFormat, ReportJob
from xiuhua.reports.monthly import cached_monthly, check_may_read
from xiuhua.reports.pdf import scope_grids
from xiuhua.reports.tables import TEXT, Table, figure_labels, report_tables, weekday_names
from xiuhua.web.errors import forbidden, page_not_found

PICKER_MONTHS = 24


def _refused(request: HttpRequest) -> HttpResponse | None:
    try:
        check_may_read(request.user)
    except PermissionDenied as error:
        return forbidden(request, error.message)
    return None


@login_required
@require_GET
def monthly(request: HttpRequest) -> HttpResponse:
    if refusal := _refused(request):
        return refusal
    error = ""
    try:
        period = read_period(request.GET.get("period"))
    except DomainError as bad:
        error, period = bad.message, previous_month(timezone.now())
    report = cached_monthly(request.user, period)
    tables = {table.key: (table, _aligned(table)) for table in report_tables(report)}
    context = {
        "report": report,
        "period": period,
        "periods": _recent_months(),
        "error": error,
        "tables": tables,
        "ranking_tables": [tables[f"ranking_{t}"] for t in report["rankings"]["objects"]],
        "charts": _chart_data(report),
        "grid_map": renderSVG.drawToString(charts.grid_map(scope_grids(request.user), report["areas"]["per_grid"])),
        "formats": ReportFormat.choices,
    }
    return render(request, "reports/monthly.html", context)


def _aligned(table: Table) -> list[list[tuple[str, bool]]]:
    """The table's shown rows, each cell with whether it is right-aligned (numbers and rates)."""
    numeric = [column.kind != TEXT for column in table.columns]
    return [list(zip(row, numeric, strict=True)) for row in table.text_rows()]


def _recent_months() -> list[Period]:
    months = [previous_month(timezone.now())]
    while len(months) < PICKER_MONTHS:
        months.append(months[-1].previous())
    return months


def _chart_data(report: dict) -> dict:
    departments = report["rankings"]["objects"].get("department", {"rows": []})["rows"]
    scored = [r for r in departments if r["score"] is not None][:10]
    labels = figure_labels()
    return {
        "trend": {
            "months": [row["period"] for row in report["trend"]],
            "reported": [row["reported"] for row in report["trend"]],
            "closed": [row["closed"] for row in report["trend"]],
            "onTime": [
                None if row["on_time_rate"] is None else round(row["on_time_rate"] * 100, 1) for row in report["trend"]
            ],
            "labels": {
                "reported": labels["reported"][0],
                "closed": labels["closed"][0],
                "onTime": labels["on_time_rate"][0],
            },
        },
        "classes": {"names": [c["name"] for c in report["classes"]], "counts": [c["count"] for c in report["classes"]]},
        "departments": {"names": [r["name"] for r in scored], "scores": [r["score"] for r in scored]},
        "hours": {"matrix": report["hours"]["matrix"], "max": report["hours"]["max"], "weekdays": weekday_names()},
    }


@login_required
@require_POST
def request_file(request: HttpRequest) -> HttpResponse:
    if refusal := _refused(request):
        return refusal
    try:
        job = request_report(
            request.user, read_period(request.POST.get("period")), check_format(request.POST.get("format", ""))
        )
    except DomainError as error:
        return render(request, "reports/_job.html", {"error": error.message}, status=400)
    return render(request, "reports/_job.html", {"job": job})


def _job(request: HttpRequest, job_id: int) -> ReportJob | HttpResponse:
    """The job the user may see, or the page that says why not."""
    if refusal := _refused(request):
        return refusal
    try:
        return job_for(request.user, job_id)
    except NotFound as error:
        return page_not_found(request, error.message)


@login_required
@require_GET
def job_progress(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job(request, job_id)
    if isinstance(job, HttpResponse):
        return job
    return render(request, "reports/_job.html", {"job": job})


@login_required
@require_GET
def download(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job(request, job_id)
    if isinstance(job, HttpResponse):
        return job
    if job.state != JobState.DONE:
        raise Http404
    return FileResponse(
        job.file.open("rb"),
        content_type=CONTENT_TYPES[job.format],
        as_attachment=True,
        filename=file_name(job.period, job.format),
    )


@login_required
@require_GET
def kept(request: HttpRequest) -> HttpResponse:
    if refusal := _refused(request):
        return refusal
    jobs: list[ReportJob] = kept_reports(request.user)
    return render(request, "reports/kept.html", {"jobs": jobs})


@login_required
@require_GET
def campaign_bulletin(request: HttpRequest) -> HttpResponse:
    """The campaigns' monthly 专报 of `?month=2026-03` as `?format=pdf` or `xlsx`, built from the month's snapshots."""
    fmt = request.GET.get("format", "pdf")
    try:
        month = bulletin.read_month(request.GET.get("month"))
        if fmt not in CONTENT_TYPES:
            raise DomainError("专报只能下载为 PDF 或 Excel", code="bad_format")
    except DomainError as bad:
        return render(request, "web/error.html", {"status": 400, "message": bad.message}, status=400)
    made = bulletin.build_bulletin(request.user, month)
    content = bulletin.bulletin_pdf(made) if fmt == "pdf" else bulletin.bulletin_xlsx(made)
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    name = f"campaign-bulletin-{month:%Y-%m}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
