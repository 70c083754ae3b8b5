"""Who should handle a case: the component's maintaining unit, else the first matching rule, else the
register condition's default unit, else the sub-district where it happened (属地兜底)."""

from __future__ import annotations

from datetime import datetime, time

from django.db.models import Q
from django.utils import timezone

from xiuhua.accounts.choices import DepartmentKind
from xiuhua.accounts.models import Department
from xiuhua.cases.choices import Action, Source
from xiuhua.cases.models import Case
from xiuhua.cases.steps import DispatchSuggestion, condition_default_department
from xiuhua.catalog.choices import ClassKind
from xiuhua.catalog.models import CaseClass, Component
from xiuhua.core import refcache
from xiuhua.routing.models import AutoDispatch, RoutingRule
from xiuhua.worktime.clock import SHANGHAI


def _area_prefixes(grid_code: str) -> list[str]:
    return [grid_code[:n] for n in (6, 9, 12, 15) if len(grid_code) >= n]


def _in_window(rule: RoutingRule, moment: time) -> bool:
    start, end = rule.start_time, rule.end_time
    if start is None or end is None:
        return True
    return start <= moment < end if start <= end else moment >= start or moment < end


def _specificity(rule: RoutingRule) -> tuple:
    subject = 3 if rule.case_class_id else 2 if rule.major_code else 1 if rule.kind else 0
    return (-subject, -len(rule.area_code), rule.start_time is None)


def matching_rules(case_class: CaseClass, grid_code: str, at: datetime) -> list[RoutingRule]:
    """Active rules that apply, best first."""
    rules = RoutingRule.objects.filter(active=True).filter(
        Q(case_class__isnull=True) | Q(case_class=case_class),
        Q(kind="") | Q(kind=case_class.kind),
        Q(major_code="") | Q(major_code=case_class.major_code),
        Q(area_code="") | Q(area_code__in=_area_prefixes(grid_code)),
    )
    moment = timezone.localtime(at, SHANGHAI).time()
    found = [r for r in rules.select_related("lead_department") if _in_window(r, moment)]
    return sorted(found, key=lambda r: (r.priority, *_specificity(r), r.pk))


def home_subdistrict(grid_code: str) -> Department | None:
    return Department.objects.filter(kind=DepartmentKind.SUBDISTRICT, division_code=grid_code[:9], active=True).first()


def route(
    case_class: CaseClass,
    grid_code: str,
    *,
    component: Component | None = None,
    default_department: Department | None = None,
    at: datetime | None = None,
) -> DispatchSuggestion:
    """The unit that should lead on this case, and why."""
    maintainer = component.maintaining_department if component is not None else None
    if case_class.kind == ClassKind.COMPONENT and maintainer is not None and maintainer.active:
        return DispatchSuggestion(maintainer, f"部件 {component.code} 的养护单位")
    for rule in matching_rules(case_class, grid_code, at or timezone.now()):
        if rule.lead_department.active:
            assisting = [d for d in rule.assisting_departments.all() if d.active]
            return DispatchSuggestion(rule.lead_department, f"责任规则「{rule.name}」", assisting)
    if default_department is not None and default_department.active:
        return DispatchSuggestion(default_department, "立案条件的默认处置单位")
    home = home_subdistrict(grid_code)
    if home is not None:
        return DispatchSuggestion(home, "属地兜底：问题所在街道（镇）")
    return DispatchSuggestion(None, "没有可用的责任规则，也找不到所在街道（镇）的处置单位")


def leader_named_department(case: Case) -> Department | None:
    """The unit a leader named when assigning the case (上级交办), if still active."""
    first = case.events.filter(action=Action.REPORT).first()
    short_name = (first.details.get("assigned_department") if first else None) or ""
    return Department.objects.filter(short_name=short_name, active=True).first() if short_name else None


def route_case(case: Case, at: datetime) -> DispatchSuggestion:
    if case.source == Source.LEADER and (named := leader_named_department(case)):
        return DispatchSuggestion(named, "领导交办时指定的单位")
    default = condition_default_department(case)
    return route(case.case_class, case.grid_code, component=case.component, default_department=default, at=at)


def dispatches_on_register(case: Case) -> bool:
    """Whether the class of the case is set to follow the routing suggestion at register time."""
    enabled = refcache.memo("routing.auto_dispatch", _auto_dispatch_classes)
    return case.case_class_id in enabled


def _auto_dispatch_classes() -> frozenset[int]:
    return frozenset(AutoDispatch.objects.filter(enabled=True).values_list("case_class_id", flat=True))
