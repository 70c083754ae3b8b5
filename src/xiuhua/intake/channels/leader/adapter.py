"""Leaders' assignments (上级交办): a leader hands the centre a problem, often naming the unit to handle it;
the case is urgent by default, the operators and shift leaders are told at once, and routing suggests the
named unit to the dispatcher.

A leader who phones the centre instead has the operator or shift leader record it (上级交办 form): the
assignment then names the leader who gave it, and the events show who recorded it."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from xiuhua.accounts.choices import Role
from xiuhua.accounts.models import Department, User
from xiuhua.cases.choices import Source
from xiuhua.cases.models import Case
from xiuhua.cases.steps import case_variables, role_users
from xiuhua.core.errors import DomainError, PermissionDenied
from xiuhua.intake.services import Accepted, ReportInput, accept_report, intake_key
from xiuhua.notify.models import NoticeKind
from xiuhua.notify.services import NoticeDraft, send_notice

ASSIGNING_ROLES = {Role.LEADER, Role.COMMANDER}
RECORDING_ROLES = {Role.OPERATOR, Role.SHIFT_LEADER}
MAX_LEADER_NAME = 50


def _assigned_by(actor: User, on_behalf_of: str | None) -> str:
    """Who gave the assignment: the leader themself, or the leader named by the centre staff recording it."""
    if actor.role in ASSIGNING_ROLES:
        return actor.display_name or actor.username
    if actor.role not in RECORDING_ROLES or on_behalf_of is None:
        raise PermissionDenied("只有领导、指挥长可以交办；受理员、值班长可以代为登记领导的交办")
    leader = (on_behalf_of or "").strip()
    if not leader:
        raise DomainError("请填写交办领导（姓名或职务）", code="leader_required")
    if len(leader) > MAX_LEADER_NAME:
        raise DomainError(f"交办领导最多 {MAX_LEADER_NAME} 字", code="leader_too_long")
    return leader


def _named_department(short_name: str) -> Department | None:
    short_name = (short_name or "").strip()
    if not short_name:
        return None
    department = Department.objects.filter(short_name=short_name, active=True).first()
    if department is None:
        raise DomainError(f"没有简码为「{short_name}」的在用部门", code="unknown_department")
    return department


def assign_by_leader(
    actor: User,
    data: ReportInput,
    *,
    department: str = "",
    photos: list | None = None,
    idempotency_key: str | None = None,
    now: datetime | None = None,
    on_behalf_of: str | None = None,
) -> Accepted:
    assigned_by = _assigned_by(actor, on_behalf_of)
    named = _named_department(department)
    details = {"assigned_by": assigned_by}
    if actor.role in RECORDING_ROLES:
        details["recorded_by"] = actor.display_name or actor.username
    if named is not None:
        details["assigned_department"] = named.short_name
    note = f"{details['assigned_by']}交办" + (f"，指定{named.name}办理" if named else "")
    # One transaction for the case and its notices: a failure between them must not leave a case nobody was
    # told about (a retry with the same key finds the case and would send nothing).
    with transaction.atomic():
        accepted = accept_report(
            data,
            source=Source.LEADER,
            actor=actor,
            photos=list(photos or []),
            key=intake_key(f"user:{actor.pk}", idempotency_key),
            now=now,
            note=note,
            details=details,
        )
        if accepted.created:
            notify_centre(accepted.case, note)
    return accepted


def notify_centre(case: Case, note: str) -> int:
    """Tell the operators and shift leaders: the inbox, and SMS/WeCom by the `task` route. The body is who
    assigned it (and to whom), never the description: that can name people and goes out by SMS."""
    recipients = role_users(Role.OPERATOR, case) + role_users(Role.SHIFT_LEADER, case)
    draft = NoticeDraft(
        kind=NoticeKind.TASK,
        title=f"领导交办：案卷 {case.number}",
        body=note,
        subject=case.number,
        variables=case_variables(case),
    )
    return send_notice(recipients, draft)
