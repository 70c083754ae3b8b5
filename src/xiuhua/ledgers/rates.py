"""Jiading's four enforcement rates (发现率、劝阻率、整改率、处罚率) per period and issuing unit.

A period is a range of local days (Asia/Shanghai), first and last included. A **matter** (案事件) is a
document that opens a chain: not the follow-up of a failed re-inspection (`previous` is empty), not cancelled,
issued in the period by the unit. Then, for each issuing unit, over the documents the user sees
(`documents.visible_documents`):

- 发现率 = matters found by patrol ÷ matters. Found by patrol: the document is about no case (the officer met the
  matter on the street) or its case came from an inspector's or a video patrol (sources `inspector`, `video`),
  not from a complaint.
- 劝阻率 = reminders complied ÷ reminders. A reminder slip (提醒单) of the period has no deadline and so no
  re-inspection; it counts as complied when no later document of the same class followed at the same party or
  record within 90 days of it (no later document has been issued for the same matter so far).
- 整改率 = re-inspections passed ÷ re-inspections done, over the re-inspections recorded in the period on the
  unit's documents.
- 处罚率 = penalty documents (行政处罚决定, cancelled ones excepted) issued in the period ÷ matters.

A rate with nothing to divide by is None (shown 「—」), never 0 % or 100 %.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Exists, F, OuterRef, Q

from xiuhua.accounts.models import User
from xiuhua.cases.choices import Source
from xiuhua.core.errors import DomainError
from xiuhua.ledgers.choices import DocumentKind, DocumentStatus, InspectionResult
from xiuhua.ledgers.documents import visible_documents
from xiuhua.ledgers.ladder import DEFAULT_WINDOW_DAYS
from xiuhua.ledgers.models import EnforcementDocument, Inspection
from xiuhua.worktime.clock import SHANGHAI

PATROL_SOURCES = (Source.INSPECTOR, Source.VIDEO)
MAX_PERIOD_DAYS = 366


@dataclass(frozen=True)
class UnitRates:
    unit_id: int
    unit: str
    matters: int
    found_by_patrol: int
    reminders: int
    reminders_complied: int
    reinspections: int
    reinspections_passed: int
    penalties: int

    @staticmethod
    def _ratio(part: int, whole: int) -> float | None:
        return round(part / whole, 4) if whole else None

    def as_dict(self) -> dict:
        return asdict(self) | {
            "discovery_rate": self._ratio(self.found_by_patrol, self.matters),
            "dissuasion_rate": self._ratio(self.reminders_complied, self.reminders),
            "rectification_rate": self._ratio(self.reinspections_passed, self.reinspections),
            "penalty_rate": self._ratio(self.penalties, self.matters),
        }


def period_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    if last < first:
        raise DomainError("统计期的结束日期不能早于开始日期", code="bad_period")
    if (last - first).days >= MAX_PERIOD_DAYS:
        raise DomainError(f"统计期最长 {MAX_PERIOD_DAYS} 天", code="bad_period")
    start = datetime.combine(first, time.min, tzinfo=SHANGHAI)
    return start, datetime.combine(last + timedelta(days=1), time.min, tzinfo=SHANGHAI)


def _repeated() -> Exists:
    later = EnforcementDocument.objects.filter(
        Q(subject=OuterRef("subject")) | Q(ledger=OuterRef("ledger"), record_id=OuterRef("record_id")),
        class_code=OuterRef("class_code"),
        issued_at__gt=OuterRef("issued_at"),
        issued_at__lte=OuterRef("issued_at") + timedelta(days=DEFAULT_WINDOW_DAYS),
    ).exclude(status=DocumentStatus.CANCELLED)
    return Exists(later)


def rates(user: User, first: date, last: date) -> list[UnitRates]:
    start, end = period_bounds(first, last)
    issued = visible_documents(user).filter(issued_at__gte=start, issued_at__lt=end)
    issued = issued.exclude(status=DocumentStatus.CANCELLED)
    patrol = Q(case__isnull=True) | Q(case__source__in=PATROL_SOURCES)
    matters = Q(previous__isnull=True)
    reminder = Q(kind=DocumentKind.REMINDER)
    counts = (
        issued.annotate(repeated=_repeated())
        .values("issuing_unit_id", unit=F("issuing_unit__name"))
        .annotate(
            matters=Count("pk", filter=matters),
            found_by_patrol=Count("pk", filter=matters & patrol),
            reminders=Count("pk", filter=reminder),
            reminders_complied=Count("pk", filter=reminder & Q(repeated=False)),
            penalties=Count("pk", filter=Q(kind=DocumentKind.PENALTY)),
        )
    )
    done = _reinspections(user, start, end)
    rows = {row["issuing_unit_id"]: row for row in counts}
    units = sorted(set(rows) | set(done), key=lambda unit_id: (rows.get(unit_id) or done[unit_id])["unit"])
    empty = {"matters": 0, "found_by_patrol": 0, "reminders": 0, "reminders_complied": 0, "penalties": 0}
    return [
        UnitRates(
            unit_id=unit_id,
            unit=(rows.get(unit_id) or done[unit_id])["unit"],
            **{name: (rows.get(unit_id) or empty)[name] for name in empty},
            reinspections=done.get(unit_id, {}).get("done", 0),
            reinspections_passed=done.get(unit_id, {}).get("passed", 0),
        )
        for unit_id in units
    ]


def _reinspections(user: User, start: datetime, end: datetime) -> dict[int, dict]:
    documents = visible_documents(user)
    rows = (
        Inspection.objects.filter(document__in=documents, inspected_at__gte=start, inspected_at__lt=end)
        .values(unit_id=F("document__issuing_unit_id"), unit=F("document__issuing_unit__name"))
        .annotate(done=Count("pk"), passed=Count("pk", filter=Q(result=InspectionResult.PASSED)))
    )
    return {row["unit_id"]: row for row in rows}
