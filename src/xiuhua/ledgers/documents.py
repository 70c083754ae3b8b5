"""Enforcement documents (文书): issue on the ladder, deliver (送达), re-inspect (复查), cancel.

Every write is one transaction with its audit row. The number is taken (`numbering.take_number`) only after
every check passed and inside the transaction that writes the document, so a refused document takes none.
A document with a deadline puts its re-inspection in an inspector's queue on the deadline day; a failed
re-inspection issues the ladder's next step (same party, record, case and class) with its own re-inspection.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from xiuhua.accounts.choices import Role
from xiuhua.accounts.models import Department, User
from xiuhua.accounts.queries import division_code_filter, sees_division_code
from xiuhua.cases.attachments import check_uploads
from xiuhua.cases.models import Case
from xiuhua.core.audit import record_audit
from xiuhua.core.errors import DomainError, NotFound, PermissionDenied
from xiuhua.ledgers.choices import (
    DeliveryMethod,
    DocumentKind,
    DocumentStatus,
    IdKind,
    InspectionResult,
    PhotoStage,
    SubjectKind,
)
from xiuhua.ledgers.credit import event_from_document
from xiuhua.ledgers.inspections import grid_inspector, ledger_record, store_photos, visible_ledgers, visible_records
from xiuhua.ledgers.ladder import step_after, step_for_matter, step_of_kind
from xiuhua.ledgers.models import EnforcementDocument, Inspection, LedgerKeeper, LedgerRecord, Subject
from xiuhua.ledgers.numbering import take_number
from xiuhua.worktime.clock import SHANGHAI

ISSUING_ROLES = {Role.INSPECTOR, Role.DEPARTMENT}
DEADLINE_KINDS = {DocumentKind.RECTIFY_BY, DocumentKind.ORDER_TO_CORRECT}
OPEN = (DocumentStatus.ISSUED, DocumentStatus.DELIVERED)


@dataclass
class Draft:
    """What the officer fills in; the kind None means "what the ladder says" for the class."""

    subject_id: int
    facts: str
    legal_basis: str
    class_code: str = ""
    kind: str | None = None
    demand: str = ""
    deadline: date | None = None
    record: tuple[str, int] | None = None
    case_number: str = ""
    penalty_reference: str = ""


def local_day(at: datetime) -> date:
    return at.astimezone(SHANGHAI).date()


def _missing_party_fields(subject: Subject) -> list[str]:
    """What a document must print about the party: a person's name and address; an organisation's name, credit
    code, legal representative and address."""
    needed = {"name": "名称/姓名", "address": "地址"}
    if subject.kind == SubjectKind.ORGANISATION:
        needed |= {"legal_representative": "法定代表人（负责人）"}
    missing = [label for name, label in needed.items() if not (getattr(subject, name) or "").strip()]
    if subject.kind == SubjectKind.ORGANISATION and not (subject.id_kind == IdKind.CREDIT_CODE and subject.id_digest):
        missing.append("统一社会信用代码")
    return missing


def _may_see_subject(actor: User, subject: Subject, record: LedgerRecord | None) -> bool:
    """A party is seen through a record of it the user sees, or by a scope over the party's whole district."""
    if record is not None and record.subject_id == subject.pk:
        return True
    return actor.is_superuser or sees_division_code(actor, subject.district.code)


def _issuing_unit(actor: User, record: LedgerRecord | None) -> Department:
    if actor.department_id:
        return actor.department
    keeper = LedgerKeeper.objects.filter(ledger=record.KIND).select_related("department").first() if record else None
    if keeper is None:
        raise DomainError("无法确定开具单位：您的账号未归属部门，该类台账也未指定主管部门", code="no_issuing_unit")
    return keeper.department


def _checked_kind(draft: Draft, subject: Subject, now: datetime) -> tuple[str, int | None]:
    """The document kind and its ladder deadline days (None: no default deadline)."""
    if draft.kind is None:
        step = step_for_matter(subject, draft.record, draft.class_code, now)
        return step.kind, step.deadline_days
    if draft.kind not in DocumentKind.values:
        raise DomainError(f"未知的文书种类「{draft.kind}」", code="bad_document_kind")
    step = step_of_kind(draft.class_code, draft.kind) if draft.class_code else None
    return draft.kind, step.deadline_days if step else None


def _checked_deadline(kind: str, deadline: date | None, days: int | None, now: datetime) -> date | None:
    today = local_day(now)
    if kind not in DEADLINE_KINDS:
        if deadline is not None:
            raise DomainError("该种文书不设整改期限", code="deadline_not_allowed")
        return None
    deadline = deadline or (today + timedelta(days=days) if days else None)
    if deadline is None:
        raise DomainError("限期整改类文书必须写明整改期限", code="deadline_required")
    if deadline <= today:
        raise DomainError("整改期限须晚于今天（按北京时间）", code="deadline_past")
    return deadline


def _checked_text(draft: Draft, kind: str) -> None:
    texts = ((draft.facts, "违法事实"), (draft.legal_basis, "法律依据"))
    missing = [label for value, label in texts if not value.strip()]
    if kind in DEADLINE_KINDS and not draft.demand.strip():
        missing.append("整改要求")
    if missing:
        raise DomainError(f"文书缺少：{'、'.join(missing)}", code="document_incomplete")


def _checked_subject(actor: User, subject_id: int, record: LedgerRecord | None) -> Subject:
    subject = Subject.objects.select_related("district").filter(pk=subject_id).first()
    if subject is None or not _may_see_subject(actor, subject, record):
        raise NotFound("当事人不存在或不在您的数据范围内")
    if missing := _missing_party_fields(subject):
        raise DomainError(f"当事人信息不全，文书无法开具：缺少{'、'.join(missing)}", code="party_incomplete")
    return subject


def _case(actor: User, number: str) -> Case | None:
    if not number:
        return None
    case = Case.objects.filter(number=number).first()
    if case is None or not (actor.is_superuser or sees_division_code(actor, case.grid_code or "")):
        raise NotFound("案件不存在或不在您的数据范围内")
    return case


def issue_document(actor: User, draft: Draft, *, now: datetime | None = None) -> EnforcementDocument:
    """Check everything, then write the document with its number, its re-inspection and the audit row."""
    if not (actor.is_superuser or actor.role in ISSUING_ROLES):
        raise PermissionDenied("只有监督员和执法人员可以开具文书")
    now = now or timezone.now()
    record = ledger_record(actor, *draft.record) if draft.record else None
    subject = _checked_subject(actor, draft.subject_id, record)
    if record is not None and record.subject_id not in (None, subject.pk):
        raise DomainError("该台账记录的当事人不是文书的当事人", code="party_mismatch")
    case = _case(actor, draft.case_number)
    with transaction.atomic():
        # The party's row lock makes two officers at one party count each other's matter on the ladder.
        Subject.objects.select_for_update().only("pk").get(pk=subject.pk)
        kind, days = _checked_kind(draft, subject, now)
        deadline = _checked_deadline(kind, draft.deadline, days, now)
        _checked_text(draft, kind)
        if deadline is not None and record is None:
            raise DomainError("限期整改类文书须关联台账记录，复查才有地点", code="record_required")
        return _write(actor, draft, subject, record, case, kind, deadline, _issuing_unit(actor, record), now)


def _write(actor, draft, subject, record, case, kind, deadline, unit, now, previous=None) -> EnforcementDocument:
    year = local_day(now).year
    number, printed = take_number(kind, year)
    document = EnforcementDocument.objects.create(
        kind=kind, year=year, number=number, full_number=printed, subject=subject,
        ledger=record.KIND if record else "", record_id=record.pk if record else None, case=case,
        class_code=draft.class_code, previous=previous, facts=draft.facts.strip(),
        legal_basis=draft.legal_basis.strip(), demand=draft.demand.strip(), deadline=deadline,
        penalty_reference=draft.penalty_reference.strip(), issued_by=actor, issuing_unit=unit, issued_at=now,
    )  # fmt: skip
    if deadline is not None:
        inspector = actor if actor.role == Role.INSPECTOR else grid_inspector(record)
        Inspection.objects.create(ledger=record.KIND, record_id=record.pk, inspector=inspector, due_on=deadline,
                                  document=document)  # fmt: skip
    event_from_document(document, actor)
    record_audit(actor, "ledgers.document_issued", printed, f"开具{document.get_kind_display()}",
                 subject=subject.pk, case=case.number if case else "", deadline=str(deadline or ""))  # fmt: skip
    return document


def visible_documents(user: User) -> QuerySet[EnforcementDocument]:
    """Documents of the user's own unit, or about a record the user sees; outside a department also those about a
    party of a district in the user's scope (a department sees only what its ledgers and its own unit hold)."""
    documents = EnforcementDocument.objects.all()
    if user.is_superuser:
        return documents
    seen = Q(pk__in=[])
    if user.role != Role.DEPARTMENT:
        seen |= division_code_filter(user, "subject__district__code")
    if user.department_id:
        seen |= Q(issuing_unit_id=user.department_id)
    for kind in visible_ledgers(user):
        seen |= Q(ledger=kind, record_id__in=visible_records(user, kind).values("pk"))
    return documents.filter(seen)


def _locked_document(document_id: int) -> EnforcementDocument:
    document = EnforcementDocument.objects.select_for_update().filter(pk=document_id).first()
    if document is None:
        raise NotFound("文书不存在")
    return document


def check_may_act(actor: User, document: EnforcementDocument) -> None:
    """Who may deliver, re-inspect or cancel: an issuing officer who sees the party (and its record)."""
    if not (actor.is_superuser or actor.role in ISSUING_ROLES):
        raise PermissionDenied("只有监督员和执法人员可以办理文书")
    record = ledger_record(actor, document.ledger, document.record_id) if document.ledger else None
    if not _may_see_subject(actor, document.subject, record):
        raise NotFound("文书不存在")


def record_delivery(
    actor: User, document_id: int, method: str, at: datetime, note: str = "", photo=None, *, now: datetime | None = None
) -> EnforcementDocument:
    """送达: how and when the party received the document (a photo of the delivery, e.g. 留置送达)."""
    now = now or timezone.now()
    if method not in DeliveryMethod.values:
        raise DomainError(f"送达方式应为以下之一：{'、'.join(DeliveryMethod.values)}", code="bad_delivery_method")
    with transaction.atomic():
        document = _locked_document(document_id)
        check_may_act(actor, document)
        if document.status != DocumentStatus.ISSUED:
            raise DomainError(f"文书状态为「{document.get_status_display()}」，不能再登记送达", code="not_issued")
        if at > now or at < document.issued_at:
            raise DomainError("送达时间须在开具之后、现在之前", code="bad_delivery_time")
        document.status, document.delivered_at = DocumentStatus.DELIVERED, at
        document.delivery_method, document.delivery_note = method, note.strip()[:200]
        if photo is not None:
            upload = check_uploads([photo])[0].upload
            document.delivery_photo.save(upload.name or "delivery.jpg", upload, save=False)
        document.save()
        how = document.get_delivery_method_display()
        record_audit(actor, "ledgers.document_delivered", document.full_number, f"送达（{how}）")
    return document


def record_reinspection(
    actor: User, inspection_id: int, passed: bool, note: str = "", photos: list | None = None,
    *, now: datetime | None = None,
) -> tuple[Inspection, EnforcementDocument | None]:  # fmt: skip
    """复查: passed closes the document; failed marks it failed and issues the next step. Returns the next one."""
    now = now or timezone.now()
    with transaction.atomic():
        inspection = Inspection.objects.select_for_update().filter(pk=inspection_id, document__isnull=False).first()
        if inspection is None:
            raise NotFound("复查任务不存在")
        document = _locked_document(inspection.document_id)
        check_may_act(actor, document)
        if inspection.inspected_at is not None or document.status not in OPEN:
            raise DomainError("该复查已完成，或文书已办结、撤销", code="reinspection_done")
        inspection.inspected_at, inspection.note = now, note.strip()
        inspection.result = InspectionResult.PASSED if passed else InspectionResult.FAILED
        inspection.inspector = inspection.inspector or actor
        inspection.save()
        store_photos(actor, inspection.ledger, inspection.record_id, photos or [], PhotoStage.AFTER, now)
        document.status = DocumentStatus.PASSED if passed else DocumentStatus.FAILED
        document.closed_at = now
        document.save(update_fields=["status", "closed_at"])
        record_audit(actor, "ledgers.reinspected", document.full_number, "复查合格" if passed else "复查不合格",
                     inspection=inspection.pk)  # fmt: skip
        if not passed:
            event_from_document(document, actor)  # a second failure on one ladder is a repeated failure
        following = None if passed else _next_step(actor, document, now)
    return inspection, following


def _next_step(actor: User, failed: EnforcementDocument, now: datetime) -> EnforcementDocument:
    step = step_after(failed)
    record = ledger_record(actor, failed.ledger, failed.record_id) if failed.ledger else None
    deadline = local_day(now) + timedelta(days=step.deadline_days) if step.deadline_days else None
    if step.kind in DEADLINE_KINDS and deadline is None:
        deadline = local_day(now) + timedelta(days=7)  # a configured step without days: a week, as Jiading's
    facts = f"经复查，逾期未整改。原文书：{failed.full_number}。{failed.facts}"
    draft = Draft(subject_id=failed.subject_id, facts=facts, legal_basis=failed.legal_basis,
                  class_code=failed.class_code, demand=failed.demand)  # fmt: skip
    unit = failed.issuing_unit
    return _write(actor, draft, failed.subject, record, failed.case, step.kind, deadline, unit, now, previous=failed)


def record_penalty_decision(actor: User, document_id: int, reference: str) -> EnforcementDocument:
    """The decision number of a penalty the ladder referred (a failed 责令改正 issues the penalty step without one):
    the final decision, which also goes into the party's credit record."""
    reference = reference.strip()
    if not reference:
        raise DomainError("请填写行政处罚决定书文号", code="reference_required")
    with transaction.atomic():
        document = _locked_document(document_id)
        check_may_act(actor, document)
        if document.kind != DocumentKind.PENALTY or document.status not in OPEN:
            raise DomainError("只有未撤销的行政处罚文书可以登记处罚决定书文号", code="not_penalty")
        if document.penalty_reference:
            raise DomainError(f"已登记处罚决定书文号：{document.penalty_reference}", code="already_decided")
        document.penalty_reference = reference[:60]
        document.save(update_fields=["penalty_reference"])
        event_from_document(document, actor)
        record_audit(actor, "ledgers.penalty_decided", document.full_number, f"处罚决定 {document.penalty_reference}")
    return document


def cancel_document(actor: User, document_id: int, reason: str) -> EnforcementDocument:
    """撤销: the document keeps its number (the register has no gaps); its pending re-inspection is withdrawn."""
    if not reason.strip():
        raise DomainError("撤销文书须写明理由", code="reason_required")
    with transaction.atomic():
        document = _locked_document(document_id)
        check_may_act(actor, document)
        if document.status not in OPEN:
            raise DomainError(f"文书状态为「{document.get_status_display()}」，不能撤销", code="not_open")
        document.status, document.closed_at = DocumentStatus.CANCELLED, timezone.now()
        document.save(update_fields=["status", "closed_at"])
        Inspection.objects.filter(document=document, inspected_at__isnull=True).delete()
        record_audit(actor, "ledgers.document_cancelled", document.full_number, reason.strip()[:200])
    return document
