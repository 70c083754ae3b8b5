"""Concurrent writers keep the audit chain linear: the advisory lock (PostgreSQL) or BEGIN IMMEDIATE (SQLite)."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connections

from xiuhua.core.audit import record_audit
from xiuhua.core.models import AuditEntry
from xiuhua.core.trail import verify_audit_entries

# serialized_rollback like every transactional test here: the next one finds the migrations' data back.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def slow_predecessor(monkeypatch):
    """Pause between reading the predecessor's hash and inserting, so unserialised writers would fork the chain."""
    read = AuditEntry.last_hash

    def slow(using: str) -> str:
        value = read(using)
        time.sleep(0.02)
        return value

    monkeypatch.setattr(AuditEntry, "last_hash", staticmethod(slow))


def test_concurrent_audit_writers_do_not_fork_the_chain(slow_predecessor):
    barrier = threading.Barrier(4)
    errors: list[Exception] = []

    def write(worker: int) -> None:
        try:
            barrier.wait()
            for n in range(5):
                record_audit(None, "test.concurrent", target=f"{worker}-{n}")
        except Exception as exc:  # the outcome under test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    count, broken = verify_audit_entries()
    assert broken is None and count == 20
    prevs = list(AuditEntry.objects.values_list("prev_hash", flat=True))
    assert len(set(prevs)) == 20
