"""The case page's parts read off the presenter's `case_detail`: labelled timeline rows and photos by side.

Only presentation lives here (labels, grouping); what a case is and may do comes from `xiuhua.cases.presenters`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from xiuhua.accounts.choices import Role
from xiuhua.accounts.models import User
from xiuhua.accounts.privacy import Visibility, redact_text
from xiuhua.cases.choices import Action, AttachmentStage, CaseStatus, ExtensionUnit, Satisfaction
from xiuhua.cases.models import Case
from xiuhua.cases.presenters import reporter_contact
from xiuhua.intake.channels.citizen.models import CitizenRating

ROLE_LABELS = dict(Role.choices)
STATUS_LABELS = dict(CaseStatus.choices)


def timeline_rows(detail: dict[str, Any]) -> list[dict[str, Any]]:
    """Each audit event with the labels a person reads: role, from → to status, the deadlines then in force."""
    return [
        {
            **event,
            "role_label": ROLE_LABELS.get(event["role"] or "", ""),
            "from_label": STATUS_LABELS.get(event["from_status"] or "", ""),
            "to_label": STATUS_LABELS.get(event["to_status"], event["to_status"]),
            "icon": ACTION_ICONS.get(event["action"], "dot"),
            "moved": bool(event["from_status"]) and event["from_status"] != event["to_status"],
            "images": [a for a in event["attachments"] if a["content_type"].startswith("image/")],
            "files": [a for a in event["attachments"] if not a["content_type"].startswith("image/")],
        }
        for event in detail["timeline"]
    ]


def photo_sides(detail: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Photos before handling (the report, an on-site verification) and after it (report-back and check).

    Each photo carries the step that brought it, who and when, for the caption under it.
    """
    sides: dict[str, list[dict[str, Any]]] = {"before": [], "after": []}
    for event in detail["timeline"]:
        for item in event["attachments"]:
            if not item["content_type"].startswith("image/"):
                continue
            side = "after" if item["stage"] == AttachmentStage.AFTER else "before"
            sides[side].append(
                {**item, "at": event["at"], "action_label": event["action_label"], "actor_name": event["actor_name"]}
            )
    return sides


def request_extension_text(request: dict[str, Any] | None) -> str:
    """「2 天」: the extension a pending request asks for, in the words of its unit; empty for other requests."""
    if not request or not request.get("extension_value"):
        return ""
    units = dict(ExtensionUnit.choices)
    return f"{request['extension_value']} {units.get(request['extension_unit'], request['extension_unit'])}"


def handling_left_minutes(handling: dict[str, Any] | None) -> float | None:
    """What is left of the handling limit, in the clock's minutes (negative: overdue), or None without a limit."""
    if not handling or handling["limit_minutes"] is None or handling["used_minutes"] is None:
        return None
    return handling["limit_minutes"] - handling["used_minutes"]


def stage_left_minutes(stage: dict[str, Any] | None, now: datetime) -> float | None:
    """Minutes on the wall clock to the stage deadline (negative: past it); the presenter gives no working time."""
    if not stage or not stage["deadline"]:
        return None
    return (datetime.fromisoformat(stage["deadline"]) - now).total_seconds() / 60


SATISFACTION_LABELS = dict(Satisfaction.choices)


def _words_for(viewer: User, case: Case, text: str) -> str:
    """A citizen's or caller's own words as this viewer may read them: in full for those who may see the
    contact (accounts/privacy.py), else with phone numbers, ID numbers and e-mail addresses removed."""
    seen = reporter_contact(case, viewer).visibility
    return text if seen == Visibility.FULL else redact_text(text)


def citizen_rating_for(case: Case, viewer: User) -> dict[str, Any] | None:
    """The citizen's own rating of the case (public rating page), as this viewer may read it, or None."""
    rating = CitizenRating.objects.filter(case=case).first()
    if rating is None:
        return None
    return {
        "satisfaction": rating.satisfaction,
        "label": SATISFACTION_LABELS.get(rating.satisfaction, rating.satisfaction),
        "score": rating.score,
        "comment": _words_for(viewer, case, rating.comment),
        "rated_at": rating.rated_at,
    }


def callback_for(case: Case, viewer: User, detail: dict[str, Any]) -> dict[str, Any] | None:
    """The operator's callback (回访): satisfaction, service satisfaction, the caller's words, who and when."""
    event = next((e for e in reversed(detail["timeline"]) if e["action"] == Action.CALLBACK), None)
    if event is None:
        return None
    stats = case.stats
    return {
        "satisfaction": stats.satisfaction,
        "label": SATISFACTION_LABELS.get(stats.satisfaction, stats.satisfaction),
        "service_label": SATISFACTION_LABELS.get(stats.service_satisfaction, ""),
        "words": _words_for(viewer, case, event["note"] or ""),
        "at": event["at"],
        "actor_name": event["actor_name"],
    }


# The icon of each step on the timeline (Bootstrap Icons); anything else gets a plain dot.
ACTION_ICONS = {
    "report": "megaphone",
    "accept": "inbox",
    "verify": "search",
    "register": "journal-check",
    "decline": "x-circle",
    "dispatch": "send",
    "handle": "tools",
    "report_back": "camera",
    "check": "clipboard-check",
    "close": "check-circle",
    "callback": "telephone",
    "request_extension": "hourglass-split",
    "request_return": "arrow-return-left",
    "request_suspension": "pause-circle",
    "request_void": "trash",
    "approve": "hand-thumbs-up",
    "refuse": "hand-thumbs-down",
    "resume": "play-circle",
    "self_handle": "person-check",
    "urge": "exclamation-triangle",
    "reopen": "arrow-counterclockwise",
    "merge": "union",
    "warn": "alarm",
    "mark_overdue": "alarm-fill",
}
