"""The enforcement ladder (阶梯式执法): which document a matter gets, and what follows a failed re-inspection.

A class's steps are its `LadderStep` rows; a class without rows uses `default_ladder()` (Haiyan and Jiading):
提醒单 → 限期整改通知书 (3 days) → 责令改正通知书 (7 days) → 行政处罚决定 (a reference to the decision).

"The n-th matter": a matter is a document that starts a chain (not a follow-up of a failed re-inspection, not
cancelled) of the class for the same party, or about the same ledger record, issued in the `within_days` before
now. A new matter gets the highest step p whose own window holds at least p − 1 earlier matters; step 1 otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q

from xiuhua.core.errors import DomainError
from xiuhua.ledgers.choices import DocumentKind, DocumentStatus
from xiuhua.ledgers.models import EnforcementDocument, LadderStep, Subject

DEFAULT_WINDOW_DAYS = 90


@dataclass(frozen=True)
class Step:
    position: int
    kind: str
    within_days: int = DEFAULT_WINDOW_DAYS
    deadline_days: int | None = None


def default_ladder() -> list[Step]:
    return [
        Step(1, DocumentKind.REMINDER),
        Step(2, DocumentKind.RECTIFY_BY, deadline_days=3),
        Step(3, DocumentKind.ORDER_TO_CORRECT, deadline_days=7),
        Step(4, DocumentKind.PENALTY),
    ]


def ladder_for(class_code: str) -> list[Step]:
    rows = LadderStep.objects.filter(class_code=class_code).order_by("position") if class_code else []
    steps = [Step(r.position, r.kind, r.within_days, r.deadline_days) for r in rows]
    return steps or default_ladder()


def step_of_kind(class_code: str, kind: str) -> Step | None:
    return next((step for step in ladder_for(class_code) if step.kind == kind), None)


def earlier_matters(subject: Subject, record: tuple[str, int] | None, class_code: str, since: datetime) -> int:
    same_party = Q(subject=subject)
    if record is not None:
        same_party |= Q(ledger=record[0], record_id=record[1])
    return (
        EnforcementDocument.objects.filter(same_party, class_code=class_code, issued_at__gte=since, previous=None)
        .exclude(status=DocumentStatus.CANCELLED)
        .count()
    )


def step_for_matter(subject: Subject, record: tuple[str, int] | None, class_code: str, now: datetime) -> Step:
    """The step a new matter of the class at this party (or record) gets."""
    if not class_code:
        raise DomainError("按执法阶梯开具文书须指明问题类别", code="class_required")
    steps = ladder_for(class_code)
    for step in reversed(steps[1:]):
        since = now - timedelta(days=step.within_days)
        if earlier_matters(subject, record, class_code, since) >= step.position - 1:
            return step
    return steps[0]


def step_after(document: EnforcementDocument) -> Step:
    """The step that follows a document whose re-inspection failed."""
    steps = ladder_for(document.class_code)
    later = [step for step in steps if step.position > _position(steps, document.kind)]
    if not later:
        raise DomainError("该文书已是执法阶梯的最后一级", code="ladder_end")
    return later[0]


def _position(steps: list[Step], kind: str) -> int:
    for step in steps:
        if step.kind == kind:
            return step.position
    # A document of a kind the class's ladder leaves out follows the steps of the kinds before it.
    order = list(DocumentKind.values)
    return max((s.position for s in steps if order.index(s.kind) <= order.index(kind)), default=0)
