"""Checking and pruning the audit trail: `xiuhua audit verify` and `xiuhua audit purge` call these."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from xiuhua.core.audit import record_audit
from xiuhua.core.chain import GENESIS, digest, lock_chain
from xiuhua.core.errors import DomainError
from xiuhua.core.models import AUDIT_CHAIN_LOCK, AuditEntry, audit_content

PURGED = "audit.purged"


@dataclass(frozen=True)
class Break:
    """The first row of a chain that no longer matches."""

    table: str
    row_id: int
    at: datetime | None
    reason: str

    def message(self) -> str:
        when = f"{timezone.localtime(self.at):%Y-%m-%d %H:%M:%S}" if self.at else "时间未知"
        return f"{self.table} 第 {self.row_id} 条记录（{when}）{self.reason}"


def walk(
    rows: Iterable[Any], table: str, content: Callable[[Any], dict], key: Callable[[Any], Any], anchors: set[str]
) -> tuple[int, Break | None]:
    """Walk rows sorted by (chain key, id); each chain starts at GENESIS or at a purge anchor."""
    count, current, prev = 0, object(), GENESIS
    for row in rows:
        count += 1
        if key(row) != current:
            current, prev = key(row), row.prev_hash if row.prev_hash in anchors else GENESIS
        if row.prev_hash != prev:
            return count, Break(table, row.pk, row.at, "的前一条记录缺失或已被改动（前序哈希不符）")
        if digest(row.prev_hash, content(row)) != row.hash:
            return count, Break(table, row.pk, row.at, "的内容已被改动（哈希不符）")
        prev = row.hash
    return count, None


def purge_anchors() -> set[str]:
    anchors = AuditEntry.objects.filter(action=PURGED).values_list("details", flat=True)
    return {d.get("anchor") for d in anchors if isinstance(d, dict) and d.get("anchor")}


def verify_audit_entries() -> tuple[int, Break | None]:
    rows = AuditEntry.objects.order_by("id").iterator(chunk_size=2000)
    return walk(rows, "core_auditentry", audit_content, lambda row: 0, purge_anchors())


def retention_cutoff(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - timedelta(days=settings.XIUHUA_AUDIT_RETENTION_DAYS)


def purge_before(day: date, actor: Any = None, now: datetime | None = None) -> int:
    """Delete the audit rows written before `day` (Asia/Shanghai), when all are past the retention period.

    Deletes the oldest rows as a block by id, stops at the first row not older than `day`, and records the
    last deleted row's hash as the anchor the remaining chain now starts from.
    """
    cutoff = timezone.make_aware(datetime.combine(day, time.min))
    limit = retention_cutoff(now)
    if cutoff > limit:
        latest = timezone.localdate(limit)
        raise DomainError(
            f"审计记录至少保留 {settings.XIUHUA_AUDIT_RETENTION_DAYS} 天：只能清除 {latest:%Y-%m-%d} 及以前的记录",
            code="audit_retention",
        )
    with transaction.atomic():
        lock_chain(AuditEntry.objects.db, AUDIT_CHAIN_LOCK)
        first_young = AuditEntry.objects.filter(at__gte=cutoff).order_by("id").values_list("id", flat=True).first()
        old = AuditEntry.objects.filter(id__lt=first_young) if first_young else AuditEntry.objects.all()
        last = old.order_by("-id").values_list("hash", flat=True).first()
        if last is None:
            return 0
        count, _ = old.delete()
        record_audit(actor, PURGED, target="core_auditentry", summary=f"{count} 条", before=f"{day}", anchor=last)
    return count


@dataclass(frozen=True)
class EntryFilters:
    """The auditor's filters; dates are Asia/Shanghai calendar days, both ends included."""

    date_from: date | None = None
    date_to: date | None = None
    actor: str = ""
    action: str = ""
    result: str = ""
    ip: str = ""
    target: str = ""


def filter_entries(filters: EntryFilters) -> Any:
    """Audit rows matching the filters, newest first."""
    rows = AuditEntry.objects.all()
    if filters.date_from:
        rows = rows.filter(at__gte=timezone.make_aware(datetime.combine(filters.date_from, time.min)))
    if filters.date_to:
        next_day = filters.date_to + timedelta(days=1)
        rows = rows.filter(at__lt=timezone.make_aware(datetime.combine(next_day, time.min)))
    if filters.actor:
        rows = rows.filter(actor_username__icontains=filters.actor)
    if filters.action:
        rows = rows.filter(action__icontains=filters.action)
    if filters.result:
        rows = rows.filter(result=filters.result)
    if filters.ip:
        rows = rows.filter(ip__startswith=filters.ip)
    if filters.target:
        rows = rows.filter(target__icontains=filters.target)
    return rows.order_by("-at", "-id")
