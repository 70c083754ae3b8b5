"""What the Open311 facade reads: event classes as services, cases as service requests, events as updates.

Everything here is public: no reporter, no staff, no internal note besides a decline's reason, and only
published cases (`xiuhua.intake.public.published_q`: public sources, accepted, not confidential, not declined or
voided). Their text is the public description.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import models
from django.db.models import F, OuterRef, Prefetch, Q, QuerySet, Subquery, When

from xiuhua.cases.attachments import public_photos
from xiuhua.cases.choices import Action
from xiuhua.cases.choices import CaseStatus as S
from xiuhua.cases.models import Case, CaseAttachment, CaseEvent
from xiuhua.catalog.choices import ClassKind
from xiuhua.catalog.models import CaseClass, RegisterCondition
from xiuhua.core.errors import NotFound
from xiuhua.intake.public import published_q

# Open311 "closed": the loop ended, one way or another; a merged report follows its parent.
CLOSED_STATES = (S.CLOSED, S.DECLINED, S.VOIDED)
# Steps the public does not see as an update: the sweep's warnings, leaders' urging, the callback.
QUIET_ACTIONS = (Action.WARN, Action.MARK_OVERDUE, Action.URGE, Action.CALLBACK)
# Requests waiting for approval are the centre's business; the public sees where the case goes after.
INTERNAL_STATES = (S.EXTENSION_REQUESTED, S.RETURN_REQUESTED, S.SUSPENSION_REQUESTED, S.VOID_REQUESTED)


def event_classes() -> QuerySet[CaseClass]:
    conditions = RegisterCondition.objects.filter(active=True).order_by("sort_order", "id")
    return (
        CaseClass.objects.filter(kind=ClassKind.EVENT, active=True)
        .order_by("code")
        .prefetch_related(Prefetch("register_conditions", queryset=conditions, to_attr="active_conditions"))
    )


def event_class(code: str) -> CaseClass:
    found = event_classes().filter(code=code).first()
    if found is None:
        raise NotFound(f"未知的 service_code「{code}」（应为有效的 5 位事件小类代码）")
    return found


def closed_q(prefix: str = "") -> Q:
    return Q(**{f"{prefix}status__in": CLOSED_STATES}) | Q(
        **{f"{prefix}status": S.MERGED, f"{prefix}parent__status__in": CLOSED_STATES}
    )


def _last_public_event() -> Subquery:
    events = CaseEvent.objects.filter(case=OuterRef("pk")).exclude(action__in=QUIET_ACTIONS)
    return Subquery(events.order_by("-at", "-id").values("at")[:1])


def _decline_reason() -> Subquery:
    declines = CaseEvent.objects.filter(case=OuterRef("pk"), action=Action.DECLINE)
    return Subquery(declines.order_by("-at", "-id").values("note")[:1])


def public_cases(with_timeline: bool = False) -> QuerySet[Case]:
    """Cases with what a service request shows: `open311_updated`, `decline_reason`, `public_photos`."""
    updated = models.Case(
        When(status=S.CLOSED, closed_at__isnull=False, then=F("closed_at")),
        When(status=S.MERGED, parent__status=S.CLOSED, parent__closed_at__isnull=False, then=F("parent__closed_at")),
        default=_last_public_event(),
    )
    photos = public_photos()
    cases = (
        Case.objects.filter(published_q())
        .select_related("case_class", "lead_department", "register_condition", "parent")
        .annotate(open311_updated=updated, decline_reason=_decline_reason())
        .prefetch_related(Prefetch("attachments", queryset=photos.order_by("id"), to_attr="public_photos"))
        .order_by("-reported_at", "-id")
    )
    if with_timeline:
        timeline = CaseEvent.objects.exclude(action__in=QUIET_ACTIONS).order_by("at", "id")
        cases = cases.prefetch_related(Prefetch("events", queryset=timeline, to_attr="timeline"))
    return cases


@dataclass(frozen=True)
class RequestFilter:
    """GET requests: by ids (which override everything else), or by class, status and time windows."""

    ids: list[str] = field(default_factory=list)
    service_codes: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    requested_from: datetime | None = None
    requested_to: datetime | None = None
    updated_from: datetime | None = None
    updated_to: datetime | None = None


def filtered(cases: QuerySet[Case], wanted: RequestFilter) -> QuerySet[Case]:
    if wanted.ids:
        return cases.filter(number__in=wanted.ids)
    if wanted.service_codes:
        cases = cases.filter(case_class__code__in=wanted.service_codes)
    if set(wanted.statuses) == {"closed"}:
        cases = cases.filter(closed_q())
    elif set(wanted.statuses) == {"open"}:
        cases = cases.exclude(closed_q())
    bounds = {
        "reported_at__gte": wanted.requested_from,
        "reported_at__lte": wanted.requested_to,
        "open311_updated__gte": wanted.updated_from,
        "open311_updated__lte": wanted.updated_to,
    }
    return cases.filter(**{name: value for name, value in bounds.items() if value is not None})


def cases_numbered(number: str) -> list[Case]:
    """The cases with this number (one, unless several districts share the installation)."""
    found = list(public_cases(with_timeline=True).filter(number=number))
    if not found:
        raise NotFound(f"未找到 service_request_id 为「{number}」的请求")
    return found


def public_events(start: datetime, end: datetime) -> QuerySet[CaseEvent]:
    """Every public step of every case in a window, for mySociety's `servicerequestupdates`."""
    photos = public_photos()
    return (
        CaseEvent.objects.filter(published_q("case__"), at__gte=start, at__lte=end)
        .exclude(action__in=QUIET_ACTIONS)
        .exclude(to_status__in=INTERNAL_STATES)
        .select_related("case", "case__parent")
        .prefetch_related(Prefetch("attachments", queryset=photos.order_by("id"), to_attr="public_photos"))
        .order_by("at", "id")
    )


def public_photo(attachment_id: int) -> CaseAttachment:
    photo = public_photos().filter(published_q("case__"), pk=attachment_id).first()
    if photo is None:
        raise NotFound("没有这张公开照片")
    return photo
