"""What the public may see of a case: a plain-language status and timeline, no names of staff or reporters."""

from __future__ import annotations

from typing import Any

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
    """The citizen's view; a merged report also shows the case it is handled with."""
    view = {
        "number": case.number,
        "class_name": case.case_class.name,
        "status": public_status(case),
        "closed": case.status in (S.CLOSED, S.DECLINED, S.VOIDED),
        "description": case.description,
        "address": case.address,
        "reported_at": case.reported_at.isoformat(),
        "handling_deadline": case.handling_deadline.isoformat() if case.handling_deadline else None,
        "timeline": public_timeline(case),
    }
    if case.parent_id:
        view["handled_with"] = public_case(case.parent)
    return view
