"""Taking reports in. Every channel (inspector, citizen, hotline, alert, leader, Open311) turns its payload into
one call of `accept_report`, which finds the class and the place, flags repeat complaints and stores a new case
in status `reported` — committed, with its first event, before it returns.

Retries: a channel passes an intake key (its namespace plus the client's idempotency key, a hotline order
number, a device's alert id …); a second call with the same key returns the case the first one stored.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from xiuhua.accounts.models import User
from xiuhua.accounts.privacy import redact_text
from xiuhua.cases.attachments import accept_uploads
from xiuhua.cases.choices import Action, Source
from xiuhua.cases.citizen_messages import report_received
from xiuhua.cases.models import Case
from xiuhua.cases.numbering import next_case_number
from xiuhua.cases.workflow import apply_action, create_case
from xiuhua.catalog.choices import ClassKind, Urgency
from xiuhua.catalog.models import CaseClass, Component
from xiuhua.core import refcache
from xiuhua.core.crypto import phone_digest
from xiuhua.core.errors import DomainError
from xiuhua.core.limits import check_length, too_long_message
from xiuhua.intake.duplicates import count_nearby, window_for_class
from xiuhua.intake.places import place_for_report
from xiuhua.territory.geocoding import geocode
from xiuhua.territory.services import Location, locate_point

MAX_DESCRIPTION = 4000  # as GeoReport v2 allows: hotline transcripts are long too
# The columns' sizes (cases.Case): longer text is refused with the limit named.
MAX_ADDRESS, MAX_NAME, MAX_PHONE, MAX_EMAIL = 256, 50, 30, 254
MAX_IDEMPOTENCY_KEY = 100
REPEAT_DAYS = 30
DEFAULT_REPEAT_COUNT = 3
# No 0/O, 1/I/L: a citizen reads the code off a phone screen or hears it on a call.
LOOKUP_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LOOKUP_LENGTH = 8


@dataclass
class ReportInput:
    """What every channel knows about a problem, in the platform's own terms."""

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
    reporter_email: str = ""
    reporter_confidential: bool = False
    component_code: str = ""
    self_handled: bool = False


@dataclass(frozen=True)
class Accepted:
    case: Case
    created: bool


def intake_key(namespace: str, key: str | None) -> str | None:
    """The stored idempotency key: the client's key inside its channel's namespace (None without a key)."""
    key = (key or "").strip()
    if len(key) > MAX_IDEMPOTENCY_KEY:
        raise DomainError(f"Idempotency-Key 最长 {MAX_IDEMPOTENCY_KEY} 个字符", code="bad_idempotency_key")
    return f"{namespace}:{key}" if key else None


def already_accepted(key: str | None) -> Case | None:
    return Case.objects.filter(intake_key=key).first() if key else None


def _active_classes() -> dict[str, tuple[CaseClass, ...]]:
    by_code: dict[str, list[CaseClass]] = {}
    for case_class in CaseClass.objects.filter(active=True).order_by("kind", "code", "id"):
        by_code.setdefault(case_class.code, []).append(case_class)
    return {code: tuple(classes) for code, classes in by_code.items()}


def active_classes_by_code() -> dict[str, tuple[CaseClass, ...]]:
    """The active classes under each code (one per kind at most): reference data, memoised per process."""
    return refcache.memo("catalog.active_classes", _active_classes)


def report_class(code: str, kind: str | None) -> CaseClass:
    code = (code or "").strip()
    if not code:
        raise DomainError("请选择问题分类（5 位小类代码）", code="class_required")
    if kind and kind not in ClassKind.values:
        raise DomainError("kind 应为 component（部件）或 event（事件）", code="bad_kind")
    found = [c for c in active_classes_by_code().get(code, ()) if not kind or c.kind == kind]
    if not found:
        raise DomainError(f"未知的分类代码「{code}」", code="unknown_class")
    if len(found) > 1:
        raise DomainError(
            f"代码「{code}」既是部件小类也是事件小类，请加 kind=component 或 kind=event", code="ambiguous_class"
        )
    return found[0]


def locate_report(data: ReportInput) -> tuple[Location, str]:
    """The report's place: its coordinates, or failing those its address through the street-address table."""
    if data.lng is not None and data.lat is not None:
        return locate_point(data.lng, data.lat, data.crs), "point"
    if data.lng is not None or data.lat is not None:
        raise DomainError("经度 lng 和纬度 lat 需同时填写", code="incomplete_point")
    if not (data.address or "").strip():
        raise DomainError("请给出位置：经纬度 lng/lat 或地址 address", code="location_required")
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


def _check_text(data: ReportInput) -> None:
    if not (data.description or "").strip():
        raise DomainError("请填写问题描述", code="description_required")
    if len(data.description) > MAX_DESCRIPTION:
        raise DomainError(
            too_long_message("问题描述", MAX_DESCRIPTION, len(data.description)), code="description_too_long"
        )
    # Refused, never cut: what a person wrote is kept whole or they are told the limit.
    for label, value, limit in (
        ("地址", data.address, MAX_ADDRESS),
        ("称呼", data.reporter_name, MAX_NAME),
        ("联系电话", data.reporter_phone, MAX_PHONE),
        ("电子邮箱", data.reporter_email, MAX_EMAIL),
    ):
        check_length(label, (value or "").strip(), limit)
    if data.urgency not in Urgency.values:
        raise DomainError("紧急程度应为一般（normal）或紧急（urgent）", code="bad_urgency")
    if "\x00" in data.description + data.address + data.reporter_name:
        raise DomainError("内容中含有空字符（\\0），无法保存", code="invalid_text")


def new_lookup_code() -> str:
    return "".join(secrets.choice(LOOKUP_ALPHABET) for _ in range(LOOKUP_LENGTH))


@dataclass(frozen=True)
class Repeats:
    caller: int  # earlier reports from the same phone
    place: int  # earlier reports of the same class within the class's duplicate radius

    def flagged(self) -> bool:
        threshold = getattr(settings, "XIUHUA_REPEAT_COMPLAINT_COUNT", DEFAULT_REPEAT_COUNT)
        return max(self.caller, self.place) + 1 >= threshold


def repeats_of(case_class: CaseClass, phone: str, lng: float, lat: float, now: datetime) -> Repeats:
    """Earlier reports in the last 30 days by the same caller, or of the same problem at the same place."""
    earlier = Case.objects.filter(reported_at__gte=now - timedelta(days=REPEAT_DAYS), reported_at__lte=now)
    # The phone is encrypted at rest: the same caller is found by the keyed digest of the number.
    digest = phone_digest(phone)
    caller = earlier.filter(reporter_phone_digest=digest).count() if digest else 0
    radius_m, _hours = window_for_class(case_class.pk)
    place = count_nearby(earlier.filter(case_class=case_class), lng, lat, radius_m)
    return Repeats(caller, place)


def accept_report(
    data: ReportInput,
    *,
    source: str,
    actor: User | None,
    photos: list | None = None,
    after_photos: list | None = None,
    key: str | None = None,
    now: datetime | None = None,
    note: str = "",
    details: dict | None = None,
) -> Accepted:
    """Store a report as a new case in status `reported`, or return the case an earlier call with `key` stored.

    Channels check who may report and what their payload must hold; this checks what every report needs.
    When the caller holds a transaction, the case commits with it (a channel's own row stays consistent).
    """
    refcache.refresh()  # reference data as of this report (one read of the generation)
    if existing := already_accepted(key):
        return Accepted(existing, False)
    if source not in Source.values:
        raise DomainError(f"未知的来源「{source}」", code="bad_source")
    _check_text(data)
    case_class = report_class(data.class_code, data.kind)
    location, precision = locate_report(data)
    address, precision = place_for_report(location, precision, data.address)
    component = _component(data.component_code)
    now = now or timezone.now()
    phone = (data.reporter_phone or "").strip()
    repeats = repeats_of(case_class, phone, location.lng, location.lat, now)
    case = Case(
        district_code=location.district_code,
        source=source,
        case_class=case_class,
        urgency=data.urgency,
        description=data.description.strip(),
        public_description=redact_text(data.description.strip()),
        address=address,
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
        reporter_name=(data.reporter_name or "").strip(),
        reporter_phone=phone,
        reporter_email=(data.reporter_email or "").strip(),
        reporter_confidential=bool(data.reporter_confidential),
        intake_key=key,
        lookup_code=new_lookup_code(),
        repeat_caller_count=repeats.caller,
        repeat_place_count=repeats.place,
        repeat_complaint=repeats.flagged(),
    )
    # Photos are checked and their originals written before the transaction (cases/attachments.py).
    photos, after_photos = accept_uploads(photos or []), accept_uploads(after_photos or [])
    try:
        with transaction.atomic():
            case.number = next_case_number(location.district_code, now)
            create_case(case, actor, files=photos, now=now, note=note, details=details)
            report_received(case, now, work_order=str((details or {}).get("work_order", "")))
            if data.self_handled:
                case = apply_action(
                    case.number, Action.SELF_HANDLE, actor, {"note": "现场自处理"}, files=after_photos, now=now
                )
    except IntegrityError:
        # A concurrent retry with the same key stored it first.
        if existing := already_accepted(key):
            return Accepted(existing, False)
        raise
    return Accepted(case, True)
