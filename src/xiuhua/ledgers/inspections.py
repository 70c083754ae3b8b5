"""Inspections (检查) of ledger records from the inspector's phone, the case a failed item raises, and the queue of
re-inspections (复查) due.

Who may see which ledger and record is `ledgers.queries`: a department the ledgers it keeps, the centre's staff
and inspectors every ledger; records only inside the user's data scope.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from xiuhua.accounts.choices import Role
from xiuhua.accounts.models import User
from xiuhua.accounts.queries import sees_division_code
from xiuhua.cases.attachments import check_uploads
from xiuhua.core.audit import record_audit
from xiuhua.core.errors import DomainError, NotFound, PermissionDenied
from xiuhua.intake.channels.staff.adapter import report_by_staff
from xiuhua.intake.services import ReportInput
from xiuhua.ledgers.checklists import checked, item_of
from xiuhua.ledgers.choices import InspectionResult, LedgerKind, PhotoStage
from xiuhua.ledgers.models import LEDGER_MODELS, Inspection, LedgerPhoto, LedgerRecord
from xiuhua.ledgers.queries import visible_ledgers, visible_records

INSPECTING_ROLES = {Role.INSPECTOR, Role.DEPARTMENT}


def ledger_record(user: User, kind: str, record_id: int) -> LedgerRecord:
    """The record, if the user may see it (a record out of sight is "not found", as cases are)."""
    if kind not in LEDGER_MODELS:
        raise DomainError(f"未知的台账类别「{kind}」", code="bad_ledger")
    if kind not in visible_ledgers(user):
        raise PermissionDenied("无权查看该类台账")
    record = visible_records(user, LedgerKind(kind)).filter(pk=record_id).first()
    if record is None:
        raise NotFound("台账记录不存在或不在您的数据范围内")
    return record


def check_inspector(user: User) -> None:
    if not (user.is_superuser or user.role in INSPECTING_ROLES):
        raise PermissionDenied("只有监督员和执法人员可以检查台账")


def store_photos(actor: User, kind: str, record_id: int, uploads: list, stage: str, at: datetime) -> list[LedgerPhoto]:
    """Photos of a record (checked as the cases' are); call inside the transaction that records what they show."""
    photos = []
    for item in check_uploads(uploads):
        photo = LedgerPhoto(ledger=kind, record_id=record_id, stage=stage, content_type=item.content_type,
                            taken_at=at, uploaded_by=actor)  # fmt: skip
        photo.file.save(item.upload.name or "photo.jpg", item.upload, save=False)
        photo.save()
        photos.append(photo)
    return photos


def record_inspection(
    actor: User, kind: str, record_id: int, results: dict, *, note: str = "", photos: list | None = None,
    now: datetime | None = None,
) -> Inspection:  # fmt: skip
    """An inspection done now: every checklist item ok or failed; the result is failed when any item failed."""
    check_inspector(actor)
    record = ledger_record(actor, kind, record_id)
    results = checked(kind, results, record)
    now = now or timezone.now()
    passed = all(results.values())
    with transaction.atomic():
        inspection = Inspection.objects.create(
            ledger=kind, record_id=record.pk, inspector=actor, inspected_at=now, checklist=results, note=note.strip(),
            result=InspectionResult.PASSED if passed else InspectionResult.FAILED,
        )  # fmt: skip
        store_photos(actor, kind, record.pk, photos or [], PhotoStage.OTHER, now)
        failed = [key for key, ok in results.items() if not ok]
        record_audit(actor, "ledgers.inspected", f"{kind}:{record.pk}", f"检查 {record.code}：{inspection.result}",
                     inspection=inspection.pk, failed=failed)  # fmt: skip
    return inspection


@dataclass(frozen=True)
class Raised:
    inspection: Inspection
    case_number: str


def raise_case(actor: User, inspection_id: int, failed_item: str, photos: list, *, description: str = "") -> Raised:
    """Report the failed item as a case at the record's place, through the inspector app's intake, and link it."""
    check_inspector(actor)
    with transaction.atomic():
        inspection = Inspection.objects.select_for_update().filter(pk=inspection_id).first()
        if inspection is None or inspection.inspector_id not in (actor.pk, None) and not actor.is_superuser:
            raise NotFound("检查记录不存在")
        record = ledger_record(actor, inspection.ledger, inspection.record_id)
        if inspection.case_id:
            raise DomainError("该检查已上报过案件", code="case_already_raised")
        if inspection.checklist.get(failed_item) is not False:
            raise DomainError("只能就检查不合格的项上报案件", code="item_not_failed")
        item = item_of(inspection.ledger, failed_item, record)
        if not item.class_code:
            raise DomainError(f"「{item.label}」没有对应的案件类别，请在上报页面选择类别", code="no_case_class")
        text = description.strip() or f"{record.name}（{record.code}）检查不合格：{item.label}"
        data = ReportInput(class_code=item.class_code, kind="event", description=text, lng=record.lng,
                           lat=record.lat, address=record.address)  # fmt: skip
        case = report_by_staff(actor, data, photos).case
        inspection.case = case
        inspection.save(update_fields=["case"])
        record_audit(actor, "ledgers.case_raised", case.number, f"检查 {record.code} 不合格「{item.label}」上报案件",
                     inspection=inspection.pk)  # fmt: skip
    return Raised(inspection, case.number)


def due_queue(user: User, day: date) -> QuerySet[Inspection]:
    """The re-inspections assigned to the user that are still to do and due by `day` (overdue ones first)."""
    return (
        Inspection.objects.filter(inspector=user, inspected_at__isnull=True, due_on__lte=day)
        .select_related("document")
        .order_by("due_on", "pk")
    )


def grid_inspector(record: LedgerRecord) -> User | None:
    """The inspector whose beat (data scope) holds the record's unit grid: the first by username, as a rota."""
    if not record.grid_code:
        return None
    inspectors = User.objects.filter(role=Role.INSPECTOR, is_active=True).order_by("username")
    return next((u for u in inspectors if sees_division_code(u, record.grid_code)), None)
