"""Ledger records and parties as the API (and later the pages) show them, personal data under the one rule."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from xiuhua.ledgers.choices import LedgerKind
from xiuhua.ledgers.fields import editable_fields
from xiuhua.ledgers.models import IllegalBuilding, LedgerChange, LedgerPhoto, LedgerRecord
from xiuhua.ledgers.privacy import Appearances, appearances, shown_contact_fields, shown_subject
from xiuhua.ledgers.records import building_route, is_new_building

CONTACT_FIELDS = ("contact_name", "contact_phone")


def plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def record_summary(viewer: Any, record: LedgerRecord, places: Appearances | None = None) -> dict:
    """One record: its fields, where it is, its party (by the rule) and, for a building, its computed class."""
    kind = record.KIND
    shown = {"kind": kind, "kind_label": str(LedgerKind(kind).label), "id": record.pk}
    for name in editable_fields(type(record)):
        if name not in CONTACT_FIELDS:
            shown[name] = plain(getattr(record, name))
    if kind == LedgerKind.SHOP:
        shown.update(shown_contact_fields(viewer, kind, record.grid_code, record.contact_name, record.contact_phone))
    shown.update(
        lng=record.lng,
        lat=record.lat,
        area_geojson=record.area_geojson,
        grid_code=record.grid_code,
        community=record.community.name if record.community_id else "",
        subdistrict=record.subdistrict.name if record.subdistrict_id else "",
        active=record.active,
        updated_at=plain(record.updated_at),
    )
    if record.subject_id:
        if places is None:
            places = appearances([record.subject_id])
        shown["subject"] = shown_subject(viewer, record.subject, places.get(record.subject_id, []))
    if isinstance(record, IllegalBuilding):
        shown["is_new"] = is_new_building(record)
        shown["route"] = str(building_route(record))
        shown["route_label"] = str(building_route(record).label)
    return shown


def record_list(viewer: Any, records: list[LedgerRecord]) -> list[dict]:
    places = appearances(r.subject_id for r in records if r.subject_id)
    return [record_summary(viewer, r, places) for r in records]


def record_detail(viewer: Any, record: LedgerRecord) -> dict:
    shown = record_summary(viewer, record)
    photos = LedgerPhoto.objects.filter(ledger=record.KIND, record_id=record.pk).order_by("taken_at", "pk")
    shown["photos"] = [
        {"id": p.pk, "stage": p.stage, "url": p.file.url, "content_type": p.content_type, "taken_at": plain(p.taken_at)}
        for p in photos
    ]
    history = LedgerChange.objects.filter(ledger=record.KIND, record_id=record.pk).select_related("changed_by")
    shown["history"] = [
        {
            "changed_at": plain(c.changed_at),
            "changed_by": c.changed_by.display_name or c.changed_by.username if c.changed_by else "",
            "how": c.how,
            "changes": c.changes,
        }
        for c in history.order_by("-changed_at", "-pk")
    ]
    return shown
