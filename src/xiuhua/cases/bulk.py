"""One action on many cases at once (批量督办、批量派遣、批量审批), from the case list.

Each case goes through `workflow.apply_action` on its own, in its own transaction: one case that cannot take the
action (already closed, another user acted first, no routing rule for it) does not undo or block the others, and
the user is told, case by case and in Chinese, what was done and what was refused and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from xiuhua.accounts.choices import Role
from xiuhua.accounts.models import User
from xiuhua.cases.choices import Action, CaseStatus
from xiuhua.cases.workflow import apply_action
from xiuhua.core.errors import DomainError, PermissionDenied

MAX_CASES = 200  # a page of the list is at most 100 rows; two pages' worth is a generous ceiling
# The actions offered on the case list, and to whom (the workflow still checks role and state per case).
BULK_ACTIONS: dict[str, frozenset[str]] = {
    Action.URGE: frozenset({Role.LEADER, Role.COMMANDER}),
    Action.DISPATCH: frozenset({Role.DISPATCHER}),
    Action.APPROVE: frozenset({Role.DISPATCHER}),
}


@dataclass(frozen=True)
class Outcome:
    """What happened to one case: done (and its status now), or refused with the reason."""

    number: str
    done: bool
    message: str


def bulk_actions_for(user: User) -> list[str]:
    """The bulk actions this user's role may take, in the order the list offers them."""
    return [action for action, roles in BULK_ACTIONS.items() if user.role in roles]


def apply_to_many(
    numbers: list[str], action: str, actor: User, params: dict | None = None, *, now: datetime | None = None
) -> list[Outcome]:
    """Take `action` on each case of `numbers` (duplicates once, in the given order), each in its own transaction."""
    if action not in BULK_ACTIONS:
        offered = "、".join(map(_label, BULK_ACTIONS))
        if not action:
            raise DomainError(f"请先选择要批量进行的操作（{offered}）", code="no_action")
        raise DomainError(f"「{_label(action)}」不能批量操作，可批量的有：{offered}", code="not_bulk")
    if actor.role not in BULK_ACTIONS[action]:
        raise PermissionDenied(f"你的角色不能批量「{_label(action)}」")
    unique = list(dict.fromkeys(n.strip() for n in numbers if n and n.strip()))
    if not unique:
        raise DomainError("请先勾选要操作的案卷", code="nothing_selected")
    if len(unique) > MAX_CASES:
        raise DomainError(f"一次最多批量操作 {MAX_CASES} 件案卷，你选了 {len(unique)} 件", code="too_many")
    return [_one(number, action, actor, params or {}, now) for number in unique]


def _one(number: str, action: str, actor: User, params: dict, now: datetime | None) -> Outcome:
    try:
        case = apply_action(number, action, actor, dict(params), now=now)
    except DomainError as exc:
        return Outcome(number, False, exc.message)
    return Outcome(number, True, f"已{_label(action)}，现为「{CaseStatus(case.status).label}」")


def _label(action: str) -> str:
    """The action's Chinese name; a value that is no action at all (a hand-made request) is shown as sent."""
    try:
        return str(Action(action).label)
    except ValueError:
        return action
