"""Cases, classes and events as Open311 documents: services, service requests, notes and request updates.

Only what the public may see: never the reporter's name or phone, the staff who acted, or their notes (a
decline's reason is the one exception: it is the answer the reporter is owed).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from xiuhua.cases.choices import Action
from xiuhua.cases.choices import CaseStatus as S
from xiuhua.cases.models import Case, CaseEvent
from xiuhua.catalog.models import CaseClass
from xiuhua.intake.open311.queries import CLOSED_STATES, INTERNAL_STATES

# mySociety's extended update statuses, which FixMyStreet maps onto its own states.
UPDATE_STATUS = {
    S.REPORTED: "OPEN",
    S.ACCEPTED: "INVESTIGATING",
    S.VERIFYING: "INVESTIGATING",
    S.REGISTERED: "ACTION_SCHEDULED",
    S.DISPATCHED: "ACTION_SCHEDULED",
    S.CLOSED: "FIXED",
    S.DECLINED: "NO_FURTHER_ACTION",
    S.VOIDED: "CLOSED",
    S.MERGED: "DUPLICATE",
}
IN_PROGRESS = "IN_PROGRESS"  # handling, handled, checking, checked, self-handled, suspended


def iso(moment: datetime | None) -> str | None:
    """W3C datetime in the platform's zone, with its offset and without fractions: 2026-11-23T09:30:00+08:00."""
    return timezone.localtime(moment).replace(microsecond=0).isoformat() if moment else None


def media_url(request: HttpRequest, attachment_id: int) -> str:
    return request.build_absolute_uri(reverse("open311:media", args=[attachment_id]))


def is_closed(case: Case) -> bool:
    if case.status == S.MERGED and case.parent is not None:
        return case.parent.status in CLOSED_STATES
    return case.status in CLOSED_STATES


def _status_label(status: str) -> str:
    return str(S(status).label)


def status_notes(case: Case) -> str:
    if case.status == S.MERGED and case.parent is not None:
        return f"已并入案卷 {case.parent.number}（{_status_label(case.parent.status)}）"
    if case.status == S.DECLINED and case.decline_reason:
        return f"{_status_label(S.DECLINED)}：{case.decline_reason}"
    return _status_label(case.status)


def service_notice(case: Case) -> str:
    condition = case.register_condition
    if condition is None:
        return ""
    return f"处置时限 {condition.handling_limit_text}；结案条件：{condition.close_condition}"


def service(case_class: CaseClass) -> dict[str, Any]:
    conditions = [c.description for c in getattr(case_class, "active_conditions", [])]
    return {
        "service_code": case_class.code,
        "service_name": case_class.name,
        "description": "；".join(conditions) or case_class.name,
        "metadata": False,
        "type": "realtime",
        "keywords": ",".join([case_class.major_name, case_class.name]),
        "group": case_class.major_name,
    }


def service_definition(case_class: CaseClass) -> dict[str, Any]:
    """No extra attributes: a report needs only the class, the place and the description (metadata=false)."""
    return {"service_code": case_class.code, "attributes": []}


def service_request(case: Case, request: HttpRequest, extensions: bool = False) -> dict[str, Any]:
    photos = [media_url(request, photo.pk) for photo in case.public_photos]
    fields = {
        "service_request_id": case.number,
        "status": "closed" if is_closed(case) else "open",
        "status_notes": status_notes(case),
        "service_name": case.case_class.name,
        "service_code": case.case_class.code,
        "description": case.public_description,
        "agency_responsible": case.lead_department.name if case.lead_department else "",
        "service_notice": service_notice(case),
        "requested_datetime": iso(case.reported_at),
        "updated_datetime": iso(case.open311_updated or case.reported_at),
        "expected_datetime": iso(case.handling_deadline),
        "address": case.address,
        "address_id": "",
        "zipcode": "",
        "lat": case.lat,
        "long": case.lng,
        "media_url": photos[0] if photos else "",
    }
    if extensions:
        fields["notes"] = notes(case)
        fields["extended_attributes"] = extended_attributes(case, photos)
    return fields


def extended_attributes(case: Case, photos: list[str]) -> dict[str, Any]:
    return {
        "channel": case.source,
        "detailed_status": case.status,
        "grid_code": case.grid_code,
        "report_count": case.report_count,
        "media_urls": photos,
    }


def note_text(event: CaseEvent) -> str:
    if event.action == Action.MERGE:
        return f"已并入案卷 {event.details.get('parent', '')}".strip()
    if event.action == Action.DECLINE and event.note:
        return f"{_status_label(S.DECLINED)}：{event.note}"
    return _status_label(event.to_status)


def _note_type(event: CaseEvent) -> str:
    if event.action == Action.REPORT:
        return "submitted"
    return "closed" if event.to_status in CLOSED_STATES else "activity"


def notes(case: Case) -> list[dict[str, Any]]:
    """The public history: one note per change of the state the public sees (pending requests left out)."""
    shown, last = [], None
    for event in case.timeline:
        if event.to_status in INTERNAL_STATES or event.to_status == last:
            continue
        last = event.to_status
        shown.append({"datetime": iso(event.at), "description": note_text(event), "type": _note_type(event)})
    return shown


def request_update(event: CaseEvent, request: HttpRequest) -> dict[str, Any]:
    photos = [media_url(request, photo.pk) for photo in event.public_photos]
    return {
        "update_id": str(event.pk),
        "service_request_id": event.case.number,
        "status": UPDATE_STATUS.get(event.to_status, IN_PROGRESS),
        "updated_datetime": iso(event.at),
        "description": note_text(event),
        "media_url": photos[0] if photos else "",
        "external_status_code": event.to_status,
    }
