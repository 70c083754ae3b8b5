"""Two people acting on one case at the same moment, each on their own database connection."""

import threading
import time

import pytest
from django.db import connection, connections

from xiuhua.cases import workflow
from xiuhua.cases.models import Case, CaseEvent, CaseNumberSequence, Timer
from xiuhua.cases.timers import sweep
from xiuhua.cases.workflow import Conflict, apply_action
from xiuhua.intake.channels.staff.adapter import report_by_staff
from xiuhua.intake.services import ReportInput

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def run_together(*calls):
    """Start the calls in threads at once; returns what each returned or raised."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as exc:  # the outcome under test
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


@pytest.fixture
def slow_events(monkeypatch):
    """Hold each action's transaction open a moment, so the second really waits on the first."""
    record = workflow._record_event

    def slow(step, from_status):
        time.sleep(0.3)
        return record(step, from_status)

    monkeypatch.setattr(workflow, "_record_event", slow)


def test_two_dispatchers_at_once_one_wins_the_other_is_told(loop, people, slow_events):
    case = loop.to_registered()
    people_b = type(people)()
    results = run_together(
        lambda: apply_action(case.number, "dispatch", people.dispatcher, {"department": "zhifa"}),
        lambda: apply_action(case.number, "dispatch", people_b.dispatcher, {"department": "zhujian"}),
    )
    wins = [r for r in results if isinstance(r, Case)]
    conflicts = [r for r in results if isinstance(r, Conflict)]
    assert len(wins) == 1 and len(conflicts) == 1, results
    assert "当前为「已派遣」" in conflicts[0].message and "派遣" in conflicts[0].message
    assert CaseEvent.objects.filter(case=case, action="dispatch").count() == 1
    stored = Case.objects.get(pk=case.pk)
    assert stored.stats.dispatch_count == 1
    assert stored.lead_department.short_name == wins[0].lead_department.short_name


def test_concurrent_reports_get_distinct_numbers(people, spot):
    def report():
        data = ReportInput(class_code="01001", kind="event", description="并发上报", lng=spot[0], lat=spot[1])
        return report_by_staff(people.operator, data).case.number

    numbers = run_together(*[report] * 4)
    assert all(isinstance(n, str) for n in numbers), numbers
    assert len(set(numbers)) == 4
    assert CaseNumberSequence.objects.get().last == 4


def test_concurrent_retries_with_one_idempotency_key_store_one_case(people, spot):
    def report():
        data = ReportInput(class_code="01001", kind="event", description="重复提交", lng=spot[0], lat=spot[1])
        return report_by_staff(people.operator, data, idempotency_key="retry-1").case.number

    numbers = run_together(report, report)
    assert len(set(numbers)) == 1, numbers
    assert Case.objects.count() == 1


def test_sweeps_running_at_once_fire_each_timer_once(loop):
    from xiuhua.cases.tests.conftest import sh

    for _ in range(3):
        loop.report(now=sh(2026, 11, 2, 9, 0))
    results = run_together(*[lambda: sweep(now=sh(2026, 11, 3, 9, 0))] * 3)
    # 3 cases × one overdue mark; their warnings came due too but are dropped as stale once the limit passed.
    assert sum(sum(r.values()) for r in results) == 3, results
    assert CaseEvent.objects.filter(action="mark_overdue").count() == 3
    assert not Timer.objects.filter(fired_at__isnull=True).exists()


def test_uses_real_connections():
    assert connection.vendor in {"sqlite", "postgresql"}
