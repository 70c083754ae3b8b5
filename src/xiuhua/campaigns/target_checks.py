"""A target as sent (from a form, the API or the task-table import), checked before anything is written.

Each problem is a clear Chinese message: a target with no measure, a case measure without a case rule, a rule
naming a class that does not exist (「分类…不存在」), a recurrence without its frequency, dates out of order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from xiuhua.campaigns.choices import CaseCount, Comparator, Frequency, Measure, PlanCurve, TaggedCases
from xiuhua.campaigns.measures import measure_keys
from xiuhua.campaigns.models import Campaign
from xiuhua.campaigns.rules import parse_geojson, unknown_class_codes
from xiuhua.cases.choices import Source
from xiuhua.core.errors import DomainError
from xiuhua.core.limits import check_length

CASE_MEASURES = (Measure.CASE_COUNT, Measure.CASE_RATE, Measure.CASE_TREND)


@dataclass
class RuleInput:
    class_codes: list[str] = field(default_factory=list)
    division_codes: list[str] = field(default_factory=list)
    grid_codes: list[str] = field(default_factory=list)
    area_geojson: str = ""
    sources: list[str] = field(default_factory=list)
    counts: str = CaseCount.CLOSED
    out_of: str = ""
    tagged: str = TaggedCases.ALSO


@dataclass
class TargetInput:
    name: str
    measure: str
    goal: Decimal
    due_on: date
    comparator: str = Comparator.AT_LEAST
    unit_label: str = ""
    baseline: Decimal | None = None
    baseline_from: date | None = None
    baseline_to: date | None = None
    starts_on: date | None = None
    plan_curve: str = PlanCurve.LINEAR
    weight: Decimal = Decimal(1)
    frequency: str = ""
    per_period: int | None = None
    rule: RuleInput | None = None


def _fail(message: str, code: str) -> None:
    raise DomainError(message, code=code)


def _check_basics(campaign: Campaign, data: TargetInput) -> None:
    if not data.name.strip():
        _fail("目标需要名称", "missing_name")
    check_length("目标名称", data.name, 200)
    if not data.measure:
        _fail(f"目标「{data.name}」没有选择计量方式", "no_measure")
    if data.measure not in measure_keys():
        _fail(f"目标「{data.name}」的计量方式「{data.measure}」不存在", "unknown_measure")
    if data.comparator not in Comparator.values:
        _fail(f"目标「{data.name}」的比较方式「{data.comparator}」无效", "bad_comparator")
    if data.plan_curve not in PlanCurve.values:
        _fail(f"目标「{data.name}」的计划曲线「{data.plan_curve}」无效", "bad_plan")
    if Decimal(data.weight) < 0:
        _fail(f"目标「{data.name}」的权重不能为负数", "bad_weight")
    start = data.starts_on or campaign.starts_on
    if data.due_on < start:
        _fail(f"目标「{data.name}」的完成期限早于开始统计的日期", "bad_dates")
    if data.measure in (Measure.CASE_RATE, Measure.LIST_RATE) and not 0 <= Decimal(data.goal) <= 100:
        _fail(f"比率目标「{data.name}」的目标值应在 0 到 100（%）之间", "bad_goal")


def _check_kind(data: TargetInput) -> None:
    if data.measure == Measure.RECURRENCE:
        if data.frequency not in Frequency.values:
            _fail(f"周期性目标「{data.name}」需要频次（每周、每月、每季度或每年）", "no_frequency")
        if not data.per_period or data.per_period < 1:
            _fail(f"周期性目标「{data.name}」需要每个周期至少的次数", "no_per_period")
    if data.measure == Measure.CASE_TREND:
        if data.baseline is None and not (data.baseline_from and data.baseline_to):
            _fail(f"趋势目标「{data.name}」需要基期（基期起止日期或基期数值）", "no_baseline")
        if data.baseline_from and data.baseline_to and data.baseline_to < data.baseline_from:
            _fail(f"趋势目标「{data.name}」的基期结束日期早于开始日期", "bad_dates")


def _check_rule(data: TargetInput) -> dict | None:
    rule = data.rule
    if data.measure not in CASE_MEASURES:
        if rule is not None:
            _fail(f"目标「{data.name}」不按案卷统计，不能设置案卷规则", "rule_not_allowed")
        return None
    if rule is None:
        _fail(f"目标「{data.name}」按案卷统计，需要案卷规则（分类、区域、渠道、统计环节）", "no_case_rule")
    unknown = unknown_class_codes(rule.class_codes)
    if unknown:
        _fail(f"分类「{'、'.join(unknown)}」不存在", "unknown_class")
    if rule.counts not in CaseCount.values:
        _fail(f"统计环节「{rule.counts}」无效", "bad_counts")
    if data.measure == Measure.CASE_RATE and rule.out_of not in CaseCount.values:
        _fail(f"比率目标「{data.name}」需要指定分母：统计哪一环节的案卷", "no_out_of")
    if rule.out_of and rule.out_of not in CaseCount.values:
        _fail(f"分母环节「{rule.out_of}」无效", "bad_counts")
    bad_sources = [s for s in rule.sources if s not in Source.values]
    if bad_sources:
        _fail(f"来源渠道「{'、'.join(bad_sources)}」不存在", "unknown_source")
    if rule.tagged not in TaggedCases.values:
        _fail(f"标记案卷的处理方式「{rule.tagged}」无效", "bad_tagged")
    _check_area(rule)
    return {
        "class_codes": [str(c).strip() for c in rule.class_codes],
        "division_codes": [str(c).strip() for c in rule.division_codes],
        "grid_codes": [str(c).strip() for c in rule.grid_codes],
        "area_geojson": rule.area_geojson.strip(),
        "sources": list(rule.sources),
        "counts": rule.counts,
        "out_of": rule.out_of if data.measure == Measure.CASE_RATE else "",
        "tagged": rule.tagged,
    }


def _check_area(rule: RuleInput) -> None:
    if rule.area_geojson.strip() and parse_geojson(rule.area_geojson, "范围多边形").geom_type not in (
        "Polygon",
        "MultiPolygon",
    ):
        _fail("范围应是多边形", "bad_area")


def check_target(campaign: Campaign, data: TargetInput) -> tuple[dict, dict | None]:
    """The target's field values and its case rule's (or None), once every check has passed."""
    _check_basics(campaign, data)
    _check_kind(data)
    rule = _check_rule(data)
    values = {
        "name": data.name.strip(),
        "measure": data.measure,
        "goal": Decimal(1) if data.measure == Measure.MILESTONE else Decimal(data.goal),
        "comparator": data.comparator,
        "unit_label": data.unit_label,
        "baseline": data.baseline,
        "baseline_from": data.baseline_from,
        "baseline_to": data.baseline_to,
        "starts_on": data.starts_on,
        "due_on": data.due_on,
        "plan_curve": data.plan_curve,
        "weight": Decimal(data.weight),
        "frequency": data.frequency if data.measure == Measure.RECURRENCE else "",
        "per_period": data.per_period if data.measure == Measure.RECURRENCE else None,
    }
    return values, rule
