"""Intake API: duplicate suggestions, class suggestions and the log of rejected payloads, for the operator."""

from dataclasses import asdict

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from xiuhua.accounts.choices import Role
from xiuhua.accounts.privacy import payload_for
from xiuhua.accounts.queries import sees_whole_district
from xiuhua.cases.presenters import shown_description
from xiuhua.core.api_schemas import ERRORS
from xiuhua.core.errors import PermissionDenied
from xiuhua.intake.classifier import active_model_summary, suggest_classes
from xiuhua.intake.duplicates import possible_duplicates
from xiuhua.intake.models import RejectedReport
from xiuhua.territory.queries import sole_district_code

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
            "description": shown_description(c.case, request.auth),
            "address": c.case.address,
            "reported_at": c.case.reported_at.isoformat(),
            "distance_m": round(c.distance_m, 1),
        }
        for c in possible_duplicates(request.auth, number)
    ]


LOG_ROLES = {Role.OPERATOR, Role.SHIFT_LEADER, Role.SYSADMIN}


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
    # Refused payloads belong to no place: they are the district's, so an empty scope reads none.
    rows = RejectedReport.objects.all() if sees_whole_district(request.auth) else RejectedReport.objects.none()
    district = sole_district_code()
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
            "payload": payload_for(request.auth, r.payload, division_code=district),
        }
        for r in rows[: max(1, min(limit, 500))]
    ]


# Who enters and routes reports: the centre's desk roles.
CLASSIFY_ROLES = {Role.OPERATOR, Role.SHIFT_LEADER, Role.DISPATCHER, Role.SYSADMIN}


class ClassifyQuery(Schema):
    text: str = Field("", description="工单或上报的问题描述（最多 2000 字）")


class ClassSuggestionOut(Schema):
    code: str = Field(..., description="小类代码")
    kind: str = Field(..., description="component（部件）或 event（事件）")
    name: str
    confidence: float = Field(..., description="模型给出的概率（0–1）")


class ClassifierInfoOut(Schema):
    trained_at: str
    case_count: int
    top1_accuracy: float = Field(..., description="留出案卷上首选正确的比例")
    top3_accuracy: float = Field(..., description="留出案卷上前三含正确小类的比例")
    baseline_accuracy: float = Field(..., description="总是猜最常见小类的首选正确率")


class ClassifyOut(Schema):
    suggestions: list[ClassSuggestionOut]
    model: ClassifierInfoOut | None = Field(None, description="所用模型；尚未训练时为 null，建议为空")


@router.get(
    "/intake/classify",
    response={200: ClassifyOut, **ERRORS},
    summary="建议分类（文本分类）",
    description=(
        "按问题描述给出最可能的三个小类及概率，供受理员录入无分类的热线工单时参考。"
        "模型用本平台已结案案卷训练（xiuhua train-classifier）；尚未训练时建议为空。"
        "受理员、值班长、派遣员和管理员可用。"
    ),
)
def classify(request: HttpRequest, query: Query[ClassifyQuery]) -> dict:
    user = request.auth
    if not (user.is_superuser or user.role in CLASSIFY_ROLES):
        raise PermissionDenied("建议分类仅供受理员、值班长、派遣员和管理员使用")
    suggestions = suggest_classes(query.text, top=3)
    return {"suggestions": [asdict(s) for s in suggestions], "model": active_model_summary()}
