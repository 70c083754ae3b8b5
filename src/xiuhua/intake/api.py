"""Intake API: duplicate suggestions for the operator."""

from django.http import HttpRequest
from ninja import Router, Schema

from xiuhua.core.api_schemas import ERRORS
from xiuhua.intake.duplicates import possible_duplicates

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
