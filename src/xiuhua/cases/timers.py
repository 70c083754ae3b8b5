"""Timers as rows: each open limit of a case has a warning (80 %) and an overdue timer; `sweep` fires due ones.

Rescheduling deletes the case's unfired timers and creates the ones its current deadlines call for,
skipping any (kind, due time) that already fired, so an action that leaves a deadline unchanged does not
warn twice. Firing claims the timer with a conditional UPDATE after locking the case, so several sweeps
running at once fire each timer exactly once.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from xiuhua.accounts.choices import Role
from xiuhua.cases.choices import Action, Stage, TimerKind
from xiuhua.cases.models import Case, CaseEvent, CaseStats, Timer
from xiuhua.notify.models import NoticeKind
from xiuhua.notify.services import NoticeDraft, send_notice

log = logging.getLogger("xiuhua.sweep")

# Who answers for each stage's limit.
STAGE_ROLES = {
    Stage.ACCEPT: Role.OPERATOR,
    Stage.VERIFY: Role.INSPECTOR,
    Stage.REGISTER: Role.SHIFT_LEADER,
    Stage.DISPATCH: Role.DISPATCHER,
    Stage.CHECK: Role.OPERATOR,
    Stage.CLOSE: Role.SHIFT_LEADER,
}


def wanted_timers(case: Case) -> set[tuple[str, datetime]]:
    """The (kind, due time) pairs the case's current deadlines call for."""
    wanted = set()
    if case.stage and case.stage_deadline:
        wanted |= {(TimerKind.STAGE_WARNING, case.stage_warning_at), (TimerKind.STAGE_OVERDUE, case.stage_deadline)}
    since = case.handling_running_since
    if since and case.handling_deadline:
        # A clock resumed already past 80 % (or past its limit) was warned (or marked) in an earlier run.
        if case.handling_warning_at > since:
            wanted.add((TimerKind.HANDLING_WARNING, case.handling_warning_at))
        if case.handling_deadline > since:
            wanted.add((TimerKind.HANDLING_OVERDUE, case.handling_deadline))
    return wanted


def reschedule_timers(case: Case) -> None:
    """Make the case's pending timers match its deadlines; call in the action's transaction.

    When the action noted the timers the case had (`cases.loaded.remember_loaded`: what its deadlines called
    for at the last reschedule), only the difference is written, without reading the timers first: nothing
    when no deadline moved, no DELETE for a new case.
    """
    wanted = wanted_timers(case)
    before = getattr(case, "_loaded_timers", None)
    if before is None:
        _reschedule_by_reading(case, wanted)
    elif wanted != before:
        if before - wanted:
            Timer.objects.filter(_matching(before - wanted), case=case, fired_at__isnull=True).delete()
        Timer.objects.bulk_create(Timer(case=case, kind=kind, due_at=due) for kind, due in wanted - before)
    case._loaded_timers = frozenset(wanted)


def _matching(pairs: set[tuple[str, datetime]]) -> Q:
    condition = Q(pk__in=[])
    for kind, due in pairs:
        condition |= Q(kind=kind, due_at=due)
    return condition


def _reschedule_by_reading(case: Case, wanted: set[tuple[str, datetime]]) -> None:
    timers = list(Timer.objects.filter(case=case).values_list("id", "kind", "due_at", "fired_at"))
    keep = {(kind, due) for _id, kind, due, fired in timers if fired is not None or (kind, due) in wanted}
    stale = [pk for pk, kind, due, fired in timers if fired is None and (kind, due) not in wanted]
    if stale:
        Timer.objects.filter(pk__in=stale).delete()
    Timer.objects.bulk_create(Timer(case=case, kind=kind, due_at=due) for kind, due in wanted - keep)


def sweep(now: datetime | None = None, batch: int = 500) -> Counter:
    """Fire every timer due by `now`; safe to run again and from several processes at once."""
    now = now or timezone.now()
    fired: Counter = Counter()
    while True:
        due = list(
            Timer.objects.filter(fired_at__isnull=True, due_at__lte=now)
            .order_by("due_at", "id")
            .values_list("id", "case_id", "kind", "due_at")[:batch]
        )
        for timer_id, case_id, kind, due_at in due:
            try:
                fired_kind = _fire_one(timer_id, case_id, kind, due_at, now)
            except Exception:  # one broken case must not hold back every later warning
                log.exception("timer %s of case %s failed", timer_id, case_id)
                continue
            if fired_kind:
                fired[fired_kind] += 1
        if len(due) < batch:
            return fired


def _fire_one(timer_id: int, case_id: int, kind: str, due_at: datetime, now: datetime) -> str | None:
    with transaction.atomic():
        # Lock the case first, as actions do, so sweeps and actions never wait on each other in a cycle. Only the
        # case: a plain FOR UPDATE would also lock the joined catalog class, holding up every report of that class.
        case = Case.objects.select_for_update(of=("self",)).select_related("case_class").filter(pk=case_id).first()
        if case is None or not Timer.objects.filter(pk=timer_id, fired_at__isnull=True).update(fired_at=now):
            return None
        return kind if _announce(case, kind, due_at, now) else None


def _announce(case: Case, kind: str, due_at: datetime, now: datetime) -> bool:
    """Record and send the timer's news; False when a warning comes too late to be news (the limit passed)."""
    from xiuhua.cases.steps import case_variables, department_users, role_users

    handling = kind in (TimerKind.HANDLING_WARNING, TimerKind.HANDLING_OVERDUE)
    overdue = kind in (TimerKind.HANDLING_OVERDUE, TimerKind.STAGE_OVERDUE)
    if not overdue and now > _deadline_of(case, handling):
        return False
    if handling:
        recipients = department_users(case.lead_department_id)
        if overdue:
            recipients += role_users(Role.DISPATCHER, case)
            CaseStats.objects.filter(case=case).update(handling_overdue=True)
        what = "处置"
    else:
        recipients = role_users(STAGE_ROLES[case.stage], case) if case.stage else []
        if case.assigned_inspector_id and case.stage in (Stage.VERIFY, Stage.CHECK):
            recipients = [case.assigned_inspector]
        what = case.get_stage_display() if case.stage else ""
    deadline = timezone.localtime(due_at if overdue else _deadline_of(case, handling))
    title = (
        f"{'超期' if overdue else '即将超期'}：案卷 {case.number} {what}时限"
        f"{'已过' if overdue else '将至'}（{deadline:%m-%d %H:%M}）"
    )
    CaseEvent.objects.create(
        case=case,
        action=Action.MARK_OVERDUE if overdue else Action.WARN,
        actor=None,
        from_status=case.status,
        to_status=case.status,
        at=now,
        note=title,
        details={"timer": kind, "due_at": due_at.isoformat()},
        handling_deadline=case.handling_deadline,
        stage_deadline=case.stage_deadline,
    )
    variables = {**case_variables(case), "deadline": f"{deadline:%Y-%m-%d %H:%M}"}
    send_notice(
        recipients,
        NoticeDraft(
            kind=NoticeKind.OVERDUE if overdue else NoticeKind.WARNING,
            title=title,
            subject=case.number,
            variables=variables,
        ),
    )
    return True


def _deadline_of(case: Case, handling: bool) -> datetime:
    return (case.handling_deadline if handling else case.stage_deadline) or timezone.now()
