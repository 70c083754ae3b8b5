"""Permission-checked reads of patrol: who is on duty, an inspector's shifts, a shift's track.

The shift leader, the commander and leaders see the inspectors whose patrol area (their data scope) lies inside
their own scope; an inspector sees only their own shifts.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from xiuhua.accounts.choices import Role
from xiuhua.accounts.models import User
from xiuhua.accounts.queries import scope_prefixes, sees_division_code, sees_everything
from xiuhua.core.errors import NotFound, PermissionDenied
from xiuhua.patrol.models import PatrolShift, PatrolTrack

WATCHER_ROLES = (Role.SHIFT_LEADER, Role.LEADER, Role.COMMANDER)
MAX_DAYS = 31


def may_watch(user: User) -> bool:
    return bool(user.is_superuser or user.role in WATCHER_ROLES)


def check_may_watch(user: User) -> None:
    if not may_watch(user):
        raise PermissionDenied("巡查轨迹只对值班长、指挥长和领导开放")


def watches(viewer: User, inspector: User) -> bool:
    """Whether the viewer's scope covers (part of) the inspector's patrol area; an inspector watches themself."""
    if viewer.pk == inspector.pk:
        return True
    if not may_watch(viewer):
        return False
    if sees_everything(viewer):
        return True
    return any(sees_division_code(viewer, prefix) for prefix in scope_prefixes(inspector))


def watched_inspectors(viewer: User) -> list[User]:
    check_may_watch(viewer)
    people = User.objects.filter(role=Role.INSPECTOR, is_active=True).order_by("username")
    return [person for person in people if watches(viewer, person)]


def on_duty(viewer: User) -> QuerySet[PatrolShift]:
    """The open shifts of the inspectors the viewer watches, with their last position."""
    ids = [person.pk for person in watched_inspectors(viewer)]
    return PatrolShift.objects.filter(ended_at__isnull=True, inspector_id__in=ids).select_related("inspector")


def inspector_for(viewer: User, inspector_id: int) -> User:
    inspector = User.objects.filter(pk=inspector_id, role=Role.INSPECTOR).first()
    if inspector is None or not watches(viewer, inspector):
        raise NotFound("未找到该监督员，或其巡查片区不在您的数据范围内")
    return inspector


def shifts_of(viewer: User, inspector_id: int, days: int = 7, *, now: datetime | None = None) -> QuerySet[PatrolShift]:
    """The inspector's shifts begun in the last `days` days, newest first."""
    inspector = inspector_for(viewer, inspector_id)
    since = (now or timezone.now()) - timedelta(days=max(1, min(days, MAX_DAYS)))
    return PatrolShift.objects.filter(inspector=inspector, started_at__gte=since).order_by("-started_at")


def shift_for(viewer: User, shift_id: int) -> PatrolShift:
    shift = PatrolShift.objects.select_related("inspector").filter(pk=shift_id).first()
    if shift is None or not watches(viewer, shift.inspector):
        raise NotFound("未找到该班次，或其监督员的巡查片区不在您的数据范围内")
    return shift


def track(shift: PatrolShift) -> QuerySet[PatrolTrack]:
    return shift.points.order_by("recorded_at")
