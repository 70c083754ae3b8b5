"""Routing with the demo city's rules: rules by class, area and time of day; component maintainers; 属地兜底."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from xiuhua.accounts.models import Department
from xiuhua.catalog.models import CaseClass, Component
from xiuhua.routing.services import route
from xiuhua.territory.models import UnitGrid

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOON = datetime(2026, 11, 2, 12, 0, tzinfo=SHANGHAI)
NIGHT = datetime(2026, 11, 2, 23, 30, tzinfo=SHANGHAI)


def event(major: str) -> CaseClass:
    return CaseClass.objects.filter(kind="event", major_code=major, active=True).order_by("code").first()


def grid_in(prefix: str, exclude: str | None = None) -> str:
    grids = UnitGrid.objects.filter(code__startswith=prefix)
    if exclude:
        grids = grids.exclude(code__startswith=exclude)
    return grids.order_by("code").values_list("code", flat=True).first()


def test_a_class_rule_names_the_lead_unit(demo_city):
    suggestion = route(event("08"), grid_in("330424"), at=NOON)
    assert suggestion.lead.short_name == "zhujian"
    assert "施工管理类" in suggestion.reason


def test_an_area_rule_adds_the_sub_district_as_assisting_unit(demo_city):
    suggestion = route(event("09"), grid_in("330424001"), at=NOON)
    assert suggestion.lead.short_name == "zhifa"
    assert [d.short_name for d in suggestion.assisting] == ["wuyuan"]


def test_at_night_street_order_goes_to_the_police(demo_city):
    assert route(event("09"), grid_in("330424001"), at=NIGHT).lead.short_name == "gongan"


def test_outside_the_rules_area_and_time_the_sub_district_takes_it(demo_city):
    grid = grid_in("330424", exclude="330424001")
    suggestion = route(event("09"), grid, at=NOON)
    home = Department.objects.get(kind="subdistrict", division_code=grid[:9])
    assert suggestion.lead == home and "属地兜底" in suggestion.reason


def test_the_register_conditions_default_unit_comes_before_the_sub_district(demo_city):
    zhujian = Department.objects.get(short_name="zhujian")
    suggestion = route(event("06"), grid_in("330424"), default_department=zhujian, at=NOON)
    assert suggestion.lead == zhujian


def test_a_components_maintaining_unit_wins_over_rules(demo_city):
    component = Component.objects.filter(case_class__major_code="02", maintaining_department__isnull=False).first()
    suggestion = route(component.case_class, component.unit_grid.code, component=component, at=NOON)
    assert suggestion.lead == component.maintaining_department
    assert component.code in suggestion.reason


def test_dispatch_without_a_department_follows_the_routing(loop, people):
    case = loop.to_registered(class_code=event("08").code)
    case = loop.act(case, "dispatch", people.dispatcher)
    assert case.lead_department.short_name == "zhujian"
    assert "施工管理类" in case.events.order_by("-id").first().details["routing"]


def test_preview_page_says_who_would_get_the_case(demo_city, client, settings):
    assert client.login(username="admin", password=settings.DEMO_PASSWORD)
    grid = grid_in("330424001")
    page = client.get(
        "/admin/routing/routingrule/preview/",
        {"class_code": event("09").code, "kind": "event", "place": grid, "at": "2026-11-02T23:30"},
    )
    assert page.status_code == 200
    text = page.content.decode()
    assert "海盐县公安局" in text and "夜间" in text
    bad = client.get(
        "/admin/routing/routingrule/preview/", {"class_code": "99999", "kind": "event", "place": grid}
    ).content.decode()
    assert "routing-result" not in bad and "errorlist" in bad


def _alone(case, at):
    default = case.register_condition.default_department if case.register_condition_id else None
    return route(case.case_class, case.grid_code, component=case.component, default_department=default, at=at)


@pytest.mark.parametrize("at", [NOON, NIGHT])
def test_a_page_of_cases_is_routed_as_each_case_would_be_alone(demo_city, at):
    from xiuhua.cases.models import Case
    from xiuhua.catalog.models import RegisterCondition
    from xiuhua.routing.services import route_cases

    Department.objects.filter(short_name="jiaotong").update(active=False)  # a rule's unit gone: the next applies
    grids = [grid_in("330424001"), grid_in("330424", exclude="330424001"), grid_in("330424")]
    classes = [event(major) for major in ("06", "07", "08", "09")]
    classes += list(CaseClass.objects.filter(kind="component", major_code__in=["01", "02"]).order_by("code")[:4])
    components = Component.objects.filter(maintaining_department__isnull=False).select_related("case_class")[:3]
    condition = RegisterCondition.objects.filter(default_department__isnull=False).first()
    cases = [Case(case_class=c, grid_code=g, source="inspector") for c in classes for g in grids]
    cases += [
        Case(case_class=p.case_class, grid_code=p.unit_grid.code, component=p, source="inspector") for p in components
    ]
    if condition is not None:
        cases += [Case(case_class=condition.case_class, grid_code=g, register_condition=condition) for g in grids]

    together = route_cases(cases, at)

    for case, suggestion in zip(cases, together, strict=True):
        alone = _alone(case, at)
        assert (suggestion.lead, suggestion.reason, suggestion.assisting) == (alone.lead, alone.reason, alone.assisting)
