"""The report's rankings, read from the evaluation engine (`xiuhua.evaluation.services.evaluate_many`).

A thin adapter: the report shows each object's score, grade, rank and rank change (its indicator values are
kept in the JSON), and for communities only the top and bottom TOP_BOTTOM. An object below the evaluation's
minimum sample shows its sample and 样本不足 instead of a score, grade and rank.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from xiuhua.accounts.models import User
from xiuhua.evaluation.periods import Period
from xiuhua.evaluation.services import EvaluationRow, evaluate_many

RANKED = ("department", "subdistrict", "community", "inspector")
TOP_BOTTOM = 10


def rankings(period: Period, user: User) -> dict:
    """{"objects": {object_type: {"indicators": [...], "rows": [...]}}} in RANKED order."""
    objects = {}
    evaluations = evaluate_many(RANKED, period, user=user)
    for object_type in RANKED:
        evaluation = evaluations[object_type]
        rows = [_row(r) for r in evaluation.rows]
        if object_type == "community" and len(rows) > 2 * TOP_BOTTOM:
            rows = rows[:TOP_BOTTOM] + rows[-TOP_BOTTOM:]
        objects[object_type] = {
            "indicators": [{"code": i.code, "label": str(i.label), "kind": i.kind} for i in evaluation.indicators],
            "rows": rows,
        }
    return {"objects": objects}


def _row(row: EvaluationRow) -> dict:
    return {
        "key": row.key,
        "name": row.name,
        "score": None if row.score is None else round(row.score, 1),
        "grade": row.grade,
        "rank": row.rank,
        "previous_rank": row.previous_rank,
        "rank_change": row.rank_change,
        "sample": row.sample,
        "insufficient": row.insufficient,  # 样本不足: no score, grade or rank
        "values": row.values,
    }


def object_label(object_type: str) -> str:
    return {
        "department": _("Departments"),
        "subdistrict": _("Sub-districts"),
        "community": _("Communities"),
        "inspector": _("Inspectors"),
    }[object_type]
