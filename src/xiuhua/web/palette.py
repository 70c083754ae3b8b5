"""One colour per case status, defined once: the big screen's and the dashboard's status charts read it.

Open statuses (what the charts show) get well-separated hues that read on the dark wall and on white; the
finished ones get muted tones. A test checks that no two open statuses are close in colour.
"""

from __future__ import annotations

from xiuhua.cases.choices import CaseStatus as S

STATUS_COLOURS: dict[str, str] = {
    S.REPORTED: "#4fc3f7",
    S.ACCEPTED: "#1e6fe5",
    S.VERIFYING: "#9575cd",
    S.REGISTERED: "#26a69a",
    S.DISPATCHED: "#ffb300",
    S.HANDLING: "#f4511e",
    S.HANDLED: "#9ccc65",
    S.CHECKING: "#ec407a",
    S.CHECKED: "#2e9d4f",
    S.SELF_HANDLED: "#a1887f",
    S.EXTENSION_REQUESTED: "#fff176",
    S.RETURN_REQUESTED: "#c62828",
    S.SUSPENSION_REQUESTED: "#ce93d8",
    S.SUSPENDED: "#78909c",
    S.VOID_REQUESTED: "#00e5ff",
    S.CLOSED: "#1b5e20",
    S.DECLINED: "#9e9e9e",
    S.VOIDED: "#616161",
    S.MERGED: "#bcaaa4",
}


def status_colour(status: str) -> str:
    return STATUS_COLOURS.get(status, "#9e9e9e")
