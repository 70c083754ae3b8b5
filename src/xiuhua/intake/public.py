"""What the public may see of a case: a plain-language status and timeline, no names of staff or reporters.

Which cases are published at all (Open311, public maps) is decided here too, by `published_q` / `is_published`:
a case from a source in `XIUHUA_PUBLIC_SOURCES`, accepted by the centre, not confidential, not declined or
voided; a merged report follows its parent. The public text is always `public_description`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Q

from xiuhua.cases.choices import Action
from xiuhua.cases.choices import CaseStatus as S
from xiuhua.cases.models import Case, CaseEvent

# Public wording per action; anything not listed (verify tasks, warnings, requests, urges) stays internal.
PUBLIC_STEPS: dict[str, str] = {
    Action.REPORT: "已收到反映",
    Action.ACCEPT: "已受理",
    Action.REGISTER: "已立案",
    Action.DISPATCH: "已交{department}办理",
    Action.REPORT_BACK: "承办单位已处置",
    Action.CLOSE: "已办结",
    Action.DECLINE: "不予受理：{note}",
    Action.MERGE: "与同一问题的案卷 {parent} 合并办理",
    Action.CALLBACK: "已回访",
    Action.REOPEN: "重新处理",
    Action.APPROVE: "",  # only a self-handled case's audit is public: it closes the case
}

PUBLIC_STATUS = {
    S.REPORTED: "待受理",
    S.DECLINED: "不予受理",
    S.CLOSED: "已办结",
    S.VOIDED: "已撤销",
    S.MERGED: "合并办理",
}
OPEN_LABEL = "办理中"
# Never published: waiting for the centre to accept, or refused.
UNPUBLISHED_STATES = (S.REPORTED, S.DECLINED, S.VOIDED)


def public_sources() -> list[str]:
    return list(getattr(settings, "XIUHUA_PUBLIC_SOURCES", ["citizen", "open311"]))


def published_q(prefix: str = "") -> Q:
    """Cases the public may see (prefix e.g. "case__" for events and attachments)."""
    own = Q(**{f"{prefix}source__in": public_sources(), f"{prefix}reporter_confidential": False}) & ~Q(
        **{f"{prefix}status__in": UNPUBLISHED_STATES}
    )
    parent_ok = ~Q(**{f"{prefix}status": S.MERGED}) | Q(**{f"{prefix}parent__isnull": False}) & ~Q(
        **{f"{prefix}parent__status__in": UNPUBLISHED_STATES}
    )
    return own & parent_ok


def is_published(case: Case) -> bool:
    if case.source not in public_sources() or case.reporter_confidential or case.status in UNPUBLISHED_STATES:
        return False
    if case.status == S.MERGED:
        return case.parent is not None and case.parent.status not in UNPUBLISHED_STATES
    return True


def public_status(case: Case) -> str:
    return PUBLIC_STATUS.get(case.status, OPEN_LABEL)


def _step_text(event: CaseEvent) -> str | None:
    template = PUBLIC_STEPS.get(event.action)
    if template is None or (event.action == Action.APPROVE and event.to_status != S.CLOSED):
        return None
    if event.action == Action.APPROVE:
        return "已办结"
    department = event.details.get("department_name") or "承办单位"
    return template.format(department=department, note=event.note, parent=event.details.get("parent", ""))


def public_timeline(case: Case) -> list[dict[str, Any]]:
    steps = []
    for event in case.events.order_by("at", "id"):
        if (text := _step_text(event)) is not None:
            steps.append({"at": event.at.isoformat(), "step": event.action, "text": text})
    return steps


def public_case(case: Case) -> dict[str, Any]:
    """The citizen's own view (with the lookup code), never the raw description; a merged report also shows the
    case it is handled with, whose text only when that case is published."""
    view = {
        "number": case.number,
        "class_name": case.case_class.name,
        "status": public_status(case),
        "closed": case.status in (S.CLOSED, S.DECLINED, S.VOIDED),
        "description": case.public_description,
        "address": case.address,
        "reported_at": case.reported_at.isoformat(),
        "handling_deadline": case.handling_deadline.isoformat() if case.handling_deadline else None,
        "timeline": public_timeline(case),
    }
    if case.parent_id:
        parent = public_case(case.parent)
        if not is_published(case.parent):
            parent["description"] = ""
        view["handled_with"] = parent
    return view
