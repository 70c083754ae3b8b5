"""POST /api/v1/assignments: leaders' assignments."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from ninja import Field, Router, Status
from pydantic import BaseModel, ConfigDict

from xiuhua.core.api_bodies import body_doc, read_body
from xiuhua.core.api_schemas import ERRORS
from xiuhua.intake.channels.leader.adapter import assign_by_leader
from xiuhua.intake.channels.staff.api import ReportOut, report_out
from xiuhua.intake.log import rejections_logged, request_payload
from xiuhua.intake.services import ReportInput

router = Router(tags=["intake"])


class AssignmentBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    class_code: str = Field(..., description="小类代码")
    kind: Literal["component", "event"] | None = None
    description: str = Field(..., description="交办内容")
    lng: float | None = None
    lat: float | None = None
    crs: str = "wgs84"
    address: str = ""
    urgency: Literal["normal", "urgent"] = Field("urgent", description="交办件默认紧急")
    department: str = Field("", description="指定办理单位简码（可不填）")


@router.post(
    "/assignments",
    response={201: ReportOut, 200: ReportOut, **ERRORS},
    summary="领导交办（领导、指挥长）",
    openapi_extra=body_doc(AssignmentBody, {"photos": "照片"}),
)
def create_assignment(request: HttpRequest):
    with rejections_logged("leader", request.auth.username, request_payload(request)):
        body, files = read_body(request, AssignmentBody)
        fields = body.model_dump(exclude={"department"})
        accepted = assign_by_leader(
            request.auth,
            ReportInput(**fields),
            department=body.department,
            photos=files.get("photos", []),
            idempotency_key=request.headers.get("Idempotency-Key"),
        )
    return Status(201 if accepted.created else 200, report_out(accepted.case, accepted.created))
