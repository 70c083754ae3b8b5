"""The monthly report (月度报告): the figures of one period for the cases a user sees, as a JSON-safe dict.

Every figure is a COUNT or GROUP BY in SQL over an indexed time column (`Case.reported_at`, the `CaseStats`
stage times), as on the dashboard (`cases.overview`, whose helpers this reuses); nothing loops over cases in
Python. Periods are Asia/Shanghai calendar periods (`evaluation.periods`). How each figure is counted:

- reports by source, frequent classes, grids, communities and hours: cases reported in the period
  (`Case.reported_at`); merged duplicates count, as they are reports too;
- registered, dispatched (first dispatch), reported back, closed, voided: the `CaseStats` time in the period;
- on-time handling rate (按期处置率): of the report-backs in the period, the share before the bundle deadline;
- closure rate (结案率): of the cases registered in the period, the share closed before the period ended;
- overdue: report-backs in the period after the deadline (超期处置), and the cases still open and past their
  handling limit now whose deadline passed before the period ended (超期未处置, listed, longest overdue first);
  reworked (返工): cases closed in the period that went back to the department at least once;
- 12345: cases reported in the period whose source is 12345 (the number of the source table, `live.by_channel`),
  and, apart, work orders of the 12345 hotline received through the hotline adapter in the period, answered on
  the call (当即办理) or transferred
  to a case (转办); transferred cases closed in the period and how many were handled in time; callbacks made in
  the period on cases from a work order and their satisfaction.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from django.conf import settings
from django.db.models import Avg, Count, F, Q, QuerySet
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay
from django.utils import timezone
from django.utils.translation import gettext as _

from xiuhua.accounts.models import User
from xiuhua.accounts.queries import sees_whole_district
from xiuhua.cases.choices import CaseStatus, Satisfaction, Source
from xiuhua.cases.live import by_channel
from xiuhua.cases.models import Case
from xiuhua.cases.overview import per_interval, reported_between, stage_rows, top_classes
from xiuhua.cases.queries import overdue_filter, scope_fingerprint, visible_cases
from xiuhua.catalog.models import CaseClass
from xiuhua.core.cache import computed_once
from xiuhua.core.errors import PermissionDenied
from xiuhua.evaluation.periods import Period
from xiuhua.intake.channels.hotline.models import Hotline, OrderState, WorkOrder
from xiuhua.reports.rankings import rankings
from xiuhua.territory.models import UnitGrid
from xiuhua.web.shell import REPORT_ROLES, scope_label
from xiuhua.worktime.clock import SHANGHAI

TREND_MONTHS = 6
TOP_CLASSES = 10
TOP_AREAS = 10
OVERDUE_LIST = 50
GOOD = (Satisfaction.VERY_SATISFIED, Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED)

Progress = Callable[[int, str], None]


def check_may_read(user: User) -> None:
    """Leaders, commanders, shift leaders and administrators read the report; anyone else is refused (403)."""
    if not (user.is_superuser or user.role in REPORT_ROLES):
        raise PermissionDenied(
            _("The monthly report is for leaders and the command centre; your role is %(role)s.")
            % {"role": user.get_role_display()}
        )


def scope_key(user: User) -> str:
    """Users who see exactly the same cases share report figures and files."""
    return scope_fingerprint(user)


def cached_monthly(user: User, period: Period) -> dict:
    """`build_monthly`, shared for `XIUHUA_REPORT_CACHE_SECONDS` by everyone with the same scope (the page, JSON)."""
    max_age = settings.XIUHUA_REPORT_CACHE_SECONDS
    if max_age <= 0:
        return build_monthly(user, period)
    check_may_read(user)
    key = f"xiuhua:monthly:{period.code}:{scope_key(user)}"
    return computed_once(key, lambda: build_monthly(user, period), max_age)


@dataclass(frozen=True)
class Scope:
    """What a section counts: the user's cases, their statistics rows, and the period's UTC bounds."""

    user: User
    period: Period
    now: datetime

    @property
    def cases(self) -> QuerySet[Case]:
        return visible_cases(self.user)

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        return self.period.bounds()

    def reported(self, period: Period | None = None) -> QuerySet[Case]:
        return reported_between(self.cases, *(period or self.period).bounds())

    @cached_property
    def months(self) -> list[dict]:
        """The figures of the period and the TREND_MONTHS before it, oldest first (counted once for two sections)."""
        periods = [self.period]
        for _n in range(TREND_MONTHS):
            periods.insert(0, periods[0].previous())
        return _month_figures(self, periods)


def build_monthly(user: User, period: Period, *, now: datetime | None = None, progress: Progress | None = None) -> dict:
    """The whole report for `period` as a dict of plain values (what the JSON API returns and the files show)."""
    check_may_read(user)
    scope = Scope(user, period, now or timezone.now())
    report: dict = {
        "period": period.code,
        "first_day": period.first_day.isoformat(),
        "last_day": period.last_day.isoformat(),
        "scope": scope_label(user),
        "generated_at": scope.now.astimezone(SHANGHAI).isoformat(timespec="seconds"),
    }
    for done, (name, section) in enumerate(SECTIONS, start=1):
        report[name] = section(scope)
        if progress:
            progress(round(100 * done / len(SECTIONS)), name)
    return report


# -- 1. totals and trend


def totals(scope: Scope) -> dict:
    figures = dict(scope.months[-1])
    figures["by_source"] = [
        {"source": source, "label": label, "count": n} for source, label, n in by_channel(scope.cases, *scope.bounds)
    ]
    return figures


def trend(scope: Scope) -> list[dict]:
    """The same figures for the period and the TREND_MONTHS periods before it, oldest first."""
    return scope.months


def _month_figures(scope: Scope, periods: list[Period]) -> list[dict]:
    intervals = [p.bounds() for p in periods]
    rows, via = stage_rows(scope.cases)
    counts = {"reported": per_interval(scope.cases, "reported_at", intervals)}
    for name, field in STAGE_FIELDS.items():
        counts[name] = per_interval(rows, f"{via}{field}", intervals)
    counts["voided"] = _voided(scope.cases, intervals)
    overdue = _overdue_by_end(scope, [end for _start, end in intervals])
    figures = []
    for i, (period, (start, end)) in enumerate(zip(periods, intervals, strict=True)):
        handled = rows.filter(**{f"{via}reported_back_at__gte": start, f"{via}reported_back_at__lt": end}).aggregate(
            handled=Count("pk"),
            on_time=Count(f"{via}handling_on_time", filter=Q(**{f"{via}handling_on_time": True})),
        )
        registered = rows.filter(**{f"{via}registered_at__gte": start, f"{via}registered_at__lt": end}).aggregate(
            closed=Count(f"{via}closed_at", filter=Q(**{f"{via}closed_at__lt": end}))
        )
        row = {name: values[i] for name, values in counts.items()}
        row |= {
            "period": period.code,
            "handled": handled["handled"],
            "handled_on_time": handled["on_time"],
            "open_overdue": overdue[i],
            # 按期处置率 as `cases.live.on_time_rate` defines it: the cases overdue now count as not on time.
            "on_time_rate": _rate(handled["on_time"], handled["handled"] + overdue[i]),
            "registered_closed": registered["closed"],
            "closure_rate": _rate(registered["closed"], row["registered"]),
        }
        figures.append(row)
    return figures


def still_overdue(scope: Scope, end: datetime) -> QuerySet[Case]:
    """超期未处置 as of the period's end: open and past the handling limit now (`live`'s overdue now), the limit
    having passed before `end` (a suspended case that used up its limit has no running deadline and counts)."""
    before_end = Q(handling_deadline__lt=end) | Q(handling_deadline__isnull=True)
    return scope.cases.filter(overdue_filter(scope.now)).filter(before_end).order_by()


def _overdue_by_end(scope: Scope, ends: list[datetime]) -> list[int]:
    """`still_overdue` for each period end, in one query."""
    counts = still_overdue(scope, max(ends)).aggregate(
        **{f"n{i}": Count("pk", filter=Q(handling_deadline__lt=end) | Q(handling_deadline__isnull=True))
           for i, end in enumerate(ends)}
    )  # fmt: skip
    return [counts[f"n{i}"] for i in range(len(ends))]


def _voided(cases: QuerySet[Case], intervals: list[tuple[datetime, datetime]]) -> list[int]:
    """Voided per interval in one pass: `voided_at` has no index, and voided cases are few (found by status)."""
    voided = cases.filter(
        status=CaseStatus.VOIDED, stats__voided_at__gte=intervals[0][0], stats__voided_at__lt=intervals[-1][1]
    )
    counts = voided.aggregate(
        **{
            f"i{i}": Count("pk", filter=Q(stats__voided_at__gte=start, stats__voided_at__lt=end))
            for i, (start, end) in enumerate(intervals)
        }
    )
    return [counts[f"i{i}"] for i in range(len(intervals))]


STAGE_FIELDS = {
    "registered": "registered_at",
    "dispatched": "first_dispatched_at",
    "reported_back": "reported_back_at",
    "closed": "closed_at",
}


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


# -- 3. frequent problems


def frequent_classes(scope: Scope) -> list[dict]:
    """The TOP_CLASSES classes most reported in the period, with the previous period's count and the change."""
    top = top_classes(scope.cases, *scope.bounds, limit=TOP_CLASSES)
    codes = [c.code for c in top]
    previous = dict(
        scope.reported(scope.period.previous())
        .filter(case_class__code__in=codes)
        .values_list("case_class__code")
        .annotate(n=Count("*"))
    )
    majors = dict(CaseClass.objects.filter(code__in=codes).values_list("code", "major_code"))
    return [
        {
            "code": c.code,
            "name": c.name,
            "major_code": majors.get(c.code, ""),
            "major_name": c.detail,
            "count": c.count,
            "previous": previous.get(c.code, 0),
            "change": c.count - previous.get(c.code, 0),
        }
        for c in top
    ]


# -- 4. frequent areas


def frequent_areas(scope: Scope) -> dict:
    """Reports per unit grid (all of them, for the map) and the top grids and communities."""
    per_grid = dict(scope.reported().values_list("grid_code").annotate(n=Count("*")))
    grids = {
        code: (name, community_code, community_name)
        for code, name, community_code, community_name in UnitGrid.objects.filter(code__in=per_grid).values_list(
            "code", "name", "community__code", "community__name"
        )
    }
    per_community: Counter[tuple[str, str]] = Counter()
    for code, n in per_grid.items():
        _name, community_code, community_name = grids.get(code, (code, "", ""))
        per_community[(community_code, community_name)] += n
    top_grids = sorted(per_grid.items(), key=lambda item: (-item[1], item[0]))[:TOP_AREAS]
    top_communities = sorted(per_community.items(), key=lambda item: (-item[1], item[0][0]))[:TOP_AREAS]
    return {
        "grids": [
            {
                "code": code,
                "name": grids.get(code, (code,))[0] or code,
                "community": grids.get(code, ("", "", ""))[2],
                "count": n,
            }
            for code, n in top_grids
        ],
        "communities": [{"code": code, "name": name, "count": n} for (code, name), n in top_communities],
        "per_grid": per_grid,
    }


# -- 5. frequent hours


def frequent_hours(scope: Scope) -> dict:
    """Reports per weekday (Monday first) and local hour: a 7 × 24 matrix."""
    counts = (
        scope.reported()
        .annotate(
            weekday=ExtractIsoWeekDay("reported_at", tzinfo=SHANGHAI), hour=ExtractHour("reported_at", tzinfo=SHANGHAI)
        )
        .values_list("weekday", "hour")
        .annotate(n=Count("*"))
    )
    matrix = [[0] * 24 for _day in range(7)]
    for weekday, hour, n in counts:
        matrix[weekday - 1][hour] = n
    return {"matrix": matrix, "max": max(max(row) for row in matrix)}


# -- 6. overdue and reworked


def overdue(scope: Scope) -> dict:
    start, end = scope.bounds
    rows, via = stage_rows(scope.cases)
    late = rows.filter(**{f"{via}reported_back_at__gte": start, f"{via}reported_back_at__lt": end})
    reworked = rows.filter(**{f"{via}closed_at__gte": start, f"{via}closed_at__lt": end, f"{via}rework_count__gt": 0})
    still_open = still_overdue(scope, end)
    # The overdue cases are few and read off the running clocks' partial index; ordered in SQL by deadline, the
    # planner would walk the deadline index through every closed case instead. A suspended case has no running
    # deadline: it sorts last.
    deadlines = sorted(still_open.values_list("handling_deadline", "pk"), key=lambda row: (row[0] is None, row))
    longest = [pk for _deadline, pk in deadlines[:OVERDUE_LIST]]
    listed = Case.objects.filter(pk__in=longest).select_related("case_class", "lead_department")
    listed = listed.order_by(F("handling_deadline").asc(nulls_last=True), "id")
    return {
        "handled_late": late.filter(**{f"{via}handling_on_time": False}).count(),
        "open_overdue": len(deadlines),
        "reworked": reworked.count(),
        "cases": [
            {
                "number": case.number,
                "class": case.case_class.name,
                "department": case.lead_department.name if case.lead_department else "",
                "deadline": _local_minute(case.handling_deadline),
                "overdue_hours": _hours_since(case.handling_deadline, scope.now),
            }
            for case in listed
        ],
    }


def _local_minute(moment: datetime | None) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if moment else _("suspended")


def _hours_since(moment: datetime | None, now: datetime) -> float | None:
    return round((now - moment).total_seconds() / 3600, 1) if moment else None


# -- 7. 12345


def hotline(scope: Scope) -> dict:
    start, end = scope.bounds
    orders = WorkOrder.objects.filter(hotline=Hotline.H12345)
    if not sees_whole_district(scope.user):
        orders = orders.filter(case__in=scope.cases)
    received = orders.filter(received_at__gte=start, received_at__lt=end).aggregate(
        total=Count("*"),
        answered=Count("pk", filter=Q(state=OrderState.ANSWERED)),
        transferred=Count("pk", filter=Q(state=OrderState.TRANSFERRED)),
    )
    ordered_cases = scope.cases.filter(work_order__hotline=Hotline.H12345)
    closed = ordered_cases.filter(stats__closed_at__gte=start, stats__closed_at__lt=end).aggregate(
        closed=Count("*"), on_time=Count("pk", filter=Q(stats__handling_on_time=True))
    )
    called = ordered_cases.filter(stats__callback_at__gte=start, stats__callback_at__lt=end)
    calls = called.aggregate(
        callbacks=Count("*"),
        rated=Count("pk", filter=~Q(stats__satisfaction="")),
        good=Count("pk", filter=Q(stats__satisfaction__in=GOOD)),
        score=Avg("stats__satisfaction_score"),
    )
    by_level = dict(called.exclude(stats__satisfaction="").values_list("stats__satisfaction").annotate(n=Count("*")))
    # The source table counts cases whose source is 12345 however they came in (an operator may type a call in);
    # work orders are only what arrived through the hotline adapter. Both are shown, labelled apart.
    from_12345 = scope.reported().filter(source=Source.HOTLINE_12345).count()
    return {
        "cases_from_12345": from_12345,
        "orders": received["total"],
        "answered": received["answered"],
        "transferred": received["transferred"],
        "transferred_closed": closed["closed"],
        "transferred_closed_on_time": closed["on_time"],
        "on_time_closure_rate": _rate(closed["on_time"], closed["closed"]),
        "callbacks": calls["callbacks"],
        "satisfaction_rate": _rate(calls["good"], calls["rated"]),
        "average_score": None if calls["score"] is None else round(calls["score"], 1),
        "satisfaction": [
            {"level": level, "label": str(label), "count": by_level.get(level, 0)}
            for level, label in Satisfaction.choices
        ],
    }


def section_label(name: str) -> str:
    """A section's heading, as the progress bar shows what is being counted."""
    return {
        "totals": _("Totals"),
        "trend": _("Trend of the last seven months"),
        "rankings": _("Rankings"),
        "classes": _("Frequent problems"),
        "areas": _("Frequent areas"),
        "hours": _("Frequent hours"),
        "overdue": _("Overdue and reworked"),
        "hotline": _("12345 hotline"),
    }[name]


def _rankings(scope: Scope) -> dict:
    return rankings(scope.period, scope.user)


SECTIONS: list[tuple[str, Callable[[Scope], object]]] = [
    ("totals", totals),
    ("trend", trend),
    ("rankings", _rankings),
    ("classes", frequent_classes),
    ("areas", frequent_areas),
    ("hours", frequent_hours),
    ("overdue", overdue),
    ("hotline", hotline),
]
