"""Work queues cost the same number of queries whatever their length: nothing is read per row.

Each queue is filled with copies of a case (or request) taken to the queue's state by the real workflow, once with
5 rows and once with 50; the page must make the same number of queries both times, and at most a fixed budget.
"""

from __future__ import annotations

import itertools
import re

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from xiuhua.cases.choices import Action, Source
from xiuhua.cases.choices import CaseStatus as S
from xiuhua.cases.models import Case, CaseEvent, CaseRequest, CaseStats
from xiuhua.catalog.models import Component
from xiuhua.territory.models import UnitGrid

pytestmark = pytest.mark.django_db
BUDGET = 10  # queries per queue page, whatever its length (issue 15)
SERIAL = itertools.count()


def signed_in(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=settings.DEMO_PASSWORD)
    return client


def copies(case: Case, count: int, **changes) -> list[Case]:
    """`count` copies of a case (with its statistics row and pending requests), each in its own grid."""
    case = Case.objects.get(pk=case.pk)
    stats = CaseStats.objects.filter(case_id=case.pk).first()
    requests = list(CaseRequest.objects.filter(case_id=case.pk, state="pending"))
    grids = list(UnitGrid.objects.select_related("community").order_by("code")[:count])
    made = []
    for i in range(count):
        grid = grids[i % len(grids)]
        copy = Case.objects.get(pk=case.pk)
        copy.pk = None
        copy.number = f"{case.number[:8]}9{next(SERIAL):04d}"
        copy.unit_grid, copy.grid_code = grid, grid.code
        for name, value in changes.items():
            setattr(copy, name, value)
        copy.save(force_insert=True)
        if stats is not None:
            stats.pk = stats.case_id = copy.pk
            stats.save(force_insert=True)
        for request in requests:
            request.pk, request.case_id = None, copy.pk
            request.save(force_insert=True)
        made.append(copy)
    return made


def queries_of(client: Client, url: str) -> tuple[int, int]:
    """The page's number of queries, and of cases it shows."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content.decode()[-2000:]
    shown = set(re.findall(r'data-(?:number|case)="(\d{13})"', response.content.decode()))
    return len(captured.captured_queries), len(shown)


def assert_flat(username: str, url: str, fill, budget: int = BUDGET) -> None:
    """The page's queries with 5 rows equal those with 50 (more rows than one page holds), within the budget."""
    client = signed_in(username)
    fill(5)
    client.get(url)  # warm-up: per-process caches (calendar, reference data)
    small, rows_before = queries_of(client, url)
    fill(45)
    large, rows_after = queries_of(client, url)
    assert 5 <= rows_before < rows_after, f"{url}: {rows_before} rows shown, then {rows_after}"
    assert large == small, f"{url}: {small} queries with 5 rows, {large} with 50"
    assert large <= budget, f"{url}: {large} queries"


# -- the dispatch queue: the routing suggestion of every row in bulk


def leader_assigned(case: Case, count: int, department: str = "zhujian") -> list[Case]:
    """Copies of a case as a leader's assignment naming a department (read off its report event by routing)."""
    made = copies(case, count, source=Source.LEADER)
    report = CaseEvent.objects.filter(case=case, action=Action.REPORT).first()
    for copy in made:
        report.pk, report.case_id = None, copy.pk
        report.details = {**report.details, "assigned_department": department}
        report.save(force_insert=True)
    return made


def test_the_dispatch_queue_reads_routing_once_whatever_its_length(loop, people, django_assert_max_num_queries):
    registered = loop.to_registered()
    part = Component.objects.filter(maintaining_department__isnull=False).first()

    def fill(count: int) -> None:
        copies(registered, count)
        leader_assigned(registered, 2)
        if part is not None:
            copies(registered, 2, component=part)

    assert_flat("dispatcher", "/centre/dispatch/", fill)
    client = signed_in("dispatcher")
    client.get("/centre/dispatch/")  # warm-up: per-process caches (calendar, reference data)
    with django_assert_max_num_queries(BUDGET):
        response = client.get("/centre/dispatch/?page=2")
    assert response.status_code == 200


def test_the_dispatch_queue_still_suggests_each_rows_unit(loop, people):
    from xiuhua.routing.services import route_case

    registered = loop.to_registered()
    (leader,) = leader_assigned(registered, 1)

    page = signed_in("dispatcher").get("/centre/dispatch/").content.decode()

    assert route_case(leader, leader.reported_at).lead.short_name == "zhujian"
    for case in (registered, leader):
        lead = route_case(case, case.reported_at).lead
        assert re.search(rf'data-number="{case.number}".*?{re.escape(str(lead.name))}.*?</tr>', page, re.S)


# -- the other queues


@pytest.mark.parametrize(
    ("username", "url", "to_state"),
    [
        ("operator", "/centre/intake/", "report"),
        ("shift_leader", "/centre/intake/?tab=register", "accepted"),
        ("operator", "/centre/intake/?tab=close", "to_handled"),
        ("dispatcher", "/centre/dispatch/?tab=suspended", "suspended"),
        ("operator", "/cases/", "to_dispatched"),
    ],
)
def test_a_case_queue_costs_the_same_queries_for_5_and_50_rows(loop, people, username, url, to_state):
    if to_state == "accepted":
        case = loop.report()
        loop.act(case, "accept", people.operator)
    elif to_state == "suspended":
        case = loop.to_dispatched()
        Case.objects.filter(pk=case.pk).update(status=S.SUSPENDED)
    else:
        case = getattr(loop, to_state)()

    assert_flat(username, url, lambda count: copies(case, count))


def test_the_callback_queue_costs_the_same_queries_for_5_and_50_rows(loop, people):
    case = loop.to_dispatched()

    assert_flat(
        "operator",
        "/centre/intake/?tab=callback",
        lambda count: copies(case, count, status=S.CLOSED, callback_due=True),
    )


def test_the_approvals_queue_costs_the_same_queries_for_5_and_50_rows(loop, people):
    case = loop.to_dispatched()
    loop.act(case, "request_extension", people.zhifa, note="需协调", extension_value=2, extension_unit="days")

    assert_flat("dispatcher", "/centre/dispatch/?tab=approvals", lambda count: copies(case, count))


def test_the_department_workbench_costs_the_same_queries_for_5_and_50_rows(loop, people):
    case = loop.to_dispatched()

    assert_flat("dept_zhifa", "/department/", lambda count: copies(case, count), budget=BUDGET + 2)


def test_the_inspectors_tasks_cost_the_same_queries_for_5_and_50_rows(loop, people):
    case = loop.report()
    loop.act(case, "accept", people.operator)
    loop.act(case, "verify", people.operator, inspector="inspector")

    assert_flat("inspector", "/m/", lambda count: copies(case, count))
