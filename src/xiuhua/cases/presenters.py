"""Cases as the API and pages show them: lights computed now, the timeline, what the viewer may do next.

The reporter's name and phone go through `xiuhua.accounts.privacy` (full, masked or hidden per viewer).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from xiuhua.accounts.models import User
from xiuhua.accounts.privacy import Contact, Visibility, note_full_view, shown_contact
from xiuhua.cases import clock
from xiuhua.cases.choices import Source
from xiuhua.cases.models import Case, CaseRequest
from xiuhua.cases.workflow import allowed_actions
from xiuhua.worktime.clock import current_calendar

SUMMARY_RELATIONS = ("case_class", "lead_department", "community", "subdistrict")
# Sources where the account that entered the case is the reporter itself (and so sees its own contact).
OWN_REPORT_SOURCES = frozenset({Source.INSPECTOR})


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _minutes(span: timedelta | None) -> float | None:
    return None if span is None else round(span.total_seconds() / 60, 1)


def current_light(case: Case, now: datetime) -> str | None:
    if case.handling_running_since is not None:
        return clock.light_of(case.handling_warning_at, case.handling_deadline, now)
    return clock.light_of(case.stage_warning_at, case.stage_deadline, now)


def _department(department) -> dict[str, str] | None:
    return {"short_name": department.short_name, "name": department.name} if department else None


def shown_description(case: Case, viewer: User | None, *, in_list: bool = True) -> str:
    """A confidential report's own words (which often carry the reporter's phone or flat) only for those who
    see its contact in full on the case itself; lists and everyone else read the public description."""
    seen = reporter_contact(case, viewer, in_list=in_list).visibility
    if not case.reporter_confidential or seen == Visibility.FULL:
        return case.description
    return case.public_description


def case_summary(case: Case, viewer: User, now: datetime, *, in_list: bool = True) -> dict[str, Any]:
    return {
        "number": case.number,
        "status": case.status,
        "status_label": case.get_status_display(),
        "source": case.source,
        "class_code": case.case_class.code,
        "class_name": case.case_class.name,
        "kind": case.case_class.kind,
        "urgency": case.urgency,
        "description": shown_description(case, viewer, in_list=in_list),
        "public_description": case.public_description,
        "address": case.address,
        "lng": case.lng,
        "lat": case.lat,
        "grid_code": case.grid_code,
        "community_name": case.community.name,
        "subdistrict_name": case.subdistrict.name,
        "lead_department": _department(case.lead_department),
        "reported_at": _iso(case.reported_at),
        "stage": case.stage or None,
        "stage_deadline": _iso(case.stage_deadline),
        "handling_deadline": _iso(case.handling_deadline),
        "light": current_light(case, now),
        "version": case.version,
    }


def reporter_contact(case: Case, viewer: User | None, *, in_list: bool = False) -> Contact:
    """The case's reporter contact as this viewer may see it (the privacy rule; no audit)."""
    return shown_contact(
        viewer,
        case.reporter_name,
        case.reporter_phone,
        confidential=case.reporter_confidential,
        division_code=case.grid_code,
        entered_by_id=case.reporter_id if case.source in OWN_REPORT_SOURCES else None,
        in_list=in_list,
    )


def _reporter(case: Case, viewer: User, surface: str) -> dict[str, Any]:
    contact = reporter_contact(case, viewer)
    note_full_view(viewer, contact, case.number, surface)
    return {
        "entered_by": case.reporter.username if case.reporter else None,
        **contact.as_dict(),
        "confidential": case.reporter_confidential,
    }


def _handling(case: Case, now: datetime) -> dict[str, Any] | None:
    if not case.handling_unit:
        return None
    running = case.handling_running_since is not None
    return {
        "unit": case.handling_unit,
        "limit_minutes": _minutes(case.handling_allowance),
        "used_minutes": _minutes(clock.handling_used(case, current_calendar(), now)),
        "running": running,
        "paused": case.status == "suspended",
        "deadline": _iso(case.handling_deadline),
        "warning_at": _iso(case.handling_warning_at),
        "light": clock.light_of(case.handling_warning_at, case.handling_deadline, now) if running else None,
    }


def _stage(case: Case, now: datetime) -> dict[str, Any] | None:
    if not case.stage:
        return None
    return {
        "stage": case.stage,
        "label": case.get_stage_display(),
        "started_at": _iso(case.stage_started_at),
        "deadline": _iso(case.stage_deadline),
        "warning_at": _iso(case.stage_warning_at),
        "light": clock.light_of(case.stage_warning_at, case.stage_deadline, now),
    }


def _timeline(case: Case) -> list[dict[str, Any]]:
    attachments: dict[int, list] = {}
    for item in case.attachments.all():
        attachments.setdefault(item.event_id, []).append(_attachment(case, item))
    return [
        {
            "at": _iso(event.at),
            "action": event.action,
            "action_label": event.get_action_display(),
            "actor": event.actor.username if event.actor else None,
            "actor_name": (event.actor.display_name or event.actor.username) if event.actor else "系统",
            "role": event.actor_role or None,
            "from_status": event.from_status or None,
            "to_status": event.to_status,
            "note": event.note,
            "details": event.details,
            "handling_deadline": _iso(event.handling_deadline),
            "stage_deadline": _iso(event.stage_deadline),
            "attachments": attachments.get(event.pk, []),
        }
        for event in case.events.select_related("actor").order_by("at", "id")
    ]


def _attachment(case: Case, item) -> dict[str, Any]:
    return {
        "id": item.pk,
        "stage": item.stage,
        "name": item.original_name,
        "content_type": item.content_type,
        "size": item.size,
        "url": f"/api/v1/cases/{case.number}/attachments/{item.pk}",
        "preview": item.preview,
    }


def _pending_request(case: Case) -> dict[str, Any] | None:
    request = CaseRequest.objects.filter(case=case, state="pending").select_related("requested_by").first()
    if request is None:
        return None
    return {
        "id": request.pk,
        "kind": request.kind,
        "kind_label": request.get_kind_display(),
        "requested_by": request.requested_by.username,
        "requested_at": _iso(request.requested_at),
        "reason": request.reason,
        "extension_value": request.extension_value,
        "extension_unit": request.extension_unit or None,
    }


STATS_FIELDS = (
    "dispatch_count",
    "rework_count",
    "return_count",
    "extension_count",
    "suspension_count",
    "urge_count",
    "accurate_dispatch",
    "handling_on_time",
    "handling_overdue",
    "accept_on_time",
    "register_on_time",
    "dispatch_on_time",
    "check_on_time",
    "close_on_time",
    "self_handled",
    "satisfaction",
    "satisfaction_score",
)


def case_detail(case: Case, viewer: User, now: datetime, surface: str = "api") -> dict[str, Any]:
    """One case for one viewer; a full view of a confidential contact is audited with `surface` (once per call)."""
    stats = case.stats
    condition = case.register_condition
    return {
        **case_summary(case, viewer, now, in_list=False),
        "class": {
            "code": case.case_class.code,
            "name": case.case_class.name,
            "kind": case.case_class.kind,
            "major_code": case.case_class.major_code,
            "major_name": case.case_class.major_name,
        },
        "register_condition": {
            "id": condition.pk,
            "description": condition.description,
            "limit": condition.handling_limit_text,
            "close_condition": condition.close_condition,
        }
        if condition
        else None,
        "original": {"lng": case.original_lng, "lat": case.original_lat, "crs": case.original_crs},
        "location_precision": case.location_precision,
        "community_code": case.community.code,
        "subdistrict_code": case.subdistrict.code,
        "district_code": case.district.code,
        "district_name": case.district.name,
        "component_code": case.component.code if case.component_id else None,
        "reporter": _reporter(case, viewer, surface),
        "assisting_departments": [_department(d) for d in case.assisting_departments.all()],
        "assigned_inspector": case.assigned_inspector.username if case.assigned_inspector_id else None,
        "verified": case.verified,
        "closed_at": _iso(case.closed_at),
        "handling": _handling(case, now),
        "stage_clock": _stage(case, now),
        "pending_request": _pending_request(case),
        "stats": {name: getattr(stats, name) for name in STATS_FIELDS}
        | {"extension_minutes": _minutes(stats.extension_total)},
        "timeline": _timeline(case),
        "allowed_actions": allowed_actions(case, viewer),
    }
