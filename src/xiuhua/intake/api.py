"""Intake API: duplicate suggestions and the log of rejected payloads, for the operator."""

from django.http import HttpRequest
from ninja import Router, Schema

from xiuhua.accounts.choices import Role
from xiuhua.core.api_schemas import ERRORS
from xiuhua.core.errors import PermissionDenied
from xiuhua.intake.duplicates import possible_duplicates
from xiuhua.intake.models import RejectedReport

router = Router(tags=["intake"])


class DuplicateOut(Schema):
    number: str
    status: str
    status_label: str
    description: str
    address: str
    reported_at: str
    distance_m: float


@router.get(
    "/cases/{number}/duplicates",
    response={200: list[DuplicateOut], **ERRORS},
    summary="可能重复的案卷",
    description=(
        "同一小类、在该分类的半径和时间窗口内、尚未办结的案卷，近者在前（默认 50 米、72 小时，可在后台按分类设置）。"
    ),
)
def list_duplicates(request: HttpRequest, number: str) -> list[dict]:
    return [
        {
            "number": c.case.number,
            "status": c.case.status,
            "status_label": c.case.get_status_display(),
            "description": c.case.description,
            "address": c.case.address,
            "reported_at": c.case.reported_at.isoformat(),
            "distance_m": round(c.distance_m, 1),
        }
        for c in possible_duplicates(request.auth, number)
    ]


LOG_ROLES = {Role.OPERATOR, Role.SHIFT_LEADER, Role.ADMIN}


class RejectionOut(Schema):
    id: int
    channel: str
    received_at: str
    client: str
    error_code: str
    message: str
    payload: dict


@router.get(
    "/intake/rejections",
    response={200: list[RejectionOut], **ERRORS},
    summary="接报日志：被拒绝的上报",
    description="各渠道拒收的上报，新者在前；可按 channel 过滤（staff、citizen、hotline、alerts、leader、open311）。",
)
def list_rejections(request: HttpRequest, channel: str = "", limit: int = 100) -> list[dict]:
    if request.auth.role not in LOG_ROLES:
        raise PermissionDenied("接报日志只对受理员、值班长开放")
    rows = RejectedReport.objects.all()
    if channel:
        rows = rows.filter(channel=channel)
    return [
        {
            "id": r.pk,
            "channel": r.channel,
            "received_at": r.received_at.isoformat(),
            "client": r.client,
            "error_code": r.error_code,
            "message": r.message,
            "payload": r.payload,
        }
        for r in rows[: max(1, min(limit, 500))]
    ]
