"""Composite scores, grades and rankings.

Score = 100 × Σ weight × points(rate) ÷ Σ weight, over the components whose rate has a value (a rate with
nothing to divide by — no cases due — leaves its weight out rather than scoring it 0 or 100); no component with
a value, no score. Grades: A ≥ 90, B ≥ 75, C ≥ 60, D ≥ 40, E below (reference/standards.md §6.4). Ranks are
competition ranks (1, 2, 2, 4) by score, highest first; objects without a score are not ranked.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.utils.translation import gettext as _

from xiuhua.evaluation.indicators import INDICATORS, REGION_TYPES

GRADES = ((90.0, "A"), (75.0, "B"), (60.0, "C"), (40.0, "D"))

# Default schemes, also written to the database by migration 0002 (the admin changes them there).
DEFAULT_SCHEMES: dict[str, tuple[str, list[dict], str]] = {
    "department": (
        "成都金牛区数字城管 100 分制",
        [
            {"indicator": "handle_rate", "weight": 30},
            {"indicator": "handle_on_time_rate", "weight": 20},
            {"indicator": "rework_rate", "weight": 20},
            {"indicator": "overdue_unhandled_rate", "weight": 20},
            {"indicator": "extension_rate", "weight": 10},
        ],
        "reference/standards.md §6.5：日常处置率 30、按期处置率 20、返工率 20、超期待处置率 20、延期率 10。",
    ),
    "region": (
        "区域默认方案",
        [
            {"indicator": "close_rate", "weight": 30},
            {"indicator": "close_on_time_rate", "weight": 25},
            {"indicator": "handle_on_time_rate", "weight": 25},
            {"indicator": "rework_rate", "weight": 20},
        ],
        "xiuhua 默认：结案率 30、按期结案率 25、按期处置率 25、返工率 20（反向）。",
    ),
    "inspector": (
        "监督员默认方案",
        [
            {"indicator": "valid_report_rate", "weight": 40},
            {"indicator": "missed_report_rate", "weight": 20},
            {"indicator": "verify_on_time_rate", "weight": 20},
            {"indicator": "check_on_time_rate", "weight": 20},
        ],
        "reference/standards.md §6.4（漏报率按反向计分）：有效上报率 40、漏报率 20、按时核实率 20、按时核查率 20。",
    ),
    "operator": (
        "受理员默认方案",
        [{"indicator": "accept_on_time_rate", "weight": 100}],
        "按时受理率 100。",
    ),
    "shift_leader": (
        "值班长默认方案",
        [
            {"indicator": "register_on_time_rate", "weight": 25},
            {"indicator": "accurate_register_rate", "weight": 40},
            {"indicator": "closing_on_time_rate", "weight": 35},
        ],
        "reference/standards.md §6.4：按时立案率 25、准确立案率 40、按时结案率 35。",
    ),
    "dispatcher": (
        "派遣员默认方案",
        [
            {"indicator": "dispatch_on_time_rate", "weight": 50},
            {"indicator": "accurate_dispatch_rate", "weight": 50},
        ],
        "按时派遣率 50、准确派遣率 50。",
    ),
}


def default_scheme(object_type: str) -> tuple[str, list[dict], str]:
    return DEFAULT_SCHEMES["region" if object_type in REGION_TYPES else object_type]


def scheme_problems(components: object) -> list[str]:
    """What is wrong with a list of components, as messages for the admin (empty when it is fine)."""
    if not isinstance(components, list) or not components:
        return [_('Give a list of components, each {"indicator": code, "weight": points}.')]
    problems = []
    for component in components:
        code = component.get("indicator") if isinstance(component, dict) else None
        weight = component.get("weight") if isinstance(component, dict) else None
        if code not in INDICATORS or INDICATORS[code].kind != "rate":
            problems.append(_("“%(code)s” is not a rate indicator.") % {"code": code})
        if not isinstance(weight, int | float) or isinstance(weight, bool) or weight <= 0:
            problems.append(_("The weight of “%(code)s” must be a positive number.") % {"code": code})
    return problems


def composite_score(components: Iterable[Mapping], values: Mapping[str, float | None]) -> float | None:
    earned = total = 0.0
    for component in components:
        rate = values.get(component["indicator"])
        if rate is None:
            continue
        weight = float(component["weight"])
        points = rate if INDICATORS[component["indicator"]].higher_is_better else 1.0 - rate
        earned += weight * points
        total += weight
    return round(100.0 * earned / total, 2) if total else None


def grade(score: float | None) -> str:
    if score is None:
        return ""
    return next((letter for floor, letter in GRADES if score >= floor), "E")


def competition_ranks(scores: Mapping[str, float | None]) -> dict[str, int]:
    """Rank by score, highest first; equal scores share a rank and the next rank skips (1, 2, 2, 4)."""
    ordered = sorted((score, key) for key, score in scores.items() if score is not None)
    ordered.reverse()
    ranks: dict[str, int] = {}
    for position, (score, key) in enumerate(ordered, start=1):
        previous = ordered[position - 2] if position > 1 else None
        ranks[key] = ranks[previous[1]] if previous and previous[0] == score else position
    return ranks
