"""Permission-checked reads of cases: every read of a case goes through `visible_cases`.

Scope: a department sees the cases dispatched to it (lead or assisting), plus those inside its data
scope if it has one (a sub-district); an inspector sees what they reported, the verify/check tasks
given to them, and the cases in the unit grids or communities they patrol; the command centre and leaders
see their data scope (an empty scope is nothing). A case outside the scope does not exist for the user (404).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.exceptions import EmptyResultSet
from django.db.models import Case as When_
from django.db.models import Count, Exists, ExpressionWrapper, F, FloatField, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone

from xiuhua.accounts.choices import Role
from xiuhua.accounts.models import User
from xiuhua.accounts.queries import division_code_filter, sees_everything, sees_whole_district
from xiuhua.cases.choices import Action, Light
from xiuhua.cases.choices import CaseStatus as S
from xiuhua.cases.models import Case
from xiuhua.catalog.models import CaseClass
from xiuhua.core.errors import DomainError, NotFound
from xiuhua.worktime.clock import SHANGHAI

TERMINAL = (S.CLOSED, S.DECLINED, S.VOIDED, S.MERGED)
WAITING_APPROVAL = (S.EXTENSION_REQUESTED, S.RETURN_REQUESTED, S.SUSPENSION_REQUESTED)
REPORTED_BACK = (S.HANDLED, S.CHECKING, S.CHECKED)
# Every state a case with a lead unit can be in before it is finished (a return clears the lead unit). Named, not
# "not finished", so that the database can answer from its (status, deadline) index.
LEAD_OPEN = (S.DISPATCHED, S.HANDLING, *WAITING_APPROVAL, S.SUSPENDED, S.VOID_REQUESTED, *REPORTED_BACK)
# Still with the department: dispatched and not yet reported back.
WITH_DEPARTMENT = tuple(status for status in LEAD_OPEN if status not in REPORTED_BACK)
OPEN = tuple(s for s in S.values if s not in TERMINAL)
# The status groups of the case list (and of the figures that link to it): where an open case waits.
STATUS_GROUPS: dict[str, tuple[str, ...]] = {
    "open": OPEN,
    "centre": tuple(s for s in OPEN if s not in LEAD_OPEN),
    "with_department": WITH_DEPARTMENT,
    "waiting_approval": WAITING_APPROVAL,
    "reported_back": REPORTED_BACK,
    "finished": TERMINAL,
}


def visible_cases(user: User) -> QuerySet[Case]:
    cases = Case.objects.all()
    if user.role == Role.DEPARTMENT:
        if user.department_id is None:
            return cases.none()
        assisting = Case.assisting_departments.through.objects.filter(
            case_id=OuterRef("pk"), department_id=user.department_id
        )
        mine = Q(lead_department_id=user.department_id) | Q(Exists(assisting))
        # An unscoped department is a district-wide professional one: it sees only what it was sent.
        return cases.filter(mine | division_code_filter(user, "grid_code"))
    if sees_everything(user):
        return cases
    in_scope = division_code_filter(user, "grid_code")
    if user.role == Role.INSPECTOR:
        in_scope |= Q(reporter=user) | Q(assigned_inspector=user)
    return cases.filter(in_scope)


def visible_case_subjects(user: User) -> Q:
    """Over outbox messages (notify.Message, subject = case number): those about a case the user sees.

    Numbers repeat across districts, so a number is visible only when no case the user cannot see bears it; a
    number of no case at all (a message about a case since gone) belongs to the whole territory."""
    visible = visible_cases(user)
    about = Exists(visible.filter(number=OuterRef("subject")))
    if sees_whole_district(user):
        about |= ~Exists(Case.objects.filter(number=OuterRef("subject")))
    hidden = Case.objects.filter(number=OuterRef("subject")).exclude(pk__in=visible.values("pk"))
    return about & ~Exists(hidden)


def scope_fingerprint(user: User) -> str:
    """A key shared by exactly the users who see the same cases: the SHA-256 of their visible cases' SQL."""
    try:
        sql = str(visible_cases(user).query)
    except EmptyResultSet:  # an empty data scope: a query that can match nothing has no SQL
        sql = "nothing"
    return hashlib.sha256(sql.encode()).hexdigest()


def one_case(cases: QuerySet[Case], number: str) -> Case:
    """The case with this number among `cases`; numbers repeat only across districts, which must not be mixed."""
    # No ORDER BY: at most two rows, and ordering a select_related query makes Django match the ordering against
    # every joined column while compiling it (about a third of an action's query-building CPU).
    found = list(cases.filter(number=number).order_by()[:2])
    if not found:
        raise NotFound(f"未找到案卷「{number}」")
    if len(found) > 1:
        raise DomainError(f"多个区县都有编号为「{number}」的案卷，请用限定在一个区县的账号操作", code="ambiguous_case")
    return found[0]


def case_for(user: User, number: str) -> Case:
    return one_case(visible_cases(user).select_related(*CASE_RELATIONS), number)


CASE_RELATIONS = (
    "case_class",
    "register_condition",
    "unit_grid",
    "community",
    "subdistrict",
    "district",
    "lead_department",
    "reporter",
    "assigned_inspector",
    "stats",
)


# -- lights


def _while_handling(handling_field: str, stage_field: str) -> When_:
    """The handling clock's field while it runs, else the stage clock's."""
    return When_(When(handling_running_since__isnull=False, then=F(handling_field)), default=F(stage_field))


def with_limits(cases: QuerySet[Case]) -> QuerySet[Case]:
    """Annotate the limit that counts now: the handling limit while it runs, else the stage limit."""
    return cases.annotate(
        active_deadline=_while_handling("handling_deadline", "stage_deadline"),
        active_warning_at=_while_handling("handling_warning_at", "stage_warning_at"),
    )


def light_filter(light: str, now: datetime) -> Q:
    if light == Light.RED:
        return Q(active_deadline__lt=now)
    if light == Light.YELLOW:
        return Q(active_warning_at__lte=now, active_deadline__gte=now)
    return Q(active_warning_at__gt=now)


def overdue_filter(now: datetime) -> Q:
    """超期未处置: the handling limit of the current round has passed (a suspended case: before its pause)."""
    return Q(handling_running_since__isnull=False, handling_deadline__lt=now) | Q(
        status=S.SUSPENDED, handling_used__gte=F("handling_allowance")
    )


def due_soon_filter(now: datetime) -> Q:
    """将到期: the handling clock runs, its warning time (80 % of the limit) has come, its deadline not yet passed.

    The other half of `overdue_filter`: the two never overlap, and both read the running clock only.
    """
    return Q(handling_running_since__isnull=False, handling_warning_at__lte=now, handling_deadline__gte=now)


# -- list filters


@dataclass
class CaseFilters:
    status: list[str] | None = None
    class_code: str | None = None
    major: str | None = None
    division: str | None = None
    grid: str | None = None
    department: str | None = None
    light: str | None = None
    overdue: bool | None = None
    due_soon: bool | None = None
    source: str | None = None
    group: str | None = None
    handled_by: str | None = None
    on_time: bool | None = None
    reworked: bool | None = None
    date_field: str | None = None
    reported_from: date | None = None
    reported_to: date | None = None


EARLIEST_DAY, LATEST_DAY = date(2000, 1, 1), date(2099, 12, 31)


def _local_start(day: date, *, next_day: bool = False) -> datetime:
    """Midnight in Asia/Shanghai at the start of `day` (or of the day after it)."""
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise DomainError(f"日期 {day} 超出范围（{EARLIEST_DAY} 至 {LATEST_DAY}）", code="bad_filter")
    return datetime.combine(day + timedelta(days=1 if next_day else 0), time.min, tzinfo=SHANGHAI)


SIMPLE_FILTERS = {
    "class_code": "case_class__code",
    "major": "case_class__major_code",
    "division": "grid_code__startswith",
    "grid": "grid_code",
    "department": "lead_department__short_name",
    "source": "source",
    "handled_by": "stats__handled_by_department__short_name",
    "on_time": "stats__handling_on_time",
}
# Which time the date range applies to (the case list's 时间口径); the figures that link to the list count the same.
DATE_FIELDS = {
    "reported": "reported_at",
    "registered": "stats__registered_at",
    "dispatched": "stats__first_dispatched_at",
    "received": "stats__dispatched_at",
    "reported_back": "stats__reported_back_at",
    "closed": "stats__closed_at",
    "late": "",  # 超期: see `late_between`
}


def filter_cases(user: User, filters: CaseFilters, now: datetime | None = None) -> QuerySet[Case]:
    now = now or timezone.now()
    cases = with_limits(visible_cases(user))
    if filters.status:
        unknown = [s for s in filters.status if s not in S.values]
        if unknown:
            raise DomainError(f"未知的状态「{'、'.join(unknown)}」", code="bad_filter")
        cases = cases.filter(status__in=filters.status)
    for name, lookup in SIMPLE_FILTERS.items():
        if (value := getattr(filters, name)) not in (None, ""):
            cases = cases.filter(**{lookup: value})
    if filters.reworked is not None:
        cases = cases.filter(stats__rework_count__gt=0) if filters.reworked else cases.filter(stats__rework_count=0)
    if filters.light:
        cases = cases.filter(light_filter(filters.light, now)).exclude(status__in=TERMINAL)
    if filters.overdue is not None:
        cases = cases.filter(overdue_filter(now)) if filters.overdue else cases.exclude(overdue_filter(now))
    if filters.due_soon is not None:
        cases = cases.filter(due_soon_filter(now)) if filters.due_soon else cases.exclude(due_soon_filter(now))
    if filters.group:
        if filters.group not in STATUS_GROUPS:
            raise DomainError(f"未知的状态分组「{filters.group}」", code="bad_filter")
        cases = cases.filter(status__in=STATUS_GROUPS[filters.group])
    return _in_dates(cases, filters, now)


def late_between(start: datetime, end: datetime, now: datetime) -> Q:
    """超期 in [start, end): open and past a handling deadline that fell in the period (超期未处置), or reported back
    late in the period (超期处置) — the dashboard's period figure."""
    open_late = overdue_filter(now) & Q(handling_deadline__gte=start, handling_deadline__lt=end)
    handled_late = Q(stats__handling_on_time=False, stats__reported_back_at__gte=start, stats__reported_back_at__lt=end)
    return open_late | handled_late


def _in_dates(cases: QuerySet[Case], filters: CaseFilters, now: datetime) -> QuerySet[Case]:
    field = DATE_FIELDS.get(filters.date_field or "reported")
    if field is None:
        raise DomainError(f"未知的时间口径「{filters.date_field}」", code="bad_filter")
    if field == "":
        start = _local_start(filters.reported_from or EARLIEST_DAY)
        end = _local_start(filters.reported_to or LATEST_DAY, next_day=True)
        return cases.filter(late_between(start, end, now))
    if filters.reported_from:
        cases = cases.filter(**{f"{field}__gte": _local_start(filters.reported_from)})
    if filters.reported_to:
        cases = cases.filter(**{f"{field}__lt": _local_start(filters.reported_to, next_day=True)})
    return cases


# -- work queue


def _task_states(role: str) -> set[str]:
    """States in which this role has something to do, read off the workflow table."""
    from xiuhua.cases.workflow import TRANSITIONS

    passive = {Action.URGE, Action.CALLBACK, Action.REQUEST_VOID, Action.REOPEN, Action.MERGE}
    return {state for t in TRANSITIONS if role in t.roles and t.action not in passive for state in t.sources}


def waiting_callback() -> Q:
    """Closed citizen/hotline/media cases, and reports merged into a closed case, not yet called back.

    The workflow keeps `Case.callback_due` (`steps.callback_due`); this reads it.
    """
    return Q(callback_due=True)


def my_tasks(user: User, now: datetime | None = None) -> QuerySet[Case]:
    """The user's work queue, most urgent limit first."""
    now = now or timezone.now()
    cases = with_limits(visible_cases(user))
    queue = Q(status__in=_task_states(user.role))
    if user.role == Role.DEPARTMENT:
        queue &= Q(lead_department_id=user.department_id)
    elif user.role == Role.INSPECTOR:
        # Verify and check tasks given to them, or to nobody in particular in their grids.
        queue = Q(status__in=[S.VERIFYING, S.CHECKING]) & (Q(assigned_inspector=user) | Q(assigned_inspector=None))
    elif user.role == Role.OPERATOR:
        queue |= waiting_callback()
    elif user.role in (Role.LEADER, Role.COMMANDER):
        queue = overdue_filter(now) | (light_filter(Light.RED, now) & ~Q(status__in=TERMINAL))
    return cases.filter(queue).order_by(F("active_deadline").asc(nulls_last=True), "reported_at")


# -- the inspector's phone


def nearest_first(cases: QuerySet[Case], lng: float, lat: float) -> QuerySet[Case]:
    """Cases ordered by distance from a WGS84 point (e.g. `my_tasks` for a phone that knows where it is).

    An equirectangular distance in SQL: within a district it orders exactly like the great-circle one, and
    every database computes it.
    """
    shrink = math.cos(math.radians(lat))
    dx = (F("lng") - Value(lng)) * Value(shrink)
    dy = F("lat") - Value(lat)
    squared = ExpressionWrapper(dx * dx + dy * dy, output_field=FloatField())
    return cases.annotate(distance_sq=squared).order_by("distance_sq", "reported_at")


def frequent_classes(user: User, *, limit: int = 8, days: int = 90, now: datetime | None = None) -> list[CaseClass]:
    """The classes a reporter is most likely to pick: their own recent reports first, then those of their area."""
    since = (now or timezone.now()) - timedelta(days=days)
    recent = visible_cases(user).filter(reported_at__gte=since)
    ranked: list[int] = []
    for cases in (recent.filter(reporter=user), recent):
        counts = cases.values("case_class").annotate(n=Count("id")).order_by("-n", "case_class")[:limit]
        ranked += [row["case_class"] for row in counts if row["case_class"] not in ranked]
    classes = CaseClass.objects.filter(active=True).in_bulk(ranked[: limit * 2])
    return [classes[pk] for pk in ranked if pk in classes][:limit]
