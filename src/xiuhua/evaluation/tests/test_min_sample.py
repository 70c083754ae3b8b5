"""The minimum sample: below it an object gets 样本不足 instead of a score, grade and rank, on every surface.

November (test_scenario's hand-built month): 综合行政执法局 has 8 cases due for handling, the inspector made
3 reports, the operator accepted 12 cases, the shift leader registered 10, the dispatcher had 9 to dispatch.
"""

from __future__ import annotations

import pytest

from xiuhua.evaluation.indicators import OBJECT_TYPES, SAMPLE
from xiuhua.evaluation.services import evaluate
from xiuhua.evaluation.tests.test_scenario import NOVEMBER, november, row  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


def test_the_default_minimum_sample_is_five_cases():
    from xiuhua.platform import settings as defaults

    assert defaults.XIUHUA_EVALUATION_MIN_SAMPLE == 5


@pytest.mark.parametrize("object_type", OBJECT_TYPES)
def test_each_rows_sample_is_the_count_its_object_type_is_judged_on(november, object_type):  # noqa: F811
    result = evaluate(object_type, NOVEMBER)
    assert result.sample_indicator.code == SAMPLE[object_type]
    for found in result.rows:
        assert found.sample == found.values[SAMPLE[object_type]]
        assert found.insufficient == (found.sample < 5)


def test_an_object_below_the_minimum_gets_no_score_grade_or_rank(november):  # noqa: F811
    inspector = row("inspector", "监督员")  # 3 reports
    assert (inspector.sample, inspector.insufficient) == (3, True)
    assert (inspector.score, inspector.grade, inspector.rank, inspector.rank_change) == (None, "", None, None)
    operator = row("operator", "受理员")  # 12 accepted
    assert (operator.sample, operator.insufficient, operator.rank) == (12, False, 1)
    assert operator.score is not None and operator.grade


def test_raising_the_minimum_unranks_an_object_and_ranks_none_in_its_place(november, settings):  # noqa: F811
    assert row("department", "综合行政执法").rank == 1
    settings.XIUHUA_EVALUATION_MIN_SAMPLE = 9
    zhifa = row("department", "综合行政执法")  # 8 due for handling
    assert zhifa.insufficient and (zhifa.score, zhifa.grade, zhifa.rank) == (None, "", None)
    assert all(found.rank is None for found in evaluate("department", NOVEMBER).rows)


def test_the_api_says_insufficient_with_the_sample_and_the_minimum(november, as_user):  # noqa: F811
    body = as_user("leader").get("/evaluation/inspector", period="2026-11").json()
    assert body["min_sample"] == 5 and body["sample_indicator"] == "report"
    inspector = next(r for r in body["rows"] if "监督员" in r["name"])
    assert inspector["insufficient"] is True and inspector["sample"] == 3
    assert (inspector["score"], inspector["grade"], inspector["rank"]) == (None, "", None)


def test_the_command_prints_insufficient_sample_instead_of_a_grade(november):  # noqa: F811
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("evaluate", "inspector", "--period", "2026-11", stdout=out)
    line = next(line for line in out.getvalue().splitlines() if "监督员" in line)
    rank, change, _name, score, grade = line.split(",")[:5]
    assert (rank, change, score, grade) == ("", "", "", "样本不足")
