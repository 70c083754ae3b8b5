"""A department's own figures for one calendar month (Asia/Shanghai), read from `CaseStats` rows and case fields.

This is the small set a department sees on its workbench; the full monthly evaluation (综合评价) with every
indicator of `reference/standards.md` §6 is a later piece of work. The definitions follow §6.2–6.3:

- **received** (接收数): cases whose latest dispatch (`CaseStats.dispatched_at`) fell in the month and whose lead
  unit is the department now. A case the department returned and the dispatcher sent elsewhere counts for the
  unit that holds it; a rework is not a new dispatch, so it is not received twice.
- **handled** (处置数): cases the department reported back in the month (`CaseStats.reported_back_at`, the latest
  report-back, and `handled_by_department`). A case reported back twice (after a failed check) counts once, in the
  month of its latest report-back.
- **handled on time** (按期处置数): of those, the ones reported back by the bundle deadline in force, extensions
  included (`CaseStats.handling_on_time`: report-back time ≤ deadline).
- **on-time rate** (按期处置率): handled on time ÷ (handled + overdue open now), `live.on_time_rate` — the one
  definition the dashboard uses too. The department's overdue open cases count as not on time: two open cases
  81 hours overdue pull the rate below 100 % before they are reported back. None when nothing is judged yet.
- **overdue open now** (超期未处置): the department's open cases whose handling limit has passed at `now`
  (`queries.overdue_filter`: a running clock past its deadline, or a suspended case that used up its limit before
  the pause) — a state of now, not of the month.
- **reworked** (返工数): cases closed in the month (`CaseStats.closed_at`) that the department handled last and that
  went back to it at least once (a failed check or a reopening, `CaseStats.rework_count` > 0). Like the
  implementations in §6.3, rework is counted when the case closes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Q

from xiuhua.accounts.models import Department
from xiuhua.cases.department_queue import LEAD_OPEN
from xiuhua.cases.live import on_time_rate
from xiuhua.cases.models import Case, CaseStats
from xiuhua.cases.queries import overdue_filter
from xiuhua.worktime.clock import SHANGHAI


@dataclass(frozen=True)
class DepartmentMonthFigures:
    month_start: date
    department_code: str
    received: int
    handled: int
    handled_on_time: int
    overdue_open: int
    reworked: int

    @property
    def on_time_rate(self) -> float | None:
        """按期处置率 (0–1) as `live.on_time_rate` defines it: its overdue open cases count as not on time."""
        return on_time_rate(self.handled_on_time, self.handled, self.overdue_open)

    @property
    def judged(self) -> int:
        """The rate's denominator: handled this month and overdue open now."""
        return self.handled + self.overdue_open


def month_start_of(moment: datetime) -> date:
    """The first day of the Asia/Shanghai calendar month containing `moment`."""
    return moment.astimezone(SHANGHAI).date().replace(day=1)


def month_bounds(month_start: date) -> tuple[datetime, datetime]:
    """Local midnight at the start of the month and of the next one (the month is [start, end))."""
    start = datetime(month_start.year, month_start.month, 1, tzinfo=SHANGHAI)
    following = date(month_start.year + month_start.month // 12, month_start.month % 12 + 1, 1)
    return start, datetime(following.year, following.month, 1, tzinfo=SHANGHAI)


def department_month_figures(department: Department, month_start: date, now: datetime) -> DepartmentMonthFigures:
    """The department's figures for the month starting `month_start`; the overdue count is as of `now`."""
    start, end = month_bounds(month_start)
    handled = Q(reported_back_at__gte=start, reported_back_at__lt=end)
    closed = Q(closed_at__gte=start, closed_at__lt=end)
    # One pass over the department's rows of the month (indexes on department + each time) for three figures.
    month_rows = CaseStats.objects.filter(handled | closed, handled_by_department=department)
    by_department = month_rows.aggregate(
        handled=Count("pk", filter=handled),
        handled_on_time=Count("pk", filter=handled & Q(handling_on_time=True)),
        reworked=Count("pk", filter=closed & Q(rework_count__gt=0)),
    )
    received = CaseStats.objects.filter(
        case__lead_department=department, dispatched_at__gte=start, dispatched_at__lt=end
    ).count()
    overdue_open = Case.objects.filter(lead_department=department, status__in=LEAD_OPEN).filter(overdue_filter(now))
    return DepartmentMonthFigures(
        month_start, department.short_name, received=received, overdue_open=overdue_open.count(), **by_department
    )
