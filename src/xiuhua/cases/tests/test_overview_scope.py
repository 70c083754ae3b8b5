"""The dashboard counts a whole-territory scope without its filter, and the per-day counts compiled once: the same
figures either way."""

from datetime import timedelta

import pytest

from xiuhua.accounts.choices import Role
from xiuhua.accounts.models import User
from xiuhua.cases import overview as figures_module
from xiuhua.cases.models import Case, CaseStats
from xiuhua.cases.overview import counted_cases, midnight, overview, per_interval
from xiuhua.cases.queries import visible_cases
from xiuhua.cases.tests.conftest import sh
from xiuhua.cases.tests.test_overview import NOW, history  # noqa: F401
from xiuhua.territory.models import UnitGrid

pytestmark = pytest.mark.django_db


def test_a_leader_of_the_whole_district_gets_the_same_figures_counted_without_the_scope_filter(
    history,  # noqa: F811
    people,
    monkeypatch,
):
    assert not counted_cases(people.leader).query.has_filters()  # the demo city is one district, the leader's
    unfiltered = overview(people.leader, now=NOW)

    monkeypatch.setattr(figures_module, "covers_every_district", lambda prefixes: False)
    assert counted_cases(people.leader).query.has_filters()
    filtered = overview(people.leader, now=NOW)

    assert unfiltered == filtered
    assert unfiltered.month.reported == 4


def test_a_scope_smaller_than_every_district_keeps_its_filter(history):  # noqa: F811
    grid = history["old"].grid_code
    scoped = User.objects.create(username="street_leader", role=Role.LEADER, scope_division_codes=[grid[:9]])
    nobody = User.objects.create(username="no_scope", role=Role.LEADER, scope_division_codes=[])

    assert set(counted_cases(scoped)) == set(visible_cases(scoped).filter(grid_code__startswith=grid[:9]))
    assert list(counted_cases(nobody)) == []
    assert (
        overview(scoped, now=NOW).month.reported
        == overview(User.objects.get(username="leader"), now=NOW).month.reported
    )


def test_counts_per_interval_equal_one_count_per_interval(history):  # noqa: F811
    days = [NOW.date() - timedelta(days=n) for n in range(40)]
    intervals = [(midnight(day), midnight(day + timedelta(days=1))) for day in days]
    scoped = User.objects.create(
        username="street_leader", role=Role.LEADER, scope_division_codes=[history["old"].grid_code[:9]]
    )

    for rows, field in [
        (Case.objects.all(), "reported_at"),
        (visible_cases(scoped), "reported_at"),
        (CaseStats.objects.all(), "closed_at"),
        (visible_cases(scoped), "stats__closed_at"),
    ]:
        counted = per_interval(rows, field, intervals)
        expected = [rows.filter(**{f"{field}__gte": a, f"{field}__lt": b}).count() for a, b in intervals]
        assert counted == expected and sum(counted) > 0


def test_counts_per_interval_of_an_empty_scope_are_zero(history):  # noqa: F811
    nobody = User.objects.create(username="no_scope", role=Role.LEADER, scope_division_codes=[])
    other = UnitGrid.objects.exclude(code__startswith=history["old"].grid_code[:9]).order_by("code").first()

    assert per_interval(visible_cases(nobody), "reported_at", [(sh(2026, 11, 1), sh(2026, 12, 1))]) == [0]
    assert per_interval(Case.objects.filter(grid_code=other.code), "reported_at", [(sh(2026, 11, 1), NOW)]) == [0]
