"""Every row of the workflow table, from every state it starts in, and its refusal for every other role."""

from collections import defaultdict

import pytest

from xiuhua.accounts.choices import Role
from xiuhua.cases.tests.conftest import photo
from xiuhua.cases.workflow import TRANSITIONS, Conflict
from xiuhua.core.errors import PermissionDenied

pytestmark = pytest.mark.django_db

ACCOUNT_OF_ROLE = {
    Role.OPERATOR: "operator",
    Role.INSPECTOR: "inspector",
    Role.SHIFT_LEADER: "shift_leader",
    Role.DISPATCHER: "dispatcher",
    Role.DEPARTMENT: "zhifa",
    Role.LEADER: "leader",
}

# What each action needs from its actor, by (action, role).
INPUT = {
    ("verify", Role.INSPECTOR): ({"result": True}, False),
    ("check", Role.INSPECTOR): ({"result": True}, True),
    ("decline", None): ({"note": "不属于城市管理问题"}, False),
    ("dispatch", None): ({"department": "zhifa"}, False),
    ("report_back", None): ({"note": "已处置"}, True),
    ("callback", None): ({"satisfaction": "satisfied"}, False),
    ("request_extension", None): ({"extension_value": 4, "extension_unit": "hours", "note": "材料未到"}, False),
    ("request_return", None): ({"note": "不属本部门"}, False),
    ("request_suspension", None): ({"note": "需长期整治"}, False),
    ("request_void", None): ({"note": "重复上报"}, False),
    ("refuse", None): ({"note": "理由不足"}, False),
    ("self_handle", None): ({}, True),
    ("urge", None): ({"note": "限今日办结"}, False),
    ("reopen", None): ({"note": "问题复发"}, False),
}

# How to bring a fresh case to each state: (action, role) steps from `reported`.
TO_DISPATCHED = [("accept", Role.OPERATOR), ("register", Role.SHIFT_LEADER), ("dispatch", Role.DISPATCHER)]
TO_HANDLED = [*TO_DISPATCHED, ("report_back", Role.DEPARTMENT)]
TO_CHECKED = [*TO_HANDLED, ("check", Role.OPERATOR), ("check", Role.INSPECTOR)]
PATHS = {
    "reported": [],
    "accepted": [("accept", Role.OPERATOR)],
    "verifying": [("accept", Role.OPERATOR), ("verify", Role.OPERATOR)],
    "registered": TO_DISPATCHED[:2],
    "dispatched": TO_DISPATCHED,
    "handling": [*TO_DISPATCHED, ("handle", Role.DEPARTMENT)],
    "handled": TO_HANDLED,
    "checking": [*TO_HANDLED, ("check", Role.OPERATOR)],
    "checked": TO_CHECKED,
    "closed": [*TO_CHECKED, ("close", Role.SHIFT_LEADER)],
    "extension_requested": [*TO_DISPATCHED, ("request_extension", Role.DEPARTMENT)],
    "return_requested": [*TO_DISPATCHED, ("request_return", Role.DEPARTMENT)],
    "suspension_requested": [*TO_DISPATCHED, ("request_suspension", Role.DEPARTMENT)],
    "suspended": [*TO_DISPATCHED, ("request_suspension", Role.DEPARTMENT), ("approve", Role.DISPATCHER)],
    "void_requested": [("accept", Role.OPERATOR), ("request_void", Role.OPERATOR)],
    "self_handled": [("self_handle", Role.INSPECTOR)],
}


def act(loop, case, action, role):
    params, needs_photo = INPUT.get((action, role)) or INPUT.get((action, None)) or ({}, False)
    if action == "merge":
        params = {"parent": loop.report().number}
    user = getattr(loop.p, ACCOUNT_OF_ROLE[role])
    return loop.act(case, action, user, files=[photo()] if needs_photo else None, **params)


def merged_report_of_closed_case(loop):
    parent, case = loop.report(), loop.report()
    loop.act(case, "merge", loop.p.operator, parent=parent.number)
    for action, role in PATHS["closed"]:
        parent = act(loop, parent, action, role)
    case.refresh_from_db()
    return case


def case_in(loop, state, by_inspector=False):
    if state == "merged":
        return merged_report_of_closed_case(loop)
    case = loop.report_by_inspector() if by_inspector or state == "self_handled" else loop.report()
    for action, role in PATHS[state]:
        case = act(loop, case, action, role)
    assert case.status == state
    return case


ROWS = [
    pytest.param(t, source, role, id=f"{t.action}-{source}-{role}")
    for t in TRANSITIONS
    for source in sorted(t.sources)
    for role in sorted(t.roles)
    if role in ACCOUNT_OF_ROLE
]


@pytest.mark.parametrize(("transition", "source", "role"), ROWS)
def test_every_transition_leads_where_the_table_says(loop, transition, source, role):
    case = case_in(loop, source, by_inspector=transition.action == "self_handle")
    events_before = case.events.count()
    case = act(loop, case, transition.action, role)
    assert case.status in transition.targets
    assert case.events.count() == events_before + 1
    last = case.events.order_by("-id").first()
    assert (last.action, last.from_status, last.to_status) == (transition.action, source, case.status)


def _refusals():
    allowed = defaultdict(set)
    for t in TRANSITIONS:
        for source in t.sources:
            allowed[(t.action, source)] |= t.roles
    for (action, source), roles in sorted(allowed.items()):
        outsider = next(r for r in ACCOUNT_OF_ROLE if r not in roles)
        yield pytest.param(action, source, outsider, id=f"{action}-{source}-by-{outsider}")


@pytest.mark.parametrize(("action", "source", "role"), list(_refusals()))
def test_every_action_is_refused_to_roles_the_table_does_not_name(loop, action, source, role):
    case = case_in(loop, source)
    with pytest.raises((PermissionDenied, Conflict)) as refusal:
        act(loop, case, action, role)
    assert "角色" in refusal.value.message or "不是你所在的部门" in refusal.value.message
    case.refresh_from_db()
    assert case.status == source


def test_a_refused_void_request_goes_back_to_the_state_it_came_from(loop):
    case = case_in(loop, "void_requested")
    case = act(loop, case, "refuse", Role.SHIFT_LEADER)
    assert case.status == "accepted"
