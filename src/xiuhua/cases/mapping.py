"""Cases as points on a map: the user's open cases (or the statuses asked for) with their light, as GeoJSON text.

Each point carries compact properties — `n` the case number, `s` the status, `l` the light (`red` overdue,
`yellow` due soon, `green`, `late` for a centre step past its limit, or null when no limit runs) — so that
thousands of cases stay a small download; the map asks for a case's summary only when it is clicked. The light
is computed in SQL (`light_expression`); red and yellow are the live figures' overdue and due soon (`cases.live`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Case as Choose
from django.db.models import CharField, F, QuerySet, Value, When
from django.utils import timezone

from xiuhua.accounts.models import User
from xiuhua.cases.choices import CaseStatus, Light
from xiuhua.cases.models import Case
from xiuhua.cases.queries import TERMINAL, due_soon_filter, overdue_filter, visible_cases, with_limits
from xiuhua.catalog.choices import ClassKind
from xiuhua.core.errors import DomainError
from xiuhua.territory.queries import BBox, parse_bbox

MAX_POINTS = 20_000  # a district's open cases fit; beyond, the map asks by bbox
POINT_DECIMALS = 6  # about 0.1 m
OPEN_STATUSES = tuple(s for s in CaseStatus.values if s not in TERMINAL)


@dataclass(frozen=True)
class PointFilters:
    """Which cases a map shows: statuses (default: every open one), kind, major class, class, bbox."""

    statuses: tuple[str, ...] = OPEN_STATUSES
    kind: str = ""
    major: str = ""
    class_code: str = ""
    bbox: BBox | None = None


def parse_point_filters(params: Mapping[str, str]) -> PointFilters:
    """Filters from query parameters `status` (comma list), `kind`, `major`, `class`, `bbox`; DomainError if bad."""
    statuses = tuple(s for s in (params.get("status") or "").split(",") if s.strip()) or OPEN_STATUSES
    unknown = [s for s in statuses if s not in CaseStatus.values]
    if unknown:
        raise DomainError(f"未知的状态「{'、'.join(unknown)}」", code="bad_filter")
    kind = params.get("kind") or ""
    if kind and kind not in ClassKind.values:
        raise DomainError(f"类型应为 event（事件）或 component（部件），收到「{kind}」", code="bad_filter")
    major = params.get("major") or ""
    if major and not re.fullmatch(r"\d{2}", major):
        raise DomainError(f"大类代码应为 2 位数字，收到「{major}」", code="bad_filter")
    class_code = params.get("class") or ""
    if class_code and not re.fullmatch(r"\d{5}", class_code):
        raise DomainError(f"小类代码应为 5 位数字，收到「{class_code}」", code="bad_filter")
    bbox = parse_bbox(params["bbox"]) if params.get("bbox") else None
    return PointFilters(statuses, kind, major, class_code, bbox)


# A centre step (accept, verify, register, dispatch, check, close) past its own limit: late, but not the
# handling overdue that the dashboard counts as 超期 — the map shows it apart (环节超时) so the two agree.
STAGE_LATE = "late"


def light_expression(now: datetime) -> Choose:
    """The map's light of a case, in SQL ("" when no limit runs); needs `with_limits`.

    Red and yellow are the live figures' overdue now and due soon (`cases.live`), so the legend's 超期 is the
    dashboard's 当前超期; a centre step past its limit is STAGE_LATE.
    """
    return Choose(
        When(status__in=TERMINAL, then=Value("")),
        When(overdue_filter(now), then=Value(Light.RED.value)),
        When(due_soon_filter(now), then=Value(Light.YELLOW.value)),
        When(handling_running_since__isnull=False, then=Value(Light.GREEN.value)),
        When(active_deadline__isnull=True, then=Value("")),
        When(active_deadline__lt=now, then=Value(STAGE_LATE)),
        default=Value(Light.GREEN.value),
        output_field=CharField(),
    )


def filtered_points(user: User, filters: PointFilters) -> QuerySet[Case]:
    chosen = visible_cases(user).filter(status__in=filters.statuses)
    if filters.kind:
        chosen = chosen.filter(case_class__kind=filters.kind)
    if filters.major:
        chosen = chosen.filter(case_class__major_code=filters.major)
    if filters.class_code:
        chosen = chosen.filter(case_class__code=filters.class_code)
    if filters.bbox is not None:
        chosen = chosen.filter(filters.bbox.containing_points())
    # Their ids first (from the status index), then their rows: a planner that knows only the average number of
    # cases per status would otherwise read a million closed cases to find the few thousand open ones.
    return with_limits(Case.objects.filter(pk__in=chosen.order_by().values("pk")))


@dataclass(frozen=True)
class Points:
    geojson: str
    count: int
    truncated: bool


def case_points(user: User, filters: PointFilters, now: datetime | None = None) -> Points:
    """The cases as a GeoJSON FeatureCollection (text); the most urgent first when more than MAX_POINTS match."""
    now = now or timezone.now()
    cases = filtered_points(user, filters)
    truncated = cases.order_by().count() > MAX_POINTS
    # Sorting every open case by its deadline costs more than reading them: only when some must be left out.
    ordered = cases.order_by(F("active_deadline").asc(nulls_last=True), "pk") if truncated else cases.order_by()
    rows = ordered.annotate(light=light_expression(now)).values_list("number", "status", "light", "lng", "lat")
    features = [_point(*row) for row in rows[:MAX_POINTS]]
    head = f'{{"type":"FeatureCollection","count":{len(features)},"truncated":{json.dumps(truncated)},"features":['
    return Points(head + ",".join(features) + "]}", len(features), truncated)


def _point(number: str, status: str, light: str, lng: float, lat: float) -> str:
    return (
        f'{{"type":"Feature","geometry":{{"type":"Point","coordinates":'
        f"[{round(lng, POINT_DECIMALS)},{round(lat, POINT_DECIMALS)}]}},"
        f'"properties":{{"n":{json.dumps(number)},"s":"{status}","l":{json.dumps(light or None)}}}}}'
    )
