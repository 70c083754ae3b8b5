"""The monthly report's figures, checked against the hand-built October of `conftest.october`."""

import pytest

from xiuhua.accounts.models import User
from xiuhua.cases.models import Case
from xiuhua.core.errors import PermissionDenied
from xiuhua.evaluation.periods import parse_period
from xiuhua.reports.monthly import build_monthly
from xiuhua.territory.models import Division

pytestmark = pytest.mark.django_db

OCTOBER = parse_period("2026-10")


def test_totals_count_each_step_in_its_shanghai_month(october, people):
    totals = build_monthly(people.leader, OCTOBER, now=october)["totals"]

    assert totals["reported"] == 5  # A B E F H; C is November, D September in Shanghai time
    assert (totals["registered"], totals["dispatched"], totals["reported_back"]) == (5, 4, 2)
    assert (totals["closed"], totals["voided"]) == (2, 1)  # A H; F
    # 2 handled on time, 1 case open past its limit: 2 ÷ (2 + 1) (`cases.live.on_time_rate`).
    assert (totals["handled_on_time"], totals["handled"], totals["open_overdue"]) == (2, 2, 1)
    assert totals["on_time_rate"] == pytest.approx(0.6667)
    assert totals["closure_rate"] == pytest.approx(0.4)  # 2 of the 5 registered
    by_source = {row["source"]: row["count"] for row in totals["by_source"]}
    assert (by_source["citizen"], by_source["hotline_12345"], by_source["inspector"]) == (
        1,
        4,
        0,
    )  # operators take calls


def test_trend_has_the_six_previous_months_oldest_first(october, people):
    trend = build_monthly(people.leader, OCTOBER, now=october)["trend"]

    assert [row["period"] for row in trend] == [
        "2026-04",
        "2026-05",
        "2026-06",
        "2026-07",
        "2026-08",
        "2026-09",
        "2026-10",
    ]
    assert [row["reported"] for row in trend][-2:] == [1, 5]


def test_frequent_classes_with_the_change_from_the_previous_month(october, people):
    classes = build_monthly(people.leader, OCTOBER, now=october)["classes"]

    assert [(c["code"], c["count"], c["previous"], c["change"]) for c in classes] == [
        ("01001", 4, 1, 3),
        ("01002", 1, 0, 1),
    ]
    assert classes[0]["major_code"] == "01" and classes[0]["major_name"]


def test_frequent_hours_are_shanghai_weekday_and_hour(october, people):
    matrix = build_monthly(people.leader, OCTOBER, now=october)["hours"]["matrix"]

    assert matrix[3][0] == 1  # A: Thursday 1 October, 00:10
    assert matrix[5][23] == 1  # B: Saturday 31 October, 23:50
    assert sum(map(sum, matrix)) == 5


def test_frequent_areas_sum_the_grids_into_communities(october, people):
    areas = build_monthly(people.leader, OCTOBER, now=october)["areas"]

    assert [g["count"] for g in areas["grids"]] == [5]
    assert [c["count"] for c in areas["communities"]] == [5] and areas["communities"][0]["name"]


def test_overdue_lists_the_open_case_past_its_limit(october, people):
    overdue = build_monthly(people.leader, OCTOBER, now=october)["overdue"]

    assert (overdue["open_overdue"], overdue["handled_late"], overdue["reworked"]) == (1, 0, 0)
    (case,) = overdue["cases"]
    assert case["department"] and case["overdue_hours"] > 0 and case["deadline"].startswith("2026-10")


def test_hotline_figures(october, people):
    hotline = build_monthly(people.leader, OCTOBER, now=october)["hotline"]

    assert (hotline["orders"], hotline["answered"], hotline["transferred"]) == (2, 1, 1)
    assert (hotline["transferred_closed"], hotline["transferred_closed_on_time"]) == (1, 1)
    assert (hotline["callbacks"], hotline["satisfaction_rate"], hotline["average_score"]) == (1, 1.0, 80.0)


def test_an_empty_month_has_zeros_and_no_rates(october, people):
    report = build_monthly(people.leader, parse_period("2025-01"), now=october)

    assert report["totals"]["reported"] == 0 and report["totals"]["on_time_rate"] is None
    assert report["classes"] == [] and report["areas"]["grids"] == [] and report["hours"]["max"] == 0
    assert report["hotline"]["orders"] == 0 and report["hotline"]["satisfaction_rate"] is None


@pytest.mark.parametrize("who", ["inspector", "zhifa"])
def test_inspectors_and_departments_may_not_read_the_district_report(people, who):
    with pytest.raises(PermissionDenied):
        build_monthly(getattr(people, who), OCTOBER)


def test_progress_is_reported_after_each_section(october, people):
    seen = []
    build_monthly(people.leader, OCTOBER, now=october, progress=lambda percent, section: seen.append(percent))

    assert seen == sorted(seen) and seen[-1] == 100 and len(seen) == 8


def test_rankings_come_from_the_evaluation_with_score_grade_and_rank(october, people, settings):
    settings.XIUHUA_EVALUATION_MIN_SAMPLE = 1  # the month has a handful of cases: rank them anyway here
    rankings = build_monthly(people.leader, OCTOBER, now=october)["rankings"]["objects"]

    assert list(rankings) == ["department", "subdistrict", "community", "inspector"]
    zhifa = next(row for row in rankings["department"]["rows"] if row["name"] == people.department("zhifa").name)
    assert zhifa["rank"] == 1 and zhifa["score"] is not None and zhifa["grade"] in "ABCDE"
    assert zhifa["values"] and rankings["department"]["indicators"][0]["label"]


def test_a_leader_scoped_to_another_sub_district_counts_only_its_cases(october, people):
    other = Division.objects.filter(level="subdistrict").exclude(code=Case.objects.first().subdistrict.code).first()
    scoped = User.objects.create_user("subdistrict_leader", role="leader", scope_division_codes=[other.code])

    report = build_monthly(scoped, OCTOBER, now=october)
    assert report["totals"]["reported"] == 0 and report["hotline"]["orders"] == 0
    assert report["scope"] == other.name
