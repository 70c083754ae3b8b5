"""Case events are append-only in the database and chained per case, on every path that writes them."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from xiuhua.cases.event_chain import verify_case_events
from xiuhua.cases.models import CaseEvent
from xiuhua.cases.tests.conftest import sh
from xiuhua.cases.timers import sweep
from xiuhua.core import append_only
from xiuhua.core.chain import GENESIS


def raw(sql: str, params: list) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def chain_of(case) -> list[CaseEvent]:
    return list(CaseEvent.objects.filter(case=case).order_by("id"))


def assert_chained(events: list[CaseEvent]) -> None:
    assert events[0].prev_hash == GENESIS
    for before, after in zip(events, events[1:], strict=False):
        assert after.prev_hash == before.hash and after.hash


def test_workflow_and_timer_events_are_chained_per_case(loop):
    case = loop.to_dispatched(now=sh(2026, 11, 2, 9, 0))
    other = loop.to_registered(now=sh(2026, 11, 2, 9, 5))
    sweep(now=sh(2027, 1, 10, 9, 0))
    events = chain_of(case)
    assert {"report", "accept", "register", "dispatch"} <= {e.action for e in events}
    assert "mark_overdue" in {e.action for e in events}  # written by the timers, not apply_action
    assert_chained(events)
    assert_chained(chain_of(other))
    count, broken = verify_case_events()
    assert broken is None and count == CaseEvent.objects.count()


def test_bulk_created_events_are_chained_per_case(loop):
    first, second = loop.report_by_inspector(), loop.report_by_inspector()
    new = [
        CaseEvent(case=case, action="urge", to_status=case.status, at=sh(2026, 11, 5, 9, n))
        for n, case in enumerate([first, second, first])
    ]
    CaseEvent.objects.bulk_create(new)
    assert_chained(chain_of(first))
    assert_chained(chain_of(second))
    assert verify_case_events()[1] is None


def test_raw_sql_update_and_delete_of_case_events_fail(loop):
    event = chain_of(loop.report_by_inspector())[0]
    with pytest.raises(DatabaseError):
        raw("UPDATE cases_caseevent SET note = 'forged' WHERE id = %s", [event.pk])
    with pytest.raises(DatabaseError):
        raw("DELETE FROM cases_caseevent WHERE id = %s", [event.pk])
    assert CaseEvent.objects.get(pk=event.pk).note == event.note


def test_event_altered_with_triggers_dropped_is_named_by_verify(loop):
    case = loop.to_registered(now=sh(2026, 11, 2, 9, 0))
    accepted = CaseEvent.objects.get(case=case, action="accept")
    append_only.uninstall(connection, ["cases_caseevent"])
    try:
        raw("UPDATE cases_caseevent SET note = 'forged', actor_id = NULL WHERE id = %s", [accepted.pk])
    finally:
        append_only.install(connection, ["cases_caseevent"])
    with pytest.raises(CommandError) as failure:
        call_command("audit", "verify")
    assert f"cases_caseevent 第 {accepted.pk} 条记录" in str(failure.value)


def test_the_migration_chains_events_written_before_the_chain_existed(loop):
    import importlib
    from types import SimpleNamespace

    from django.db.migrations.loader import MigrationLoader

    case = loop.to_registered(now=sh(2026, 11, 2, 9, 0))
    before = [e.hash for e in chain_of(case)]
    append_only.uninstall(connection, ["cases_caseevent"])
    try:
        raw("UPDATE cases_caseevent SET prev_hash = '', hash = ''", [])
        migration = importlib.import_module("xiuhua.cases.migrations.0012_caseevent_hash_chain")
        state = MigrationLoader(connection).project_state(("cases", "0012_caseevent_hash_chain"))
        migration.seal_existing(state.apps, SimpleNamespace(connection=connection))
    finally:
        append_only.install(connection, ["cases_caseevent"])
    assert [e.hash for e in chain_of(case)] == before
    assert verify_case_events()[1] is None
