"""What the campaign pages show, laid out once from `campaigns.progress`: target rows, the task tree as flat rows,
status counts, each target's curve (plan vs actual by month: frozen snapshots for past months, live for now).

Views and templates only read these; every figure comes from the campaigns services, never computed here.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from xiuhua.campaigns.choices import Frequency, Measure, ProgressStatus
from xiuhua.campaigns.measures import Measurement, drill_down_cases, measure_target
from xiuhua.campaigns.models import ProgressSnapshot, Target, TargetItem
from xiuhua.campaigns.progress import Progress, target_progress
from xiuhua.campaigns.queries import visible_campaigns
from xiuhua.core.errors import NotFound

# Bootstrap colours of the statuses: 正常 green, 滞后 orange, 逾期 red, 完成 blue, 未开始 grey.
STATUS_CSS = {
    ProgressStatus.ON_TRACK: "success",
    ProgressStatus.BEHIND: "warning",
    ProgressStatus.OVERDUE: "danger",
    ProgressStatus.MET: "primary",
    ProgressStatus.NOT_STARTED: "secondary",
}
STATUS_ORDER = [
    ProgressStatus.OVERDUE,
    ProgressStatus.BEHIND,
    ProgressStatus.ON_TRACK,
    ProgressStatus.MET,
    ProgressStatus.NOT_STARTED,
]
# Measures whose number is a count of cases: their figure links to the case list (the drill-down).
CASE_MEASURES = {Measure.CASE_COUNT, Measure.CASE_RATE, Measure.CASE_TREND}


class Standing:
    """How a row's `progress` is drawn: its status colour and label, and its bar's width."""

    progress: Progress

    @property
    def css(self) -> str:
        return STATUS_CSS.get(self.progress.status, "secondary")

    @property
    def status_label(self) -> str:
        return ProgressStatus(self.progress.status).label

    @property
    def bar(self) -> Decimal:
        """The progress bar's width in percent (0–100)."""
        return _bar(self.progress)


@dataclass
class TargetRow(Standing):
    target: Target
    measurement: Measurement
    progress: Progress
    editable: bool = False  # the user may enter counts, records or resolve items of this target
    items: list = field(default_factory=list)
    records: list = field(default_factory=list)

    @property
    def periods(self) -> list[dict]:
        """A recurrence's periods as cells: met green, ended unmet red, the running one (not yet met) grey."""
        cells = []
        for p in self.measurement.detail.get("periods", []):
            label = p["start"][:7] if self.target.frequency == Frequency.MONTH else p["start"]
            css = "success" if p["met"] else "danger" if p.get("finished") else "secondary"
            cells.append({"label": label, "count": p["count"], "met": p["met"], "css": css})
        return cells

    @property
    def drill_url(self) -> str:
        """The case list of the figure's cases, for the measures counted from cases; "" for the others."""
        if self.target.measure not in CASE_MEASURES:
            return ""
        return f"{reverse('web:case_list')}?target={self.target.pk}"


@dataclass
class TaskRow(Standing):
    """One line of the task tree, flattened with its depth (the template indents by depth)."""

    task: object
    progress: Progress
    depth: int
    targets: list[TargetRow] = field(default_factory=list)


@dataclass
class Summary(Standing):
    """A campaign's rolled-up figure as the pages draw it."""

    progress: Progress


def summary(campaign_progress) -> Summary:
    return Summary(campaign_progress.summary)


def _bar(progress: Progress) -> Decimal:
    return min(max(progress.progress or Decimal(0), Decimal(0)), Decimal(100))


def task_rows(nodes, depth: int = 0) -> list[TaskRow]:
    """The task tree of a `CampaignProgress` depth first, each task with its targets."""
    rows: list[TaskRow] = []
    for node in nodes:
        targets = [TargetRow(t, m, p) for t, m, p in node.targets]
        rows.append(TaskRow(node.task, node.progress, depth, targets))
        rows += task_rows(node.children, depth + 1)
    return rows


def target_rows(campaign_progress) -> list[TargetRow]:
    return [target for row in task_rows(campaign_progress.tasks) for target in row.targets]


def status_counts(rows: list[TargetRow]) -> list[dict]:
    """How many targets are in each status, in the order a leader reads them (the troubles first)."""
    counts = Counter(row.progress.status for row in rows)
    return [
        {"status": s, "label": ProgressStatus(s).label, "css": STATUS_CSS[s], "count": counts.get(s, 0)}
        for s in STATUS_ORDER
    ]


def month_starts(first: date, last: date) -> list[date]:
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return months


def month_end(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def curve(row: TargetRow, today: date, snapshots: dict[date, ProgressSnapshot], phases: list) -> dict:
    """The target's curve, month by month from its start to its due date: each past month as frozen (value and
    plan of its snapshot; a gap without one), the live value and plan for the current month, the plan ahead."""
    target = row.target
    start = target.starts_on or target.task.campaign.starts_on
    months = month_starts(start, max(target.due_on, start))
    empty = Measurement(value=None, numerator=None, denominator=None, met_on=None, detail={})
    labels, plan, actual = [], [], []
    for month in months:
        labels.append(f"{month:%Y-%m}")
        snapshot = snapshots.get(month) if month < today.replace(day=1) else None
        if snapshot is not None:  # a past month as it was frozen: its value and the plan it was measured against
            plan.append(_number(snapshot.plan))
            actual.append(_number(snapshot.value))
            continue
        ends = min(month_end(month), target.due_on)
        plan.append(_number(target_progress(target, empty, ends, phases).plan))
        actual.append(_number(row.measurement.value) if month == today.replace(day=1) else None)
    return {
        "id": target.pk,
        "name": target.name,
        "unit": target.unit_label,
        "goal": _number(target.goal),
        "labels": labels,
        "plan": plan,
        "actual": actual,
    }


def curves(rows: list[TargetRow], today: date, phases: list) -> list[dict]:
    """The curves of the campaign's targets, reading all their snapshots in one query."""
    by_target: dict[int, dict[date, ProgressSnapshot]] = {}
    for snapshot in ProgressSnapshot.objects.filter(target__in=[r.target for r in rows]):
        by_target.setdefault(snapshot.target_id, {})[snapshot.month] = snapshot
    return [curve(row, today, by_target.get(row.target.pk, {}), phases) for row in rows]


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def list_items(campaign) -> QuerySet[TargetItem]:
    """The campaign's list items (化解清单) with their case, in list order."""
    return TargetItem.objects.filter(target__task__campaign=campaign).select_related("case").order_by("target", "code")


@dataclass
class TargetDrill:
    """The cases behind a campaign target's figure, as the case list narrows to them."""

    target: Target
    row: TargetRow

    def narrow(self, cases: QuerySet) -> QuerySet:
        """`cases` (the user's visible, filtered cases) cut down to exactly the target's drill-down cases."""
        return cases.filter(pk__in=drill_down_cases(self.target).values("pk"))

    @property
    def back_url(self) -> str:
        return reverse("web:campaign", args=[self.target.task.campaign_id])


def campaign_drill(user, target_id: int) -> TargetDrill:
    """The drill-down of a target of a campaign the user sees; a `NotFound` otherwise (or for a target whose
    figure is not a count of cases)."""
    target = (
        Target.objects.filter(pk=target_id, task__campaign__in=visible_campaigns(user), measure__in=CASE_MEASURES)
        .select_related("task__campaign")
        .first()
    )
    if target is None:
        raise NotFound("没有这个按案件计算的指标，或它不在您的数据范围内。")
    measurement = measure_target(target)
    progress = target_progress(target, measurement, timezone.localdate(), list(target.task.campaign.phases.all()))
    return TargetDrill(target, TargetRow(target, measurement, progress))
