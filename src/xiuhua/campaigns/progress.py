"""Progress against plan: of a target (from its measurement), rolled up by weight to tasks, units and campaigns.

`progress` is the percent of the goal reached (0–100, capped): the one currency that rolls up, whatever a target
counts. `planned` is the percent its plan expects by today: linear from the target's start to its due date, or by
phase (each phase's cumulative `plan_percent`, linear inside the phase). Status: met → 完成; past due and not met
→ 逾期; before its start → 未开始; progress below plan by more than XIUHUA_CAMPAIGN_BEHIND_GAP points → 滞后;
else 正常. An "at most" target (no more than 5 new illegal buildings, complaints down by 10 %) has no curve: it
is 正常 while within its goal, 滞后 while over it, and is judged 完成 or 逾期 only once its due date has passed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple

from django.conf import settings
from django.utils import timezone

from xiuhua.accounts.choices import DepartmentKind
from xiuhua.accounts.models import Department, User
from xiuhua.campaigns.choices import Comparator, PlanCurve, ProgressStatus
from xiuhua.campaigns.measures import HUNDRED, Measurement, goal_reached, measure_targets
from xiuhua.campaigns.models import Campaign, CampaignPhase, CampaignTask, Target
from xiuhua.campaigns.rules import local_day, target_start

ZERO = Decimal(0)
TWO_PLACES = Decimal("0.01")


def behind_gap() -> Decimal:
    return Decimal(str(getattr(settings, "XIUHUA_CAMPAIGN_BEHIND_GAP", 10)))


@dataclass
class Progress:
    """Of a target, a task, a unit or a campaign (value and plan only for a target: aggregates have no unit)."""

    value: Decimal | None
    plan: Decimal | None
    progress: Decimal | None
    planned: Decimal | None
    status: str
    met: bool


class TargetLine(NamedTuple):
    target: Target
    measurement: Measurement
    progress: Progress


@dataclass
class TaskProgress:
    task: CampaignTask
    progress: Progress
    children: list[TaskProgress] = field(default_factory=list)
    targets: list[TargetLine] = field(default_factory=list)

    def lines(self) -> Iterator[TargetLine]:
        yield from self.targets
        for child in self.children:
            yield from child.lines()


@dataclass
class CampaignProgress:
    campaign: Campaign
    progress: Decimal | None
    planned: Decimal | None
    status: str
    tasks: list[TaskProgress]
    summary: Progress

    def lines(self) -> Iterator[TargetLine]:
        for task in self.tasks:
            yield from task.lines()


@dataclass
class UnitProgress:
    unit: Department
    progress: Decimal | None
    planned: Decimal | None
    status: str
    targets: int


def _fraction(today: date, start: date, end: date) -> Decimal:
    """How much of [start, end] (whole local days) has passed by the end of `today`, 0–1."""
    if today < start:
        return ZERO
    if today >= end:
        return Decimal(1)
    return Decimal((today - start).days + 1) / Decimal((end - start).days + 1)


def planned_percent(target: Target, today: date, phases: list[CampaignPhase] | None = None) -> Decimal:
    """Percent of the goal the plan expects by the end of `today`."""
    start = target_start(target)
    if target.plan_curve == PlanCurve.PHASES:
        if phases is None:
            phases = list(target.task.campaign.phases.all())
        if phases:
            return _phase_plan(sorted(phases, key=lambda p: p.starts_on), today)
    return (_fraction(today, start, target.due_on) * HUNDRED).quantize(TWO_PLACES)


def _phase_plan(phases: list[CampaignPhase], today: date) -> Decimal:
    reached = ZERO
    for phase in phases:
        if today < phase.starts_on:
            break
        share = _fraction(today, phase.starts_on, phase.ends_on)
        reached = reached + (Decimal(phase.plan_percent) - reached) * share
    return min(HUNDRED, reached).quantize(TWO_PLACES)


def _at_least_progress(target: Target, value: Decimal | None) -> Decimal | None:
    if value is None:
        return None
    if target.goal <= 0:
        return HUNDRED
    return min(HUNDRED, max(ZERO, value * HUNDRED / target.goal)).quantize(TWO_PLACES)


def _at_most_progress(target: Target, value: Decimal | None) -> Decimal | None:
    """Within the goal is 100; a negative goal (a fall of 10 %) is reached in proportion; over it is 0."""
    if value is None:
        return None
    if value <= target.goal:
        return HUNDRED
    if target.goal < 0 and value < 0:
        return (value * HUNDRED / target.goal).quantize(TWO_PLACES)
    return ZERO


def target_progress(target: Target, m: Measurement, today: date, phases: list[CampaignPhase] | None = None) -> Progress:
    reached = goal_reached(target, m.value)
    past_due = today > target.due_on
    if target.comparator == Comparator.AT_MOST:
        progress = _at_most_progress(target, m.value)
        met = reached and past_due
        status = _at_most_status(target, today, reached, past_due)
        return Progress(m.value, None, progress, None, status, met)
    planned = planned_percent(target, today, phases)
    progress = _at_least_progress(target, m.value)
    plan = (target.goal * planned / HUNDRED).quantize(TWO_PLACES)
    status = status_of(progress, planned, reached, past_due, today < target_start(target))
    return Progress(m.value, plan, progress, planned, status, reached)


def _at_most_status(target: Target, today: date, reached: bool, past_due: bool) -> str:
    if past_due:
        return ProgressStatus.MET if reached else ProgressStatus.OVERDUE
    if today < target_start(target):
        return ProgressStatus.NOT_STARTED
    return ProgressStatus.ON_TRACK if reached else ProgressStatus.BEHIND


def status_of(progress: Decimal | None, planned: Decimal | None, met: bool, past_due: bool, not_started: bool) -> str:
    if met:
        return ProgressStatus.MET
    if past_due:
        return ProgressStatus.OVERDUE
    if not_started:
        return ProgressStatus.NOT_STARTED
    if planned is not None and (progress or ZERO) < planned - behind_gap():
        return ProgressStatus.BEHIND
    return ProgressStatus.ON_TRACK


def roll_up(parts: Iterable[tuple[Decimal, Progress]], due_on: date | None, today: date) -> Progress:
    """Weighted mean of the parts' progress and plan; met when every part is met."""
    parts = [(Decimal(weight), part) for weight, part in parts if weight and weight > 0]
    if not parts:
        return Progress(None, None, None, None, ProgressStatus.NOT_STARTED, False)
    progress = _weighted([(w, p.progress) for w, p in parts])
    planned = _weighted([(w, p.planned) for w, p in parts])
    met = all(p.met for _, p in parts)
    statuses = {p.status for _, p in parts}
    past_due = due_on is not None and today > due_on
    if statuses == {ProgressStatus.NOT_STARTED}:
        return Progress(None, None, progress, planned, ProgressStatus.NOT_STARTED, False)
    unmet = {p.status for _, p in parts if not p.met}
    if unmet == {ProgressStatus.OVERDUE}:
        past_due = True  # every part still open is past its date
    elif ProgressStatus.OVERDUE in unmet and not past_due:
        # A part overdue makes the whole behind, not overdue, while other parts can still be done in time.
        return Progress(None, None, progress, planned, ProgressStatus.BEHIND, met)
    return Progress(None, None, progress, planned, status_of(progress, planned, met, past_due, False), met)


def _weighted(pairs: list[tuple[Decimal, Decimal | None]]) -> Decimal | None:
    known = [(w, v) for w, v in pairs if v is not None]
    total = sum((w for w, _ in known), ZERO)
    if not total:
        return None
    return (sum((w * v for w, v in known), ZERO) / total).quantize(TWO_PLACES)


def campaign_targets(campaigns: Iterable[Campaign]) -> list[Target]:
    ids = [c.pk for c in campaigns]
    return list(
        Target.objects.filter(task__campaign_id__in=ids)
        .select_related("task__campaign", "case_rule")
        .order_by("task_id", "id")
    )


def build_progress(
    campaign: Campaign,
    tasks: list[CampaignTask],
    targets: list[Target],
    measurements: dict[int, Measurement],
    today: date,
    frozen: dict[int, Progress] | None = None,
) -> CampaignProgress:
    """The tree of one campaign from rows already loaded (phases aside).

    `frozen` gives the targets' progress as month-end snapshots kept it, instead of judging the measurements anew.
    """
    phases = list(campaign.phases.all())
    by_task: dict[int, list[Target]] = {}
    for target in targets:
        by_task.setdefault(target.task_id, []).append(target)
    children: dict[int | None, list[CampaignTask]] = {}
    for task in tasks:
        children.setdefault(task.parent_id, []).append(task)

    def build(task: CampaignTask) -> TaskProgress:
        lines = [
            TargetLine(
                t,
                measurements[t.pk],
                frozen[t.pk] if frozen is not None else target_progress(t, measurements[t.pk], today, phases),
            )
            for t in by_task.get(task.pk, [])
        ]
        kids = [build(child) for child in children.get(task.pk, [])]
        parts = [(line.target.weight, line.progress) for line in lines] + [(k.task.weight, k.progress) for k in kids]
        return TaskProgress(task, roll_up(parts, task.due_on, today), kids, lines)

    roots = [build(task) for task in children.get(None, [])]
    summary = roll_up([(t.task.weight, t.progress) for t in roots], campaign.ends_on, today)
    return CampaignProgress(campaign, summary.progress, summary.planned, summary.status, roots, summary)


def task_order(task: CampaignTask) -> tuple:
    """Numbers as a district writes them: "2" before "10", "2.3" before "2.10"."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in task.code.split("."))


def campaign_progress(campaign: Campaign, at: datetime | None = None) -> CampaignProgress:
    at = at or timezone.now()
    tasks = sorted(campaign.tasks.select_related("responsible_unit", "subdistrict"), key=task_order)
    targets = campaign_targets([campaign])
    return build_progress(campaign, tasks, targets, measure_targets(targets, at), local_day(at))


def _unit_ids_of(task: CampaignTask, subdistrict_units: dict[str, int]) -> set[int]:
    units = {task.responsible_unit_id} if task.responsible_unit_id else set()
    if task.subdistrict_id and task.subdistrict.code in subdistrict_units:
        units.add(subdistrict_units[task.subdistrict.code])
    return units


def unit_progress(
    campaign: Campaign, at: datetime | None = None, built: CampaignProgress | None = None
) -> list[UnitProgress]:
    """Progress per unit answering for tasks (responsible units and sub-districts' departments), rolled up by
    weight over the highest tasks each answers for (a unit answering for 2 is not counted again for 2.1)."""
    at = at or timezone.now()
    built = built or campaign_progress(campaign, at)
    subdistrict_units = dict(
        Department.objects.filter(kind=DepartmentKind.SUBDISTRICT)
        .exclude(division_code="")
        .values_list("division_code", "pk")
    )
    parts: dict[int, list[tuple[Decimal, Progress]]] = {}
    counts: dict[int, int] = {}

    def walk(node: TaskProgress, above: set[int]) -> None:
        mine = _unit_ids_of(node.task, subdistrict_units) - above
        for unit in mine:
            parts.setdefault(unit, []).append((node.task.weight, node.progress))
            counts[unit] = counts.get(unit, 0) + sum(1 for _ in node.lines())
        for child in node.children:
            walk(child, above | mine)

    for root in built.tasks:
        walk(root, set())
    units = Department.objects.in_bulk(list(parts))
    today = local_day(at)
    result = []
    for unit_id, unit_parts in parts.items():
        rolled = roll_up(unit_parts, None, today)
        result.append(UnitProgress(units[unit_id], rolled.progress, rolled.planned, rolled.status, counts[unit_id]))
    return sorted(result, key=lambda u: (u.progress is None, u.progress or ZERO, u.unit.name))


def overview(user: User, year: int, at: datetime | None = None) -> list[CampaignProgress]:
    """Every campaign of the year the user may see, measured together: each measure asked once for all targets."""
    from xiuhua.campaigns.queries import visible_campaigns

    at = at or timezone.now()
    campaigns = list(visible_campaigns(user).filter(year=year).prefetch_related("phases").order_by("code"))
    tasks: dict[int, list[CampaignTask]] = {}
    for task in CampaignTask.objects.filter(campaign__in=campaigns).select_related("responsible_unit", "subdistrict"):
        tasks.setdefault(task.campaign_id, []).append(task)
    targets = campaign_targets(campaigns)
    measurements = measure_targets(targets, at)
    by_campaign: dict[int, list[Target]] = {}
    for target in targets:
        by_campaign.setdefault(target.task.campaign_id, []).append(target)
    today = local_day(at)
    return [
        build_progress(c, sorted(tasks.get(c.pk, []), key=task_order), by_campaign.get(c.pk, []), measurements, today)
        for c in campaigns
    ]
