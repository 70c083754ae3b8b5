"""The audit trail is append-only in the database and its hash chain shows any row changed behind its back."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from xiuhua.accounts.models import User
from xiuhua.core import append_only
from xiuhua.core.audit import record_audit
from xiuhua.core.chain import GENESIS
from xiuhua.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def raw(sql: str, params: list | None = None) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def verify() -> str:
    from io import StringIO

    out = StringIO()
    call_command("audit", "verify", stdout=out)
    return out.getvalue()


@pytest.fixture
def entries() -> list[AuditEntry]:
    return [record_audit(None, "test.step", target=f"t{i}", summary=f"第 {i} 步", n=i) for i in range(3)]


@pytest.fixture
def no_triggers():
    append_only.uninstall(connection)
    yield
    append_only.install(connection)


def test_each_audit_row_hashes_onto_the_previous_one(entries):
    first, second, third = (AuditEntry.objects.get(pk=e.pk) for e in entries)
    assert first.prev_hash == GENESIS
    assert second.prev_hash == first.hash and third.prev_hash == second.hash
    assert len({first.hash, second.hash, third.hash}) == 3
    assert "审计链完好：审计记录 3 条" in verify()


def test_bulk_created_audit_rows_are_chained(entries):
    rows = AuditEntry.objects.bulk_create([AuditEntry(action="test.bulk", target=str(i)) for i in range(2)])
    assert rows[0].prev_hash == entries[-1].hash and rows[1].prev_hash == rows[0].hash
    assert "审计记录 5 条" in verify()


def test_raw_sql_update_of_an_audit_row_fails(entries):
    with pytest.raises(DatabaseError):
        raw("UPDATE core_auditentry SET summary = 'forged' WHERE id = %s", [entries[0].pk])
    assert AuditEntry.objects.get(pk=entries[0].pk).summary == "第 0 步"


def test_raw_sql_delete_of_an_audit_row_fails(entries):
    with pytest.raises(DatabaseError):
        raw("DELETE FROM core_auditentry WHERE id = %s", [entries[0].pk])
    assert AuditEntry.objects.count() == 3


def test_orm_update_and_save_of_an_audit_row_fail(entries):
    with pytest.raises(TypeError):
        AuditEntry.objects.filter(pk=entries[0].pk).update(summary="forged")
    with pytest.raises(TypeError):
        entries[0].save()


def test_deleting_a_user_keeps_their_audit_rows_with_the_name(db):
    user = User.objects.create_user("leaver", password="x-Very-long-1")
    entry = record_audit(user, "test.by_leaver")
    user.delete()
    entry = AuditEntry.objects.get(pk=entry.pk)
    assert entry.actor_id is None and entry.actor_username == "leaver"
    assert "审计链完好" in verify()


def test_audit_row_changed_with_triggers_dropped_is_named_by_verify(entries, no_triggers):
    raw("UPDATE core_auditentry SET summary = 'forged' WHERE id = %s", [entries[1].pk])
    with pytest.raises(CommandError) as failure:
        verify()
    assert f"core_auditentry 第 {entries[1].pk} 条记录" in str(failure.value)
    assert "内容已被改动" in str(failure.value)


def test_audit_row_deleted_with_triggers_dropped_is_found_by_verify(entries, no_triggers):
    raw("DELETE FROM core_auditentry WHERE id = %s", [entries[1].pk])
    with pytest.raises(CommandError) as failure:
        verify()
    assert f"core_auditentry 第 {entries[2].pk} 条记录" in str(failure.value)
    assert "前一条记录缺失" in str(failure.value)


def test_verify_reports_missing_triggers(entries, no_triggers):
    with pytest.raises(CommandError, match="防篡改触发器缺失"):
        verify()


def test_purge_refuses_rows_younger_than_the_retention(entries):
    day = timezone.localdate() - timedelta(days=100)
    with pytest.raises(CommandError, match="审计记录至少保留 180 天"):
        call_command("audit", "purge", "--before", day.isoformat())
    assert AuditEntry.objects.count() == 3


def test_purge_deletes_rows_past_the_retention_and_the_chain_still_verifies(db):
    long_ago = timezone.now() - timedelta(days=400)
    old = [AuditEntry.objects.create(action="test.old", at=long_ago + timedelta(minutes=i)) for i in range(2)]
    young = record_audit(None, "test.young")
    call_command("audit", "purge", "--before", (timezone.localdate() - timedelta(days=200)).isoformat())
    assert not AuditEntry.objects.filter(pk__in=[o.pk for o in old]).exists()
    assert AuditEntry.objects.filter(pk=young.pk).exists()
    purge = AuditEntry.objects.get(action="audit.purged")
    assert purge.details["anchor"] == old[-1].hash and purge.summary == "2 条"
    assert "审计链完好：审计记录 2 条" in verify()


def test_the_database_refuses_deleting_a_young_row_even_past_the_command(entries):
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entries[0].pk).delete()


def test_rows_at_least_180_days_old_may_be_deleted_without_dropping_triggers(db):
    old = AuditEntry.objects.create(action="test.old", at=timezone.now() - timedelta(days=181))
    raw("DELETE FROM core_auditentry WHERE id = %s", [old.pk])
    assert not AuditEntry.objects.filter(pk=old.pk).exists()


def test_purge_honours_a_retention_longer_than_180_days(settings, db):
    settings.XIUHUA_AUDIT_RETENTION_DAYS = 365
    AuditEntry.objects.create(action="test.old", at=timezone.now() - timedelta(days=300))
    with pytest.raises(CommandError, match="审计记录至少保留 365 天"):
        call_command("audit", "purge", "--before", (timezone.localdate() - timedelta(days=200)).isoformat())
    assert AuditEntry.objects.count() == 1


def test_the_migration_chains_rows_written_before_the_chain_existed(no_triggers):
    import importlib
    from types import SimpleNamespace

    from django.db.migrations.loader import MigrationLoader

    user = User.objects.create_user("old_hand", password="x-Very-long-1")
    written = [record_audit(user, "test.before_chain", target=str(i)) for i in range(3)]
    raw("UPDATE core_auditentry SET prev_hash = '', hash = '', actor_username = ''")
    migration = importlib.import_module("xiuhua.core.migrations.0002_audit_trail")
    state = MigrationLoader(connection).project_state(("core", "0002_audit_trail"))
    migration.seal_existing(state.apps, SimpleNamespace(connection=connection))
    append_only.install(connection)
    rows = list(AuditEntry.objects.filter(pk__in=[w.pk for w in written]).order_by("id"))
    assert [r.hash for r in rows] == [w.hash for w in written]
    assert {r.actor_username for r in rows} == {"old_hand"}
    assert "审计链完好" in verify()
