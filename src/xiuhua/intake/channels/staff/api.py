"""POST /api/v1/reports: the staff channel (inspector's phone, operator's desk)."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from pydantic import BaseModel, ConfigDict

from xiuhua.cases.models import Case
from xiuhua.core.api_bodies import body_doc, read_body
from xiuhua.core.api_schemas import ERRORS
from xiuhua.intake.channels.staff.adapter import report_by_staff
from xiuhua.intake.log import rejections_logged, request_payload
from xiuhua.intake.services import ReportInput
from xiuhua.territory.models import Division

router = Router(tags=["intake"])


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


class ReportOut(Schema):
    number: str
    status: str
    status_label: str
    grid_code: str
    community_name: str
    subdistrict_name: str
    repeat_complaint: bool
    created: bool = Field(..., description="false：同一 Idempotency-Key 的重复提交，返回首次的案卷")


def report_out(case: Case, created: bool) -> dict:
    # Names only, in one query: loading the two divisions would read their geometry too.
    names = dict(Division.objects.filter(pk__in=[case.community_id, case.subdistrict_id]).values_list("id", "name"))
    return {
        "number": case.number,
        "status": case.status,
        "status_label": case.get_status_display(),
        "grid_code": case.grid_code,
        "community_name": names.get(case.community_id, ""),
        "subdistrict_name": names.get(case.subdistrict_id, ""),
        "repeat_complaint": case.repeat_complaint,
        "created": created,
    }


@router.post(
    "/reports",
    response={201: ReportOut, 200: ReportOut, **ERRORS},
    summary="上报问题（受理员、监督员）",
    description=(
        "新建案卷，状态为「已上报」。照片用 multipart 字段 photos（监督员必附），自处理的处置后照片用 after_photos。"
        "带 Idempotency-Key 头时，重试不会重复建案。被拒绝的提交记入接报日志。"
    ),
    openapi_extra=body_doc(ReportBody, {"photos": "现场照片", "after_photos": "自处理后的照片"}),
)
def create_report(request: HttpRequest):
    with rejections_logged("staff", request.auth.username, request_payload(request)):
        body, files = read_body(request, ReportBody)
        accepted = report_by_staff(
            request.auth,
            ReportInput(**body.model_dump()),
            files.get("photos", []),
            after_photos=files.get("after_photos", []),
            idempotency_key=request.headers.get("Idempotency-Key"),
        )
    return Status(201 if accepted.created else 200, report_out(accepted.case, accepted.created))
