"""Who sees and who keeps which ledger: the one permission helper every ledger read and write goes through.

- Leaders, commanders, shift leaders, operators and dispatchers see every ledger within their data scope;
  inspectors see every ledger in scope too (they inspect any record), read only.
- A department's users see only the ledgers `LedgerKeeper` says their department keeps, within scope.
- Writes: the keepers within scope, and leaders and commanders within scope.
- An empty scope sees nothing (accounts.queries); the superuser (an installation account) sees everything.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from xiuhua.accounts.choices import Role
from xiuhua.accounts.queries import division_code_filter, scope_prefixes, sees_division_code, sees_everything
from xiuhua.core.errors import NotFound
from xiuhua.ledgers.choices import LedgerKind
from xiuhua.ledgers.models import LEDGER_MODELS, LedgerKeeper, LedgerRecord, Subject

READS_EVERY_LEDGER = frozenset(
    {Role.LEADER, Role.COMMANDER, Role.SHIFT_LEADER, Role.OPERATOR, Role.DISPATCHER, Role.INSPECTOR}
)
WRITES_EVERY_LEDGER = frozenset({Role.LEADER, Role.COMMANDER})


def _signed_in(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def kept_ledgers(user: Any) -> set[LedgerKind]:
    """The ledgers the user's department keeps (none without a department)."""
    if not _signed_in(user) or not getattr(user, "department_id", None):
        return set()
    cached = getattr(user, "_kept_ledgers", None)
    if cached is None:
        ledgers = LedgerKeeper.objects.filter(department_id=user.department_id).values_list("ledger", flat=True)
        cached = user._kept_ledgers = {LedgerKind(k) for k in ledgers}
    return set(cached)


def _ledgers_of(user: Any, every_ledger: frozenset[str]) -> set[LedgerKind]:
    """Every ledger for the roles in `every_ledger`, the kept ones for a department's users; none without scope."""
    if not _signed_in(user):
        return set()
    if sees_everything(user):
        return set(LedgerKind)
    if not scope_prefixes(user):
        return set()
    if user.role in every_ledger:
        return set(LedgerKind)
    return kept_ledgers(user) if user.role == Role.DEPARTMENT else set()


def visible_ledgers(user: Any) -> set[LedgerKind]:
    """The kinds of ledger the user may read at all (the records are further limited to the scope)."""
    return _ledgers_of(user, READS_EVERY_LEDGER)


def writable_ledgers(user: Any) -> set[LedgerKind]:
    """The kinds of ledger the user may write (records further limited to the scope)."""
    return _ledgers_of(user, WRITES_EVERY_LEDGER)


def visible_records(user: Any, kind: str) -> QuerySet:
    """The records of one ledger the user may read: none if the ledger is not theirs, else those in scope."""
    model = LEDGER_MODELS.get(kind)
    if model is None:
        raise NotFound(f"台账类型「{kind}」不存在（可选：{'、'.join(LEDGER_MODELS)}）")
    if kind not in visible_ledgers(user):
        return model.objects.none()
    return model.objects.filter(division_code_filter(user, "grid_code"))


def can_write_record(user: Any, kind: str, grid_code: str) -> bool:
    return kind in writable_ledgers(user) and sees_division_code(user, grid_code or "")


def visible_subjects(user: Any) -> QuerySet[Subject]:
    """Parties behind a record the user sees, and, for a user whose scope is the party's whole district and who
    sees some ledger, the party's other entries (a party just registered, before its first record)."""
    kinds = visible_ledgers(user)
    if not kinds:
        return Subject.objects.none()
    behind = Q(pk__in=[])
    for kind in kinds:
        behind |= Q(pk__in=visible_records(user, kind).filter(subject__isnull=False).values("subject_id"))
    return Subject.objects.filter(behind | division_code_filter(user, "district__code"))


def record_kind(record: LedgerRecord) -> LedgerKind:
    return LedgerKind(type(record).KIND)
