"""The queues of the command centre's workbenches, each a tab: which cases (or requests) wait for whom.

Every queue starts from `visible_cases`, so a workbench never shows a case outside the user's data scope. Which
role may approve which request, and who calls citizens back, is read off the workflow table, not repeated here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from xiuhua.accounts.choices import Role
from xiuhua.accounts.models import User
from xiuhua.cases import queries
from xiuhua.cases.choices import Action, RequestState
from xiuhua.cases.choices import CaseStatus as S
from xiuhua.cases.models import Case, CaseRequest, urgent_first
from xiuhua.cases.presenters import SUMMARY_RELATIONS
from xiuhua.cases.workflow import TRANSITIONS

CASE_ROWS = (*SUMMARY_RELATIONS, "register_condition", "component", "reporter")


def roles_that_may(action: str) -> frozenset[str]:
    return frozenset(role for t in TRANSITIONS if t.action == action for role in t.roles)


def approvable_states(role: str) -> frozenset[str]:
    """States whose pending request this role decides (extension, return, suspension, void, self-handled)."""
    return frozenset(s for t in TRANSITIONS if t.action == Action.APPROVE and role in t.roles for s in t.sources)


def _queue_rows(cases: QuerySet[Case]) -> QuerySet[Case]:
    return cases.annotate(urgency_rank=urgent_first()).select_related(*CASE_ROWS)


def cases_in(user: User, statuses: list[str]) -> QuerySet[Case]:
    """Visible cases in these states, with their running limit and urgency rank for sorting."""
    return _queue_rows(queries.with_limits(queries.visible_cases(user)).filter(status__in=statuses))


def waiting_callback(user: User) -> QuerySet[Case]:
    """The operator's callbacks from `my_tasks`: closed cases (and merged reports) not called back yet."""
    # No status filter: the flag implies it, and a count of the flag alone is read off the partial index.
    return _queue_rows(queries.with_limits(queries.visible_cases(user)).filter(queries.waiting_callback()))


def pending_requests(user: User) -> QuerySet[CaseRequest]:
    """Requests this user may approve or refuse, on cases in their scope."""
    cases = queries.visible_cases(user).filter(status__in=approvable_states(user.role))
    return (
        CaseRequest.objects.filter(state=RequestState.PENDING, case__in=cases)
        .annotate(urgency_rank=urgent_first("case__"))
        .select_related("requested_by", "department", *(f"case__{r}" for r in SUMMARY_RELATIONS))
    )


@dataclass(frozen=True)
class Tab:
    """One queue of a workbench: `rows(user)` is a queryset of cases (or of requests, for approvals)."""

    key: str
    label: str
    icon: str
    rows: Callable[[User], QuerySet]
    roles: frozenset[str]
    empty_hint: str = ""  # what to do when the queue is empty

    def shown_to(self, user: User) -> bool:
        return user.role in self.roles


def _statuses(*statuses: str) -> Callable[[User], QuerySet[Case]]:
    return lambda user: cases_in(user, list(statuses))


CENTRE = frozenset({Role.OPERATOR, Role.SHIFT_LEADER})
APPROVALS = Tab(
    "approvals",
    _("Approvals"),
    "check2-square",
    pending_requests,
    frozenset(role for role in Role.values if approvable_states(role)),
    _("Requests from departments and inspectors appear here when they need your decision."),
)

INTAKE_TABS = [
    Tab(
        "accept",
        _("To accept"),
        "inbox",
        _statuses(S.REPORTED),
        CENTRE,
        _("New reports from inspectors, hotlines, citizens, apps and sensors appear here."),
    ),
    Tab(
        "register",
        _("To register"),
        "journal-check",
        _statuses(S.ACCEPTED, S.VERIFYING),
        CENTRE,
        _("Accepted reports wait here for registering, or for an inspector's verification."),
    ),
    Tab(
        "close",
        _("To close"),
        "patch-check",
        _statuses(S.HANDLED, S.CHECKING, S.CHECKED),
        CENTRE,
        _("Cases come here when a department reports back: send a check, then close after it passes."),
    ),
    Tab(
        "callback",
        _("To call back"),
        "telephone-outbound",
        waiting_callback,
        roles_that_may(Action.CALLBACK),
        _("Closed citizen, hotline and media cases wait here for their callback."),
    ),
    APPROVALS,
]

DISPATCH_TABS = [
    Tab(
        "dispatch",
        _("To dispatch"),
        "send",
        _statuses(S.REGISTERED),
        roles_that_may(Action.DISPATCH),
        _("Registered cases appear here with the unit routing suggests."),
    ),
    APPROVALS,
    Tab(
        "suspended",
        _("Suspended"),
        "pause-circle",
        _statuses(S.SUSPENDED),
        roles_that_may(Action.RESUME),
        _("Suspended cases stay here until you resume them."),
    ),
]
