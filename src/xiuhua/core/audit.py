"""Write audit entries inside the caller's transaction, so the entry exists exactly when the change does."""

from typing import Any

from xiuhua.core.models import AuditEntry


def record_audit(actor: Any, action: str, target: str = "", summary: str = "", **details: Any) -> AuditEntry:
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEntry.objects.create(actor=user, action=action, target=target, summary=summary, details=details)
