"""Parties (当事人): registered, corrected and found again by identity number, which is never stored in full.

One party per identity: a second registration of the same number is refused, naming the party already there
(by name and the number's last four), so that every record, document and credit event meets in one archive.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from django.db import IntegrityError, transaction

from xiuhua.accounts.models import User
from xiuhua.core.audit import record_audit
from xiuhua.core.crypto import normalise_phone, phone_digest
from xiuhua.core.errors import DomainError, NotFound, PermissionDenied
from xiuhua.ledgers.choices import IdKind, SubjectKind
from xiuhua.ledgers.identity import check_identity, identity_digest
from xiuhua.ledgers.models import Subject
from xiuhua.ledgers.queries import writable_ledgers
from xiuhua.territory.choices import DivisionLevel
from xiuhua.territory.models import Division

MAX_PHONE_DIGITS = 20


@dataclass
class SubjectInput:
    """What a party is registered with; `id_number` is checked, digested and dropped."""

    kind: str
    name: str
    id_kind: str = ""
    id_number: str = ""
    phone: str = ""
    address: str = ""
    legal_representative: str = ""
    district_code: str = ""


def identity_key(id_kind: str, id_number: str) -> tuple[str, str]:
    """(digest, last four) of a checked identity number; ("", "") when none is given."""
    if not id_number.strip():
        if id_kind:
            raise DomainError("选择了证件类型，但没有填写证件号码", code="bad_identity")
        return "", ""
    if not id_kind:
        raise DomainError("填写了证件号码，但没有选择证件类型", code="bad_identity")
    number = check_identity(id_kind, id_number)
    return identity_digest(id_kind, number), number[-4:]


def find_by_identity(id_kind: str, id_number: str) -> Subject | None:
    digest, _ = identity_key(id_kind, id_number)
    return Subject.objects.filter(id_kind=id_kind, id_digest=digest).first() if digest else None


def duplicate_message(existing: Subject) -> str:
    return f"该证件号码已登记为当事人「{existing.name}」（证件号码后四位 {existing.id_last4}），请勿重复登记"


def the_district(code: str = "") -> Division:
    """The district named by `code`, or the only one there is."""
    districts = Division.objects.filter(level=DivisionLevel.DISTRICT)
    if code:
        district = districts.filter(code=code).first()
        if district is None:
            raise DomainError(f"区县代码「{code}」不存在", code="bad_district")
        return district
    found = list(districts[:2])
    if len(found) != 1:
        raise DomainError("请填写当事人所属的区县代码", code="bad_district")
    return found[0]


def subject_values(data: SubjectInput) -> dict[str, Any]:
    """The checked field values of a party (raises a Chinese DomainError on the first problem)."""
    if data.kind not in SubjectKind.values:
        raise DomainError(f"当事人类型「{data.kind}」无效（可选：person 个人、organisation 单位）", code="bad_subject")
    if data.id_kind and data.id_kind not in IdKind.values:
        raise DomainError(f"证件类型「{data.id_kind}」无效", code="bad_identity")
    name = data.name.strip()
    if not name:
        raise DomainError("当事人名称不能为空", code="bad_subject")
    digits = normalise_phone(data.phone)
    if data.phone.strip() and not 5 <= len(digits) <= MAX_PHONE_DIGITS:
        raise DomainError(f"电话号码「{data.phone}」不正确", code="bad_phone")
    digest, last4 = identity_key(data.id_kind, data.id_number)
    return {
        "kind": data.kind,
        "name": name,
        "id_kind": data.id_kind if digest else "",
        "id_digest": digest,
        "id_last4": last4,
        "phone": data.phone.strip(),
        "phone_digest": phone_digest(data.phone),
        "address": data.address.strip(),
        "legal_representative": data.legal_representative.strip(),
        "district": the_district(data.district_code),
    }


def require_writer(actor: User) -> None:
    if not writable_ledgers(actor):
        raise PermissionDenied("只有台账的管理部门或指挥长、领导可以登记当事人")


def refuse_duplicate(values: dict[str, Any], exclude_id: int | None = None) -> None:
    if not values["id_digest"]:
        return
    same = Subject.objects.filter(id_kind=values["id_kind"], id_digest=values["id_digest"]).exclude(pk=exclude_id)
    if (existing := same.first()) is not None:
        raise DomainError(duplicate_message(existing), code="duplicate_subject")


def create_subject(actor: User, data: SubjectInput) -> Subject:
    """Register a party; the same identity twice is refused with the party already registered."""
    require_writer(actor)
    values = subject_values(data)
    try:
        with transaction.atomic():
            refuse_duplicate(values)
            subject = Subject.objects.create(**values)
            record_audit(actor, "ledgers.subject_created", target=f"subject:{subject.pk}", summary="登记当事人")
    except IntegrityError:  # a concurrent registration of the same number won the race
        refuse_duplicate(values)
        raise
    return subject


def update_subject(actor: User, subject_id: int, data: SubjectInput, *, keep_identity: bool = False) -> Subject:
    """Correct a party; `keep_identity` leaves the stored identity alone (the number is not kept to re-send)."""
    require_writer(actor)
    values = subject_values(data)
    with transaction.atomic():
        subject = Subject.objects.select_for_update().filter(pk=subject_id).first()
        if subject is None:
            raise NotFound("当事人不存在")
        if keep_identity:
            values.update(id_kind=subject.id_kind, id_digest=subject.id_digest, id_last4=subject.id_last4)
        refuse_duplicate(values, exclude_id=subject.pk)
        changed = sorted(k for k, v in values.items() if getattr(subject, k) != v)
        for key, value in values.items():
            setattr(subject, key, value)
        subject.save()
        record_audit(
            actor, "ledgers.subject_updated", target=f"subject:{subject.pk}", summary="修改当事人", fields=changed
        )
    return subject


INPUT_FIELDS = tuple(f.name for f in fields(SubjectInput))
