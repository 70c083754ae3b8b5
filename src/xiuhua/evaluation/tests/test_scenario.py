"""Every indicator of November 2026 for a district whose cases were built by hand, checked against sums done by hand.

The cases (all at one spot in the demo city, so one grid, one community, one district; "zhifa" is 综合行政执法局):

A  hotline report, closed on time, caller very satisfied          I  inspector's report, verified, closed on time
B  handled an hour late, closed, caller dissatisfied              J  inspector's report, found false, declined
C  failed its check once (rework), closed, caller satisfied       K  inspector handled it on the spot (self-handled)
D  sent to zhujian first, returned, re-sent to zhifa, closed      M  reported 00:10 on 1 November Beijing time
E  extended by two days, reported back inside the extension          (still 31 October in UTC): November
F  suspended, resumed, reported back on time, not yet checked     N  reported 00:10 on 1 December Beijing time
G  voided after dispatch                                             (30 November in UTC): not November
H  dispatched, never handled: overdue by the end of the month     P  12345 order answered on the call
                                                                  Q  12345 order transferred to a case (not accepted)
"""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from xiuhua.cases.models import CASE_FACTS, Case, CaseStats
from xiuhua.cases.tests.conftest import photo, sh
from xiuhua.cases.timers import sweep
from xiuhua.evaluation.indicators import COLUMNS, INDICATORS, indicator_cases
from xiuhua.evaluation.models import ScoreScheme
from xiuhua.evaluation.periods import parse_period
from xiuhua.evaluation.services import evaluate
from xiuhua.intake.channels.hotline.adapter import WorkOrderInput, take_work_order
from xiuhua.intake.channels.staff.adapter import report_by_staff
from xiuhua.intake.services import ReportInput
from xiuhua.territory.models import Division, UnitGrid

pytestmark = pytest.mark.django_db

NOVEMBER = parse_period("2026-11")


def day(d: int, hour: int = 9, minute: int = 0):
    return sh(2026, 11, d, hour, minute)


def report_back(loop, case, at, department=None):
    return loop.act(case, "report_back", department or loop.p.zhifa, now=at, files=[photo("after.jpg")])


def check(loop, case, at, passed=True):
    loop.act(case, "check", loop.p.operator, now=at)
    return loop.act(case, "check", loop.p.inspector, now=at, files=[photo("check.jpg")], result=passed)


def check_and_close(loop, case, at):
    check(loop, case, at)
    return loop.act(case, "close", loop.p.shift_leader, now=at)


def callback(loop, case, at, satisfaction):
    return loop.act(case, "callback", loop.p.operator, now=at, satisfaction=satisfaction)


def inspector_report(loop, at, **extra):
    data = ReportInput(
        class_code="01001", kind="event", description="墙面有小广告", lng=loop.spot[0], lat=loop.spot[1], **extra
    )
    after = [photo("after.jpg")] if extra.get("self_handled") else None
    return report_by_staff(loop.p.inspector, data, [photo("before.jpg")], after_photos=after, now=at).case


def hotline_order(loop, number: str, at, **extra):
    data = WorkOrderInput(hotline="12345", order_number=number, content="小区门口垃圾堆积", received_at=at, **extra)
    return take_work_order(data, loop.p.operator, now=at)[0]


@pytest.fixture
def november(loop, people):
    grid = UnitGrid.objects.order_by("code").first()
    people.inspector.scope_division_codes = [grid.community.code]
    people.inspector.save()
    p = people

    a = loop.to_checked(now=day(2))
    loop.act(a, "close", p.shift_leader, now=day(2))
    callback(loop, a, day(2, 10), "very_satisfied")

    b = loop.to_dispatched(now=day(3))
    report_back(loop, b, b.handling_deadline + timedelta(hours=1))
    b = check_and_close(loop, b, b.handling_deadline + timedelta(hours=2))
    callback(loop, b, b.closed_at + timedelta(hours=1), "dissatisfied")

    c = loop.to_dispatched(now=day(4))
    report_back(loop, c, day(4, 10))
    check(loop, c, day(4, 11), passed=False)
    report_back(loop, c, day(4, 14))
    check_and_close(loop, c, day(4, 15))
    callback(loop, c, day(4, 16), "satisfied")

    d = loop.to_dispatched(now=day(5), department="zhujian")
    loop.act(d, "request_return", p.zhujian, now=day(5, 10), note="属执法局管辖")
    loop.act(d, "approve", p.dispatcher, now=day(5, 10, 30), department="zhifa")
    report_back(loop, d, day(5, 11))
    check_and_close(loop, d, day(5, 12))

    e = loop.to_dispatched(now=day(6))
    first_deadline = e.handling_deadline
    loop.act(e, "request_extension", p.zhifa, now=day(6, 10), extension_value=2, extension_unit="days", note="等材料")
    e = loop.act(e, "approve", p.dispatcher, now=day(6, 10, 30))
    assert e.handling_deadline > first_deadline + timedelta(hours=2)
    report_back(loop, e, first_deadline + timedelta(hours=2))
    check_and_close(loop, e, first_deadline + timedelta(hours=3))

    f = loop.to_dispatched(now=day(9))
    loop.act(f, "request_suspension", p.zhifa, now=day(9, 10), note="等待管线迁改")
    loop.act(f, "approve", p.dispatcher, now=day(9, 10, 30))
    loop.act(f, "resume", p.dispatcher, now=day(10))
    report_back(loop, f, day(10, 10))

    g = loop.to_dispatched(now=day(10))
    loop.act(g, "request_void", p.dispatcher, now=day(10, 10), note="与另一案卷重复")
    loop.act(g, "approve", p.shift_leader, now=day(10, 10, 30))

    loop.to_dispatched(now=day(11))  # H

    i = inspector_report(loop, day(12))
    loop.act(i, "accept", p.operator, now=day(12))
    loop.act(i, "verify", p.operator, now=day(12), inspector="inspector")
    loop.act(i, "verify", p.inspector, now=day(12, 10), files=[photo("verify.jpg")], result=True)
    loop.act(i, "register", p.shift_leader, now=day(12, 10))
    loop.act(i, "dispatch", p.dispatcher, now=day(12, 10), department="zhifa")
    report_back(loop, i, day(12, 14))
    check_and_close(loop, i, day(12, 15))

    j = inspector_report(loop, day(13))
    loop.act(j, "accept", p.operator, now=day(13))
    loop.act(j, "verify", p.operator, now=day(13), inspector="inspector")
    loop.act(j, "verify", p.inspector, now=day(13, 10), result=False)
    loop.act(j, "decline", p.shift_leader, now=day(13, 11), note="现场无此问题")

    k = inspector_report(loop, day(16), self_handled=True)
    loop.act(k, "approve", p.operator, now=day(16, 10))

    loop.to_registered(now=sh(2026, 11, 1, 0, 10))  # M
    loop.to_registered(now=sh(2026, 12, 1, 0, 10))  # N

    hotline_order(loop, "P1", day(17), order_type="consultation", answered_on_call=True, answer="已解答")
    hotline_order(loop, "Q1", day(17), order_type="complaint", class_code="01001", kind="event", lng=loop.spot[0],
                  lat=loop.spot[1])  # fmt: skip

    sweep(sh(2026, 11, 30, 18, 0))  # marks H overdue
    return grid


def row(object_type: str, name_part: str):
    result = evaluate(object_type, NOVEMBER)
    return next(r for r in result.rows if name_part in r.name)


def counts_and_rates(found) -> dict:
    return {code: value for code, value in found.values.items() if value not in (0, None)}


def test_every_region_indicator_matches_the_hand_count(november):
    expected = {
        "report": 13,  # A–K, M, Q (N is December)
        "valid_report": 11,  # registered: A–I, M; self-handled: K
        "valid_report_rate": 11 / 13,
        "public_report": 10,  # the hotline's: A–H, M, Q
        "register": 10,  # A–I, M
        "register_on_time_rate": 1.0,
        "need_handle": 8,  # first dispatched and not voided: A–F, H, I
        "handled": 7,  # all but H
        "handle_rate": 7 / 8,
        "handled_on_time": 6,  # all but B (late) and H
        "handle_on_time_rate": 6 / 8,
        "overdue_unhandled": 1,  # H
        "need_close": 9,  # registered, not voided: A–F, H, I, M
        "closed": 6,  # A–E, I
        "close_rate": 6 / 9,
        "close_on_time_rate": 5 / 9,  # closed and handled on time: A, C, D, E, I
        "reworked": 1,  # C
        "rework_rate": 1 / 9,
        "returned": 1,  # D
        "extended": 1,  # E
        "suspended": 1,  # F
        "void": 1,  # G
        "callback": 3,  # A, B, C
        "satisfaction_rate": 2 / 3,  # very satisfied + satisfied
        "satisfaction_score": 60.0,  # (100 + 0 + 80) / 3
    }
    assert counts_and_rates(row("grid", november.code)) == pytest.approx(expected)
    assert counts_and_rates(row("community", november.community.name)) == pytest.approx(expected)
    district = counts_and_rates(row("district", "海盐"))
    assert district == pytest.approx({**expected, "answered_on_call": 1, "transferred": 1})


def test_every_department_indicator_matches_the_hand_count(november):
    zhifa = row("department", "综合行政执法")
    assert counts_and_rates(zhifa) == pytest.approx(
        {
            "need_handle": 8,  # D counts for zhifa, which took it after zhujian returned it
            "handled": 7,
            "handle_rate": 7 / 8,
            "handled_on_time": 6,
            "handle_on_time_rate": 6 / 8,
            "handled_late": 1,
            "overdue_unhandled": 1,
            "overdue_unhandled_rate": 1 / 8,
            "extended": 1,
            "extension_rate": 1 / 8,
            "suspended": 1,
            "need_close": 8,  # M has no department yet
            "closed": 6,
            "close_rate": 6 / 8,
            "reworked": 1,
            "rework_rate": 1 / 8,
            "callback": 3,
            "satisfaction_rate": 2 / 3,
            "satisfaction_score": 60.0,
        }
    )
    # Jinniu scheme: 30 × 7/8 + 20 × 6/8 + 20 × (1 − 1/8) + 20 × (1 − 1/8) + 10 × (1 − 1/8) = 85.0
    assert zhifa.score == pytest.approx(85.0)
    assert zhifa.grade == "B" and zhifa.rank == 1


def test_a_department_with_no_cases_has_zeros_and_no_score(november):
    zhujian = row("department", "住房和城乡建设")
    assert all(value in (0, None) for value in zhujian.values.values())
    assert zhujian.values["handle_rate"] is None  # nothing was due: no rate, not 0 % and not 100 %
    assert (zhujian.score, zhujian.grade, zhujian.rank) == (None, "", None)


def test_every_role_indicator_matches_the_hand_count(november):
    assert counts_and_rates(row("inspector", "监督员")) == pytest.approx(
        {
            "report": 3,  # I, J, K
            "valid_report": 2,  # I, K
            "valid_report_rate": 2 / 3,
            "self_handled": 1,
            "area_register": 10,  # registered in the inspector's community
            "missed_report": 9,  # of those, the public's: A–H, M
            "missed_report_rate": 9 / 10,
            "need_verify": 2,  # I, J
            "verify": 2,
            "verify_on_time": 2,
            "verify_on_time_rate": 1.0,
            "need_check": 6,  # A–E, I (C's second check overwrote its first)
            "check": 6,
            "check_on_time": 6,
            "check_on_time_rate": 1.0,
        }
    )
    assert counts_and_rates(row("operator", "受理员")) == pytest.approx(
        {
            "accept": 12,  # A–J, M, and K: the operator's audit of a self-handled report is its acceptance
            "accept_on_time": 11,  # K's audit came an hour after the report, past the accept limit
            "accept_on_time_rate": 11 / 12,
            "callback": 3,
            "satisfied": 2,
            "satisfaction_rate": 2 / 3,
        }
    )
    assert counts_and_rates(row("shift_leader", "值班长")) == pytest.approx(
        {
            "register": 10,
            "register_on_time": 10,
            "register_on_time_rate": 1.0,
            "accurate_register": 9,  # G was voided
            "accurate_register_rate": 9 / 10,
            "closing": 6,  # K was closed by the operator's audit, not by a shift leader
            "closing_on_time": 6,
            "closing_on_time_rate": 1.0,
        }
    )
    assert counts_and_rates(row("dispatcher", "派遣员")) == pytest.approx(
        {
            "need_dispatch": 9,  # M was never dispatched, so no dispatcher answers for it
            "dispatch": 9,
            "dispatch_on_time": 9,
            "dispatch_on_time_rate": 1.0,
            "accurate_dispatch": 8,  # D went to the wrong department first
            "accurate_dispatch_rate": 8 / 9,
            "returned": 1,
        }
    )


@pytest.mark.parametrize("object_type", ["grid", "department", "inspector", "dispatcher", "district"])
def test_every_figure_drills_down_to_exactly_the_cases_it_counts(november, object_type):
    result = evaluate(object_type, NOVEMBER)
    checked = 0
    for found in result.rows:
        for code in COLUMNS[object_type]:
            indicator = INDICATORS[code]
            if indicator.kind != "count" or not indicator.drillable:
                continue
            assert indicator_cases(code, object_type, found.key, NOVEMBER).count() == found.values[code], code
            checked += found.values[code]
    assert checked > 0


def test_a_rate_drills_down_to_its_numerator(november):
    zhifa = row("department", "综合行政执法")
    late = indicator_cases("handle_on_time_rate", "department", zhifa.key, NOVEMBER)
    assert late.count() == zhifa.values["handled_on_time"] == 6


def test_an_empty_period_has_rows_without_figures_or_scores(november):
    result = evaluate("department", parse_period("2025-03"))
    assert result.rows and all(r.score is None and r.rank is None for r in result.rows)
    assert all(value in (0, None) for r in result.rows for value in r.values.values())


def test_month_boundaries_are_beijing_time(november):
    october = evaluate("district", parse_period("2026-10")).rows[0]
    december = evaluate("district", parse_period("2026-12")).rows[0]
    assert october.values["report"] == 0  # M (15:10 on 31 October UTC) is November's
    assert december.values["report"] == 1  # N (16:10 on 30 November UTC) is December's


def test_rank_change_compares_with_the_previous_period(november, loop, settings):
    settings.XIUHUA_EVALUATION_MIN_SAMPLE = 1  # October has one case per department: rank them anyway here
    # In October zhujian handled one case late; in November it had none, zhifa leads.
    late = loop.to_dispatched(now=sh(2026, 10, 20, 9, 0), department="zhujian")
    report_back(loop, late, late.handling_deadline + timedelta(hours=1), department=loop.p.zhujian)
    loop.to_dispatched(now=sh(2026, 10, 21, 9, 0))
    october = {r.name: r for r in evaluate("department", parse_period("2026-10")).rows}
    assert october["海盐县住房和城乡建设局"].rank == 1 or october["海盐县综合行政执法局"].rank == 1
    november_zhifa = row("department", "综合行政执法")
    before = october["海盐县综合行政执法局"]
    assert november_zhifa.previous_rank == before.rank
    assert november_zhifa.previous_score == before.score
    assert november_zhifa.rank_change == before.rank - november_zhifa.rank


def test_the_api_returns_rows_with_indicators_score_grade_and_rank(november, as_user):
    response = as_user("leader").get("/evaluation/department", period="2026-11")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["period"] == "2026-11" and body["previous_period"] == "2026-10"
    first = body["rows"][0]
    assert first["name"] == "海盐县综合行政执法局" and first["grade"] == "B" and first["rank"] == 1
    assert first["values"]["handled"] == 7
    formulas = {i["code"]: i["formula"] for i in body["indicators"]}
    assert formulas["handle_rate"] == "处置数 ÷ 应处置数"


def test_the_api_refuses_a_bad_period_type_or_role_in_chinese(november, as_user):
    leader = as_user("leader")
    bad_period = leader.get("/evaluation/department", period="2026-13")
    assert bad_period.status_code == 400 and "2026-13" in bad_period.json()["detail"]
    bad_type = leader.get("/evaluation/planets")
    assert bad_type.status_code == 400 and "planets" in bad_type.json()["detail"]
    assert as_user("dept_zhifa").get("/evaluation/department").status_code == 403


def test_the_command_prints_the_ranking_as_csv_and_refuses_a_bad_period(november):
    out = io.StringIO()
    call_command("evaluate", "department", "--period", "2026-11", stdout=out)
    header, first = out.getvalue().splitlines()[:2]
    assert header.startswith("排名,名次变化,名称,得分,等级,应处置数,处置数,处置率")
    assert first.startswith("1,,海盐县综合行政执法局,85.00,B,8,7,87.50%")
    with pytest.raises(CommandError, match="2026-13"):
        call_command("evaluate", "department", "--period", "2026-13")


def test_a_scoped_leader_counts_only_the_cases_inside_their_scope(november, people):
    other = Division.objects.filter(level="subdistrict").exclude(pk=november.community.parent_id).first()
    people.leader.scope_division_codes = [other.code]
    people.leader.save()
    result = evaluate("department", NOVEMBER, user=people.leader)
    assert all(value in (0, None) for r in result.rows for value in r.values.values())
    subdistricts = evaluate("subdistrict", NOVEMBER, user=people.leader).rows
    assert [r.name for r in subdistricts] == [other.name]


def test_an_admin_scheme_may_score_a_rate_that_is_not_a_column(november):
    ScoreScheme.objects.filter(object_type="department").update(
        components=[{"indicator": "accurate_dispatch_rate", "weight": 10}]
    )
    zhifa = row("department", "综合行政执法")
    rate = zhifa.values["accurate_dispatch_rate"]
    assert 0 < rate < 1  # D went to zhujian first
    assert zhifa.score == pytest.approx(round(100 * rate, 2))


def test_a_scheme_with_an_unknown_or_count_indicator_is_refused():
    scheme = ScoreScheme(object_type="grid", name="x", components=[{"indicator": "handled", "weight": 5}])
    with pytest.raises(ValidationError, match="handled"):
        scheme.clean()


def test_statistics_rows_carry_the_current_facts_of_their_case(november):
    for case in Case.objects.select_related("stats"):
        copied = {name: getattr(case.stats, name) for name in CASE_FACTS}
        assert copied == {name: getattr(case, name) for name in CASE_FACTS}, case.number
    assert CaseStats.objects.filter(status="voided").count() == 1  # G
