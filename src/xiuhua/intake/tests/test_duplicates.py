"""Duplicate suggestions with known answers: same class, inside the radius and the time window, still open."""

from datetime import timedelta

import pytest

from xiuhua.cases.tests.conftest import sh
from xiuhua.intake.duplicates import distance_m, possible_duplicates
from xiuhua.intake.models import DuplicateWindow

pytestmark = pytest.mark.django_db
METRE_LAT = 1 / 111_320.0


def moved(spot, south_m: float):
    return spot[0], spot[1] - south_m * METRE_LAT  # south: the first grid lies on the district's north edge


def report_at(loop, spot, when, class_code="01001", kind="event"):
    loop.spot = spot
    return loop.report(now=when, class_code=class_code, kind=kind)


def test_distance_is_in_metres():
    assert distance_m(120.94, 30.52, 120.94, 30.52 + 100 * METRE_LAT) == pytest.approx(100, rel=0.01)


def test_near_recent_open_cases_of_the_same_class_are_suggested_nearest_first(loop, spot, people):
    base = sh(2026, 11, 2, 9, 0)
    far = report_at(loop, moved(spot, 40), base)
    near = report_at(loop, moved(spot, 10), base + timedelta(hours=1))
    report_at(loop, moved(spot, 80), base)  # outside 50 m
    report_at(loop, spot, base - timedelta(days=5))  # outside 72 h
    report_at(loop, spot, base, class_code="06010")  # another class
    closed = report_at(loop, spot, base)
    loop.act(closed, "decline", people.operator, note="不属实")
    new = report_at(loop, spot, base + timedelta(hours=2))
    found = possible_duplicates(people.operator, new.number)
    assert [c.case.number for c in found] == [near.number, far.number]
    assert found[0].distance_m == pytest.approx(10, abs=1)


def test_a_class_window_overrides_the_default(loop, spot, people):
    base = sh(2026, 11, 2, 9, 0)
    old = report_at(loop, moved(spot, 150), base - timedelta(days=10))
    new = report_at(loop, spot, base)
    assert possible_duplicates(people.operator, new.number) == []
    DuplicateWindow.objects.create(case_class=new.case_class, radius_m=200, window_hours=24 * 14)
    assert [c.case.number for c in possible_duplicates(people.operator, new.number)] == [old.number]


def test_duplicates_api_lists_numbers_and_distances(loop, spot, as_user):
    base = sh(2026, 11, 2, 9, 0)
    first = report_at(loop, moved(spot, 20), base)
    second = report_at(loop, spot, base + timedelta(minutes=5))
    body = as_user("operator").get(f"/cases/{second.number}/duplicates").json()
    assert [(d["number"], round(d["distance_m"])) for d in body] == [(first.number, 20)]
    assert as_user("dept_zhifa").get(f"/cases/{second.number}/duplicates").status_code == 404
