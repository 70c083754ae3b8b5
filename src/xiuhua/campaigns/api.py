"""Campaigns API (专项行动) under /api/v1/campaigns/: campaigns with their live progress, the task tree and each
target's measurement, the writes of `campaigns.services`, the task-table import, units' progress reports, month-end
snapshots, 督导 notices and the year-end review. Every read goes through `campaigns.queries.visible_campaigns`
(out of scope: 404); every write through a service that checks who may do it (403 with the reason)."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest, HttpResponse
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from xiuhua.campaigns import presenters, reporting, review
from xiuhua.campaigns.api_bodies import ReviewBody
from xiuhua.campaigns.choices import CampaignStatus
from xiuhua.campaigns.importers import import_task_table, task_table_template
from xiuhua.campaigns.measures import drill_down_cases
from xiuhua.campaigns.models import Campaign, ProgressReport, Target
from xiuhua.campaigns.progress import campaign_progress, overview
from xiuhua.campaigns.queries import can_manage, visible_campaigns
from xiuhua.campaigns.snapshots import frozen_progress, month_frozen
from xiuhua.campaigns.supervision import parse_month
from xiuhua.core.api_bodies import body_doc, read_body
from xiuhua.core.api_schemas import ERRORS
from xiuhua.core.errors import DomainError, NotFound, PermissionDenied

router = Router(tags=["campaigns"])
MAX_PAGE = 500


def campaign_for(user, campaign_id: int) -> Campaign:
    campaign = visible_campaigns(user).filter(pk=campaign_id).first()
    if campaign is None:
        raise NotFound("专项行动不存在或无权查看")
    return campaign


def check_manage(user, campaign: Campaign) -> None:
    if not can_manage(user, campaign):
        raise PermissionDenied("只有专项行动的负责领导、指挥长或牵头单位可以这样做")


# --- reading -------------------------------------------------------------------------------------------


class CampaignQuery(Schema):
    year: int | None = Field(None, ge=2000, le=2100, description="年度（缺省：全部）")
    status: str = Field("", description="draft 草稿 | active 进行中 | ended 已结束")


@router.get(
    "/campaigns",
    response={200: list[dict], **ERRORS},
    summary="专项行动列表（按数据范围），每项带实时进度与状态",
)
def list_campaigns(request: HttpRequest, query: Query[CampaignQuery]):
    if query.status and query.status not in CampaignStatus.values:
        raise DomainError(
            f"状态不正确：{query.status}（可选：{'、'.join(CampaignStatus.values)}）", code="invalid_filter"
        )
    if query.year:  # one year: measured together, each measure asked once for all targets
        rows = [(p.campaign, p) for p in overview(request.auth, query.year)]
    else:
        rows = [(c, campaign_progress(c)) for c in visible_campaigns(request.auth).select_related("district")]
    return [presenters.campaign_summary(c, p) for c, p in rows if not query.status or c.status == query.status]


@router.get(
    "/campaigns/{int:campaign_id}",
    response={200: dict, **ERRORS},
    summary="一个专项行动：任务树、各目标的实时测量值、计划与状态",
)
def get_campaign(request: HttpRequest, campaign_id: int):
    return presenters.campaign_detail(campaign_progress(campaign_for(request.auth, campaign_id)))


class PageQuery(Schema):
    limit: int = Field(100, ge=1, le=MAX_PAGE)
    offset: int = Field(0, ge=0, le=10_000_000)


def target_for(user, target_id: int) -> Target:
    target = (
        Target.objects.filter(pk=target_id, task__campaign__in=visible_campaigns(user))
        .select_related("task__campaign")
        .first()
    )
    if target is None:
        raise NotFound("目标不存在或无权查看")
    return target


@router.get(
    "/campaigns/targets/{int:target_id}/cases",
    response={200: dict, **ERRORS},
    summary="目标的下钻：计入分子的案卷号（分页；总数等于分子）",
)
def target_cases(request: HttpRequest, target_id: int, query: Query[PageQuery]):
    cases = drill_down_cases(target_for(request.auth, target_id)).order_by("number")
    page = cases[query.offset : query.offset + query.limit]
    return {
        "count": cases.count(),
        "limit": query.limit,
        "offset": query.offset,
        "items": [{"number": c.number, "status": c.status} for c in page],
    }


# --- task table ----------------------------------------------------------------------------------------


@router.get(
    "/campaigns/task-table-template",
    response={200: None, **ERRORS},
    summary="任务分解表模板（xlsx 或 csv）",
)
def task_template(request: HttpRequest, format: str = "xlsx"):
    try:
        content, filename, content_type = task_table_template(format)
    except ValueError as error:
        raise DomainError(str(error), code="invalid_format") from None
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quoted(filename)}"
    return response


def _quoted(filename: str) -> str:
    from urllib.parse import quote

    return quote(filename)


@router.post(
    "/campaigns/{int:campaign_id}/tasks/import",
    response={200: dict, **ERRORS},
    summary="导入任务分解表（Excel 或 CSV，全部正确才写入）",
    description="出错时 400，errors 列出每处错误的行号、列名和原因，不写入任何数据。",
)
def import_tasks(request: HttpRequest, campaign_id: int, file: File[UploadedFile]):
    campaign = campaign_for(request.auth, campaign_id)
    check_manage(request.auth, campaign)
    result = import_task_table(campaign, file.read(), request.auth, filename=file.name)
    return {"created": result.created, "summary": result.summary()}


# --- progress reports ----------------------------------------------------------------------------------


class ReportBody(Schema):
    period: str = Field(..., description="week 周报 | month 月报")
    day: date = Field(..., description="报送期间内的任一天（周报取其所在周，月报取其所在月）")
    text: str = Field(..., max_length=20_000, description="进展情况")
    figures: dict[str, int | float | str] = Field(default_factory=dict, description="数据项：名称 → 数值")


def report_out(report: ProgressReport) -> dict:
    return {
        "id": report.pk,
        "campaign": report.campaign_id,
        "unit": report.unit.short_name,
        "unit_name": report.unit.name,
        "period": report.period,
        "period_start": report.period_start,
        "text": report.text,
        "figures": report.figures,
        "state": report.state,
        "submitted_at": report.submitted_at,
        "reviewed_at": report.reviewed_at,
        "review_note": report.review_note,
        "files": [
            {"id": f.pk, "name": f.original_name, "size": f.size, "url": f"/api/v1/campaigns/evidence/{f.pk}"}
            for f in report.files.all()
        ],
    }


@router.get("/campaigns/{int:campaign_id}/reports", response={200: list[dict], **ERRORS}, summary="各单位的进展报送")
def list_reports(request: HttpRequest, campaign_id: int):
    campaign = campaign_for(request.auth, campaign_id)
    reports = campaign.reports.select_related("unit").prefetch_related("files")
    return [report_out(r) for r in reports]


@router.post(
    "/campaigns/{int:campaign_id}/reports",
    response={201: dict, **ERRORS},
    summary="报送进展（周报或月报；照片等证明材料用 multipart 字段 files）",
    description="本单位每期一份；已退回的可重新报送。该期间月末进度已冻结时 400（period_frozen）。",
    openapi_extra=body_doc(ReportBody, {"files": "证明材料（照片）"}),
)
def submit_report(request: HttpRequest, campaign_id: int):
    campaign = campaign_for(request.auth, campaign_id)
    body, files = read_body(request, ReportBody)
    report = reporting.submit_report(
        request.auth,
        campaign,
        period=body.period,
        day=body.day,
        text=body.text,
        figures=body.figures,
        files=files.get("files", []),
    )
    return Status(201, report_out(report))


@router.post(
    "/campaigns/reports/{int:report_id}/review", response={200: dict, **ERRORS}, summary="牵头单位审核进展报送"
)
def review_report(request: HttpRequest, report_id: int, body: ReviewBody):
    report = reporting.review_report(request.auth, report_id, accept=body.accept, note=body.note)
    return report_out(report)


# --- snapshots, supervision, year-end review ----------------------------------------------------------


@router.get(
    "/campaigns/{int:campaign_id}/snapshots",
    response={200: dict, **ERRORS},
    summary="某月的月末进度快照（冻结，不随之后的办理改变）：任务树与各目标当月末的数值、计划与状态",
)
def snapshots(request: HttpRequest, campaign_id: int, month: str):
    campaign = campaign_for(request.auth, campaign_id)
    first = parse_month(month)
    frozen = month_frozen(campaign, first)
    body = presenters.campaign_detail(frozen_progress(campaign, first)) if frozen else {}
    return {**body, "month": f"{first:%Y-%m}", "frozen": frozen}


@router.get(
    "/campaigns/{int:campaign_id}/supervision",
    response={200: list[dict], **ERRORS},
    summary="督导通知（每单位每月一次）",
)
def supervision_notices(request: HttpRequest, campaign_id: int):
    campaign = campaign_for(request.auth, campaign_id)
    return [
        {
            "id": n.pk,
            "unit": n.unit.short_name,
            "unit_name": n.unit.name,
            "month": f"{n.month:%Y-%m}",
            "progress": presenters.number(n.progress),
            "plan": presenters.number(n.plan),
            "text": n.text,
            "sent_at": n.sent_at,
        }
        for n in campaign.supervision_notices.select_related("unit")
    ]


class YearReviewBody(Schema):
    decision: str = Field(..., description="continue 延续到下一年 | end 结束")
    note: str = Field("", max_length=2000)


@router.post(
    "/campaigns/{int:campaign_id}/review",
    response={200: dict, **ERRORS},
    summary="年度评估：延续（复制到下一年，作为草稿）或结束",
)
def year_end_review(request: HttpRequest, campaign_id: int, body: YearReviewBody):
    campaign, copy = review.review_campaign(request.auth, campaign_id, body.decision, body.note)
    return {
        "id": campaign.pk,
        "review": campaign.review,
        "status": campaign.status,
        "continued_as": copy.pk if copy else None,
        "continued_year": copy.year if copy else None,
    }


# The writes register on the same router (one router, so a path's GET and PUT are one view).
from xiuhua.campaigns import api_writes  # noqa: E402, F401
