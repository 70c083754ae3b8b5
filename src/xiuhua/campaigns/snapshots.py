"""Month-end snapshots: every target's figures frozen as of the month's last local instant, never rewritten.

The worker freezes each finished month that still lacks snapshots; the monthly 专报 and the supervision notices
read only these rows, so a case closed in April does not change March, and a report of March made in May says
what it said in April.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from xiuhua.campaigns.choices import CampaignStatus
from xiuhua.campaigns.measures import Measurement, measure_targets
from xiuhua.campaigns.models import Campaign, CampaignPhase, CampaignTask, ProgressSnapshot, Target
from xiuhua.campaigns.progress import CampaignProgress, Progress, build_progress, target_progress, task_order
from xiuhua.campaigns.rules import local_day, local_midnight
from xiuhua.core.audit import record_audit
from xiuhua.core.errors import DomainError


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def month_end_instant(month: date) -> datetime:
    """The instant just after the month's last local instant: every count is bounded below it."""
    return local_midnight(next_month(month_start(month)))


def _targets_of_month(month: date) -> list[Target]:
    """Targets of campaigns under way in the month (not drafts) that have no snapshot of it yet."""
    last_day = next_month(month) - timedelta(days=1)
    return list(
        Target.objects.filter(task__campaign__starts_on__lte=last_day, task__campaign__ends_on__gte=month)
        .exclude(task__campaign__status=CampaignStatus.DRAFT)
        .exclude(snapshots__month=month)
        .select_related("task__campaign", "case_rule")
    )


def _phases(targets: list[Target]) -> dict[int, list[CampaignPhase]]:
    phases: dict[int, list[CampaignPhase]] = {}
    campaign_ids = {t.task.campaign_id for t in targets}
    for phase in CampaignPhase.objects.filter(campaign_id__in=campaign_ids):
        phases.setdefault(phase.campaign_id, []).append(phase)
    return phases


def freeze_month(month: date, now: datetime | None = None) -> int:
    """Freeze the month's snapshots (only targets without one); how many were written. Idempotent."""
    now = now or timezone.now()
    month = month_start(month)
    at = month_end_instant(month)
    if at > now:
        raise DomainError(f"{month:%Y年%m月}尚未结束，不能生成月末快照", code="month_not_finished")
    with transaction.atomic():
        targets = _targets_of_month(month)
        if not targets:
            return 0
        measurements = measure_targets(targets, at)
        phases = _phases(targets)
        last_day = local_day(at - timedelta(microseconds=1))
        rows = []
        for target in targets:
            m = measurements[target.pk]
            p = target_progress(target, m, last_day, phases.get(target.task.campaign_id, []))
            rows.append(_snapshot(target, month, m, p, now))
        # Another worker freezing the same month at the same moment: the constraint keeps the first row.
        written = ProgressSnapshot.objects.bulk_create(rows, ignore_conflicts=True)
        record_audit(None, "campaigns.month_frozen", f"{month:%Y-%m}", f"{len(written)} 个目标", targets=len(rows))
    return len(written)


def _snapshot(target: Target, month: date, m: Measurement, p: Progress, now: datetime) -> ProgressSnapshot:
    return ProgressSnapshot(
        target=target,
        month=month,
        value=m.value,
        numerator=m.numerator,
        denominator=m.denominator,
        plan=p.plan,
        progress=p.progress,
        goal=target.goal,
        planned=p.planned,
        met=p.met,
        status=p.status,
        met_on=m.met_on,
        taken_at=now,
    )


def month_frozen(campaign: Campaign, month: date) -> bool:
    """Whether the month's figures of the campaign are frozen (reports for it can no longer change them)."""
    return ProgressSnapshot.objects.filter(target__task__campaign=campaign, month=month_start(month)).exists()


def frozen_progress(campaign: Campaign, month: date) -> CampaignProgress:
    """The campaign as it stood at the month's end, rebuilt from its snapshots only (targets frozen that month)."""
    month = month_start(month)
    snapshots = {
        s.target_id: s
        for s in ProgressSnapshot.objects.filter(target__task__campaign=campaign, month=month).select_related(
            "target__task__campaign"
        )
    }
    targets = [s.target for s in snapshots.values()]
    measurements = {
        pk: Measurement(s.value, s.numerator, s.denominator, s.met_on, {"frozen_at": s.taken_at.isoformat()})
        for pk, s in snapshots.items()
    }
    frozen = {pk: Progress(s.value, s.plan, s.progress, s.planned, s.status, s.met) for pk, s in snapshots.items()}
    tasks = sorted(CampaignTask.objects.filter(campaign=campaign), key=task_order)
    last_day = next_month(month) - timedelta(days=1)
    return build_progress(campaign, tasks, targets, measurements, last_day, frozen=frozen)


def freeze_finished_months(now: datetime | None = None) -> dict[str, int]:
    """The worker's job: freeze every finished month of every campaign that still lacks snapshots."""
    now = now or timezone.now()
    last_finished = month_start(local_day(now)) - timedelta(days=1)
    written: dict[str, int] = {}
    campaigns = Campaign.objects.exclude(status=CampaignStatus.DRAFT).filter(starts_on__lte=last_finished)
    months = set()
    for starts_on, ends_on in campaigns.values_list("starts_on", "ends_on"):
        month = month_start(starts_on)
        while month <= min(month_start(ends_on), month_start(last_finished)):
            months.add(month)
            month = next_month(month)
    for month in sorted(months):
        if count := freeze_month(month, now):
            written[f"{month:%Y-%m}"] = count
    return written
