"""The staff shell around every page: the menu by role, the user's scope and the notice inbox count.

A page joins the menu by adding a `MenuItem` here; the order of `MENU` is the order on screen.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xiuhua.accounts.choices import Role
from xiuhua.accounts.models import User
from xiuhua.notify.queries import OUTBOX_ROLES
from xiuhua.territory.models import Division
from xiuhua.web.notices import badge_count

EVERY_ROLE = frozenset(Role.values)


@dataclass(frozen=True)
class MenuItem:
    label: str
    url_name: str
    icon: str  # a Bootstrap Icons name
    roles: frozenset[str] = EVERY_ROLE

    def shown_to(self, user: User) -> bool:
        return user.role in self.roles


LEADERS = frozenset({Role.LEADER, Role.COMMANDER})
DASHBOARD_ROLES = LEADERS | {Role.SHIFT_LEADER, Role.DISPATCHER, Role.SYSADMIN}
REPORT_ROLES = LEADERS | {Role.SHIFT_LEADER, Role.SYSADMIN}
EVALUATION_ROLES = DASHBOARD_ROLES
CALL_TAKERS = frozenset({Role.OPERATOR, Role.SHIFT_LEADER})

MENU: list[MenuItem] = [
    # The auditor starts at the audit trail, the page that is theirs alone.
    MenuItem(_("Audit trail"), "web:audit", "shield-check", frozenset({Role.AUDITOR})),
    # Leaders start at the dashboard; the other roles that see it have their workbench first.
    MenuItem(_("Overview"), "web:dashboard", "speedometer2", LEADERS),
    MenuItem(_("Intake workbench"), "web:intake", "inboxes", frozenset({Role.OPERATOR, Role.SHIFT_LEADER})),
    MenuItem(_("Take a call"), "web:call_take", "headset", CALL_TAKERS),
    MenuItem(_("Leader's assignment"), "web:call_assign", "person-badge", CALL_TAKERS),
    MenuItem(_("Import 12345 orders"), "web:call_import", "file-earmark-arrow-up", CALL_TAKERS),
    MenuItem(_("Dispatch workbench"), "web:dispatch", "send", frozenset({Role.DISPATCHER})),
    MenuItem(_("Phone workbench"), "web:m_tasks", "phone", frozenset({Role.INSPECTOR})),
    MenuItem(_("Department workbench"), "web:department", "briefcase", frozenset({Role.DEPARTMENT})),
    MenuItem(_("Case search"), "web:case_list", "folder2-open"),
    MenuItem(_("Map"), "web:map", "map"),
    MenuItem(_("Patrol tracks"), "web:patrol", "person-walking", LEADERS | {Role.SHIFT_LEADER}),
    MenuItem(_("Overview"), "web:dashboard", "speedometer2", DASHBOARD_ROLES - LEADERS),
    MenuItem(_("Evaluation"), "web:evaluation", "bar-chart-line", EVALUATION_ROLES),
    # The departments see the campaigns they take part in (campaigns.queries.visible_campaigns).
    MenuItem(_("Special campaigns"), "web:campaigns", "flag", DASHBOARD_ROLES | {Role.DEPARTMENT}),
    MenuItem(_("Monthly report"), "reports:monthly", "file-earmark-bar-graph", REPORT_ROLES),
    MenuItem(_("Outbox"), "web:outbox", "envelope-paper", OUTBOX_ROLES),
    MenuItem(_("Notices"), "web:notices", "bell"),
]


def menu_for(user: User, path: str) -> list[dict]:
    items = []
    for item in MENU:
        if item.shown_to(user):
            url = reverse(item.url_name)
            items.append({"label": item.label, "url": url, "icon": item.icon, "active": path.startswith(url)})
    # Nested pages (/centre/calls/ and /centre/calls/import/): only the most specific item is the active one.
    longest = max((len(i["url"]) for i in items if i["active"]), default=0)
    for i in items:
        i["active"] = i["active"] and len(i["url"]) == longest
    return items


def scope_label(user: User) -> str:
    """What part of the city the user works on, as the header shows it."""
    if user.role == Role.DEPARTMENT and user.department_id:
        return user.department.name
    codes = user.scope_division_codes or []
    if user.is_superuser or (codes and all(len(str(code)) == 6 for code in codes)):
        return str(_("Whole district"))
    if not codes:
        return "未分配数据范围"  # an empty scope is nothing, not everything
    names = dict(Division.objects.filter(code__in=codes).values_list("code", "name"))
    return "、".join(names.get(code, code) for code in codes)


def shell_context(request: HttpRequest) -> dict:
    """Template context for the staff shell (a context processor: empty for anonymous visitors)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "menu": menu_for(user, request.path),
        "scope_label": scope_label(user),
        # Only notices that ask the user to act are counted (web/notices.py); the inbox lists the others too.
        "unread_notices": badge_count(user),
    }
