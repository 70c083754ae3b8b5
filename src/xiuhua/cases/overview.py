"""The figures of the leader's dashboard and the big screen, for the cases a user sees.

Every figure is one COUNT or GROUP BY in SQL over an indexed time column (`Case.reported_at`, the
`CaseStats` stage times, the open cases' handling deadline), never a loop over cases in Python, so the
page stays fast with a million cases. Days and months are Asia/Shanghai days and months.

- reported / registered / dispatched / closed: cases reported, registered, first dispatched, closed
  in the period;
- overdue: cases whose handling limit passed in the period and that are still not handled (超期未处置),
  plus cases handled late in the period (超期处置);
- on-time rate (按期处置率): of the cases reported back in the month, the share reported back before
  their bundle deadline;
- open cases by status: where the open cases wait now;
- top classes and top grids: where this month's reports came from;
- trend: reported and closed per day over the last 30 days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from xiuhua.accounts.models import User
from xiuhua.cases.mapping import OPEN_STATUSES
from xiuhua.cases.models import Case
from xiuhua.cases.queries import overdue_filter, visible_cases
from xiuhua.catalog.models import CaseClass
from xiuhua.territory.models import UnitGrid
from xiuhua.worktime.clock import SHANGHAI

TREND_DAYS = 30
TOP = 8


@dataclass(frozen=True)
class Counts:
    reported: int = 0
    registered: int = 0
    dispatched: int = 0
    closed: int = 0
    overdue: int = 0


@dataclass(frozen=True)
class Ranked:
    """One row of a top list: a class or a grid, and how many cases it had."""

    code: str
    name: str
    detail: str
    count: int


@dataclass(frozen=True)
class Trend:
    days: list[date]
    reported: list[int]
    closed: list[int]


@dataclass(frozen=True)
class Overview:
    as_of: datetime
    today: Counts
    month: Counts
    open_by_status: list[tuple[str, int]]  # (status, count) in workflow order, statuses with cases only
    overdue_now: int
    handled_month: int
    handled_on_time_month: int
    top_classes: list[Ranked]
    top_grids: list[Ranked]
    trend: Trend

    @property
    def open_cases(self) -> int:
        return sum(n for _status, n in self.open_by_status)

    @property
    def on_time_rate(self) -> float | None:
        """Share (0–1) of this month's report-backs that were on time; None when there were none."""
        return self.handled_on_time_month / self.handled_month if self.handled_month else None


@dataclass(frozen=True)
class Periods:
    """Local midnights: the start of the month, of today, of tomorrow, and of each trend day."""

    month: datetime
    today: datetime
    tomorrow: datetime
    days: list[date]

    def day_starts(self) -> list[datetime]:
        return [midnight(day) for day in self.days] + [self.tomorrow]


def midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=SHANGHAI)


def periods(now: datetime) -> Periods:
    today = now.astimezone(SHANGHAI).date()
    days = [today - timedelta(days=n) for n in range(TREND_DAYS - 1, -1, -1)]
    return Periods(midnight(today.replace(day=1)), midnight(today), midnight(today + timedelta(days=1)), days)


def overview(user: User, now: datetime | None = None) -> Overview:
    """All the figures, for the cases in the user's data scope."""
    now = now or timezone.now()
    span = periods(now)
    cases = visible_cases(user)
    reported = _since(cases, "reported_at", span)
    registered = _since(cases, "stats__registered_at", span)
    dispatched = _since(cases, "stats__first_dispatched_at", span)
    closed = _since(cases, "stats__closed_at", span)
    overdue = _overdue(cases, span, now)
    handled = _handled(cases, span)
    return Overview(
        as_of=now,
        today=Counts(
            reported[0], registered[0], dispatched[0], closed[0], overdue["open_today"] + handled["late_today"]
        ),
        month=Counts(
            reported[1], registered[1], dispatched[1], closed[1], overdue["open_month"] + handled["late_month"]
        ),
        open_by_status=open_by_status(cases),
        overdue_now=overdue["open_now"],
        handled_month=handled["handled"],
        handled_on_time_month=handled["on_time"],
        top_classes=top_classes(cases, span),
        top_grids=top_grids(cases, span),
        trend=trend(cases, span),
    )


def open_by_status(cases: QuerySet[Case]) -> list[tuple[str, int]]:
    counts = dict(cases.filter(status__in=OPEN_STATUSES).values_list("status").annotate(n=Count("pk")))
    return [(status, counts[status]) for status in OPEN_STATUSES if counts.get(status)]


def _since(cases: QuerySet[Case], field: str, span: Periods) -> tuple[int, int]:
    """(today, this month) counts of cases whose `field` falls in the period."""
    row = cases.filter(**{f"{field}__gte": span.month, f"{field}__lt": span.tomorrow}).aggregate(
        month=Count("pk"), today=Count("pk", filter=Q(**{f"{field}__gte": span.today}))
    )
    return row["today"], row["month"]


def _overdue(cases: QuerySet[Case], span: Periods, now: datetime) -> dict[str, int]:
    """Open cases past their handling limit: all of them, and those whose limit passed this month / today."""
    late = cases.filter(overdue_filter(now), status__in=OPEN_STATUSES)
    return late.aggregate(
        open_now=Count("pk"),
        open_month=Count("pk", filter=Q(handling_deadline__gte=span.month)),
        open_today=Count("pk", filter=Q(handling_deadline__gte=span.today)),
    )


def _handled(cases: QuerySet[Case], span: Periods) -> dict[str, int]:
    """Report-backs this month: how many were timed, how many on time, how many late (this month / today)."""
    month = cases.filter(stats__reported_back_at__gte=span.month, stats__reported_back_at__lt=span.tomorrow)
    return month.aggregate(
        handled=Count("pk", filter=Q(stats__handling_on_time__isnull=False)),
        on_time=Count("pk", filter=Q(stats__handling_on_time=True)),
        late_month=Count("pk", filter=Q(stats__handling_on_time=False)),
        late_today=Count("pk", filter=Q(stats__handling_on_time=False, stats__reported_back_at__gte=span.today)),
    )


def _reported_this_month(cases: QuerySet[Case], span: Periods) -> QuerySet[Case]:
    return cases.filter(reported_at__gte=span.month, reported_at__lt=span.tomorrow)


def top_classes(cases: QuerySet[Case], span: Periods, limit: int = TOP) -> list[Ranked]:
    """The classes most reported this month, most first (ties by class)."""
    counts = list(
        _reported_this_month(cases, span)
        .values_list("case_class_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "case_class_id")[:limit]
    )
    classes = CaseClass.objects.in_bulk([pk for pk, _n in counts])
    return [Ranked(classes[pk].code, classes[pk].name, classes[pk].major_name, n) for pk, n in counts if pk in classes]


def top_grids(cases: QuerySet[Case], span: Periods, limit: int = TOP) -> list[Ranked]:
    """The unit grids with most reports this month, most first (ties by grid code)."""
    counts = list(
        _reported_this_month(cases, span)
        .values_list("grid_code")
        .annotate(n=Count("pk"))
        .order_by("-n", "grid_code")[:limit]
    )
    names = {
        code: (name, community)
        for code, name, community in UnitGrid.objects.filter(code__in=[c for c, _n in counts]).values_list(
            "code", "name", "community__name"
        )
    }
    return [Ranked(code, *names.get(code, (code, "")), n) for code, n in counts]


def trend(cases: QuerySet[Case], span: Periods) -> Trend:
    """Reported and closed per local day over the last TREND_DAYS days (one query each, counts by day)."""
    return Trend(span.days, _per_day(cases, "reported_at", span), _per_day(cases, "stats__closed_at", span))


def _per_day(cases: QuerySet[Case], field: str, span: Periods) -> list[int]:
    starts = span.day_starts()
    buckets = {
        f"d{i}": Count("pk", filter=Q(**{f"{field}__gte": start, f"{field}__lt": end}))
        for i, (start, end) in enumerate(zip(starts, starts[1:], strict=False))
    }
    row = cases.filter(**{f"{field}__gte": starts[0], f"{field}__lt": starts[-1]}).aggregate(**buckets)
    return [row[f"d{i}"] for i in range(len(starts) - 1)]
