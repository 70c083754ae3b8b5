"""The department workbench: the cases the department leads (by deadline, with quick filters and the actions it
may take on each), the ones it assists on, and its own figures for this month."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiuhua.accounts.choices import Role
from xiuhua.accounts.models import User
from xiuhua.cases import clock, department_queue, presenters, queries
from xiuhua.cases.choices import Action
from xiuhua.cases.figures import DepartmentMonthFigures, department_month_figures, month_start_of
from xiuhua.cases.live import case_list_query
from xiuhua.cases.models import Case
from xiuhua.cases.workflow import allowed_actions
from xiuhua.core.errors import NotFound
from xiuhua.web.actions import DANGER, action_panels
from xiuhua.web.errors import forbidden, page_not_found
from xiuhua.web.tables import Column, build_table
from xiuhua.web.views.shell import safe_next
from xiuhua.worktime.clock import SHANGHAI

COLUMNS = [
    Column(gettext_lazy("Light"), css="text-center"),
    Column(gettext_lazy("Case number"), "number"),
    Column(gettext_lazy("Class")),
    Column(gettext_lazy("Location")),
    Column(gettext_lazy("Status")),
    Column(gettext_lazy("Handling deadline"), "due"),
    Column(gettext_lazy("Actions"), css="text-end"),
]
VIEW_LABELS = {
    "open": gettext_lazy("All open"),
    "to_handle": gettext_lazy("To handle"),
    "handling": gettext_lazy("Handling"),
    "reported_back": gettext_lazy("Reported back, to check"),
    "overdue": gettext_lazy("Overdue"),
}
ASSISTED_SHOWN = 20


@dataclass
class Row:
    """One case on the workbench: its handling light and time left, and the actions the user may take.

    Only the actions' buttons are drawn with the list; a button's form is fetched when it is first opened
    (`action_form`), so a page of 25 cases does not build and send a hundred forms nobody opens.
    """

    case: Case
    light: str | None
    left: timedelta | None
    actions: list[dict]


ACTION_LABELS = dict(Action.choices)


def _row(case: Case, user: User, now: datetime, with_actions: bool = True) -> Row:
    light = None
    if case.handling_running_since is not None:
        light = clock.light_of(case.handling_warning_at, case.handling_deadline, now)
    actions = [
        {"action": action, "label": ACTION_LABELS[action], "danger": action in DANGER}
        for action in (allowed_actions(case, user) if with_actions else [])
    ]
    return Row(case, light, department_queue.handling_left(case, now), actions)


def _not_a_handler(request: HttpRequest) -> HttpResponse | None:
    user = request.user
    if user.role != Role.DEPARTMENT or user.department_id is None:
        return forbidden(request, _("The department workbench is for the handlers of a department."))
    return None


@login_required
def workbench(request: HttpRequest) -> HttpResponse:
    if refusal := _not_a_handler(request):
        return refusal
    user = request.user
    now = timezone.now()
    view = request.GET.get("show", "open")
    view = view if view in department_queue.VIEWS else "open"
    cases = department_queue.led_cases(user, view, now).select_related(*presenters.SUMMARY_RELATIONS, "stats")
    table = build_table(request, cases, COLUMNS, "due")
    counts = department_queue.view_counts(user, now)
    context = {
        "table": table,
        "rows": [_row(case, user, now) for case in table.rows],
        "view": view,
        "views": [
            {"name": name, "label": VIEW_LABELS[name], "count": counts[name], "cases": view_link(user, name)}
            for name in department_queue.VIEWS
        ],
        "now": now,
        "waiting_approval": department_queue.WAITING_APPROVAL,
    }
    if request.htmx:
        return render(request, "web/department/cases.html", context)
    assisted = department_queue.assisted_cases(user).select_related(*presenters.SUMMARY_RELATIONS, "stats")
    context.update(
        assisted=[_row(case, user, now, with_actions=False) for case in assisted[:ASSISTED_SHOWN]],
        assisted_count=assisted.count(),
    )
    return render(request, "web/department/workbench.html", context)


def view_link(user: User, view: str) -> str:
    """The case list holding exactly a quick filter's cases (what its count links to)."""
    filters = department_queue.view_list_filters(view, user.department.short_name)
    return reverse("web:case_list") + "?" + case_list_query(**filters)


@login_required
def figures(request: HttpRequest) -> HttpResponse:
    """The department's figures for this month, fetched by the workbench after it is drawn: counting a month of
    a large district takes longer than the work queue, which should not wait for it."""
    if refusal := _not_a_handler(request):
        return refusal
    now = timezone.now()
    month = department_month_figures(request.user.department, month_start_of(now), now)
    return render(request, "web/department/figures.html", {"figures": month, "links": figure_links(month, now)})


def figure_links(month: DepartmentMonthFigures, now: datetime) -> dict[str, str]:
    """The case list behind each of the department's figures: the `/cases/` filter of the same definition."""
    code = month.department_code
    dates = {"reported_from": month.month_start, "reported_to": now.astimezone(SHANGHAI).date()}
    handled = {"handled_by": code, "date_field": "reported_back", **dates}
    links = {
        "received": {"department": code, "date_field": "received", **dates},
        "handled": handled,
        "handled_on_time": {**handled, "on_time": True},
        "overdue_open": {"department": code, "overdue": True},
        "reworked": {"handled_by": code, "date_field": "closed", "reworked": True, **dates},
    }
    return {name: reverse("web:case_list") + "?" + case_list_query(**query) for name, query in links.items()}


@login_required
def action_form(request: HttpRequest, number: str, action: str) -> HttpResponse:
    """One action's form for a workbench row, opened (the shared partial); it posts to `web:act` like every form."""
    if refusal := _not_a_handler(request):
        return refusal
    try:
        case = queries.case_for(request.user, number)
    except NotFound as exc:
        return page_not_found(request, exc.message)
    if action not in allowed_actions(case, request.user):
        message = _("This action is not open on case %(number)s now; reload the page.") % {"number": number}
        return HttpResponse(message, status=409)
    panel = action_panels(case, request.user, [action], id_prefix=f"c{case.pk}-")[0]
    next_url = safe_next(request, reverse("web:department"))
    context = {"panel": panel, "case": case, "next": next_url, "open": True}
    return render(request, "web/partials/action_form.html", context)
