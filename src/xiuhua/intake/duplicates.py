"""Possible duplicates (重复案卷): open cases of the same class near the same place within a time window,
suggested to the operator before they accept a report."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import QuerySet

from xiuhua.accounts.models import User
from xiuhua.cases.models import Case
from xiuhua.cases.queries import TERMINAL, case_for, visible_cases
from xiuhua.core import refcache
from xiuhua.intake.models import DuplicateWindow

EARTH_RADIUS_M = 6_371_008.8
DEFAULT_RADIUS_M, DEFAULT_WINDOW_HOURS = 50, 72


@dataclass(frozen=True)
class Candidate:
    case: Case
    distance_m: float


def distance_m(lng1: float, lat1: float, lng2: float, lat2: float) -> float:
    """Great-circle distance (haversine); metres are what matter at the scale of a street."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def _all_windows() -> dict[int | None, DuplicateWindow]:
    return {w.case_class_id: w for w in DuplicateWindow.objects.all()}


def window_for_class(case_class_id: int) -> tuple[int, int]:
    """(radius in metres, window in hours) set for the class, else for every class, else the defaults."""
    rows = refcache.memo("intake.duplicate_windows", _all_windows)
    row = rows.get(case_class_id) or rows.get(None)
    return (row.radius_m, row.window_hours) if row else (DEFAULT_RADIUS_M, DEFAULT_WINDOW_HOURS)


def _boxed(cases: QuerySet[Case], lng: float, lat: float, radius_m: float) -> QuerySet[Case]:
    dlat = radius_m / 111_320.0
    dlng = radius_m / (111_320.0 * max(math.cos(math.radians(lat)), 0.01))
    return cases.filter(lng__range=(lng - dlng, lng + dlng), lat__range=(lat - dlat, lat + dlat))


def count_nearby(cases: QuerySet[Case], lng: float, lat: float, radius_m: float) -> int:
    """How many cases of the queryset lie within `radius_m` of the point (only coordinates are read)."""
    points = _boxed(cases, lng, lat, radius_m).values_list("lng", "lat")
    return sum(1 for x, y in points if distance_m(lng, lat, x, y) <= radius_m)


def nearby_cases(cases: QuerySet[Case], lng: float, lat: float, radius_m: float) -> list[Candidate]:
    """Cases of the queryset within `radius_m` of the point, nearest first (a bounding box in SQL, then exact)."""
    boxed = _boxed(cases, lng, lat, radius_m)
    found = [Candidate(other, distance_m(lng, lat, other.lng, other.lat)) for other in boxed]
    return sorted((c for c in found if c.distance_m <= radius_m), key=lambda c: c.distance_m)


def possible_duplicates(user: User, number: str, limit: int = 20) -> list[Candidate]:
    """Open cases the user may see that could be the same problem as case `number`, nearest first."""
    case = case_for(user, number)
    radius_m, hours = window_for_class(case.case_class_id)
    since = case.reported_at - timedelta(hours=hours)
    candidates = (
        visible_cases(user)
        .filter(case_class_id=case.case_class_id, reported_at__gte=since, reported_at__lte=case.reported_at)
        .exclude(pk=case.pk)
        .exclude(status__in=TERMINAL)
        .select_related("case_class")
    )
    return nearby_cases(candidates, case.lng, case.lat, radius_m)[:limit]


def duplicates_near(
    user: User, case_class_id: int, lng: float, lat: float, now: datetime, limit: int = 10
) -> list[Candidate]:
    """Open cases the user may see of this class near this point within the class's window, nearest first: what
    a report not yet stored (a call being taken) may repeat."""
    radius_m, hours = window_for_class(case_class_id)
    candidates = (
        visible_cases(user)
        .filter(case_class_id=case_class_id, reported_at__gte=now - timedelta(hours=hours), reported_at__lte=now)
        .exclude(status__in=TERMINAL)
        .select_related("case_class")
    )
    return nearby_cases(candidates, lng, lat, radius_m)[:limit]
