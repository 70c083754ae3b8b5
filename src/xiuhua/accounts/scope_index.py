"""The users whose data scope covers a place, found by SQL through `ScopeCode` rows.

A scope entry is a prefix of the codes it covers (accounts.queries.sees_division_code), so a user sees
code C exactly when one of their entries is one of C's prefixes: C[:1], C[:2], … C. Looking those up in
the indexed `code` column replaces loading every user of a role and testing each in Python.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Exists, OuterRef, Q

from xiuhua.accounts.models import ScopeCode, User

MAX_CODE = 64  # ScopeCode.code; a longer entry could not be a prefix of any division or grid code


def scope_rows(user: User) -> list[ScopeCode]:
    from xiuhua.accounts.queries import scope_prefixes

    codes = {code for code in scope_prefixes(user) if len(code) <= MAX_CODE}
    return [ScopeCode(user_id=user.pk, code=code) for code in sorted(codes)]


def sync_scope_codes(users: Iterable[User]) -> None:
    """Make the users' ScopeCode rows match their `scope_division_codes` (after bulk writes of users)."""
    users = [u for u in users if u.pk is not None]
    if not users:
        return
    ScopeCode.objects.filter(user_id__in=[u.pk for u in users]).delete()
    ScopeCode.objects.bulk_create([row for user in users for row in scope_rows(user)])


def user_saved(sender: type, instance: User, update_fields: Any = None, raw: bool = False, **kwargs: Any) -> None:
    """post_save of a user: follow the scope (skipped when the save named fields other than the scope)."""
    if raw or (update_fields is not None and "scope_division_codes" not in update_fields):
        return
    sync_scope_codes([instance])


def sees_code(code: str) -> Q:
    """A Q on User: the users whose scope covers `code` (the superuser always; an empty scope never)."""
    prefixes = [code[:n] for n in range(1, min(len(code), MAX_CODE) + 1)]
    covered = ScopeCode.objects.filter(user=OuterRef("pk"), code__in=prefixes)
    return Q(is_superuser=True) | Q(Exists(covered))
