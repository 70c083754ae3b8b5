"""Case API: intake (`POST /reports`), lists and details, actions by their glossary names, the work queue.

Bodies of POST endpoints may be JSON (`application/json`) or a form (`multipart/form-data` when photos
are attached, or `application/x-www-form-urlencoded`); both carry the same fields.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Annotated, Any, Literal

from django.http import FileResponse, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import ValidationError
from pydantic import BaseModel, ConfigDict
from pydantic import ValidationError as PydanticValidationError

from xiuhua.cases import presenters, queries
from xiuhua.cases.choices import Source
from xiuhua.cases.models import CaseAttachment
from xiuhua.cases.services import ReportInput, submit_report
from xiuhua.cases.workflow import ACTIONS, apply_action
from xiuhua.core.api_schemas import ERRORS, ErrorOut
from xiuhua.core.errors import DomainError, NotFound
from xiuhua.notify.services import mark_read

router = Router(tags=["cases"])
MAX_PAGE = 500
MAX_OFFSET = 10_000_000
ACTION_ERRORS = {**ERRORS, 409: ErrorOut}


# --- bodies: JSON or form -----------------------------------------------------------------------------


class ReportBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    class_code: str = Field(..., description="小类代码（5 位）", examples=["01001"])
    kind: Literal["component", "event"] | None = Field(None, description="代码两类都有时必填")
    description: str = Field(..., description="问题描述")
    lng: float | None = Field(None, description="经度（不填时按 address 在门牌表中定位）")
    lat: float | None = Field(None, description="纬度")
    crs: str = Field("wgs84", description="坐标系：wgs84、cgcs2000、gcj02（微信/高德/腾讯）或 bd09（百度）")
    address: str = ""
    urgency: Literal["normal", "urgent"] = "normal"
    source: str | None = Field(None, description="受理员录入时的来源，默认 hotline_12345；监督员上报恒为 inspector")
    reporter_name: str = ""
    reporter_phone: str = ""
    reporter_confidential: bool = Field(False, description="为反映人保密：部门看不到姓名和电话")
    component_code: str = Field("", description="部件编码（如已知）")
    self_handled: bool = Field(False, description="监督员现场自处理（需 after_photos）")


class ActionBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str = Field("", description="说明或理由（不予立案、回退、挂账、作废、拒绝、督办、重新打开时必填）")
    version: int | None = Field(None, description="你看到的案卷版本；已被他人更新时返回 409")
    inspector: str | None = Field(None, description="verify/check 派任务时：指定监督员账号")
    result: bool | None = Field(None, description="verify/check 由监督员回复时：true 属实/通过，false 不属实/不通过")
    register_condition: int | None = Field(None, description="register：立案条件 id（默认该分类的第一个）")
    department: str | None = Field(None, description="dispatch，或批准回退时改派：主办单位简码")
    assisting: list[str] | str | None = Field(None, description="协办单位简码，列表或以逗号分隔")
    satisfaction: str | None = Field(None, description="callback：very_satisfied … very_dissatisfied")
    extension_value: int | None = Field(None, description="request_extension：延期时长")
    extension_unit: Literal["hours", "days"] | None = Field(None, description="request_extension：hours 或 days")


def _form_value(field: str, values: list[str], model: type[BaseModel]) -> Any:
    annotation = str(model.model_fields[field].annotation)
    return values if "list" in annotation and len(values) > 1 else values[0]


def _read_body(request: HttpRequest, model: type[BaseModel]) -> tuple[BaseModel, dict[str, list]]:
    """The body as `model` plus uploaded files by field name, from JSON or a form."""
    if request.content_type == "application/json":
        try:
            raw = json.loads(request.body or b"{}")
        except ValueError:
            raise DomainError("请求体不是合法的 JSON", code="invalid_json") from None
        if not isinstance(raw, dict):
            raise DomainError("请求体应为 JSON 对象", code="invalid_json")
        files: dict[str, list] = {}
    else:
        raw = {k: _form_value(k, v, model) for k, v in request.POST.lists() if k in model.model_fields}
        unknown = [k for k in request.POST if k not in model.model_fields]
        raw.update({k: request.POST[k] for k in unknown})  # let the model refuse them by name
        files = {name: request.FILES.getlist(name) for name in request.FILES}
    if "\\u0000" in json.dumps(raw):  # PostgreSQL text cannot hold NUL
        raise DomainError("请求中含有空字符（\\0），无法保存", code="invalid_text")
    try:
        return model.model_validate(raw), files
    except PydanticValidationError as exc:
        raise ValidationError([{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]) from None


def _body_doc(model: type[BaseModel], file_fields: dict[str, str]) -> dict:
    schema = model.model_json_schema()
    form = json.loads(json.dumps(schema))
    for name, description in file_fields.items():
        form["properties"][name] = {
            "type": "array",
            "items": {"type": "string", "format": "binary"},
            "description": description,
        }
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": schema}, "multipart/form-data": {"schema": form}},
        }
    }


# --- intake -------------------------------------------------------------------------------------------


class ReportOut(Schema):
    number: str
    status: str
    status_label: str
    grid_code: str
    community_name: str
    subdistrict_name: str
    created: bool = Field(..., description="false：同一 Idempotency-Key 的重复提交，返回首次的案卷")


@router.post(
    "/reports",
    response={201: ReportOut, 200: ReportOut, **ERRORS},
    summary="上报问题（受理员、监督员）",
    description=(
        "新建案卷，状态为「已上报」。照片用 multipart 字段 photos（监督员必附），自处理的处置后照片用 after_photos。"
        "带 Idempotency-Key 头时，重试不会重复建案。"
    ),
    openapi_extra=_body_doc(ReportBody, {"photos": "现场照片", "after_photos": "自处理后的照片"}),
)
def create_report(request: HttpRequest):
    body, files = _read_body(request, ReportBody)
    case, created = submit_report(
        request.auth,
        ReportInput(**body.model_dump()),
        files.get("photos", []),
        after_photos=files.get("after_photos", []),
        idempotency_key=request.headers.get("Idempotency-Key"),
    )
    return Status(
        201 if created else 200,
        {
            "number": case.number,
            "status": case.status,
            "status_label": case.get_status_display(),
            "grid_code": case.grid_code,
            "community_name": case.community.name,
            "subdistrict_name": case.subdistrict.name,
            "created": created,
        },
    )


# --- reading ------------------------------------------------------------------------------------------


class CaseListQuery(Schema):
    status: list[str] | None = Field(None, description="状态，可多个")
    class_code: str | None = Field(None, alias="class", description="小类代码")
    major: str | None = Field(None, description="大类代码")
    division: str | None = Field(None, description="区划代码（区 6 / 街道 9 / 社区 12 位）")
    grid: str | None = Field(None, description="单元网格代码")
    department: str | None = Field(None, description="主办单位简码")
    light: Literal["green", "yellow", "red"] | None = Field(None, description="当前时限灯")
    overdue: bool | None = Field(None, description="处置超期")
    source: Literal[tuple(Source.values)] | None = None  # type: ignore[valid-type]
    reported_from: date | None = Field(None, description="上报日期起（含）")
    reported_to: date | None = Field(None, description="上报日期止（含）")
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
    openapi_extra=_body_doc(ActionBody, {"photos": "照片（反馈、核查、自处理时需要）"}),
)
def act_on_case(request: HttpRequest, number: str, action: str):
    body, files = _read_body(request, ActionBody)
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
