"""A command-centre workbench: tabs of queues on the left, the selected case beside them, acted on in place.

One URL per workbench. htmx asks for the part it swaps (`HX-Target`): `side-panel` when a row is clicked,
`queue` when the table is sorted or paged, `workbench` when a tab is chosen; a plain request gets the whole page,
with the case of `?case=` already open, so every state can be bookmarked and reloaded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xiuhua.accounts.choices import Role
from xiuhua.cases import presenters, queries
from xiuhua.cases.choices import Action, RequestState
from xiuhua.cases.models import Case
from xiuhua.catalog.models import RegisterCondition
from xiuhua.core.errors import NotFound
from xiuhua.intake.duplicates import possible_duplicates
from xiuhua.routing.services import route_case, route_cases
from xiuhua.web.actions import action_panels
from xiuhua.web.errors import forbidden, page_not_found
from xiuhua.web.queues import Tab
from xiuhua.web.tables import Column, build_table
from xiuhua.worktime.clock import current_calendar

PRIORITY = "priority"  # the default order of every queue: urgent first, then oldest first


@dataclass(frozen=True)
class Layout:
    """How a tab's rows look: the table's columns, the template of one row, and extras computed per row."""

    columns: list[Column]
    row_template: str
    decorate: Callable[[list, datetime], None] | None = None


@dataclass(frozen=True)
class Workbench:
    url_name: str
    title: str
    icon: str
    roles: frozenset[str]
    tabs: list[Tab]
    first_tab: dict[str, str]  # role → the tab it opens on
    layouts: dict[str, Layout] = field(default_factory=dict)  # tab key → its layout
    # Queues that are not cases (e.g. calls waiting for a class): (label, url, count, key) shown after the tabs.
    links: Callable[[Any], list[tuple[str, str, int, str]]] | None = None

    def tabs_for(self, user) -> list[Tab]:
        return [tab for tab in self.tabs if tab.shown_to(user)]


def workbench_view(bench: Workbench) -> Callable[[HttpRequest], HttpResponse]:
    @login_required
    def view(request: HttpRequest) -> HttpResponse:
        if request.user.role not in bench.roles:
            return forbidden(request, _refusal(bench, request.user.role))
        tabs = bench.tabs_for(request.user)
        wanted = request.GET.get("tab") or bench.first_tab.get(request.user.role, tabs[0].key)
        tab = next((t for t in tabs if t.key == wanted), tabs[0])
        try:
            context = _panel_context(request, bench, tab)
        except NotFound as exc:
            return page_not_found(request, exc.message)
        target = request.headers.get("HX-Target", "") if request.htmx else ""
        if target == "side-panel":
            return render(request, "web/centre/panel.html", context)
        context.update(_queue(request, bench, tab, context["now"]))
        if target == "queue":
            return render(request, "web/centre/queue.html", context)
        shown = context["table"].page.paginator.count  # the open tab is counted once, by its pager
        context["tabs"] = [(t, shown if t is tab else t.rows(request.user).count()) for t in tabs]
        context["bench_links"] = bench.links(request.user) if bench.links else []
        template = "web/centre/board.html" if target == "workbench" else "web/centre/workbench.html"
        return render(request, template, context)

    return view


def _panel_context(request: HttpRequest, bench: Workbench, tab: Tab) -> dict[str, Any]:
    """The tab, where actions come back to, and the open case's panel (if `?case=` names one)."""
    now = timezone.now()
    context: dict[str, Any] = {"bench": bench, "tab": tab, "now": now, "queue_query": _queue_query(request, tab)}
    context["next"] = f"{reverse(bench.url_name)}?tab={tab.key}"
    if number := request.GET.get("case", "").strip():
        context.update(case_panel(request, number, now))
    return context


def _refusal(bench: Workbench, role: str) -> str:
    labels = dict(Role.choices)
    roles = "、".join(str(labels[r]) for r in Role.values if r in bench.roles)
    return _("The %(page)s is for %(roles)s; your role is %(role)s.") % {
        "page": bench.title,
        "roles": roles,
        "role": labels.get(role, role),
    }


def _queue(request: HttpRequest, bench: Workbench, tab: Tab, now: datetime) -> dict[str, Any]:
    layout = bench.layouts[tab.key]
    table = build_table(request, tab.rows(request.user), layout.columns, PRIORITY)
    rows = list(table.rows)
    if layout.decorate:
        layout.decorate(rows, now)
    table.page.object_list = rows
    return {"table": table, "row_template": layout.row_template}


def _queue_query(request: HttpRequest, tab: Tab) -> str:
    """The queue's query string (tab, sort, page) without the open case, for links that open another one."""
    query = request.GET.copy()
    for name in ("case", "merge"):
        query.pop(name, None)
    query["tab"] = tab.key
    return query.urlencode()


def case_panel(request: HttpRequest, number: str, now: datetime) -> dict[str, Any]:
    """What the side panel shows of one case and the forms of the actions the user may take on it."""
    user = request.user
    case = queries.case_for(user, number)
    detail = presenters.case_detail(case, user, now, surface="centre_panel")
    allowed = detail["allowed_actions"]
    panel: dict[str, Any] = {"case": case, "detail": detail, "photos": _photos(case), "pending": _pending(case)}
    initial: dict[str, dict] = {}
    if Action.REGISTER in allowed:
        panel["conditions"] = register_conditions(case, now)
        initial[Action.REGISTER] = {"register_condition": _likely_condition(case, panel["conditions"])}
    if Action.DISPATCH in allowed:
        suggestion = route_case(case, now)
        panel.update(suggestion=suggestion, due_if_dispatched_now=_due(case.register_condition, now))
        initial[Action.DISPATCH] = {"department": suggestion.lead, "assisting": suggestion.assisting}
    if Action.MERGE in allowed:
        panel["duplicates"] = possible_duplicates(user, case.number)
        if parent := request.GET.get("merge", "").strip():
            initial[Action.MERGE] = {"parent": parent}
            panel["open_action"] = Action.MERGE
    panel["panels"] = action_panels(case, user, allowed, initial)
    return panel


def _pending(case: Case):
    return case.requests.filter(state=RequestState.PENDING).select_related("requested_by", "department").first()


def _likely_condition(case: Case, conditions: list[tuple[RegisterCondition, datetime]]) -> int | None:
    """Pre-select the condition already on the case, else the first of the case's urgency."""
    matching = (condition.pk for condition, _due_at in conditions if condition.urgency == case.urgency)
    return case.register_condition_id or next(matching, None)


def register_conditions(case: Case, now: datetime) -> list[tuple[RegisterCondition, datetime]]:
    """The class's register conditions, each with the handling deadline it would give if dispatched now."""
    conditions = RegisterCondition.objects.filter(case_class=case.case_class, active=True).select_related(
        "default_department"
    )
    return [(condition, _due(condition, now)) for condition in conditions]


def _due(condition: RegisterCondition | None, now: datetime) -> datetime | None:
    if condition is None:
        return None
    return current_calendar().add_limit(now, condition.handling_limit_value, condition.handling_limit_unit)


def _photos(case: Case) -> list:
    return [a for a in case.attachments.all() if a.content_type.startswith("image/")]


def with_suggestions(cases: list[Case], now: datetime) -> None:
    """Each registered case's routing suggestion (lead unit and why), for the dispatcher's queue: the rules and
    units are read once for the page, not once per row."""
    for case, suggestion in zip(cases, route_cases(cases, now), strict=True):
        case.suggestion = suggestion
