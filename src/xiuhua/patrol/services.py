"""On duty and off duty, positions in batches, and each shift's figures (在岗时长, 巡查里程).

Every write of the patrol app is here; the phone page, the API, the demo and the tests call these functions.
Positions arrive late and out of order (a phone keeps them while offline and sends them in batches, and may send
a batch twice), so a point is attached to the shift that covers its recorded time, stored once per inspector and
time, and a batch that reaches back in time recounts its shift's distance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Min, Q
from django.utils import timezone

from xiuhua.accounts.choices import Role
from xiuhua.accounts.models import User
from xiuhua.core.audit import record_audit
from xiuhua.core.errors import DomainError, PermissionDenied
from xiuhua.patrol.choices import EndReason, PointFlag
from xiuhua.patrol.distance import Fix, Tally, extend, geodesic_m, too_fast
from xiuhua.patrol.models import PatrolShift, PatrolTrack
from xiuhua.territory.choices import DivisionLevel
from xiuhua.territory.models import Division

CLOCK_SLACK = timedelta(minutes=2)  # a phone's clock may run this far ahead of the server's
MAX_BATCH = 500


def idle_limit() -> timedelta:
    return timedelta(minutes=settings.XIUHUA_PATROL_IDLE_MINUTES)


def backdate_limit() -> timedelta:
    return timedelta(hours=settings.XIUHUA_PATROL_BACKDATE_HOURS)


def max_speed_kmh() -> float:
    return float(settings.XIUHUA_PATROL_MAX_SPEED_KMH)


def check_inspector(user: User) -> None:
    if user.role != Role.INSPECTOR:
        raise PermissionDenied(f"上岗、下岗和巡查轨迹只用于监督员，您的角色是{user.get_role_display()}")


def _moment(at: datetime | None, now: datetime, what: str) -> datetime:
    """A time the phone sent (or now): aware, not in the future, not older than the backdate limit."""
    if at is None:
        return now
    if timezone.is_naive(at):
        raise DomainError(f"{what}须带时区，如 2026-01-31T08:30:00+08:00", code="naive_time")
    if at > now + CLOCK_SLACK:
        raise DomainError(f"{what}晚于服务器当前时间，请检查手机时钟", code="future_time")
    if at < now - backdate_limit():
        hours = settings.XIUHUA_PATROL_BACKDATE_HOURS
        raise DomainError(f"{what}早于 {hours} 小时前，不再接收", code="too_old")
    return at.replace(microsecond=0)


def current_shift(inspector: User) -> PatrolShift | None:
    return PatrolShift.objects.filter(inspector=inspector, ended_at__isnull=True).first()


@transaction.atomic
def start_shift(
    inspector: User, at: datetime | None = None, *, now: datetime | None = None
) -> tuple[PatrolShift, bool]:
    """上岗. Already on duty: the open shift, unchanged (a re-sent 上岗 from the phone's queue); created False."""
    check_inspector(inspector)
    now = now or timezone.now()
    at = _moment(at, now, "上岗时间")
    User.objects.select_for_update().filter(pk=inspector.pk).first()  # one 上岗 at a time per inspector
    if (open_shift := current_shift(inspector)) is not None:
        return open_shift, False
    last = PatrolShift.objects.filter(inspector=inspector).order_by("-started_at").first()
    if last is not None and last.ended_at and at < last.ended_at:
        shown = timezone.localtime(last.ended_at).strftime("%m-%d %H:%M")
        raise DomainError(f"上岗时间早于上一班的下岗时间（{shown}）", code="overlapping_shift")
    shift = PatrolShift.objects.create(inspector=inspector, started_at=at)
    record_audit(inspector, "patrol.on_duty", target=str(shift.pk), summary=f"上岗 {at.isoformat()}")
    return shift, True


@transaction.atomic
def end_shift(inspector: User, at: datetime | None = None, *, now: datetime | None = None) -> PatrolShift:
    """下岗. Not on duty: the last shift if the inspector already ended it (a re-sent 下岗), else an error."""
    check_inspector(inspector)
    now = now or timezone.now()
    at = _moment(at, now, "下岗时间")
    shift = PatrolShift.objects.select_for_update().filter(inspector=inspector, ended_at__isnull=True).first()
    if shift is None:
        last = PatrolShift.objects.filter(inspector=inspector).order_by("-started_at").first()
        if last is not None and last.end_reason == EndReason.INSPECTOR:
            return last
        raise DomainError("当前未在岗，无需下岗", code="not_on_duty")
    if at < shift.started_at:
        raise DomainError("下岗时间早于上岗时间", code="end_before_start")
    shift.ended_at = max(at, shift.last_point_at or at)
    shift.end_reason = EndReason.INSPECTOR
    shift.save(update_fields=["ended_at", "end_reason"])
    record_audit(inspector, "patrol.off_duty", target=str(shift.pk), summary=f"下岗 {shift.ended_at.isoformat()}")
    return shift


def close_idle_shifts(now: datetime | None = None) -> int:
    """Shifts with no position for the idle limit end at their last position (or their start): the worker's job."""
    cutoff = (now or timezone.now()) - idle_limit()
    closed = 0
    silent = Q(last_point_at__lt=cutoff) | Q(last_point_at__isnull=True, started_at__lt=cutoff)
    for shift in PatrolShift.objects.filter(silent, ended_at__isnull=True):
        shift.ended_at = shift.last_point_at or shift.started_at
        shift.end_reason = EndReason.IDLE
        shift.save(update_fields=["ended_at", "end_reason"])
        closed += 1
    return closed


# -- positions


@dataclass(frozen=True)
class PointIn:
    recorded_at: datetime
    lng: float
    lat: float
    accuracy_m: float | None = None


@dataclass
class BatchResult:
    accepted: int = 0
    duplicates: int = 0
    flagged: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (index in the batch, reason)


def district_bounds() -> tuple[float, float, float, float] | None:
    """The box round the district(s): points outside it are kept but flagged."""
    box = Division.objects.filter(level=DivisionLevel.DISTRICT).aggregate(
        Min("min_lng"), Min("min_lat"), Max("max_lng"), Max("max_lat")
    )
    values = (box["min_lng__min"], box["min_lat__min"], box["max_lng__max"], box["max_lat__max"])
    return None if None in values else values


def _problem(point: PointIn, now: datetime) -> str:
    if not (math.isfinite(point.lng) and math.isfinite(point.lat)) or abs(point.lng) > 180 or abs(point.lat) > 90:
        return "经纬度超出范围"
    if point.accuracy_m is not None and not (math.isfinite(point.accuracy_m) and point.accuracy_m >= 0):
        return "定位精度应为不小于 0 的米数"
    try:
        _moment(point.recorded_at, now, "定位时间")
    except DomainError as exc:
        return exc.message
    return ""


def add_points(inspector: User, points: list[PointIn], *, now: datetime | None = None) -> BatchResult:
    """Store a batch of positions once each; report per point what was refused and why."""
    check_inspector(inspector)
    if len(points) > MAX_BATCH:
        raise DomainError(f"一批最多 {MAX_BATCH} 个定位点，收到 {len(points)} 个", code="batch_too_large")
    now = now or timezone.now()
    result = BatchResult()
    usable: dict[datetime, tuple[int, PointIn]] = {}
    for index, point in enumerate(points):
        if problem := _problem(point, now):
            result.rejected.append((index, problem))
            continue
        at = point.recorded_at.replace(microsecond=0)
        if at in usable:
            result.duplicates += 1
        usable[at] = (index, PointIn(at, point.lng, point.lat, point.accuracy_m))
    if usable:
        with transaction.atomic():
            _store(inspector, usable, now, result)
    return result


def _store(inspector: User, usable: dict[datetime, tuple[int, PointIn]], now: datetime, result: BatchResult) -> None:
    # One batch of an inspector at a time (the phone's retry may race its first try): the duplicate check, the
    # insert and the shift's figures then see each other's rows.
    User.objects.select_for_update().filter(pk=inspector.pk).first()
    seen = set(
        PatrolTrack.objects.filter(inspector=inspector, recorded_at__in=list(usable)).values_list(
            "recorded_at", flat=True
        )
    )
    result.duplicates += len(seen)
    fresh = sorted((p for at, (_i, p) in usable.items() if at not in seen), key=lambda p: p.recorded_at)
    if not fresh:
        return
    shifts = list(
        PatrolShift.objects.select_for_update()
        .filter(inspector=inspector, started_at__lte=fresh[-1].recorded_at + CLOCK_SLACK)
        .filter(started_at__gte=fresh[0].recorded_at - backdate_limit() - timedelta(days=1))
        .order_by("started_at")
    )
    by_shift: dict[int, list[PointIn]] = {}
    for point in fresh:
        shift = _covering(shifts, point.recorded_at)
        if shift is None:
            result.rejected.append((usable[point.recorded_at][0], "定位时间不在任何在岗时段内（未上岗或已下岗）"))
            continue
        by_shift.setdefault(shift.pk, []).append(point)
    bounds = district_bounds()
    for shift in shifts:
        if shift.pk in by_shift:
            rows = _rows(inspector, shift, by_shift[shift.pk], bounds, now)
            PatrolTrack.objects.bulk_create(rows, ignore_conflicts=True)
            result.accepted += len(rows)
            result.flagged += sum(1 for row in rows if row.flag)
            _update_shift(shift, rows, now)


def _covering(shifts: list[PatrolShift], at: datetime) -> PatrolShift | None:
    """The latest shift begun by `at`; an inspector-ended shift only up to its end, an idle-closed one stretches."""
    begun = [s for s in shifts if s.started_at - CLOCK_SLACK <= at]
    if not begun:
        return None
    shift = begun[-1]
    if shift.ended_at is None or shift.end_reason == EndReason.IDLE or at <= shift.ended_at + CLOCK_SLACK:
        return shift
    return None


def _rows(inspector, shift, points, bounds, now) -> list[PatrolTrack]:
    previous = (
        Fix(shift.last_point_at, shift.last_lng, shift.last_lat)
        if shift.last_point_at and shift.last_point_at < points[0].recorded_at
        else None
    )
    rows = []
    for point in points:
        flag = PointFlag.NONE
        if bounds and not (bounds[0] <= point.lng <= bounds[2] and bounds[1] <= point.lat <= bounds[3]):
            flag = PointFlag.OUTSIDE
        elif previous is not None:
            step = geodesic_m(previous.lng, previous.lat, point.lng, point.lat)
            if too_fast(step, (point.recorded_at - previous.at).total_seconds(), max_speed_kmh()):
                flag = PointFlag.JUMP
        rows.append(
            PatrolTrack(
                inspector=inspector, shift=shift, recorded_at=point.recorded_at, lng=point.lng, lat=point.lat,
                accuracy_m=point.accuracy_m, received_at=now, flag=flag,
            )
        )  # fmt: skip
        previous = Fix(point.recorded_at, point.lng, point.lat)
    return rows


def _fix(row: PatrolTrack) -> Fix:
    return Fix(row.recorded_at, row.lng, row.lat, row.accuracy_m)


def _update_shift(shift: PatrolShift, rows: list[PatrolTrack], now: datetime) -> None:
    in_order = shift.last_point_at is None or rows[0].recorded_at > shift.last_point_at
    counted = [_fix(row) for row in rows if row.flag != PointFlag.OUTSIDE]
    if in_order:
        anchor = (
            Fix(shift.anchor_at, shift.anchor_lng, shift.anchor_lat, shift.anchor_accuracy) if shift.anchor_at else None
        )
        tally = extend(Tally(shift.distance_m, anchor), counted, max_speed_kmh())
        shift.point_count += len(rows)
    else:
        tally = recount(shift)
        shift.point_count = shift.points.count()
    shift.distance_m = tally.metres
    if tally.anchor is not None:
        shift.anchor_at, shift.anchor_lng, shift.anchor_lat = tally.anchor.at, tally.anchor.lng, tally.anchor.lat
        shift.anchor_accuracy = tally.anchor.accuracy_m
    latest = rows[-1]
    if shift.last_point_at is None or latest.recorded_at > shift.last_point_at:
        shift.last_point_at, shift.last_lng, shift.last_lat = latest.recorded_at, latest.lng, latest.lat
    if shift.end_reason == EndReason.IDLE:
        _stretch(shift, now)
    shift.save()


def _stretch(shift: PatrolShift, now: datetime) -> None:
    """An idle-closed shift whose phone turns out to have kept recording: it lasts to the last position, and is
    open again when that position is recent (unless the inspector has meanwhile gone on duty again)."""
    shift.ended_at = max(shift.ended_at, shift.last_point_at)
    recent = now - shift.last_point_at < idle_limit()
    if recent and not PatrolShift.objects.filter(inspector_id=shift.inspector_id, ended_at__isnull=True).exists():
        shift.ended_at, shift.end_reason = None, ""


def recount(shift: PatrolShift) -> Tally:
    """The shift's distance from all its stored points (after a batch that reached back in time)."""
    rows = shift.points.exclude(flag=PointFlag.OUTSIDE).order_by("recorded_at")
    fixes = [
        Fix(at, lng, lat, acc) for at, lng, lat, acc in rows.values_list("recorded_at", "lng", "lat", "accuracy_m")
    ]
    return extend(Tally(), fixes, max_speed_kmh())


# -- figures


def duration_s(shift: PatrolShift, now: datetime | None = None) -> float:
    """Time on duty: to 下岗, or to now while on duty."""
    end = shift.ended_at or now or timezone.now()
    return max(0.0, (end - shift.started_at).total_seconds())


def inspector_figures(start: datetime, end: datetime, *, now: datetime | None = None) -> dict[int, dict[str, float]]:
    """在岗时长 (hours) and 巡查里程 (km) per inspector, of the shifts begun in [start, end)."""
    now = now or timezone.now()
    totals: dict[int, list[float]] = {}
    shifts = PatrolShift.objects.filter(started_at__gte=start, started_at__lt=end).values_list(
        "inspector_id", "started_at", "ended_at", "distance_m"
    )
    for inspector_id, started, ended, metres in shifts:
        seconds = max(0.0, ((ended or now) - started).total_seconds())
        total = totals.setdefault(inspector_id, [0.0, 0.0])
        total[0] += seconds
        total[1] += metres
    return {
        key: {"on_duty_hours": round(s / 3600, 1), "patrol_km": round(m / 1000, 2)} for key, (s, m) in totals.items()
    }
