"""Case API: lists and details, actions by their glossary names, the work queue (intake is in `intake`).

Bodies of POST endpoints may be JSON (`application/json`) or a form (`multipart/form-data` when photos
are attached, or `application/x-www-form-urlencoded`); both carry the same fields.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from django.http import FileResponse, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from pydantic import BaseModel, ConfigDict

from xiuhua.cases import presenters, queries
from xiuhua.cases.choices import Source
from xiuhua.cases.models import CaseAttachment
from xiuhua.cases.public_text import edit_public_description
from xiuhua.cases.workflow import ACTIONS, apply_action
from xiuhua.core.api_bodies import body_doc, read_body
from xiuhua.core.api_schemas import ERRORS, ErrorOut
from xiuhua.core.errors import NotFound
from xiuhua.notify.services import mark_read

router = Router(tags=["cases"])
MAX_PAGE = 500
MAX_OFFSET = 10_000_000
ACTION_ERRORS = {**ERRORS, 409: ErrorOut}


# --- bodies: JSON or form -----------------------------------------------------------------------------


class ActionBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str = Field("", description="说明或理由（不予立案、回退、挂账、作废、拒绝、督办、重新打开时必填）")
    version: int | None = Field(None, description="你看到的案卷版本；已被他人更新时返回 409")
    inspector: str | None = Field(None, description="verify/check 派任务时：指定监督员账号")
    result: bool | None = Field(None, description="verify/check 由监督员回复时：true 属实/通过，false 不属实/不通过")
    register_condition: int | None = Field(None, description="register：立案条件 id（默认该分类的第一个）")
    department: str | None = Field(None, description="dispatch，或批准回退时改派：主办单位简码")
    assisting: list[str] | str | None = Field(None, description="协办单位简码，列表或以逗号分隔")
    satisfaction: str | None = Field(None, description="callback：（办理）满意度 very_satisfied … very_dissatisfied")
    service_satisfaction: str | None = Field(None, description="callback：服务满意度（热线回访的第二项，可选）")
    parent: str | None = Field(None, description="merge：并入的主案卷号")
    extension_value: int | None = Field(None, description="request_extension：延期时长")
    extension_unit: Literal["hours", "days"] | None = Field(None, description="request_extension：hours 或 days")


# --- reading ------------------------------------------------------------------------------------------


class CaseListQuery(Schema):
    status: list[str] | None = Field(None, description="状态，可多个")
    class_code: str | None = Field(None, alias="class", description="小类代码")
    major: str | None = Field(None, description="大类代码")
    division: str | None = Field(None, description="区划代码（区 6 / 街道 9 / 社区 12 位）")
    grid: str | None = Field(None, description="单元网格代码")
    department: str | None = Field(None, description="主办单位简码")
    light: Literal["green", "yellow", "red"] | None = Field(None, description="当前时限灯")
    overdue: bool | None = Field(None, description="当前超期（处置时限已过的在办案卷）")
    due_soon: bool | None = Field(None, description="即将到期（处置时限已到预警点、未到期）")
    group: Literal[tuple(queries.STATUS_GROUPS)] | None = Field(None, description="状态分组")  # type: ignore[valid-type]
    source: Literal[tuple(Source.values)] | None = None  # type: ignore[valid-type]
    date_field: Literal[tuple(queries.DATE_FIELDS)] | None = Field(  # type: ignore[valid-type]
        None, description="日期起止所指的时间（默认 reported 上报时间；late 为期内超期）"
    )
    reported_from: date | None = Field(None, description="日期起（含），默认指上报日期")
    reported_to: date | None = Field(None, description="日期止（含），默认指上报日期")
    limit: int = Field(50, ge=1, le=MAX_PAGE)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class CasePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[dict]


@router.get("/cases", response={200: CasePage, **ERRORS}, summary="案卷列表（按数据范围）")
def list_cases(request: HttpRequest, filters: Query[CaseListQuery]):
    data = filters.model_dump(exclude={"limit", "offset"})
    cases = queries.filter_cases(request.auth, queries.CaseFilters(**data))
    page = list(cases.select_related(*presenters.SUMMARY_RELATIONS)[filters.offset : filters.offset + filters.limit])
    now = timezone.now()
    return {
        "count": cases.count(),
        "limit": filters.limit,
        "offset": filters.offset,
        "items": [presenters.case_summary(case, request.auth, now) for case in page],
    }


@router.get(
    "/cases/{number}", response={200: dict, **ERRORS}, summary="一个案卷：全部信息、时间线、时限与灯、可做的操作"
)
def get_case(request: HttpRequest, number: str):
    return presenters.case_detail(queries.case_for(request.auth, number), request.auth, timezone.now())


class PublicTextBody(Schema):
    public_description: str = Field(
        ..., description="公开描述：Open311 与公众页面显示的文字（不含电话、身份证号、邮箱）"
    )


@router.patch(
    "/cases/{number}/public",
    response={200: dict, **ERRORS},
    summary="修改案卷的公开描述（受理员、值班长；留审计记录）",
)
def set_public_description(request: HttpRequest, number: str, body: PublicTextBody):
    edit_public_description(request.auth, number, body.public_description)
    return presenters.case_detail(queries.case_for(request.auth, number), request.auth, timezone.now())


@router.get("/cases/{number}/attachments/{attachment_id}", response={200: None, **ERRORS}, summary="下载附件")
def get_attachment(request: HttpRequest, number: str, attachment_id: int):
    case = queries.case_for(request.auth, number)
    attachment = CaseAttachment.objects.filter(case=case, pk=attachment_id).first()
    if attachment is None:
        raise NotFound(f"案卷 {number} 没有附件 {attachment_id}")
    return FileResponse(
        attachment.file.open("rb"), content_type=attachment.content_type, filename=attachment.original_name
    )


# --- acting -------------------------------------------------------------------------------------------


@router.post(
    "/cases/{number}/actions/{action}",
    response={200: dict, **ACTION_ERRORS},
    summary="对案卷执行一个操作",
    description=(
        "action 为 " + "、".join(sorted(ACTIONS)) + "。照片用 multipart 字段 photos。"
        "不在数据范围内 404；角色不符 403 并说明原因；状态已变或版本不符 409 并说明发生了什么。"
    ),
    openapi_extra=body_doc(ActionBody, {"photos": "照片（反馈、核查、自处理时需要）"}),
)
def act_on_case(request: HttpRequest, number: str, action: str):
    body, files = read_body(request, ActionBody)
    params = body.model_dump(exclude={"version"}, exclude_none=True)
    apply_action(number, action, request.auth, params, files=files.get("photos", []), expected_version=body.version)
    return presenters.case_detail(queries.case_for(request.auth, number), request.auth, timezone.now())


# --- me -----------------------------------------------------------------------------------------------


class TaskQuery(Schema):
    limit: int = Field(100, ge=1, le=MAX_PAGE)


@router.get("/me/tasks", response={200: CasePage, **ERRORS}, summary="我的待办（按时限紧迫排序，带灯）")
def my_tasks(request: HttpRequest, query: Query[TaskQuery]):
    cases = queries.my_tasks(request.auth)
    page = list(cases.select_related(*presenters.SUMMARY_RELATIONS)[: query.limit])
    now = timezone.now()
    return {
        "count": cases.count(),
        "limit": query.limit,
        "offset": 0,
        "items": [presenters.case_summary(case, request.auth, now) for case in page],
    }


class NoticeOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    subject: str
    created_at: datetime
    read: bool

    @staticmethod
    def resolve_read(obj) -> bool:
        return obj.read_at is not None


class NoticeQuery(Schema):
    unread: bool = Field(False, description="只列未读")
    limit: int = Field(50, ge=1, le=MAX_PAGE)


@router.get("/me/notices", response={200: list[NoticeOut], **ERRORS}, summary="我的消息（站内信）")
def my_notices(request: HttpRequest, query: Query[NoticeQuery]):
    notices = request.auth.notices.all()
    if query.unread:
        notices = notices.filter(read_at__isnull=True)
    return list(notices[: query.limit])


class ReadBody(Schema):
    ids: list[Annotated[int, Field(ge=1, le=2**63 - 1)]] = Field(..., max_length=1000)


class ReadOut(Schema):
    marked: int


@router.post("/me/notices/read", response={200: ReadOut, **ERRORS}, summary="标记消息为已读")
def read_notices(request: HttpRequest, body: ReadBody):
    return {"marked": mark_read(request.auth, body.ids)}
