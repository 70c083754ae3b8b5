"""Ledger records of every kind: created, edited, deactivated and photographed, each through one service that
checks who may, validates the kind's rules, places the record in the territory, and writes its change history
(`LedgerChange`, personal data masked) and an audit row in the same transaction."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from xiuhua.accounts.models import User
from xiuhua.cases.attachments import check_uploads
from xiuhua.core.audit import record_audit
from xiuhua.core.crypto import phone_digest
from xiuhua.core.errors import DomainError, NotFound, PermissionDenied
from xiuhua.ledgers.choices import BuildingRoute, LedgerKind, PhotoStage
from xiuhua.ledgers.fields import editable_fields, label, parse_value
from xiuhua.ledgers.models import (
    LEDGER_MODELS,
    NEW_BUILDING_SINCE,
    IllegalBuilding,
    LedgerChange,
    LedgerPhoto,
    LedgerRecord,
    Subject,
)
from xiuhua.ledgers.placement import Placement, place, polygon, require_inside_territory
from xiuhua.ledgers.privacy import masked_for_history
from xiuhua.ledgers.queries import can_write_record, visible_records, writable_ledgers

GRID_ROUTE_MAX_M2 = Decimal(50)  # Haiyan: up to 50 m² of one household is handled within the grid
# Days that cannot lie in the future (the others are expiry dates).
PAST_DATES = frozenset(
    {"built_on", "found_on", "status_on", "vaccinated_on", "last_safety_check_on", "duty_letter_signed_on",
     "plan_approved_on"}
)  # fmt: skip
LOCATION_KEYS = ("lng", "lat", "crs", "area_geojson")


def ledger_model(kind: str) -> type[LedgerRecord]:
    if kind not in LEDGER_MODELS:
        raise NotFound(f"台账类型「{kind}」不存在（可选：{'、'.join(LEDGER_MODELS)}）")
    return LEDGER_MODELS[kind]


# --- computed ----------------------------------------------------------------------------------------------


def is_new_building(building: IllegalBuilding) -> bool:
    """新增违建: built on or after 1 October 2013 (older ones, or of unknown date, are stock)."""
    return building.built_on is not None and building.built_on >= date.fromisoformat(NEW_BUILDING_SINCE)


def building_route(building: IllegalBuilding) -> BuildingRoute:
    """Up to 50 m² and one household: handled in the grid; anything larger needs an approved plan."""
    small = building.area_m2 is not None and Decimal(building.area_m2) <= GRID_ROUTE_MAX_M2
    return BuildingRoute.GRID if small and building.households <= 1 else BuildingRoute.PLAN


# --- validation --------------------------------------------------------------------------------------------


def parsed_values(kind: str, data: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    """The record's field values from `data` (only the keys given; on create, every required one)."""
    fields = editable_fields(ledger_model(kind))
    unknown = sorted(set(data) - set(fields) - set(LOCATION_KEYS))
    if unknown:
        raise DomainError(f"未知字段：{'、'.join(unknown)}", code="unknown_field")
    values = {}
    for name, field in fields.items():
        if name not in data:
            if creating and not field.blank and not field.has_default():
                raise DomainError(f"「{label(field)}」不能为空", code="missing_field")
            continue
        try:
            values[name] = parse_value(field, data[name])
        except ValueError as exc:
            raise DomainError(f"「{label(field)}」{exc}", code="bad_field") from None
    check_rules(kind, values, fields)
    return values


def rule_problems(kind: str, values: dict[str, Any], fields: dict) -> list[tuple[str, str]]:
    """(field, message) of what a single value cannot say: days not in the future, a duty area in the territory,
    a status day not before the day found. The API refuses the first; an import lists them all by row."""
    problems = []
    today = timezone.localdate()
    for name in sorted(PAST_DATES & set(values)):
        if values[name] and values[name] > today:
            problems.append((name, f"「{label(fields[name])}」不能晚于今天"))
    if kind == LedgerKind.SHOP and values.get("duty_area_geojson"):
        try:
            require_inside_territory(polygon(values["duty_area_geojson"], "门前三包责任区"), "门前三包责任区")
        except DomainError as exc:
            problems.append(("duty_area_geojson", exc.message))
    found, since = values.get("found_on"), values.get("status_on")
    if kind == LedgerKind.ILLEGAL_BUILDING and found and since and since < found:
        problems.append(("status_on", "「状态日期」不能早于「发现日期」"))
    return problems


def check_rules(kind: str, values: dict[str, Any], fields: dict) -> None:
    if values.get("subject_id") and not Subject.objects.filter(pk=values["subject_id"]).exists():
        raise DomainError("当事人不存在", code="bad_field")
    if values.get("code") is not None and not str(values["code"]).strip():
        raise DomainError("「台账编号」不能为空", code="missing_field")
    if problems := rule_problems(kind, values, fields):
        raise DomainError(problems[0][1], code="bad_field")


def check_record(record: LedgerRecord) -> None:
    """Rules across fields, on the record as it will be saved."""
    if record.KIND == LedgerKind.ZONE and not record.area_geojson:
        raise DomainError("管控区域必须给出范围（area_geojson 面）", code="missing_location")
    if record.KIND == LedgerKind.ILLEGAL_BUILDING and record.status_on < record.found_on:
        raise DomainError("「状态日期」不能早于「发现日期」", code="bad_field")
    if getattr(record, "contact_phone", None) is not None:
        record.contact_phone_digest = phone_digest(record.contact_phone)


def placement_for(data: dict[str, Any], record: LedgerRecord | None = None) -> Placement | None:
    """A new placement when the location is given (or on create), else None (the record stays where it is)."""
    if record is not None and not any(key in data for key in LOCATION_KEYS):
        return None
    outline = data.get("area_geojson")
    if outline is None and record is not None:
        outline = record.area_geojson
    return place(_number(data.get("lng")), _number(data.get("lat")), crs=str(data.get("crs") or "wgs84"),
                 area_geojson=outline or "")  # fmt: skip


def _number(value: Any) -> float | None:
    if value is None or value == "":
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        raise DomainError(f"经纬度「{value}」不是数字", code="invalid_coordinate") from None


# --- history -----------------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def diff(record: LedgerRecord, values: dict[str, Any]) -> dict[str, list]:
    """field → [before, after] for the values that change, personal data masked."""
    changes = {}
    for name, after in values.items():
        before = getattr(record, name, None)
        if _plain(before) != _plain(after):
            changes[name] = [masked_for_history(name, _plain(before)), masked_for_history(name, _plain(after))]
    return changes


def add_change(actor: User | None, record: LedgerRecord, how: str, changes: dict, now: datetime) -> LedgerChange:
    return LedgerChange.objects.create(
        ledger=record.KIND, record_id=record.pk, changed_at=now, changed_by=actor, how=how, changes=changes
    )


# --- writes ------------------------------------------------------------------------------------------------


def create_record(actor: User, kind: str, data: dict[str, Any], *, now: datetime | None = None) -> LedgerRecord:
    """A new record of `kind` from `data` (fields of the kind, plus lng/lat[/crs] or area_geojson)."""
    model = ledger_model(kind)
    if kind not in writable_ledgers(actor):
        raise PermissionDenied(f"无权登记「{model._meta.verbose_name}」台账")
    now = now or timezone.now()
    values = parsed_values(kind, data, creating=True)
    where = placement_for(data)
    if not can_write_record(actor, kind, where.grid_code):
        raise PermissionDenied("该位置不在您的数据范围内")
    record = model(**values, **where.as_fields())
    check_record(record)
    with transaction.atomic():
        if model.objects.filter(code=record.code).exists():
            raise DomainError(f"台账编号「{record.code}」已存在", code="duplicate_code")
        record.save()
        empty = model()
        add_change(actor, record, "created", diff(empty, {**values, **where.as_fields()}), now)
        record_audit(actor, "ledgers.record_created", target=f"{kind}:{record.pk}", summary=f"登记台账 {record.code}")
    return record


def locked_record(actor: User, kind: str, record_id: int) -> LedgerRecord:
    """The record, locked, if the actor sees it and may write it (404 / 403 otherwise)."""
    record = visible_records(actor, kind).select_for_update().filter(pk=record_id).first()
    if record is None:
        raise NotFound("台账记录不存在或无权查看")
    if not can_write_record(actor, kind, record.grid_code):
        raise PermissionDenied(f"无权修改「{record._meta.verbose_name}」台账")
    return record


def update_record(
    actor: User, kind: str, record_id: int, data: dict[str, Any], *, now: datetime | None = None
) -> LedgerRecord:
    """Change the given fields (and the location when given); an unchanged record writes no history."""
    ledger_model(kind)
    now = now or timezone.now()
    values = parsed_values(kind, data, creating=False)
    with transaction.atomic():
        record = locked_record(actor, kind, record_id)
        where = placement_for(data, record)
        if where is not None:
            if not can_write_record(actor, kind, where.grid_code):
                raise PermissionDenied("新位置不在您的数据范围内")
            values.update(where.as_fields())
        if "code" in values and type(record).objects.filter(code=values["code"]).exclude(pk=record.pk).exists():
            raise DomainError(f"台账编号「{values['code']}」已存在", code="duplicate_code")
        changes = diff(record, values)
        for name, value in values.items():
            setattr(record, name, value)
        check_record(record)
        if changes:
            record.save()
            add_change(actor, record, "edited", changes, now)
            record_audit(
                actor, "ledgers.record_updated", target=f"{kind}:{record.pk}", summary=f"修改台账 {record.code}"
            )
    return record


def deactivate_record(actor: User, kind: str, record_id: int, *, reason: str = "", now: datetime | None = None):
    """Closed shops and removed signs stay in the archive, no longer active."""
    now = now or timezone.now()
    with transaction.atomic():
        record = locked_record(actor, kind, record_id)
        if not record.active:
            raise DomainError(f"台账 {record.code} 已经注销", code="already_inactive")
        record.active = False
        record.save(update_fields=["active", "updated_at"])
        add_change(actor, record, "deactivated", {"active": [True, False], "reason": ["", reason]}, now)
        summary = f"注销台账 {record.code}"
        record_audit(actor, "ledgers.record_deactivated", target=f"{kind}:{record.pk}", summary=summary)
    return record


def add_photos(
    actor: User, kind: str, record_id: int, files: list[UploadedFile], *, stage: str = PhotoStage.OTHER,
    now: datetime | None = None,
) -> list[LedgerPhoto]:  # fmt: skip
    """Photos of a record at a stage (拆前/拆中/拆后); only pictures, checked before anything is written."""
    if stage not in PhotoStage.values:
        raise DomainError(f"阶段「{stage}」无效（可选：{'、'.join(PhotoStage.values)}）", code="bad_field")
    if not files:
        raise DomainError("请选择照片", code="bad_attachment")
    checked = check_uploads(files)
    for item in checked:
        if not item.content_type.startswith("image/"):
            raise DomainError(f"「{item.upload.name}」不是照片", code="bad_attachment")
    now = now or timezone.now()
    with transaction.atomic():
        record = locked_record(actor, kind, record_id)
        photos = []
        for item in checked:
            photo = LedgerPhoto(ledger=kind, record_id=record.pk, stage=stage, content_type=item.content_type,
                                taken_at=now, uploaded_by=actor)  # fmt: skip
            photo.file.save(item.upload.name or "photo", item.upload, save=False)
            photo.save()
            photos.append(photo)
        add_change(actor, record, "photographed", {"photos": [None, len(photos)], "stage": [None, stage]}, now)
        record_audit(actor, "ledgers.photos_added", target=f"{kind}:{record.pk}", summary=f"上传照片 {len(photos)} 张")
    return photos
