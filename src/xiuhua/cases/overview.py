"""The figures of the leader's dashboard and the big screen, for the cases a user sees.

Every figure is one COUNT or GROUP BY in SQL over an indexed time column (`Case.reported_at`, the
`CaseStats` stage times, the running clocks' handling deadline), never a loop over cases in Python, so the
page stays fast with a million cases: for a user who sees the whole district the counts read the indexes
alone (COUNT(*), stage times counted on `CaseStats` without joining the cases). Days and months are
Asia/Shanghai days and months.

- reported / registered / dispatched / closed: cases reported, registered, first dispatched, closed
  in the period (reported and closed are counted per day, for the trend too);
- overdue: cases whose handling limit passed in the period and that are still not handled (超期未处置),
  plus cases handled late in the period (超期处置);
- overdue now, due soon, on-time rate (按期处置率 = handled on time this month ÷ (handled this month + overdue
  now)) and reports by channel: as `cases.live` defines them, the one definition every page uses;
- open cases by status: where the open cases wait now;
- top classes and top grids: where this month's reports came from;
- trend: reported and closed per day over the last 30 days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Count, IntegerField, Q, QuerySet, Value
from django.utils import timezone

from xiuhua.accounts.models import User
from xiuhua.accounts.queries import scope_prefixes
from xiuhua.cases import live
from xiuhua.cases.mapping import OPEN_STATUSES
from xiuhua.cases.models import Case, CaseStats
from xiuhua.cases.queries import due_soon_filter, overdue_filter, scope_fingerprint, visible_cases
from xiuhua.catalog.models import CaseClass
from xiuhua.core.cache import computed_once
from xiuhua.territory.choices import DivisionLevel
from xiuhua.territory.models import Division, UnitGrid
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
    due_soon_now: int = 0
    channels_month: tuple[tuple[str, str, int], ...] = ()  # (source, label, count) reported this month

    @property
    def open_cases(self) -> int:
        return sum(n for _status, n in self.open_by_status)

    @property
    def on_time_rate(self) -> float | None:
        """按期处置率 (0–1) as `live.on_time_rate` defines it; None when nothing is judged yet."""
        return live.on_time_rate(self.handled_on_time_month, self.handled_month, self.overdue_now)

    @property
    def judged_month(self) -> int:
        """The rate's denominator: this month's report-backs and the cases overdue now."""
        return self.handled_month + self.overdue_now


@dataclass(frozen=True)
class Periods:
    """The local days that count: the trend's last TREND_DAYS days and this month's days, up to today."""

    today: date
    trend_days: list[date]

    @property
    def month_day(self) -> date:
        return self.today.replace(day=1)

    @property
    def month(self) -> datetime:
        return midnight(self.month_day)

    @property
    def today_start(self) -> datetime:
        return midnight(self.today)

    @property
    def tomorrow(self) -> datetime:
        return midnight(self.today + timedelta(days=1))

    @property
    def days(self) -> list[date]:
        """Every day from the earlier of the trend's first day and the 1st of the month, to today."""
        first = min(self.trend_days[0], self.month_day)
        return [first + timedelta(days=n) for n in range((self.today - first).days + 1)]


def midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=SHANGHAI)


def periods(now: datetime) -> Periods:
    today = now.astimezone(SHANGHAI).date()
    return Periods(today, [today - timedelta(days=n) for n in range(TREND_DAYS - 1, -1, -1)])


def overview(user: User, now: datetime | None = None) -> Overview:
    """All the figures, for the cases in the user's data scope."""
    now = now or timezone.now()
    span = periods(now)
    cases = counted_cases(user)
    stats, via = stage_rows(cases)
    reported = per_day(cases, "reported_at", span.days)
    closed = per_day(stats, f"{via}closed_at", span.days)
    registered = _since(stats, f"{via}registered_at", span)
    dispatched = _since(stats, f"{via}first_dispatched_at", span)
    overdue = _overdue(cases, span, now)
    handled = _handled(stats, via, span)
    today, month = _today_and_month(reported, span), _today_and_month(closed, span)
    return Overview(
        as_of=now,
        today=Counts(today[0], registered[0], dispatched[0], month[0], overdue["open_today"] + handled["late_today"]),
        month=Counts(today[1], registered[1], dispatched[1], month[1], overdue["open_month"] + handled["late_month"]),
        open_by_status=open_by_status(cases),
        overdue_now=overdue["open_now"],
        handled_month=handled["handled"],
        handled_on_time_month=handled["on_time"],
        top_classes=top_classes(cases, span.month, span.tomorrow),
        top_grids=top_grids(cases, span.month, span.tomorrow),
        trend=Trend(span.trend_days, [reported[d] for d in span.trend_days], [closed[d] for d in span.trend_days]),
        due_soon_now=overdue["due_soon"],
        channels_month=tuple(live.by_channel(cases, span.month, span.tomorrow)),
    )


def counted_cases(user: User) -> QuerySet[Case]:
    """The cases the user sees, as the figures count them: every case, with no filter, when the user's scope covers
    every district there is (a district's leader in a one-district installation), so that the counts read the
    indexes alone and stage times come from `CaseStats` without a join. The same cases either way: a case's grid
    code starts with its district's code, and every district is a `Division`."""
    cases = visible_cases(user)
    if cases.query.has_filters() and covers_every_district(scope_prefixes(user)):
        return Case.objects.all()  # visible_cases only widens the scope filter (own reports, led cases): still all
    return cases


def covers_every_district(prefixes: list[str]) -> bool:
    districts = Division.objects.filter(level=DivisionLevel.DISTRICT).values_list("code", flat=True)
    return bool(prefixes) and all(any(code.startswith(p) for p in prefixes) for code in districts)


def cached_overview(user: User, max_age: int) -> Overview:
    """The figures, computed at most once every `max_age` seconds for all users who see the same cases.

    Dashboards and big screens poll every minute; people with the same scope (the whole district, one
    sub-district) share one computation. The key is the SQL of the user's visible cases, so two users share
    figures exactly when they see the same cases.
    """
    if max_age <= 0:
        return overview(user)
    # On a cold cache one request (in any worker process) computes; the others wait for its figures.
    return computed_once("xiuhua:overview:" + scope_fingerprint(user), lambda: overview(user), max_age)


def _today_and_month(counts: dict[date, int], span: Periods) -> tuple[int, int]:
    return counts[span.today], sum(n for day, n in counts.items() if day >= span.month_day)


def stage_rows(cases: QuerySet[Case]) -> tuple[QuerySet, str]:
    """Where to count stage times, and the path to them: the statistics table alone when `cases` is every case
    (its indexes answer), else the cases joined to their statistics (`stats__…`)."""
    return (cases, "stats__") if cases.query.has_filters() else (CaseStats.objects.all(), "")


def _since(rows: QuerySet, field: str, span: Periods) -> tuple[int, int]:
    """(today, this month) counts of the rows whose `field` falls in the period (COUNT of indexed columns only)."""
    row = rows.filter(**{f"{field}__gte": span.month, f"{field}__lt": span.tomorrow}).aggregate(
        month=Count("*"), today=Count(field, filter=Q(**{f"{field}__gte": span.today_start}))
    )
    return row["today"], row["month"]


def _overdue(cases: QuerySet[Case], span: Periods, now: datetime) -> dict[str, int]:
    """Open cases past their handling limit: all of them, and those whose limit passed this month / today; and the
    cases due soon (the two filters are the running clock's, read from its partial index)."""
    overdue, due_soon = overdue_filter(now), due_soon_filter(now)
    return cases.filter(overdue | due_soon).aggregate(
        open_now=Count("pk", filter=overdue),
        open_month=Count("handling_deadline", filter=overdue & Q(handling_deadline__gte=span.month)),
        open_today=Count("handling_deadline", filter=overdue & Q(handling_deadline__gte=span.today_start)),
        due_soon=Count("pk", filter=due_soon),
    )


def _handled(rows: QuerySet, via: str, span: Periods) -> dict[str, int]:
    """Report-backs this month: how many were timed, how many on time, how many late (this month / today)."""
    back, on_time = f"{via}reported_back_at", f"{via}handling_on_time"
    month = rows.filter(**{f"{back}__gte": span.month, f"{back}__lt": span.tomorrow})
    return month.aggregate(
        handled=Count(back),
        on_time=Count(on_time, filter=Q(**{on_time: True})),
        late_month=Count(on_time, filter=Q(**{on_time: False})),
        late_today=Count(on_time, filter=Q(**{on_time: False, f"{back}__gte": span.today_start})),
    )


def open_by_status(cases: QuerySet[Case]) -> list[tuple[str, int]]:
    counts = dict(cases.filter(status__in=OPEN_STATUSES).order_by().values_list("status").annotate(n=Count("*")))
    return [(status, counts[status]) for status in OPEN_STATUSES if counts.get(status)]


def reported_between(cases: QuerySet[Case], start: datetime, end: datetime) -> QuerySet[Case]:
    return cases.filter(reported_at__gte=start, reported_at__lt=end).order_by()


def top_classes(cases: QuerySet[Case], start: datetime, end: datetime, limit: int = TOP) -> list[Ranked]:
    """The classes most reported in [start, end), most first (ties by class)."""
    counts = list(
        reported_between(cases, start, end)
        .values_list("case_class_id")
        .annotate(n=Count("*"))
        .order_by("-n", "case_class_id")[:limit]
    )
    classes = CaseClass.objects.in_bulk([pk for pk, _n in counts])
    return [Ranked(classes[pk].code, classes[pk].name, classes[pk].major_name, n) for pk, n in counts if pk in classes]


def top_grids(cases: QuerySet[Case], start: datetime, end: datetime, limit: int = TOP) -> list[Ranked]:
    """The unit grids with most reports in [start, end), most first (ties by grid code)."""
    counts = list(
        reported_between(cases, start, end)
        .values_list("grid_code")
        .annotate(n=Count("*"))
        .order_by("-n", "grid_code")[:limit]
    )
    names = {
        code: (name, community)
        for code, name, community in UnitGrid.objects.filter(code__in=[c for c, _n in counts]).values_list(
            "code", "name", "community__name"
        )
    }
    return [Ranked(code, *names.get(code, (code, "")), n) for code, n in counts]


def per_day(rows: QuerySet, field: str, days: list[date]) -> dict[date, int]:
    """Rows per local day by `field`, as one query (`per_interval`)."""
    counts = per_interval(rows, field, [(midnight(day), midnight(day + timedelta(days=1))) for day in days])
    return dict(zip(days, counts, strict=True))


def per_interval(rows: QuerySet, field: str, intervals: list[tuple[datetime, datetime]]) -> list[int]:
    """Rows per half-open interval of `field`, as one query: a UNION ALL of range counts, each read from an index.

    The ORM compiles one part only; the others are the same SQL with their own index and bounds (compiling 30–60
    parts through the ORM cost more time than the database spent counting them)."""
    db = connections[rows.db]
    marks = {_INDEX: None, **{db.ops.adapt_datetimefield_value(m): m for m in (_START, _END)}}
    try:
        sql, params = _interval_part(rows, field).query.get_compiler(using=rows.db).as_sql()
    except EmptyResultSet:  # a scope that can match nothing
        return [0] * len(intervals)
    if sorted(map(str, marks)) != sorted(str(p) for p in params if p in marks):
        raise RuntimeError(f"per_interval: the interval's bounds are not parameters of {sql}")  # never miscount
    template = "({})" if db.features.supports_slicing_ordering_in_compound else "{}"
    values = []
    for i, (start, end) in enumerate(intervals):
        own = {_INDEX: i, _START: start, _END: end}
        values += [_own(db, own, marks[p]) if p in marks else p for p in params]
    with db.cursor() as cursor:
        cursor.execute(" UNION ALL ".join([template.format(sql)] * len(intervals)), values)
        found = dict(cursor.fetchall())
    return [found.get(i, 0) for i in range(len(intervals))]


# Placeholders compiled into the one part, then replaced by each interval's index and bounds. No real parameter
# can equal them: the year 1 is before any case, and an interval's index is never negative.
_START = datetime(1, 1, 2, tzinfo=UTC)
_END = datetime(1, 1, 3, tzinfo=UTC)
_INDEX = -918_273


def _interval_part(rows: QuerySet, field: str) -> QuerySet:
    return (
        rows.filter(**{f"{field}__gte": _START, f"{field}__lt": _END})
        .order_by()
        .annotate(interval=Value(_INDEX, output_field=IntegerField()))
        .values("interval")
        .annotate(n=Count("*"))
        .values_list("interval", "n")
    )


def _own(db, own: dict, mark: datetime | None) -> object:
    """The interval's own value for a placeholder parameter, adapted as the backend adapts a datetime."""
    if mark is None:
        return own[_INDEX]
    return db.ops.adapt_datetimefield_value(own[mark])
