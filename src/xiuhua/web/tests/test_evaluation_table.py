"""The evaluation page sorts and pages on the server, and shows 样本不足 instead of a score for small samples."""

from __future__ import annotations

import re

import pytest

from xiuhua.evaluation.services import evaluate
from xiuhua.web.tests.test_evaluation import demo_city, evaluated_city, history  # noqa: F401 (fixtures)
from xiuhua.web.tests.test_shell import signed_in

pytestmark = pytest.mark.django_db

ROW = re.compile(r'<tr data-key="(\d+)">(.*?)</tr>', re.S)
SAMPLE_CELL = re.compile(r'</td>\s*<td class="text-end">(\d+)</td>')


def rows_of(page: str) -> list[tuple[str, str]]:
    return ROW.findall(page)


def test_small_samples_say_insufficient_and_come_after_every_ranked_row(history, settings):  # noqa: F811
    # How many grids reach the default threshold depends on where the calendar puts the random history; the
    # threshold is set to the month's largest grid sample so both kinds of row exist whatever the date.
    samples = {row.sample for row in evaluate("grid", history).rows}
    assert len(samples) > 1, "the demo month's grids differ in sample size"
    settings.XIUHUA_EVALUATION_MIN_SAMPLE = max(samples)
    page = signed_in("leader").get(f"/evaluation/?type=grid&period={history.code}&sort=rank").content.decode()
    evaluation = evaluate("grid", history)
    ranked = [row for row in evaluation.rows if row.rank is not None]
    small = [row for row in evaluation.rows if row.insufficient]
    assert ranked and small, "the demo month has both well-sampled and sparse grids"
    assert all(row.score is None and row.grade == "" for row in small)
    shown = rows_of(page)
    assert len(shown) == min(50, len(evaluation.rows))
    if len(ranked) < 50:  # the page shows every ranked grid, then the sparse ones
        keys = [key for key, _ in shown]
        assert keys[: len(ranked)] == [row.key for row in ranked]
        assert all("样本不足" in cells for _, cells in shown[len(ranked) :])
    assert "样本不足" in page and "样本量" in page


def test_sorting_by_sample_orders_the_whole_list_before_paging(history):  # noqa: F811
    client = signed_in("leader")
    evaluation = evaluate("grid", history)
    largest = sorted((row.sample for row in evaluation.rows), reverse=True)
    first = client.get(f"/evaluation/?type=grid&period={history.code}&sort=-sample").content.decode()
    second = client.get(f"/evaluation/?type=grid&period={history.code}&sort=-sample&page=2").content.decode()
    samples = [int(SAMPLE_CELL.search(cells)[1]) for _, cells in rows_of(first) + rows_of(second)]
    assert samples == largest[: len(samples)]
    assert len(samples) > 50  # two pages of grids


def test_sorting_by_an_indicator_and_the_header_link_reverses_it(history):  # noqa: F811
    client = signed_in("leader")
    page = client.get(f"/evaluation/?type=department&period={history.code}&sort=-need_handle").content.decode()
    evaluation = {row.key: row for row in evaluate("department", history).rows}
    shown = [evaluation[key].values["need_handle"] for key, _ in rows_of(page)]
    assert shown == sorted(shown, reverse=True) and shown[0] > 0
    assert 'href="?type=department&amp;period=' in page and "sort=need_handle" in page  # click again: ascending


def test_an_unknown_sort_falls_back_to_the_ranking(history):  # noqa: F811
    response = signed_in("leader").get(f"/evaluation/?type=department&period={history.code}&sort=drop_table")
    assert response.status_code == 200
    ranks = [row.key for row in evaluate("department", history).rows]
    assert [key for key, _ in rows_of(response.content.decode())] == ranks[:50]
