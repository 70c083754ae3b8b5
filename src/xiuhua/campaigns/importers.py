"""Excel (or CSV) import of a campaign's task table (任务分解表), all or nothing.

One row per target: 序号, 任务, 责任单位, 街镇, 完成时限, 权重 describe the task (repeated, or left blank, on
the task's further target rows) and 目标名称, 目标值, 单位, 测量方式 … its target. A row without a target name
is a task only (a heading such as "二、停车整治"). The parent of task "2.3" is task "2". Every problem is
reported with its row and column; nothing is written unless the whole file is right.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from xiuhua.accounts.models import Department
from xiuhua.campaigns.choices import CaseCount, Comparator, Frequency, Measure, PlanCurve
from xiuhua.campaigns.models import Campaign, CampaignTask, CaseRule, Target
from xiuhua.campaigns.rules import parse_class_code, unknown_class_codes
from xiuhua.core.tabular import (
    Column,
    ExportFile,
    ImportResult,
    Row,
    RowErrors,
    Source,
    as_date,
    audit_import,
    cell_text,
    choice,
    read_table,
    source_name,
    template_file,
    text,
    writing,
)
from xiuhua.territory.choices import DivisionLevel
from xiuhua.territory.models import Division

CASE_MEASURES = {Measure.CASE_COUNT, Measure.CASE_RATE, Measure.CASE_TREND}
MEASURE_LABELS = {
    **{m.value: m.value for m in Measure},
    "案件计数": Measure.CASE_COUNT,
    "案件数": Measure.CASE_COUNT,
    "案件比率": Measure.CASE_RATE,
    "案件率": Measure.CASE_RATE,
    "案件趋势": Measure.CASE_TREND,
    "趋势": Measure.CASE_TREND,
    "清单": Measure.LIST_RATE,
    "清单比率": Measure.LIST_RATE,
    "频次": Measure.RECURRENCE,
    "定期": Measure.RECURRENCE,
    "节点": Measure.MILESTONE,
    "里程碑": Measure.MILESTONE,
    "填报": Measure.MANUAL_COUNT,
    "填报计数": Measure.MANUAL_COUNT,
}
MEASURE_HINT = "案件计数、案件比率、案件趋势、清单、频次、节点或填报"
COMPARATORS = {
    "≥": Comparator.AT_LEAST,
    ">=": Comparator.AT_LEAST,
    "不少于": Comparator.AT_LEAST,
    "以上": Comparator.AT_LEAST,
    "≤": Comparator.AT_MOST,
    "<=": Comparator.AT_MOST,
    "不超过": Comparator.AT_MOST,
    "以下": Comparator.AT_MOST,
    **{c.value: c.value for c in Comparator},
}
FREQUENCIES = {
    "每周": Frequency.WEEK,
    "每月": Frequency.MONTH,
    "每季度": Frequency.QUARTER,
    "每年": Frequency.YEAR,
    **{f.value: f.value for f in Frequency},
}
PLANS = {"线性": PlanCurve.LINEAR, "按阶段": PlanCurve.PHASES, **{p.value: p.value for p in PlanCurve}}
COUNTS = {
    "上报": CaseCount.REPORTED,
    "立案": CaseCount.REGISTERED,
    "派遣": CaseCount.DISPATCHED,
    "结案": CaseCount.CLOSED,
    "按期结案": CaseCount.CLOSED_ON_TIME,
    "自行处置": CaseCount.SELF_HANDLED,
    **{c.value: c.value for c in CaseCount},
}
COUNTS_HINT = "上报、立案、派遣、结案、按期结案或自行处置"


def as_decimal(value: Any) -> Decimal:
    try:
        number = Decimal(cell_text(value))
    except (InvalidOperation, ValueError):
        raise ValueError(f"「{cell_text(value)}」不是数字") from None
    if not number.is_finite() or not 0 <= number < Decimal("1e10"):
        raise ValueError(f"「{cell_text(value)}」超出范围，应为 0 到 10 亿之间的数")
    return number


def as_codes(value: Any) -> list[str]:
    """Class codes (5 digits) or major classes (2 digits), optionally of one kind ("event:01"), separated by
    commas, 、 or spaces."""
    raw = cell_text(value).replace("，", ",").replace("、", ",").replace(" ", ",")
    codes = [code.strip() for code in raw.split(",") if code.strip()]
    for text_code in codes:
        _kind, code = parse_class_code(text_code)
        if not (code.isdigit() and len(code) in (2, 5)):
            raise ValueError(f"「{text_code}」格式不正确，应为 5 位小类代码或 2 位大类代码")
    return codes


def as_count(value: Any) -> int:
    number = as_decimal(value)
    if number != number.to_integral_value() or not 1 <= number <= 1000:
        raise ValueError(f"「{cell_text(value)}」应为 1 到 1000 之间的整数")
    return int(number)


COLUMNS = [
    Column("code", "序号", required=True, parse=text(20), aliases=("编号", "任务序号"), example="1.1"),
    Column("task", "任务", parse=text(200), aliases=("任务名称", "工作任务"), example="违法停车整治"),
    Column("unit", "责任单位", parse=text(100), aliases=("牵头单位",), example="zhifa"),
    Column("subdistrict", "街镇", parse=text(60), aliases=("街道", "镇街", "乡镇"), example=""),
    Column("task_due_on", "完成时限", parse=as_date, blank=None, aliases=("时限",), example="2026-12-31"),
    Column("task_weight", "权重", parse=as_decimal, blank=None, numeric=True, example=1),
    Column("target", "目标名称", parse=text(200), aliases=("目标",), example="查处违停10000辆次以上"),
    Column("goal", "目标值", parse=as_decimal, blank=None, numeric=True, example=10000),
    Column("unit_label", "单位", parse=text(10), aliases=("计量单位",), example="辆次"),
    Column("measure", "测量方式", parse=choice(MEASURE_LABELS, MEASURE_HINT), blank=None, example="案件计数"),
    Column("comparator", "比较", parse=choice(COMPARATORS, "≥ 或 ≤"), blank=None, aliases=("比较方式",), example="≥"),
    Column("baseline", "基数", parse=as_decimal, blank=None, numeric=True, aliases=("基线",), example=""),
    Column("target_due_on", "目标时限", parse=as_date, blank=None, example=""),
    Column("target_weight", "目标权重", parse=as_decimal, blank=None, numeric=True, example=""),
    Column("plan_curve", "计划", parse=choice(PLANS, "线性或按阶段"), blank=None, example="线性"),
    Column("frequency", "频次", parse=choice(FREQUENCIES, "每周、每月、每季度或每年"), blank=None, example=""),
    Column("per_period", "每期次数", parse=as_count, blank=None, numeric=True, example=""),
    Column("class_codes", "案件类别", parse=as_codes, blank=None, aliases=("问题类别", "小类代码"), example="01001"),
    Column("counts", "计数", parse=choice(COUNTS, COUNTS_HINT), blank=None, aliases=("统计口径",), example="结案"),
    Column("out_of", "分母", parse=choice(COUNTS, COUNTS_HINT), blank=None, example=""),
]
COLUMN = {c.field: c for c in COLUMNS}


@dataclass
class TaskPlan:
    """A task of the file with the targets of its rows."""

    row: Row
    code: str
    parent_code: str | None
    targets: list[Row] = field(default_factory=list)


def import_task_table(
    campaign: Campaign, source: Source, actor: Any = None, *, filename: str | None = None
) -> ImportResult:
    """Add the tasks and targets of a task table to `campaign` (whose tasks must not already use the numbers)."""
    errors = RowErrors()
    rows = read_table(source, COLUMNS, errors, filename=filename)
    plans = _group_tasks(campaign, rows, errors)
    units = _resolve_units(rows, errors)
    subdistricts = _resolve_subdistricts(campaign, rows, errors)
    for row in rows:
        if row.values.get("target"):
            _check_target(campaign, row, errors)
    _check_classes(rows, errors)
    errors.raise_if_any()
    result = ImportResult("任务和目标")
    with writing():
        tasks: dict[str, CampaignTask] = {}
        for plan in plans:
            tasks[plan.code] = _create_task(campaign, plan, tasks, units, subdistricts)
            for row in plan.targets:
                _create_target(campaign, tasks[plan.code], row)
            result.created += 1 + len(plan.targets)
        audit_import(actor, "campaigns.task_table_imported", source_name(source, filename), result)
    return result


def parent_code(code: str) -> str | None:
    """ "2.3" → "2"; a top-level number has no parent."""
    return code.rsplit(".", 1)[0] if "." in code else None


def _group_tasks(campaign: Campaign, rows: list[Row], errors: RowErrors) -> list[TaskPlan]:
    existing = set(campaign.tasks.values_list("code", flat=True))
    plans: dict[str, TaskPlan] = {}
    for row in rows:
        code = row.values.get("code")
        if not code:
            continue
        header = row.header(COLUMN["code"])
        if code in existing:
            errors.add(row.number, header, f"序号「{code}」的任务在本专项行动中已存在")
            continue
        if code not in plans:
            if not row.values.get("task"):
                errors.add(row.number, row.header(COLUMN["task"]), "任务的第一行须填写任务名称")
            plans[code] = TaskPlan(row, code, parent_code(code))
        if row.values.get("target"):
            plans[code].targets.append(row)
    for plan in plans.values():
        if plan.parent_code and plan.parent_code not in plans and plan.parent_code not in existing:
            errors.add(plan.row.number, plan.row.header(COLUMN["code"]), f"上级任务「{plan.parent_code}」不存在")
    # Parents before children: sorting by depth keeps the file's order within a level.
    return sorted(plans.values(), key=lambda p: p.code.count("."))


def _resolve_units(rows: list[Row], errors: RowErrors) -> dict[str, int]:
    lookup = {}
    # The short label (武原街道, 执法局) is what spreadsheets usually say; code and full name win over it.
    for pk, short_label in Department.objects.exclude(short_label="").values_list("id", "short_label"):
        lookup[short_label] = pk
    for pk, short_name, name in Department.objects.values_list("id", "short_name", "name"):
        lookup[short_name] = lookup[name] = pk
    for row in rows:
        if (value := row.values.get("unit")) and value not in lookup:
            errors.add(row.number, row.header(COLUMN["unit"]), f"单位「{value}」不存在（请填写单位代码、简称或全称）")
    return lookup


def _resolve_subdistricts(campaign: Campaign, rows: list[Row], errors: RowErrors) -> dict[str, int]:
    lookup = {}
    towns = Division.objects.filter(level=DivisionLevel.SUBDISTRICT, code__startswith=campaign.district.code)
    for pk, code, name in towns.values_list("id", "code", "name"):
        lookup[code] = lookup[name] = pk
    for row in rows:
        if (value := row.values.get("subdistrict")) and value not in lookup:
            errors.add(row.number, row.header(COLUMN["subdistrict"]), f"本区县没有名为「{value}」的街道或镇")
    return lookup


def _check_target(campaign: Campaign, row: Row, errors: RowErrors) -> None:
    values = row.values
    if _missing(row, "measure"):
        errors.add(row.number, row.header(COLUMN["measure"]), f"请填写测量方式（{MEASURE_HINT}）")
    if _missing(row, "goal"):
        errors.add(row.number, row.header(COLUMN["goal"]), "请填写目标值")
    due = values.get("target_due_on") or values.get("task_due_on") or campaign.ends_on
    if due < campaign.starts_on:
        errors.add(row.number, row.header(COLUMN["task_due_on"]), "时限早于专项行动的开始日期")
    if values.get("measure") == Measure.RECURRENCE and not values.get("frequency"):
        errors.add(row.number, row.header(COLUMN["frequency"]), "定期开展的目标须填写频次（每周、每月、每季度或每年）")
    if values.get("measure") not in CASE_MEASURES and (values.get("class_codes") or values.get("counts")):
        errors.add(row.number, row.header(COLUMN["class_codes"]), "只有按案件测量的目标才能填写案件类别和计数")
    if values.get("measure") == Measure.CASE_RATE and not values.get("out_of"):
        errors.add(row.number, row.header(COLUMN["out_of"]), "案件比率须填写分母（如 立案）")


def _missing(row: Row, name: str) -> bool:
    """Blank, or its column absent; a cell that failed to parse has its own error already."""
    failed = name in row.headers and name not in row.values
    return row.values.get(name) is None and not failed


def _check_classes(rows: list[Row], errors: RowErrors) -> None:
    """Each code must name some class of the catalogue: a rule that matches no class would count nothing."""
    for row in rows:
        if unknown := unknown_class_codes(row.values.get("class_codes") or []):
            errors.add(row.number, row.header(COLUMN["class_codes"]), f"案件类别「{'、'.join(unknown)}」不存在")


def _create_task(
    campaign: Campaign, plan: TaskPlan, tasks: dict[str, CampaignTask], units: dict, subdistricts: dict
) -> CampaignTask:
    values = plan.row.values
    parent = tasks.get(plan.parent_code) if plan.parent_code else None
    if plan.parent_code and parent is None:
        parent = campaign.tasks.get(code=plan.parent_code)
    return CampaignTask.objects.create(
        campaign=campaign,
        parent=parent,
        code=plan.code,
        name=values["task"],
        responsible_unit_id=units.get(values.get("unit") or ""),
        subdistrict_id=subdistricts.get(values.get("subdistrict") or ""),
        due_on=values.get("task_due_on"),
        weight=values.get("task_weight") or Decimal(1),
    )


def _create_target(campaign: Campaign, task: CampaignTask, row: Row) -> Target:
    values = row.values
    target = Target.objects.create(
        task=task,
        name=values["target"],
        measure=values["measure"],
        goal=values["goal"],
        comparator=values.get("comparator") or Comparator.AT_LEAST,
        unit_label=values.get("unit_label") or "",
        baseline=values.get("baseline"),
        due_on=values.get("target_due_on") or task.due_on or campaign.ends_on,
        weight=values.get("target_weight") or Decimal(1),
        plan_curve=values.get("plan_curve") or PlanCurve.LINEAR,
        frequency=values.get("frequency") or "",
        per_period=values.get("per_period") or (1 if values.get("frequency") else None),
    )
    if target.measure in CASE_MEASURES:
        CaseRule.objects.create(
            target=target,
            class_codes=values.get("class_codes") or [],
            counts=values.get("counts") or CaseCount.CLOSED,
            out_of=values.get("out_of") or "",
        )
    return target


def task_table_template(fmt: str = "xlsx") -> ExportFile:
    return template_file(COLUMNS, fmt, "任务分解表")
