"""在岗时长 and 巡查里程 per inspector in the evaluation: from the shifts begun in the period, in scope only."""

from datetime import timedelta

import pytest

from xiuhua.accounts.models import User
from xiuhua.cases.tests.conftest import sh
from xiuhua.evaluation.indicators import COLUMNS
from xiuhua.evaluation.periods import parse_period
from xiuhua.evaluation.services import evaluate
from xiuhua.patrol import services
from xiuhua.patrol.distance import geodesic_m
from xiuhua.patrol.tests.conftest import beat, inspector, signed_in, walk  # noqa: F401

pytestmark = pytest.mark.django_db
NOVEMBER = parse_period("2026-11")


def shift(person, start, hours: float, points=()):
    end = start + timedelta(hours=hours)
    services.start_shift(person, start, now=start)
    if points:
        services.add_points(person, list(points), now=end)
    services.end_shift(person, end, now=end)


@pytest.fixture
def patrolled(inspector, beat):  # noqa: F811
    track = walk(beat, sh(2026, 11, 3, 9, 0), 31, dlng=0.0001)  # 30 steps of about 9.6 m
    shift(inspector, sh(2026, 10, 31, 8, 30), 8)  # October: another period
    shift(inspector, sh(2026, 11, 3, 8, 30), 4, track)
    shift(inspector, sh(2026, 11, 4, 8, 30), 3.5)
    shift(User.objects.get(username="inspector_2"), sh(2026, 11, 5, 13, 30), 2)
    return geodesic_m(track[0].lng, track[0].lat, track[-1].lng, track[-1].lat) / 1000


def values_of(result, name):
    return next(row.values for row in result.rows if row.name == name)


def test_inspectors_get_on_duty_hours_and_patrol_km_of_the_period(patrolled):
    assert COLUMNS["inspector"][-2:] == ("on_duty_hours", "patrol_km")
    result = evaluate("inspector", NOVEMBER, compare=False)
    first = values_of(result, "监督员")
    assert first["on_duty_hours"] == 7.5
    assert first["patrol_km"] == pytest.approx(patrolled, abs=0.005)
    assert values_of(result, "监督员2")["on_duty_hours"] == 2.0
    assert values_of(result, "监督员3")["on_duty_hours"] == 0


def test_a_scoped_leader_gets_patrol_figures_only_for_inspectors_of_their_scope(patrolled, inspector):  # noqa: F811
    leader = User.objects.get(username="leader")
    leader.scope_division_codes = list(inspector.scope_division_codes)
    leader.save()
    result = evaluate("inspector", NOVEMBER, user=leader, compare=False)
    assert values_of(result, "监督员")["on_duty_hours"] == 7.5
    shown = [row.values for row in result.rows if row.name == "监督员2"]
    assert all(values["on_duty_hours"] == 0 for values in shown)  # outside the scope: no hours shown


def test_the_evaluation_page_shows_the_patrol_columns(patrolled):
    page = signed_in("leader").get("/evaluation/?type=inspector&period=2026-11").content.decode()
    assert "在岗时长" in page and "巡查里程" in page and "7.5" in page
