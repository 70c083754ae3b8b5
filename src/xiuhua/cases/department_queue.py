"""A department's cases as its workbench lists them: the ones it leads, by quick filter, and the ones it assists on.

The lead unit's work queue (`queries.my_tasks`) holds only the cases it can act on now (dispatched, handling);
the workbench also shows what waits on others — requests for approval, reports back waiting for the check — so
that the department sees everything it is answerable for, most urgent handling limit first.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Case as When_
from django.db.models import Count, DateTimeField, F, Q, QuerySet, Value, When

from xiuhua.accounts.models import User
from xiuhua.cases import clock
from xiuhua.cases.choices import CaseStatus as S
from xiuhua.cases.models import Case
from xiuhua.cases.queries import LEAD_OPEN, REPORTED_BACK, WAITING_APPROVAL, overdue_filter, visible_cases, with_limits
from xiuhua.worktime.clock import SHANGHAI, current_calendar

# Quick filters of the lead cases, in the order the workbench shows them; "open" is everything not finished.
VIEWS = ("open", "to_handle", "handling", "reported_back", "overdue")
# Sorts after every running deadline (build_table orders by plain fields, where NULL would come first).
NO_DEADLINE = datetime(9999, 12, 31, tzinfo=SHANGHAI)


def view_filter(view: str, now: datetime) -> Q:
    """待处置: sent, not started; 处置中: being handled, including a request waiting for the dispatcher;
    已反馈待核查: reported back, waiting for the centre's check and close; 超期: handling limit passed."""
    return {
        "open": Q(),
        "to_handle": Q(status=S.DISPATCHED),
        "handling": Q(status__in=(S.HANDLING, *WAITING_APPROVAL)),
        "reported_back": Q(status__in=REPORTED_BACK),
        "overdue": overdue_filter(now),
    }[view]


def view_list_filters(view: str, department_code: str) -> dict[str, str | bool | tuple[str, ...] | None]:
    """The `/cases/` filters (`queries.CaseFilters`) of the same set as a quick filter: the department's lead cases
    in the tab's statuses, and for 超期 the same live overdue definition. Named statuses rather than a status group,
    because the tabs count `LEAD_OPEN` (a suspended case or a void request still sits with the department)."""
    statuses = {
        "open": LEAD_OPEN,
        "to_handle": (S.DISPATCHED,),
        "handling": (S.HANDLING, *WAITING_APPROVAL),
        "reported_back": REPORTED_BACK,
        "overdue": LEAD_OPEN,
    }[view]
    return {"department": department_code, "status": statuses, "overdue": True if view == "overdue" else None}


def _by_deadline(cases: QuerySet[Case]) -> QuerySet[Case]:
    """Annotate `due`: the handling deadline while the clock runs, else NO_DEADLINE (sorted last)."""
    running = When(handling_running_since__isnull=False, then=F("handling_deadline"))
    due = When_(running, default=Value(NO_DEADLINE), output_field=DateTimeField())
    return with_limits(cases).annotate(due=due)


def led_cases(user: User, view: str = "open", now: datetime | None = None) -> QuerySet[Case]:
    """Open cases the user's department leads, narrowed by one quick filter; unknown filters mean "open"."""
    if view not in VIEWS:
        view = "open"
    cases = visible_cases(user).filter(lead_department_id=user.department_id, status__in=LEAD_OPEN)
    return _by_deadline(cases.filter(view_filter(view, now or datetime.now(SHANGHAI))))


def view_counts(user: User, now: datetime) -> dict[str, int]:
    """How many lead cases each quick filter holds (the numbers on the tabs), in one query."""
    counts = {view: Count("pk", filter=view_filter(view, now)) for view in VIEWS}
    return led_cases(user, "open", now).aggregate(**counts)


def assisted_cases(user: User) -> QuerySet[Case]:
    """Open cases the user's department assists on (another unit leads), most urgent first."""
    cases = visible_cases(user).filter(assisting_departments=user.department_id, status__in=LEAD_OPEN)
    cases = cases.exclude(lead_department_id=user.department_id)
    return _by_deadline(cases).order_by("due", "reported_at")


def handling_left(case: Case, now: datetime) -> timedelta | None:
    """The handling limit still left (negative: overdue by), in the clock's unit — working time for working
    limits; None when no handling clock applies. A suspended case shows what was left when it was paused."""
    if not case.handling_unit or case.status not in LEAD_OPEN or case.status in REPORTED_BACK:
        return None
    return case.handling_allowance - clock.handling_used(case, current_calendar(), now)
