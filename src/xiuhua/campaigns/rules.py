"""A case rule as a query over `cases.CaseStats`: which cases a case-measured target counts, and when.

The statistics row of a case is kept up to date by every workflow action (a shift leader's reopen clears
`closed_at`), so counting from it is live and never replays events. A rule is: classes (minor codes or
two-digit major prefixes, optionally "event:" / "component:"), an area (division code prefixes, unit grid code
prefixes or a drawn polygon), channels (`Case.source`), the period from the target's start to the end of its
due day (local days), the step that counts (one time field of the statistics) and the cases tagged by hand.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import shapely
from django.db.models import Q, QuerySet
from django.utils import timezone

from xiuhua.campaigns.choices import CaseCount, TaggedCases
from xiuhua.campaigns.models import CampaignCase, CaseRule, Target
from xiuhua.cases.models import CaseStats
from xiuhua.catalog.models import CaseClass
from xiuhua.core.errors import DomainError
from xiuhua.worktime.clock import SHANGHAI

# Each step a rule can count, as (time field of the statistics, flag field that must also be true, if any).
STEP_FIELDS: dict[str, tuple[str, str | None]] = {
    CaseCount.REPORTED: ("reported_at", None),
    CaseCount.REGISTERED: ("registered_at", None),
    CaseCount.DISPATCHED: ("first_dispatched_at", None),
    CaseCount.CLOSED: ("closed_at", None),
    CaseCount.CLOSED_ON_TIME: ("closed_at", "handling_on_time"),
    CaseCount.SELF_HANDLED: ("closed_at", "self_handled"),
}
CLASS_KINDS = ("event", "component")


def local_midnight(day: date) -> datetime:
    """The first instant of a local (Asia/Shanghai) day."""
    return datetime.combine(day, time.min, tzinfo=SHANGHAI)


def local_day(moment: datetime) -> date:
    return moment.astimezone(SHANGHAI).date()


def target_start(target: Target) -> date:
    return target.starts_on or target.task.campaign.starts_on


@dataclass(frozen=True)
class Window:
    """The half-open instants [start, end) a target counts in: its start day up to min(at, end of due day)."""

    start: datetime
    end: datetime

    @classmethod
    def of(cls, target: Target, at: datetime | None = None) -> Window:
        at = at or timezone.now()
        end = min(at, local_midnight(target.due_on + timedelta(days=1)))
        start = local_midnight(target_start(target))
        return cls(start, max(start, end))


def parse_class_code(text: str) -> tuple[str | None, str]:
    """ "event:01" → ("event", "01"); "01001" → (None, "01001")."""
    kind, _, code = str(text).strip().rpartition(":")
    return (kind or None), code.strip()


def class_matches(texts: Iterable[str], kind: str, code: str, major_code: str) -> bool:
    """`class_filter` for one class known by its kind, code and major code: does any of the rule's codes take it?"""
    for text in texts:
        wanted_kind, wanted = parse_class_code(text)
        same = code == wanted if len(wanted) > 2 else major_code == wanted
        if same and (not wanted_kind or wanted_kind == kind):
            return True
    return False


def class_filter(codes: list[str]) -> Q:
    """Classes by minor code (5 digits) or major prefix (2 digits), in either kind unless a kind is named."""
    condition = Q(pk__in=[])
    for text in codes:
        kind, code = parse_class_code(text)
        one = Q(code=code) if len(code) > 2 else Q(major_code=code)
        condition |= one & Q(kind=kind) if kind else one
    return condition


def unknown_class_codes(codes: list[str]) -> list[str]:
    """The rule's class codes that name no class of the catalogue (each code is checked on its own)."""
    unknown = []
    for text in codes:
        kind, code = parse_class_code(text)
        if (kind and kind not in CLASS_KINDS) or not CaseClass.objects.filter(class_filter([text])).exists():
            unknown.append(text)
    return unknown


def parse_geojson(text: str, what: str) -> shapely.Geometry:
    """A GeoJSON geometry (or feature) from text; a clear message naming `what` when it cannot be read."""
    from xiuhua.geo.geojson import geometry_from_geojson

    try:
        return geometry_from_geojson(json.loads(text))
    except (ValueError, TypeError) as exc:
        raise DomainError(f"{what}无法读取：{exc}", code="bad_geojson") from exc


def area_polygon(rule: CaseRule) -> shapely.Geometry | None:
    return parse_geojson(rule.area_geojson, "范围多边形") if rule.area_geojson.strip() else None


def _prefixes(field: str, codes: list[str]) -> Q:
    condition = Q(pk__in=[])
    for code in codes:
        condition |= Q(**{f"{field}__startswith": str(code).strip()})
    return condition


def matching_filter(rule: CaseRule) -> Q:
    """The rule's conditions on a statistics row, except the drawn polygon (see `inside_polygon`)."""
    # Never an empty Q: `Q() | tagged` would be just the tagged cases, not "everything or tagged".
    condition = Q(case_id__isnull=False)
    if rule.class_codes:
        class_ids = list(CaseClass.objects.filter(class_filter(rule.class_codes)).values_list("pk", flat=True))
        condition &= Q(case_class_id__in=class_ids)
    if rule.division_codes:
        condition &= _prefixes("community__code", rule.division_codes)
    if rule.grid_codes:
        condition &= _prefixes("grid_code", rule.grid_codes)
    if rule.sources:
        condition &= Q(source__in=rule.sources)
    return condition


def inside_polygon(rows: QuerySet[CaseStats], polygon: shapely.Geometry) -> Q:
    """Rows whose case lies inside the polygon: the bounding box in SQL first, then shapely on what is left."""
    min_lng, min_lat, max_lng, max_lat = polygon.bounds
    boxed = rows.filter(
        case__lng__gte=min_lng, case__lng__lte=max_lng, case__lat__gte=min_lat, case__lat__lte=max_lat
    ).values_list("case_id", "case__lng", "case__lat")
    candidates = list(boxed)
    if not candidates:
        return Q(pk__in=[])
    ids = [row[0] for row in candidates]
    points = shapely.points([row[1] for row in candidates], [row[2] for row in candidates])
    shapely.prepare(polygon)
    inside = shapely.contains(polygon, points) | shapely.touches(polygon, points)
    return Q(case_id__in=[case_id for case_id, keep in zip(ids, inside, strict=True) if keep])


def _flag(step: str) -> Q:
    flag = STEP_FIELDS[step][1]
    return Q(**{flag: True}) if flag else Q()


def step_filter(step: str, window: Window) -> Q:
    """Rows that reached `step` inside the window (and were not voided before its end)."""
    field = STEP_FIELDS[step][0]
    return (
        Q(**{f"{field}__gte": window.start, f"{field}__lt": window.end})
        & _flag(step)
        & (Q(voided_at__isnull=True) | Q(voided_at__gte=window.end))
    )


def reached_by(step: str, end: datetime) -> Q:
    """Rows that reached `step` before `end` (at any time)."""
    return Q(**{f"{STEP_FIELDS[step][0]}__lt": end}) & _flag(step)


def rule_rows(rule: CaseRule, campaign_id: int) -> QuerySet[CaseStats]:
    """Every statistics row the rule takes in, at any time: matching cases and/or cases tagged to the campaign."""
    tagged = Q(case_id__in=CampaignCase.objects.filter(campaign_id=campaign_id).values("case_id"))
    if rule.tagged == TaggedCases.ONLY:
        return CaseStats.objects.filter(tagged)
    matching = matching_filter(rule)
    polygon = area_polygon(rule)
    if polygon is not None:
        matching = inside_polygon(CaseStats.objects.filter(matching), polygon)
    if rule.tagged == TaggedCases.IGNORE:
        return CaseStats.objects.filter(matching)
    return CaseStats.objects.filter(matching | tagged)


def rule_of(target: Target) -> CaseRule:
    try:
        return target.case_rule
    except CaseRule.DoesNotExist:
        raise DomainError(f"目标「{target.name}」按案卷统计，但没有案卷规则", code="no_case_rule") from None
