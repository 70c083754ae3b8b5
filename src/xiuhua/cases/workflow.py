"""The case workflow, declared once as a table, and the one function that changes a case's status.

Each row says: in these states, this action, by these roles, passing this guard, does this step (which
returns the new status). `apply_action` finds the row, checks role and guard, runs the step, writes the
immutable CaseEvent, the statistics, the timers and the notices — all in one transaction, under a row
lock and a version check, so that of two people acting at once one wins and the other is told why.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from xiuhua.accounts.choices import Role
from xiuhua.accounts.models import User
from xiuhua.cases import steps
from xiuhua.cases.attachments import accept_uploads, store_attachments
from xiuhua.cases.choices import Action, AttachmentStage
from xiuhua.cases.choices import CaseStatus as S
from xiuhua.cases.citizen_messages import case_closed
from xiuhua.cases.loaded import changed_values, noted_values, remember_loaded, remember_saved, save_changed
from xiuhua.cases.models import Case, CaseEvent
from xiuhua.cases.stats_listeners import stats_changed
from xiuhua.cases.steps import Step
from xiuhua.cases.timers import reschedule_timers
from xiuhua.core import refcache
from xiuhua.core.chain import GENESIS
from xiuhua.core.errors import DomainError, PermissionDenied
from xiuhua.notify.services import send_notice, settle_notices
from xiuhua.worktime.clock import current_calendar


class Conflict(DomainError):
    """Someone else changed the case first; the message says what happened."""

    status_code = 409

    def __init__(self, message: str) -> None:
        super().__init__(message, code="conflict")


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    roles: frozenset[str]
    step: Callable[[Step], str]
    guard: Callable[[Step], None] = steps.no_guard
    targets: tuple[str, ...] = field(default=())  # for documentation and tests: where the step may lead


def _t(action, sources, roles, step, guard=steps.no_guard, targets=()) -> Transition:
    return Transition(action, frozenset(sources), frozenset(roles), step, guard, tuple(targets))


HANDLING_STATES = (S.DISPATCHED, S.HANDLING)
REQUEST_STATES = (S.EXTENSION_REQUESTED, S.RETURN_REQUESTED, S.SUSPENSION_REQUESTED)
OPEN_AFTER_REGISTER = (
    S.REGISTERED,
    S.DISPATCHED,
    S.HANDLING,
    S.HANDLED,
    S.CHECKING,
    S.CHECKED,
    *REQUEST_STATES,
    S.SUSPENDED,
    S.VOID_REQUESTED,
)
VOIDABLE = (S.ACCEPTED, S.VERIFYING, S.REGISTERED, S.DISPATCHED, S.HANDLING)
MERGEABLE = (S.REPORTED, S.ACCEPTED, S.VERIFYING, S.REGISTERED)

R = Role
TRANSITIONS: tuple[Transition, ...] = (
    _t(Action.ACCEPT, [S.REPORTED], [R.OPERATOR], steps.accept, targets=[S.ACCEPTED]),
    _t(Action.DECLINE, [S.REPORTED], [R.OPERATOR], steps.decline, steps.needs_reason, [S.DECLINED]),
    _t(Action.VERIFY, [S.ACCEPTED], [R.OPERATOR], steps.send_verify, steps.verify_task_guard, [S.VERIFYING]),
    _t(Action.VERIFY, [S.VERIFYING], [R.INSPECTOR], steps.verify, steps.inspector_result_guard, [S.ACCEPTED]),
    _t(Action.REGISTER, [S.ACCEPTED], [R.SHIFT_LEADER], steps.register, steps.register_guard, [S.REGISTERED]),
    _t(Action.DECLINE, [S.ACCEPTED], [R.SHIFT_LEADER], steps.decline, steps.needs_reason, [S.DECLINED]),
    _t(Action.DISPATCH, [S.REGISTERED], [R.DISPATCHER], steps.dispatch, steps.dispatch_guard, [S.DISPATCHED]),
    _t(Action.HANDLE, [S.DISPATCHED], [R.DEPARTMENT], steps.handle, targets=[S.HANDLING]),
    _t(Action.REPORT_BACK, HANDLING_STATES, [R.DEPARTMENT], steps.report_back, steps.report_back_guard, [S.HANDLED]),
    _t(Action.CHECK, [S.HANDLED], [R.OPERATOR], steps.send_check, steps.check_task_guard, [S.CHECKING]),
    _t(Action.CHECK, [S.CHECKING], [R.INSPECTOR], steps.check, steps.check_guard, [S.CHECKED, S.DISPATCHED]),
    _t(Action.CLOSE, [S.CHECKED], [R.SHIFT_LEADER], steps.close, targets=[S.CLOSED]),
    _t(Action.CALLBACK, [S.CLOSED, S.MERGED], [R.OPERATOR], steps.callback, steps.callback_guard, [S.CLOSED, S.MERGED]),
    _t(Action.MERGE, MERGEABLE, [R.OPERATOR, R.SHIFT_LEADER], steps.merge, steps.merge_guard, [S.MERGED]),
    _t(
        Action.REQUEST_EXTENSION,
        HANDLING_STATES,
        [R.DEPARTMENT],
        steps.request_extension,
        steps.extension_guard,
        [S.EXTENSION_REQUESTED],
    ),
    _t(
        Action.REQUEST_RETURN,
        HANDLING_STATES,
        [R.DEPARTMENT],
        steps.request_return,
        steps.needs_reason,
        [S.RETURN_REQUESTED],
    ),
    _t(
        Action.REQUEST_SUSPENSION,
        HANDLING_STATES,
        [R.DEPARTMENT],
        steps.request_suspension,
        steps.needs_reason,
        [S.SUSPENSION_REQUESTED],
    ),
    _t(
        Action.REQUEST_VOID,
        VOIDABLE,
        [R.OPERATOR, R.DISPATCHER],
        steps.request_void,
        steps.needs_reason,
        [S.VOID_REQUESTED],
    ),
    _t(
        Action.APPROVE,
        REQUEST_STATES,
        [R.DISPATCHER],
        steps.approve,
        steps.approve_guard,
        [*HANDLING_STATES, S.REGISTERED, S.SUSPENDED],
    ),
    _t(Action.APPROVE, [S.VOID_REQUESTED], [R.SHIFT_LEADER], steps.approve, targets=[S.VOIDED]),
    _t(Action.APPROVE, [S.SELF_HANDLED], [R.OPERATOR], steps.approve, targets=[S.CLOSED]),
    _t(Action.REFUSE, REQUEST_STATES, [R.DISPATCHER], steps.refuse, steps.needs_reason, HANDLING_STATES),
    _t(Action.REFUSE, [S.VOID_REQUESTED], [R.SHIFT_LEADER], steps.refuse, steps.needs_reason, VOIDABLE),
    _t(Action.REFUSE, [S.SELF_HANDLED], [R.OPERATOR], steps.refuse, steps.needs_reason, [S.REPORTED]),
    _t(Action.RESUME, [S.SUSPENDED], [R.DISPATCHER], steps.resume, targets=HANDLING_STATES),
    _t(Action.SELF_HANDLE, [S.REPORTED], [R.INSPECTOR], steps.self_handle, steps.self_handle_guard, [S.SELF_HANDLED]),
    _t(Action.URGE, OPEN_AFTER_REGISTER, [R.LEADER, R.COMMANDER], steps.urge, steps.needs_note, OPEN_AFTER_REGISTER),
    _t(Action.REOPEN, [S.CLOSED], [R.SHIFT_LEADER], steps.reopen, steps.reopen_guard, [S.DISPATCHED]),
)

ACTIONS = frozenset(t.action for t in TRANSITIONS)
_STATUS_LABELS = dict(S.choices)
_ACTION_LABELS = dict(Action.choices)
_ROLE_LABELS = dict(Role.choices)


def transitions_from(status: str, action: str | None = None) -> list[Transition]:
    return [t for t in TRANSITIONS if status in t.sources and (action is None or t.action == action)]


def allowed_actions(case: Case, user: User) -> list[str]:
    """The actions this user may take on the case now (role and state; guards needing input are not run)."""
    found = []
    for transition in transitions_from(case.status):
        if transition.action == Action.CALLBACK and not case.callback_due:
            continue  # not a callback channel, already called back, or merged into a case still open
        if user.role in transition.roles and transition.action not in found:
            step = Step(case=case, actor=user, action=transition.action, params={}, now=timezone.now(), calendar=None)
            if steps.actor_may_act(step):
                found.append(transition.action)
    return found


def _find_transition(case: Case, action: str, actor: User) -> Transition:
    if action not in ACTIONS:
        raise DomainError(f"没有「{action}」这个操作", code="unknown_action")
    rows = transitions_from(case.status, action)
    if not rows:
        raise _wrong_state(case, action)
    for row in rows:
        if actor.role in row.roles:
            return row
    roles = "、".join(str(_ROLE_LABELS[r]) for row in rows for r in sorted(row.roles))
    raise PermissionDenied(
        f"「{_ACTION_LABELS[action]}」需要{roles}角色，你的角色是{_ROLE_LABELS.get(actor.role, actor.role)}"
    )


def _last_change(case: Case) -> str:
    """「（派遣员于 11-23 18:35「派遣」）」: the last thing a person did to the case, for conflict messages."""
    last = (
        case.events.exclude(action__in=[Action.WARN, Action.MARK_OVERDUE])
        .select_related("actor")
        .order_by("-at", "-id")
        .first()
    )
    if last is None:
        return ""
    who = (last.actor.display_name or last.actor.username) if last.actor else "系统"
    when = timezone.localtime(last.at).strftime("%m-%d %H:%M")
    return f"（{who}于 {when}「{_ACTION_LABELS[last.action]}」）"


def _wrong_state(case: Case, action: str) -> Conflict:
    """A 409 that says what happened to the case last, so a late second user understands."""
    status = _STATUS_LABELS[case.status]
    return Conflict(f"案卷 {case.number} 当前为「{status}」{_last_change(case)}，不能「{_ACTION_LABELS[action]}」")


def apply_action(
    number: str,
    action: str,
    actor: User,
    params: dict[str, Any] | None = None,
    *,
    files: list | None = None,
    expected_version: int | None = None,
    now: datetime | None = None,
    visible: Callable[[User], Any] | None = None,
) -> Case:
    """Take `action` on case `number` as `actor`; the only place a case's status changes.

    `visible(actor)` is the queryset of cases the actor may see (a case outside it is "not found").
    """
    from xiuhua.cases.queries import one_case, visible_cases  # queries imports workflow for the task states

    checked_files = accept_uploads(files or [])  # originals written before the transaction, not inside it
    refcache.refresh()  # reference data as of this action (one read of the generation)
    with transaction.atomic():
        # of=("self",): whatever the scope query joins, only the case row is locked (PostgreSQL refuses to lock
        # the nullable side of an outer join, and locking joined rows would serialize unrelated cases).
        # One query brings what every step reads with the lock: class, condition, lead unit and statistics.
        locked = (visible or visible_cases)(actor).select_for_update(of=("self",)).select_related(*LOCK_RELATIONS)
        case = one_case(locked, number)
        remember_loaded(case)
        if expected_version is not None and expected_version != case.version:
            raise _stale(case, expected_version)
        transition = _find_transition(case, action, actor)
        step = Step(
            case=case,
            actor=actor,
            action=action,
            params=dict(params or {}),
            now=now or timezone.now(),
            calendar=current_calendar(),
            files=checked_files,
        )
        return _run(step, transition)


# Joined to the locked case (nullable joins: hence FOR UPDATE OF the case only).
LOCK_RELATIONS = ("case_class", "register_condition", "lead_department", "stats")


def _stale(case: Case, expected_version: int) -> Conflict:
    return Conflict(
        f"案卷 {case.number} 已被更新{_last_change(case)}（版本 {case.version}，你看到的是版本 {expected_version}），"
        f"现为「{_STATUS_LABELS[case.status]}」，请刷新后再操作"
    )


def _run(step: Step, transition: Transition) -> Case:
    case = step.case
    steps.check_actor_may_act(step)
    transition.guard(step)
    from_status = case.status
    case.status = transition.step(step)
    case.callback_due = steps.callback_due(case, step.stats)
    _save_case(case)
    _record(step, from_status)
    if transition.action == Action.REGISTER and steps.dispatches_on_register(case):
        _auto_dispatch(step)
    return case


def _auto_dispatch(register: Step) -> None:
    """For classes set to dispatch on register: the routing suggestion is followed at once, as its own event.

    When routing has no answer the case simply waits for the dispatcher.
    """
    step = Step(
        case=register.case,
        actor=register.actor,
        action=Action.DISPATCH,
        params={},
        now=register.now,
        calendar=register.calendar,
        note="按分类设置，立案后自动派遣",
        details={"auto": True},
    )
    try:
        steps.dispatch_guard(step)
    except DomainError:
        return
    from_status = step.case.status
    step.case.status = steps.dispatch(step)
    _save_case(step.case)
    _record(step, from_status)


def _record(step: Step, from_status: str) -> None:
    """Everything an action leaves behind besides the case row: event, attachments, stats, timers, notices."""
    event = _record_event(step, from_status)
    if step.files:
        stage = step.attachment_stage or AttachmentStage.OTHER
        store_attachments(step.case, event, step.files, stage, step.actor, step.now)
    step.stats.take_case_facts(step.case)
    created = from_status == ""
    before = noted_values(step.stats)  # the note is replaced, not changed, when the row is saved
    save_changed(step.stats, created=created)
    stats_changed(step.stats, {} if created else before)
    reschedule_timers(step.case)
    if from_status:  # a case created a moment ago has no notices to settle
        _settle_notices(step)
    for recipients, message in step.notices:
        send_notice(recipients, message)
    if step.case.status == S.CLOSED and from_status != S.CLOSED:
        case_closed(step.case, event.pk, step.now)


FINISHED = (S.CLOSED, S.DECLINED, S.VOIDED, S.MERGED)


def _settle_notices(step: Step) -> None:
    """Acting on a case answers the notices that asked the actor's team to act on it (read before new ones go).

    The team is whoever got the same tasks: the actor's department for department users, else the users of
    the actor's role (two dispatchers both told of an extension request; one decides it). A finished case
    answers every notice about it. See docs/screen-and-notices.md.
    """
    actor, number = step.actor, step.case.number
    if step.case.status in FINISHED:
        settle_notices(number)
    elif actor is not None and actor.role == Role.DEPARTMENT:
        settle_notices(number, User.objects.filter(role=Role.DEPARTMENT, department_id=actor.department_id))
    elif actor is not None and actor.role:
        settle_notices(number, User.objects.filter(role=actor.role))


def _save_case(case: Case) -> None:
    # Only the columns the step changed: a narrower UPDATE, and no rewriting of what others may not touch.
    fields = changed_values(case)
    fields["version"] = case.version + 1
    fields["updated_at"] = timezone.now()
    # Compare-and-set on the version: also correct where SELECT … FOR UPDATE is a no-op (SQLite).
    if Case.objects.filter(pk=case.pk, version=case.version).update(**fields) != 1:
        raise Conflict(f"案卷 {case.number} 刚被他人修改，请刷新后再操作")
    case.version, case.updated_at = fields["version"], fields["updated_at"]
    remember_saved(case)


def _record_event(step: Step, from_status: str) -> CaseEvent:
    case = step.case
    event = CaseEvent(
        case=case,
        action=step.action,
        actor=step.actor,
        actor_role=step.actor.role if step.actor else "",
        from_status=from_status,
        to_status=case.status,
        at=step.now,
        note=step.note,
        details=step.details,
        handling_deadline=case.handling_deadline,
        stage_deadline=case.stage_deadline,
    )
    # A case created a moment ago has no chain yet: its first event follows the genesis without a look-up.
    event.save(force_insert=True, prev_hash=GENESIS if from_status == "" else None)
    return event


def create_case(
    case: Case, actor: User, *, files: list | None = None, now: datetime, note: str = "", details: dict | None = None
) -> Case:
    """Store a new report in status `reported` with its first event; the caller holds the transaction."""
    case.status = S.REPORTED
    case.reported_at = now
    step = Step(
        case=case,
        actor=actor,
        action=Action.REPORT,
        params={},
        now=now,
        calendar=current_calendar(),
        files=accept_uploads(files or []),
        note=note,
        details=details or {},
        attachment_stage=AttachmentStage.BEFORE,
    )
    steps.start_report(step)
    case.save(force_insert=True)
    remember_saved(case)
    case._loaded_timers = frozenset()  # a new case has no timers: none to look up
    _record(step, "")
    return case
