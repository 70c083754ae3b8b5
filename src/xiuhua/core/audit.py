"""Write audit entries inside the caller's transaction, so the entry exists exactly when the change does.

Every entry says who (actor and their username as text), what (action, target, summary, details), when, from
which address (the current request's, see core.context) and with what result.
"""

from typing import Any

from xiuhua.core.models import AuditEntry, Result


def record_audit(
    actor: Any,
    action: str,
    target: str = "",
    summary: str = "",
    *,
    result: str = Result.SUCCESS,
    ip: str = "",
    username: str = "",
    **details: Any,
) -> AuditEntry:
    """`username` names the actor when there is no user row (a failed login for an unknown name)."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEntry.objects.create(
        actor=user,
        actor_username=user.get_username() if user else username,
        action=action,
        target=target,
        summary=summary,
        details=details,
        ip=ip,
        result=result,
    )


def record_personal_data_export(user: Any, what: str, rows: int, **details: Any) -> AuditEntry:
    """Exports that contain citizens' or callers' personal data call this, once per file handed out."""
    return record_audit(user, "privacy.personal_data_exported", target=what, summary=f"{rows} 行", rows=rows, **details)
