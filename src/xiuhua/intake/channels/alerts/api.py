"""POST /api/v1/alerts: sensors and video AI, each device with its own API key (header X-Api-Key)."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.security import APIKeyHeader
from pydantic import BaseModel, ConfigDict

from xiuhua.accounts.models import ApiKey
from xiuhua.accounts.services import client_for_api_key
from xiuhua.core.api_bodies import read_body
from xiuhua.core.api_schemas import ERRORS
from xiuhua.intake.channels.alerts.adapter import AlertInput, receive_alert
from xiuhua.intake.log import rejections_logged, request_payload


class DeviceKey(APIKeyHeader):
    param_name = "X-Api-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> ApiKey | None:
        return client_for_api_key(key or "")


router = Router(tags=["alerts"], auth=DeviceKey())


class AlertBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    device_id: str = Field(..., description="设备编号（登记时的编号）")
    alert_type: str = Field(..., description="报警类型代码，如 dust_over_limit、bin_overflow")
    raised_at: datetime | None = Field(None, description="报警时间（带时区）；不填为收到时间")
    reading: float | None = Field(None, description="读数")
    threshold: float | None = Field(None, description="阈值")
    unit: str = Field("", description="单位，如 µg/m³")
    lng: float | None = Field(None, description="经度（不填用设备登记的位置）")
    lat: float | None = None
    crs: str = "wgs84"
    snapshot_url: str = Field("", description="抓拍图片地址")
    alert_id: str = Field("", description="设备自己的报警编号：重发同一编号不会重复记录")
    description: str = ""


class AlertReceipt(Schema):
    case_number: str
    folded: bool = Field(..., description="true：并入该设备同类报警尚未办结的案卷")
    created: bool = Field(..., description="false：同一 alert_id 的重发")
    report_count: int


@router.post(
    "/alerts",
    response={201: AlertReceipt, 200: AlertReceipt, **ERRORS},
    summary="感知设备、视频 AI 报警",
    description="请求头 X-Api-Key 为该设备的密钥。同一设备同类报警在窗口期内（默认 24 小时）并入未办结的案卷。",
)
def create_alert(request: HttpRequest):
    with rejections_logged("alerts", request.auth.name, request_payload(request)):
        body, _files = read_body(request, AlertBody)
        outcome = receive_alert(request.auth, AlertInput(**body.model_dump()))
    case = outcome.alert.case
    case.refresh_from_db(fields=["report_count"])
    receipt = {
        "case_number": case.number,
        "folded": outcome.folded,
        "created": outcome.created,
        "report_count": case.report_count,
    }
    return Status(201 if outcome.created and not outcome.folded else 200, receipt)
