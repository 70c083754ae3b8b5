"""Who should handle a case: the component's maintaining unit, else the first matching rule, else the
register condition's default unit, else the sub-district where it happened (属地兜底)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time

from django.db.models import F, Q
from django.utils import timezone

from xiuhua.accounts.choices import DepartmentKind
from xiuhua.accounts.models import Department
from xiuhua.cases.choices import Action, Source
from xiuhua.cases.models import Case, CaseEvent
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
    rules = matching_rules(case_class, grid_code, at or timezone.now())
    return _suggest(case_class, component, maintainer, rules, default_department, lambda: home_subdistrict(grid_code))


def _suggest(
    case_class: CaseClass,
    component: Component | None,
    maintainer: Department | None,
    rules: list[RoutingRule],
    default_department: Department | None,
    home: Callable[[], Department | None],
) -> DispatchSuggestion:
    """The order of precedence, shared by one case (`route`) and a page of them (`route_cases`)."""
    if case_class.kind == ClassKind.COMPONENT and maintainer is not None and maintainer.active:
        return DispatchSuggestion(maintainer, f"部件 {component.code} 的养护单位")
    for rule in rules:
        if rule.lead_department.active:
            assisting = [d for d in _assisting(rule) if d.active]
            return DispatchSuggestion(rule.lead_department, f"责任规则「{rule.name}」", assisting)
    if default_department is not None and default_department.active:
        return DispatchSuggestion(default_department, "立案条件的默认处置单位")
    if (unit := home()) is not None:
        return DispatchSuggestion(unit, "属地兜底：问题所在街道（镇）")
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


def _assisting(rule: RoutingRule) -> list[Department]:
    """The rule's assisting units: as `RoutingTable` attached them, else from the database."""
    attached = getattr(rule, "assisting_units", None)
    return attached if attached is not None else list(rule.assisting_departments.all())


# -- a page of suggestions (the dispatch queue): everything routing reads, loaded once per page, not per row


@dataclass(frozen=True)
class RoutingTable:
    """Active rules (with their units) and active departments, read once for many cases."""

    rules: list[RoutingRule]
    departments: dict[int, Department]  # active departments by id
    by_short_name: dict[str, Department]  # active departments by short name (the first, as `.first()` finds it)
    subdistricts: dict[str, Department]  # active sub-district units by the division code they serve

    @classmethod
    def load(cls) -> RoutingTable:
        departments = list(Department.objects.filter(active=True))  # in the model's order, like `.first()`
        by_id = {unit.pk: unit for unit in departments}
        by_short_name: dict[str, Department] = {}
        subdistricts: dict[str, Department] = {}
        for unit in departments:
            by_short_name.setdefault(unit.short_name, unit)
            if unit.kind == DepartmentKind.SUBDISTRICT:
                subdistricts.setdefault(unit.division_code, unit)
        return cls(_rules_with_assisting(by_id), by_id, by_short_name, subdistricts)

    def matching_rules(self, case_class: CaseClass, grid_code: str, at: datetime) -> list[RoutingRule]:
        """What `matching_rules` finds in the database, found in memory."""
        areas = {"", *_area_prefixes(grid_code)}
        moment = timezone.localtime(at, SHANGHAI).time()
        found = [
            rule
            for rule in self.rules
            if rule.case_class_id in (None, case_class.pk)
            and rule.kind in ("", case_class.kind)
            and rule.major_code in ("", case_class.major_code)
            and rule.area_code in areas
            and _in_window(rule, moment)
        ]
        return sorted(found, key=lambda r: (r.priority, *_specificity(r), r.pk))


def _rules_with_assisting(departments: dict[int, Department]) -> list[RoutingRule]:
    """Active rules with their active assisting units attached, in one query: a row per (rule, assisting unit)."""
    rows = RoutingRule.objects.filter(active=True).select_related("lead_department")
    rules: dict[int, RoutingRule] = {}
    for rule in rows.annotate(assisting_id=F("assisting_departments")).order_by("pk"):
        kept = rules.setdefault(rule.pk, rule)
        kept.__dict__.setdefault("assisting_units", [])
        if rule.assisting_id in departments:  # inactive units are left out, as `_suggest` would
            kept.assisting_units.append(departments[rule.assisting_id])
    order = {pk: i for i, pk in enumerate(departments)}  # the units' model order, as `.all()` gives them
    for rule in rules.values():
        rule.assisting_units.sort(key=lambda unit: order[unit.pk])
    return list(rules.values())


def route_cases(cases: list[Case], at: datetime) -> list[DispatchSuggestion]:
    """`route_case` for each case, in a fixed number of queries whatever the number of cases.

    The cases should come with `case_class`, `component` and `register_condition` joined (the queues do).
    """
    table = RoutingTable.load()
    named = _leader_named(table, [case.pk for case in cases if case.source == Source.LEADER])
    suggestions = []
    for case in cases:
        if case.pk in named:
            suggestions.append(DispatchSuggestion(named[case.pk], "领导交办时指定的单位"))
            continue
        condition = case.register_condition if case.register_condition_id else None
        default = table.departments.get(condition.default_department_id) if condition else None
        component = case.component
        maintainer = table.departments.get(component.maintaining_department_id) if component else None
        rules = table.matching_rules(case.case_class, case.grid_code, at)
        home = table.subdistricts.get(case.grid_code[:9])
        suggestions.append(_suggest(case.case_class, component, maintainer, rules, default, lambda unit=home: unit))
    return suggestions


def _leader_named(table: RoutingTable, case_ids: list[int]) -> dict[int, Department]:
    """The active unit each leader's assignment named (on its first report event), by case id."""
    if not case_ids:
        return {}
    first: dict[int, dict] = {}
    events = CaseEvent.objects.filter(case_id__in=case_ids, action=Action.REPORT).order_by("at", "id")
    for case_id, details in events.values_list("case_id", "details"):
        first.setdefault(case_id, details or {})
    named = {
        case_id: table.by_short_name.get(details.get("assigned_department") or "") for case_id, details in first.items()
    }
    return {case_id: unit for case_id, unit in named.items() if unit is not None}
