"""Writes on cases from outside the workflow table: taking in a report. Every state change after that is
`xiuhua.cases.workflow.apply_action`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from xiuhua.accounts.choices import Role
from xiuhua.accounts.models import User
from xiuhua.cases.attachments import check_uploads
from xiuhua.cases.choices import Action, Source
from xiuhua.cases.models import Case
from xiuhua.cases.numbering import next_case_number
from xiuhua.cases.workflow import apply_action, create_case
from xiuhua.catalog.choices import ClassKind, Urgency
from xiuhua.catalog.models import CaseClass, Component
from xiuhua.core.errors import DomainError, PermissionDenied
from xiuhua.territory.geocoding import geocode
from xiuhua.territory.services import Location, locate_point

MAX_DESCRIPTION = 2000
REPORTING_ROLES = {Role.OPERATOR, Role.INSPECTOR}
# What an operator may enter on behalf of others; an inspector's own reports are always `inspector`.
OPERATOR_SOURCES = set(Source.values) - {Source.INSPECTOR}


@dataclass
class ReportInput:
    class_code: str
    description: str
    lng: float | None
    lat: float | None
    crs: str = "wgs84"
    kind: str | None = None
    address: str = ""
    urgency: str = Urgency.NORMAL
    source: str | None = None
    reporter_name: str = ""
    reporter_phone: str = ""
    reporter_confidential: bool = False
    component_code: str = ""
    self_handled: bool = False


def _report_class(code: str, kind: str | None) -> CaseClass:
    code = (code or "").strip()
    classes = CaseClass.objects.filter(code=code, active=True)
    if kind:
        if kind not in ClassKind.values:
            raise DomainError("kind 应为 component（部件）或 event（事件）", code="bad_kind")
        classes = classes.filter(kind=kind)
    found = list(classes)
    if not found:
        raise DomainError(f"未知的分类代码「{code}」", code="unknown_class")
    if len(found) > 1:
        raise DomainError(
            f"代码「{code}」既是部件小类也是事件小类，请加 kind=component 或 kind=event", code="ambiguous_class"
        )
    return found[0]


def _source(actor: User, data: ReportInput) -> str:
    if actor.role == Role.INSPECTOR:
        return Source.INSPECTOR
    source = data.source or Source.HOTLINE_12345
    if source not in OPERATOR_SOURCES:
        raise DomainError(f"来源 source 应为以下之一：{'、'.join(sorted(OPERATOR_SOURCES))}", code="bad_source")
    return source


def _locate(data: ReportInput) -> tuple[Location, str]:
    """The report's place: its coordinates, or failing those its address through the street-address table."""
    if data.lng is not None and data.lat is not None:
        return locate_point(data.lng, data.lat, data.crs), "point"
    if data.lng is not None or data.lat is not None:
        raise DomainError("经度 lng 和纬度 lat 需同时填写", code="incomplete_point")
    found = geocode(data.address)
    return locate_point(found.lng, found.lat), found.precision


def _component(code: str) -> Component | None:
    code = (code or "").strip()
    if not code:
        return None
    component = Component.objects.filter(code=code).first()
    if component is None:
        raise DomainError(f"未找到部件「{code}」", code="unknown_component")
    return component


def _check_report(actor: User, data: ReportInput, photos: list, after_photos: list) -> None:
    if actor.role not in REPORTING_ROLES:
        raise PermissionDenied("只有受理员和监督员可以录入上报")
    if not (data.description or "").strip():
        raise DomainError("请填写问题描述", code="description_required")
    if len(data.description) > MAX_DESCRIPTION:
        raise DomainError(f"问题描述最多 {MAX_DESCRIPTION} 字", code="description_too_long")
    if data.urgency not in Urgency.values:
        raise DomainError("紧急程度 urgency 应为 normal（一般）或 urgent（紧急）", code="bad_urgency")
    if actor.role == Role.INSPECTOR and not photos:
        raise DomainError("监督员上报需附现场照片", code="photo_required")
    if data.self_handled and actor.role != Role.INSPECTOR:
        raise DomainError("只有监督员可以自处理", code="not_inspector")
    if data.self_handled and not after_photos:
        raise DomainError("自处理需上传处置后照片", code="photo_required")
    check_uploads(after_photos)


MAX_IDEMPOTENCY_KEY = 100


def _intake_key(actor: User, idempotency_key: str | None) -> str | None:
    key = (idempotency_key or "").strip()
    if len(key) > MAX_IDEMPOTENCY_KEY:
        raise DomainError(f"Idempotency-Key 最长 {MAX_IDEMPOTENCY_KEY} 个字符", code="bad_idempotency_key")
    return f"{actor.pk}:{key}" if key else None


def submit_report(
    actor: User,
    data: ReportInput,
    photos: list | None = None,
    *,
    after_photos: list | None = None,
    idempotency_key: str | None = None,
    now: datetime | None = None,
) -> tuple[Case, bool]:
    """Take in a report as a new case in status `reported`; (case, created).

    The case is committed before this returns. With an idempotency key, a retry returns the case the
    first call stored instead of making another.
    """
    photos, after_photos = list(photos or []), list(after_photos or [])
    intake_key = _intake_key(actor, idempotency_key)
    if intake_key and (existing := Case.objects.filter(intake_key=intake_key).first()):
        return existing, False
    _check_report(actor, data, photos, after_photos)
    case_class = _report_class(data.class_code, data.kind)
    location, precision = _locate(data)
    component = _component(data.component_code)
    now = now or timezone.now()
    try:
        with transaction.atomic():
            case = Case(
                number=next_case_number(location.district_code, now),
                district_code=location.district_code,
                source=_source(actor, data),
                case_class=case_class,
                urgency=data.urgency,
                description=data.description.strip(),
                address=(data.address or "").strip()[:256],
                lng=location.lng,
                lat=location.lat,
                original_lng=location.original_lng,
                original_lat=location.original_lat,
                original_crs=location.original_crs,
                location_precision=precision,
                unit_grid_id=location.grid_id,
                grid_code=location.grid_code,
                community_id=location.community_id,
                subdistrict_id=location.subdistrict_id,
                district_id=location.district_id,
                component=component,
                reporter=actor,
                reporter_name=(data.reporter_name or "").strip()[:50],
                reporter_phone=(data.reporter_phone or "").strip()[:30],
                reporter_confidential=bool(data.reporter_confidential),
                intake_key=intake_key,
            )
            create_case(case, actor, files=photos, now=now)
            if data.self_handled:
                case = apply_action(
                    case.number, Action.SELF_HANDLE, actor, {"note": "现场自处理"}, files=after_photos, now=now
                )
    except IntegrityError:
        # A concurrent retry with the same key stored it first.
        if intake_key and (existing := Case.objects.filter(intake_key=intake_key).first()):
            return existing, False
        raise
    return case, True
