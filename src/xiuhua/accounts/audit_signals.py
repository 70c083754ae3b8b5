"""An audit row whenever a user's role, data scope or powers change, through any door (admin, CLI, code).

A pre_save/post_save comparison on the user row; `QuerySet.update()` bypasses it, so services change users
through `save()`. Whoever signed in to the current request is the actor; none for the CLI and scripts.
"""

from __future__ import annotations

from typing import Any

from xiuhua.core.audit import record_audit
from xiuhua.core.context import current_user

# Fields that decide what a user may do or see. A new scope field belongs here.
WATCHED = ("role", "scope_division_codes", "department_id", "is_superuser", "is_staff", "is_active")
FIELD_NAMES = {name.removesuffix("_id") for name in WATCHED}


def _values(user: Any) -> dict[str, Any]:
    return {name: getattr(user, name, None) for name in WATCHED}


def remember_before(sender, instance, raw: bool = False, update_fields=None, **kwargs) -> None:
    # A login saves only last_login: no need to read the row back.
    touched = update_fields is None or {f.removesuffix("_id") for f in update_fields} & FIELD_NAMES
    if raw or instance.pk is None or not touched:
        instance._audit_before = None
        return
    old = sender.objects.filter(pk=instance.pk).values(*WATCHED).first()
    instance._audit_before = old


def record_change(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    if raw:
        return
    after = _values(instance)
    if created:
        record_audit(current_user(), "accounts.user_created", target=instance.get_username(), after=after)
        return
    before = getattr(instance, "_audit_before", None)
    if before is None:
        return
    changed = {k: {"from": before[k], "to": after[k]} for k in WATCHED if before[k] != after[k]}
    if changed:
        summary = "、".join(sorted(changed))
        record_audit(
            current_user(), "accounts.permissions_changed", target=instance.get_username(), summary=summary, **changed
        )
    instance._audit_before = None
