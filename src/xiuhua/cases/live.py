"""The live figures, each defined once: every page that shows one reads it from here (see docs/figures.md).

- **overdue now** (当前超期, 超期未处置): an open case whose handling limit has passed — `queries.overdue_filter`
  (the running handling clock is past its bundle deadline, or a suspended case used up its limit before the pause).
  Only the handling clock counts: a centre step past its own limit (登记、派遣、核查…) is 环节超时, shown apart on
  the map, and is not the department's overdue.
- **due soon** (将到期): the handling clock runs and has reached its warning time (80 % of the limit) but not the
  deadline — `queries.due_soon_filter`; never overlaps overdue.
- **handled / handled on time** (处置数 / 按期处置数): report-backs in the month (`CaseStats.reported_back_at`), and
  those made by the bundle deadline in force (`CaseStats.handling_on_time`).
- **on-time rate** (按期处置率) = handled on time ÷ (handled + overdue now). The cases overdue now have already
  missed their limit, so they count as not on time although they are not reported back yet: a department with two
  open cases 81 hours overdue no longer shows 100 %. A case reported back this month and now overdue again after
  a rework counts once per handling round.
- **by channel** (来源): cases reported in the period per `Case.source`. 12345 here means cases whose source is the
  12345 hotline, however they came in (work orders through the hotline adapter, or typed in by an operator).

Each figure also has its case list: `case_list_query` gives the `/cases/` filter of the same definition.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlencode

from django.db.models import Count, Q, QuerySet

from xiuhua.cases.choices import Source
from xiuhua.cases.models import Case
from xiuhua.cases.queries import OPEN, due_soon_filter, overdue_filter


def on_time_rate(handled_on_time: int, handled: int, overdue_open: int) -> float | None:
    """按期处置率 (0–1): handled on time ÷ (handled + overdue open now); None when nothing is judged yet."""
    judged = handled + overdue_open
    return handled_on_time / judged if judged else None


@dataclass(frozen=True)
class Now:
    """The state-of-now figures of a set of cases."""

    open: int
    overdue: int
    due_soon: int


def now_figures(cases: QuerySet[Case], now: datetime) -> Now:
    """Open, overdue now and due soon among `cases`, in one query."""
    row = cases.order_by().aggregate(
        open=Count("pk", filter=Q(status__in=OPEN)),
        overdue=Count("pk", filter=overdue_filter(now)),
        due_soon=Count("pk", filter=due_soon_filter(now)),
    )
    return Now(**row)


def by_channel(cases: QuerySet[Case], start: datetime, end: datetime) -> list[tuple[str, str, int]]:
    """(source, label, count) of the cases reported in [start, end), every channel in the order of `Source`."""
    reported = cases.filter(reported_at__gte=start, reported_at__lt=end).order_by()
    found = dict(reported.values_list("source").annotate(n=Count("*")))
    return [(source, str(label), found.get(source, 0)) for source, label in Source.choices]


def case_list_query(**filters: str | date | bool | tuple[str, ...] | list[str] | None) -> str:
    """The query string of `/cases/` that lists a figure's cases: the filters of `queries.CaseFilters`, dates as
    ISO days, booleans as true/false, several values (statuses) as the parameter repeated; empty values are left
    out."""
    params: dict[str, str | list[str]] = {}
    for name, value in filters.items():
        if value is None or value == "" or value == () or value == []:
            continue
        if isinstance(value, bool):
            value = "true" if value else "false"
        if isinstance(value, (list, tuple)):
            params[name] = [str(v) for v in value]
        else:
            params[name] = value.isoformat() if isinstance(value, date) else str(value)
    return urlencode(params, doseq=True)
