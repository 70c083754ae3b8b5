"""Reports entered by staff: an inspector on patrol (photo and GPS from the phone), or an operator writing
down what a caller, a walk-in or the media said."""

from __future__ import annotations

from datetime import datetime

from xiuhua.accounts.choices import Role
from xiuhua.accounts.models import User
from xiuhua.cases.attachments import check_uploads
from xiuhua.cases.choices import Source
from xiuhua.core.errors import DomainError, PermissionDenied
from xiuhua.intake.services import Accepted, ReportInput, accept_report, intake_key

REPORTING_ROLES = {Role.OPERATOR, Role.INSPECTOR}
# What an operator may enter on behalf of others; an inspector's own reports are always `inspector`, and
# Open311 reports come only through the Open311 endpoint.
OPERATOR_SOURCES = set(Source.values) - {Source.INSPECTOR, Source.OPEN311}


def _source(actor: User, data: ReportInput) -> str:
    if actor.role == Role.INSPECTOR:
        return Source.INSPECTOR
    source = data.source or Source.HOTLINE_12345
    if source not in OPERATOR_SOURCES:
        raise DomainError(f"来源 source 应为以下之一：{'、'.join(sorted(OPERATOR_SOURCES))}", code="bad_source")
    return source


def _check_staff_report(actor: User, data: ReportInput, photos: list, after_photos: list) -> list:
    """The after photos, checked (passed on as they are, so they are not checked twice)."""
    if actor.role not in REPORTING_ROLES:
        raise PermissionDenied("只有受理员和监督员可以录入上报")
    if actor.role == Role.INSPECTOR and not photos:
        raise DomainError("监督员上报需附现场照片", code="photo_required")
    if data.self_handled and actor.role != Role.INSPECTOR:
        raise DomainError("只有监督员可以自处理", code="not_inspector")
    if data.self_handled and not after_photos:
        raise DomainError("自处理需上传处置后照片", code="photo_required")
    return check_uploads(after_photos)


def report_by_staff(
    actor: User,
    data: ReportInput,
    photos: list | None = None,
    *,
    after_photos: list | None = None,
    idempotency_key: str | None = None,
    now: datetime | None = None,
) -> Accepted:
    """An inspector's or operator's report; a phone resending it offline with the same key gets the same case."""
    photos, after_photos = list(photos or []), list(after_photos or [])
    key = intake_key(f"user:{actor.pk}", idempotency_key)
    after_photos = _check_staff_report(actor, data, photos, after_photos)
    return accept_report(
        data,
        source=_source(actor, data),
        actor=actor,
        photos=photos,
        after_photos=after_photos,
        key=key,
        now=now,
    )
