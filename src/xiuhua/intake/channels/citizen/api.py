"""The public channel under /api/v1/public/: no account; rate-limited per client."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import BaseModel, ConfigDict

from xiuhua.core.api_bodies import body_doc, read_body
from xiuhua.core.api_schemas import ERRORS
from xiuhua.core.context import request_address
from xiuhua.intake.channels.citizen.adapter import CITIZEN_CLASSES, client_fingerprint, report_by_citizen
from xiuhua.intake.channels.citizen.rating import case_by_lookup_code
from xiuhua.intake.log import rejections_logged, request_payload
from xiuhua.intake.public import public_case
from xiuhua.intake.services import ReportInput

router = Router(tags=["public"], auth=None)


class CitizenReportBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    class_code: str = Field(..., description="问题类型（GET /public/classes 中的 code）")
    description: str = Field(..., description="问题描述")
    lng: float | None = Field(None, description="经度（手机定位）")
    lat: float | None = Field(None, description="纬度")
    crs: str = Field("gcj02", description="坐标系：gcj02（微信、高德，默认）、bd09（百度）或 wgs84")
    address: str = Field("", description="地址（没有定位时必填）")
    name: str = Field("", description="称呼（可不填，最多 50 字；超出时拒收并说明）")
    phone: str = Field("", description="联系电话（可不填，最多 30 字；只有指挥中心看得到完整号码）")
    confidential: bool = Field(False, description="要求为我保密")


class CitizenReceipt(Schema):
    number: str
    lookup_code: str = Field(..., description="查询码：凭案卷号和查询码查看进度")
    status: str
    message: str
    created: bool


class CitizenClassOut(Schema):
    code: str
    label: str


def _client(request: HttpRequest) -> str:
    return client_fingerprint(request_address(request), request.headers.get("X-Client-Id", ""))


@router.get("/public/classes", response=list[CitizenClassOut], summary="市民可选的问题类型")
def citizen_classes(request: HttpRequest):
    return [{"code": c.code, "label": c.label} for c in CITIZEN_CLASSES]


@router.post(
    "/public/reports",
    response={201: CitizenReceipt, 200: CitizenReceipt, **ERRORS, 429: dict},
    summary="市民上报（无需登录）",
    description=(
        "照片用 multipart 字段 photos（最多 3 张）。返回案卷号和查询码。每个客户端每小时限 10 件；"
        "带 Idempotency-Key 头时重试不会重复建案。"
    ),
    openapi_extra=body_doc(CitizenReportBody, {"photos": "现场照片"}),
)
def create_citizen_report(request: HttpRequest):
    client = _client(request)
    with rejections_logged("citizen", f"citizen:{client[:12]}", request_payload(request)):
        body, files = read_body(request, CitizenReportBody)
        data = ReportInput(
            class_code=body.class_code,
            description=body.description,
            lng=body.lng,
            lat=body.lat,
            crs=body.crs,
            address=body.address,
            reporter_name=body.name,
            reporter_phone=body.phone,
            reporter_confidential=body.confidential,
        )
        accepted = report_by_citizen(
            data,
            files.get("photos", []),
            client=client,
            address=client_fingerprint(request_address(request)),
            idempotency_key=request.headers.get("Idempotency-Key"),
        )
    case = accepted.case
    receipt = {
        "number": case.number,
        "lookup_code": case.lookup_code,
        "status": "待受理",
        "message": f"已收到您的反映，案卷号 {case.number}，查询码 {case.lookup_code}。",
        "created": accepted.created,
    }
    return Status(201 if accepted.created else 200, receipt)


class LookupQuery(Schema):
    code: str = Field(..., description="查询码")


@router.get("/public/cases/{number}", response={200: dict, **ERRORS}, summary="凭案卷号和查询码查看进度")
def citizen_case(request: HttpRequest, number: str, query: Query[LookupQuery]):
    return public_case(case_by_lookup_code(number, query.code))
