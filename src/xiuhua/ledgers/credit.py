"""Credit records (诚信档案): the points scheme, a party's score and level, the red and black lists, objections and
repair (信用修复), and the events that final enforcement decisions create.

Every party starts at 100 points; each counted event within the last 365 days moves the score by its points
(fixed when it was recorded, from the `CreditRule` of its kind, or `DEFAULT_RULES` when none is configured).
An event under objection still counts: an objection does not suspend a decision (as in administrative law),
it is shown as 异议中 until decided; an upheld objection withdraws the event, a repaired one is kept on record
but no longer counts.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from xiuhua.accounts.queries import sees_everything
from xiuhua.core.audit import record_audit
from xiuhua.core.errors import DomainError, NotFound, PermissionDenied
from xiuhua.ledgers.choices import CreditEventKind, CreditEventStatus, DocumentKind, DocumentStatus
from xiuhua.ledgers.models import CreditEvent, CreditRule, EnforcementDocument, Subject
from xiuhua.ledgers.queries import kept_ledgers
from xiuhua.territory.models import Division

START_POINTS = 100
WINDOW_DAYS = 365
LEVELS = ((90, "A"), (75, "B"), (60, "C"))  # below 60: D
COUNTED = (CreditEventStatus.ACTIVE, CreditEventStatus.OBJECTED)
# Days an event must stand before it can be repaired; a penalty longer than the minor events.
# Settings: XIUHUA_CREDIT_REPAIR_DAYS = {"penalty": 180, "default": 90}.
REPAIR_DAYS = {CreditEventKind.PENALTY: 180, "default": 90}


@dataclass(frozen=True)
class Rule:
    points: int
    blacklist_after: int = 0


DEFAULT_RULES: dict[str, Rule] = {
    CreditEventKind.PENALTY: Rule(-10, blacklist_after=5),
    CreditEventKind.REPEATED_FAILURE: Rule(-5),
    CreditEventKind.ORDER_IGNORED: Rule(-8),
    CreditEventKind.GOOD_CONDUCT: Rule(5),
}


def rules() -> dict[str, Rule]:
    """The scheme in force: the configured `CreditRule` rows over the defaults."""
    configured = {r.event_kind: Rule(r.points, r.blacklist_after) for r in CreditRule.objects.all()}
    return {**DEFAULT_RULES, **configured}


@dataclass
class Standing:
    """A party's credit on a day: score, level, lists, and the events that make them (the reasons)."""

    subject: Subject
    on: date
    score: int
    level: str
    red: bool
    black: bool
    events: list[CreditEvent] = field(default_factory=list)  # counted, newest first
    black_reasons: list[CreditEvent] = field(default_factory=list)


def level_of(score: int) -> str:
    return next((level for floor, level in LEVELS if score >= floor), "D")


def window(on: date) -> tuple[date, date]:
    """The 365 days up to and including `on`."""
    return on - timedelta(days=WINDOW_DAYS - 1), on


def counted_events(on: date) -> QuerySet[CreditEvent]:
    start, end = window(on)
    return CreditEvent.objects.filter(status__in=COUNTED, occurred_on__gte=start, occurred_on__lte=end)


def standing_of(subject: Subject, events: list[CreditEvent], on: date, scheme: dict[str, Rule]) -> Standing:
    """The standing from the subject's counted events of the window (already read)."""
    events = sorted(events, key=lambda e: (e.occurred_on, e.pk), reverse=True)
    score = START_POINTS + sum(e.points for e in events)
    black_reasons: list[CreditEvent] = []
    for kind, rule in scheme.items():
        of_kind = [e for e in events if e.kind == kind]
        if rule.blacklist_after and len(of_kind) >= rule.blacklist_after:
            black_reasons += of_kind
    level = level_of(score)
    kinds = {e.kind for e in events}
    red = level == "A" and CreditEventKind.GOOD_CONDUCT in kinds and CreditEventKind.PENALTY not in kinds
    return Standing(subject, on, score, level, red and not black_reasons, bool(black_reasons), events, black_reasons)


def score(subject: Subject, on: date | None = None) -> Standing:
    """A party's score, level and lists on `on` (today, local), with the events counted."""
    on = on or timezone.localdate()
    return standing_of(subject, list(counted_events(on).filter(subject=subject)), on, rules())


def lists(district: Division, on: date | None = None) -> dict[str, list[Standing]]:
    """The red and black lists of a district on a day: every party with counted events, in two queries."""
    on = on or timezone.localdate()
    by_subject: dict[int, list[CreditEvent]] = defaultdict(list)
    rows = counted_events(on).filter(subject__district=district).select_related("subject")
    for event in rows:
        by_subject[event.subject_id].append(event)
    scheme = rules()
    standings = [standing_of(events[0].subject, events, on, scheme) for events in by_subject.values()]
    standings.sort(key=lambda s: (s.score, s.subject.name))
    return {"red": [s for s in standings if s.red][::-1], "black": [s for s in standings if s.black]}


# --- who may write ---------------------------------------------------------------------------------------------


def may_manage_credit(user: Any) -> bool:
    """The superuser, and staff of a department that keeps a ledger (the enforcement units that decide)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if sees_everything(user):
        return True
    return bool(kept_ledgers(user))


def check_manage(user: Any) -> None:
    if not may_manage_credit(user):
        raise PermissionDenied("只有台账管理部门的人员可以登记或处理信用记录")


# --- writes ----------------------------------------------------------------------------------------------------


def record_event(
    actor: Any,
    subject: Subject,
    kind: str,
    occurred_on: date,
    reason: str,
    authority: str,
    document: EnforcementDocument | None = None,
    *,
    from_decision: bool = False,
) -> CreditEvent:
    """One credit event, its points from the scheme in force; audited. `from_decision`: made by
    `event_from_document` from a decision its issuer was already allowed to make, so the keeper check is skipped."""
    if not from_decision:
        check_manage(actor)
    if kind not in CreditEventKind.values:
        raise DomainError(f"信用事项类别不正确：{kind}（可选：{'、'.join(CreditEventKind.values)}）", code="bad_kind")
    if occurred_on > timezone.localdate():
        raise DomainError("决定日期不能晚于今天", code="bad_date")
    reason, authority = (reason or "").strip(), (authority or "").strip()
    if not reason:
        raise DomainError("请填写信用事项的事由", code="no_reason")
    if not authority:
        raise DomainError("请填写决定机关", code="no_authority")
    with transaction.atomic():
        event = CreditEvent.objects.create(
            subject=subject,
            kind=kind,
            points=rules()[kind].points,
            occurred_on=occurred_on,
            reason=reason[:300],
            authority=authority[:100],
            document=document,
            recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
            recorded_at=timezone.now(),
        )
        record_audit(
            actor, "ledgers.credit_event_recorded", f"subject:{subject.pk}", f"{kind} {event.points:+d}",
            event=event.pk, document=document.pk if document else None,
        )  # fmt: skip
    return event


def locked_event(event_id: int) -> CreditEvent:
    """The event, row-locked: objections, decisions and repairs read its status and then change it."""
    event = CreditEvent.objects.select_for_update().filter(pk=event_id).first()
    if event is None:
        raise NotFound("信用记录不存在")
    return event


def _decide(actor: Any, event: CreditEvent, status: str, decision: str, action: str) -> CreditEvent:
    event.status = status
    event.appeal_decision = decision
    event.appeal_decided_at = timezone.now()
    event.appeal_decided_by = actor
    event.save(update_fields=["status", "appeal_decision", "appeal_decided_at", "appeal_decided_by"])
    record_audit(actor, action, f"credit_event:{event.pk}", status, subject=event.subject_id)
    return event


def _checked_text(actor: Any, text: str, missing: str) -> str:
    """Who may act checked first, then the text the step needs (an objection, a decision)."""
    check_manage(actor)
    text = (text or "").strip()
    if not text:
        raise DomainError(missing, code="no_text")
    return text


def _locked_in(event_id: int, status: str, refusal: str) -> CreditEvent:
    event = locked_event(event_id)
    if event.status != status:
        raise DomainError(refusal, code="bad_status")
    return event


def object_to(actor: Any, event_id: int, text: str) -> CreditEvent:
    """The party's objection (异议), entered by staff: the event is 异议中 (still counted) until decided."""
    text = _checked_text(actor, text, "请填写异议内容")
    with transaction.atomic():
        event = _locked_in(event_id, CreditEventStatus.ACTIVE, "只有生效中的信用记录可以提出异议")
        event.status, event.appeal_text = CreditEventStatus.OBJECTED, text
        event.save(update_fields=["status", "appeal_text"])
        record_audit(actor, "ledgers.credit_objected", f"credit_event:{event.pk}", "异议", subject=event.subject_id)
    return event


def decide_objection(actor: Any, event_id: int, upheld: bool, decision: str) -> CreditEvent:
    """Upheld: the event is withdrawn (撤销, no longer counted); rejected: it is in force again."""
    decision = _checked_text(actor, decision, "请填写异议处理意见")
    with transaction.atomic():
        event = _locked_in(event_id, CreditEventStatus.OBJECTED, "该信用记录没有待处理的异议")
        status = CreditEventStatus.WITHDRAWN if upheld else CreditEventStatus.ACTIVE
        return _decide(actor, event, status, decision, "ledgers.credit_objection_decided")


def repair_days(kind: str) -> int:
    days = {**REPAIR_DAYS, **getattr(settings, "XIUHUA_CREDIT_REPAIR_DAYS", {})}
    return int(days.get(kind, days["default"]))


def repair(actor: Any, event_id: int, decision: str, on: date | None = None) -> CreditEvent:
    """信用修复: a negative event that has stood its minimum time is repaired (kept on record, no longer counted)."""
    decision = _checked_text(actor, decision, "请填写信用修复的决定")
    on = on or timezone.localdate()
    refusal = "只有生效中的失信记录可以信用修复"
    with transaction.atomic():
        event = _locked_in(event_id, CreditEventStatus.ACTIVE, refusal)
        if event.points >= 0:
            raise DomainError(refusal, code="bad_status")
        earliest = event.occurred_on + timedelta(days=repair_days(event.kind))
        if on < earliest:
            raise DomainError(f"该记录最早可于 {earliest.isoformat()} 申请信用修复", code="too_early")
        return _decide(actor, event, CreditEventStatus.REPAIRED, decision, "ledgers.credit_repaired")


def event_from_document(document: EnforcementDocument, actor: Any = None) -> CreditEvent | None:
    """The credit event a final decision makes, once per document and kind (called again: the same event).

    A penalty decision with its reference number: a penalty. A failed re-inspection after an earlier failed one
    on the same ladder: a repeated failure. Anything else makes none."""
    if document.kind == DocumentKind.PENALTY and document.penalty_reference:
        kind, on = CreditEventKind.PENALTY, timezone.localdate(document.issued_at)
        reason = f"行政处罚 {document.penalty_reference}：{document.facts}"
    elif (
        document.status == DocumentStatus.FAILED
        and document.previous_id
        and (document.previous.status == DocumentStatus.FAILED)
    ):
        kind, on = CreditEventKind.REPEATED_FAILURE, timezone.localdate(document.closed_at or timezone.now())
        reason = f"{document.full_number} 复查再次不合格：{document.facts}"
    else:
        return None
    existing = CreditEvent.objects.filter(document=document, kind=kind).first()
    if existing is not None:
        return existing
    authority = document.issuing_unit.name
    issuer = actor or document.issued_by
    return record_event(issuer, document.subject, kind, on, reason, authority, document, from_decision=True)
