"""The command centre's two workbenches: intake (operators, shift leaders) and dispatch (dispatchers)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from xiuhua.accounts.choices import Role
from xiuhua.accounts.models import User
from xiuhua.intake.channels.hotline.adapter import HOTLINE_ROLES, awaiting_class
from xiuhua.web.queues import DISPATCH_TABS, INTAKE_TABS
from xiuhua.web.tables import Column
from xiuhua.web.workbench import PRIORITY, Layout, Workbench, with_suggestions, workbench_view

LIGHT = Column("", css="col-light")
CLASS_AND_PLACE = Column(_("Class and place"))
CASE_LAYOUT = Layout(
    [
        LIGHT,
        Column(_("Case"), PRIORITY, order_by=("urgency_rank", "reported_at")),
        CLASS_AND_PLACE,
        Column(_("Status and limit"), "active_deadline"),
        Column(_("Reported at"), "reported_at", css="text-end"),
    ],
    "web/centre/rows/case.html",
)
REQUEST_LAYOUT = Layout(
    [
        LIGHT,
        Column(_("Case"), PRIORITY, order_by=("urgency_rank", "requested_at")),
        Column(_("Request")),
        Column(_("Reason")),
        Column(_("Requested at"), "requested_at", css="text-end"),
    ],
    "web/centre/rows/request.html",
)
DISPATCH_LAYOUT = Layout(
    [
        LIGHT,
        Column(_("Case"), PRIORITY, order_by=("urgency_rank", "reported_at")),
        CLASS_AND_PLACE,
        Column(_("Suggested unit")),
        Column(_("Dispatch by"), "active_deadline", css="text-end"),
    ],
    "web/centre/rows/dispatch.html",
    decorate=with_suggestions,
)


def calls_awaiting_a_class(user: User) -> list[tuple[str, str, int, str]]:
    """The calls saved without a class (not cases yet): a link beside the tabs, to the page that classifies them."""
    if user.role not in HOTLINE_ROLES:
        return []
    count = awaiting_class(user).count()
    return [(gettext("Orders waiting for a class"), reverse("web:call_awaiting"), count, "awaiting-class")]


INTAKE = Workbench(
    url_name="web:intake",
    title=_("Intake workbench"),
    icon="inboxes",
    roles=frozenset({Role.OPERATOR, Role.SHIFT_LEADER}),
    tabs=INTAKE_TABS,
    first_tab={Role.OPERATOR: "accept", Role.SHIFT_LEADER: "register"},
    layouts={"accept": CASE_LAYOUT, "register": CASE_LAYOUT, "close": CASE_LAYOUT, "callback": CASE_LAYOUT}
    | {"approvals": REQUEST_LAYOUT},
    links=calls_awaiting_a_class,
)

DISPATCH = Workbench(
    url_name="web:dispatch",
    title=_("Dispatch workbench"),
    icon="send",
    roles=frozenset({Role.DISPATCHER}),
    tabs=DISPATCH_TABS,
    first_tab={Role.DISPATCHER: "dispatch"},
    layouts={"dispatch": DISPATCH_LAYOUT, "approvals": REQUEST_LAYOUT, "suspended": CASE_LAYOUT},
)

intake = workbench_view(INTAKE)
dispatch = workbench_view(DISPATCH)
