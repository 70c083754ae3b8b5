"""/api/v1/patrol/…: 上岗, 下岗 and positions from the inspector's phone; who is on duty and tracks for the centre.

Bearer tokens as everywhere in the API; the phone page (a signed-in browser) uses its session cookie with the CSRF
header, like its report queue does.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.http import HttpRequest
from django.middleware.csrf import CsrfViewMiddleware
from ninja import Field, Router, Schema
from ninja.security import SessionAuth
from pydantic import BaseModel, ConfigDict

from xiuhua.accounts.api import BearerToken
from xiuhua.core.api_schemas import ERRORS
from xiuhua.core.errors import PermissionDenied
from xiuhua.patrol import queries, services
from xiuhua.patrol.models import PatrolShift


class PhoneSession(SessionAuth):
    """The signed-in browser's session; a write must carry the CSRF token (refused in Chinese, not English)."""

    def _get_key(self, request: HttpRequest) -> str | None:
        key = request.COOKIES.get(self.param_name)
        if key and request.method not in ("GET", "HEAD", "OPTIONS"):
            check = CsrfViewMiddleware(lambda r: None)
            check.process_request(request)
            if check.process_view(request, lambda r: None, (), {}) is not None:
                raise PermissionDenied("页面校验码（CSRF）无效或缺失，请刷新页面后重试")
        return key


router = Router(tags=["patrol"], auth=[BearerToken(), PhoneSession()])


class ShiftOut(Schema):
    id: int
    inspector_id: int
    inspector_name: str
    started_at: datetime
    ended_at: datetime | None
    end_reason: str = Field(..., description="inspector 本人下岗 | idle 长时间无定位自动下岗 | 空：在岗")
    end_reason_label: str
    on_duty: bool
    duration_s: float = Field(..., description="在岗时长（秒），在岗中计到现在")
    distance_m: float = Field(..., description="巡查里程（米）：不计定位漂移和超速跳点")
    point_count: int
    last_point_at: datetime | None
    last_lng: float | None
    last_lat: float | None


def shift_out(shift: PatrolShift) -> dict:
    return {
        "id": shift.pk,
        "inspector_id": shift.inspector_id,
        "inspector_name": str(shift.inspector),
        "started_at": shift.started_at,
        "ended_at": shift.ended_at,
        "end_reason": shift.end_reason,
        "end_reason_label": str(shift.get_end_reason_display()) if shift.end_reason else "在岗",
        "on_duty": shift.on_duty,
        "duration_s": round(services.duration_s(shift)),
        "distance_m": round(shift.distance_m, 1),
        "point_count": shift.point_count,
        "last_point_at": shift.last_point_at,
        "last_lng": shift.last_lng,
        "last_lat": shift.last_lat,
    }


class StartBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    started_at: datetime | None = Field(None, description="上岗时间（离线上岗时由手机记录）；不填为现在")


class EndBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ended_at: datetime | None = Field(None, description="下岗时间；不填为现在")


class StatusOut(Schema):
    on_duty: bool
    shift: ShiftOut | None
    interval_seconds: int = Field(..., description="在岗时手机记录定位的间隔（秒）")


@router.get("/patrol/me", response={200: StatusOut, **ERRORS}, summary="本人是否在岗（监督员）")
def my_status(request: HttpRequest) -> dict:
    services.check_inspector(request.auth)
    shift = services.current_shift(request.auth)
    return {
        "on_duty": shift is not None,
        "shift": shift_out(shift) if shift else None,
        "interval_seconds": settings.XIUHUA_PATROL_INTERVAL_SECONDS,
    }


@router.post(
    "/patrol/shifts/start",
    response={201: ShiftOut, 200: ShiftOut, **ERRORS},
    summary="上岗（监督员）",
    description="已在岗时返回当前班次（200），重复提交不会开第二个班次。",
)
def start(request: HttpRequest, body: StartBody):
    shift, created = services.start_shift(request.auth, body.started_at)
    return (201 if created else 200), shift_out(shift)


@router.post(
    "/patrol/shifts/end",
    response={200: ShiftOut, **ERRORS},
    summary="下岗（监督员）",
    description="返回结束的班次及其在岗时长、巡查里程；已下岗时再次提交返回上一班次。",
)
def end(request: HttpRequest, body: EndBody):
    return shift_out(services.end_shift(request.auth, body.ended_at))


class PointBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    recorded_at: datetime = Field(..., description="手机记录定位的时间（带时区）")
    lng: float = Field(..., ge=-180, le=180, description="经度（WGS84）")
    lat: float = Field(..., ge=-90, le=90, description="纬度（WGS84）")
    accuracy: float | None = Field(None, ge=0, description="定位精度（米）")


class PointsBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    points: list[PointBody] = Field(..., max_length=services.MAX_BATCH)


class Refused(Schema):
    index: int = Field(..., description="该点在本批中的序号（从 0 起）")
    detail: str


class BatchOut(Schema):
    accepted: int = Field(..., description="新存入的点数")
    duplicates: int = Field(..., description="此前已收到（重发）的点数，未重复存储")
    flagged: int = Field(..., description="存入但标记为辖区外或速度异常的点数")
    rejected: list[Refused]


@router.post(
    "/patrol/points",
    response={200: BatchOut, **ERRORS},
    summary="上传一批巡查定位点（监督员）",
    description=(
        f"每批最多 {services.MAX_BATCH} 点。同一监督员同一记录时间（精确到秒）只存一次，重发的批次不会重复。"
        "定位点归入覆盖其时间的在岗班次；"
        "未来时间、过旧（见 XIUHUA_PATROL_BACKDATE_HOURS）或不在岗时段的点被拒收并逐点说明。"
    ),
)
def add_points(request: HttpRequest, body: PointsBody) -> dict:
    points = [services.PointIn(p.recorded_at, p.lng, p.lat, p.accuracy) for p in body.points]
    result = services.add_points(request.auth, points)
    return {
        "accepted": result.accepted,
        "duplicates": result.duplicates,
        "flagged": result.flagged,
        "rejected": [{"index": index, "detail": detail} for index, detail in sorted(result.rejected)],
    }


class OnDutyOut(Schema):
    inspector_id: int
    inspector_name: str
    shift_id: int
    started_at: datetime
    last_point_at: datetime | None
    lng: float | None
    lat: float | None
    distance_m: float


@router.get(
    "/patrol/on-duty",
    response={200: list[OnDutyOut], **ERRORS},
    summary="在岗监督员及其最后位置（值班长、领导）",
)
def on_duty(request: HttpRequest) -> list[dict]:
    return [
        {
            "inspector_id": shift.inspector_id,
            "inspector_name": str(shift.inspector),
            "shift_id": shift.pk,
            "started_at": shift.started_at,
            "last_point_at": shift.last_point_at,
            "lng": shift.last_lng,
            "lat": shift.last_lat,
            "distance_m": round(shift.distance_m, 1),
        }
        for shift in queries.on_duty(request.auth)
    ]


@router.get(
    "/patrol/inspectors/{inspector_id}/shifts",
    response={200: list[ShiftOut], **ERRORS},
    summary="某监督员近几天的班次",
)
def inspector_shifts(request: HttpRequest, inspector_id: int, days: int = 7) -> list[dict]:
    return [shift_out(s) for s in queries.shifts_of(request.auth, inspector_id, days).select_related("inspector")]


class TrackOut(Schema):
    shift: ShiftOut
    points: list[list] = Field(..., description="按时间排列的 [经度, 纬度, 记录时间, 精度(米), 标记]")


@router.get("/patrol/shifts/{shift_id}/track", response={200: TrackOut, **ERRORS}, summary="一个班次的巡查轨迹")
def shift_track(request: HttpRequest, shift_id: int) -> dict:
    shift = queries.shift_for(request.auth, shift_id)
    rows = queries.track(shift).values_list("lng", "lat", "recorded_at", "accuracy_m", "flag")
    return {
        "shift": shift_out(shift),
        "points": [[lng, lat, at.isoformat(), acc, flag] for lng, lat, at, acc, flag in rows],
    }
