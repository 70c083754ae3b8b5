"""Month-end supervision (督导): a unit or sub-district whose rolled-up progress lags its plan by more than
`XIUHUA_CAMPAIGN_SUPERVISION_GAP` points at a month's end gets one notice per campaign and month.

It runs only once the month's snapshots are frozen, and it reads the progress as it stood at the month's end, so
the notice says what the 专报 of that month says. The SupervisionNotice row is unique per campaign, unit and
month: a second run (or a second worker) finds it and sends nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from xiuhua.accounts.models import Department, User
from xiuhua.campaigns.choices import CampaignStatus
from xiuhua.campaigns.models import Campaign, ProgressSnapshot, SupervisionNotice
from xiuhua.campaigns.progress import unit_progress
from xiuhua.campaigns.snapshots import frozen_progress, month_end_instant
from xiuhua.cases.figures import month_bounds, month_start_of
from xiuhua.core.audit import record_audit
from xiuhua.notify.models import NoticeKind
from xiuhua.notify.services import NoticeDraft, send_notice

DEFAULT_GAP = Decimal(10)


@dataclass(frozen=True)
class Lag:
    """A unit behind plan at a month's end."""

    unit: Department
    progress: Decimal
    planned: Decimal


def supervision_gap() -> Decimal:
    return Decimal(str(getattr(settings, "XIUHUA_CAMPAIGN_SUPERVISION_GAP", DEFAULT_GAP)))


def previous_month(now: datetime) -> date:
    """The first day of the local month before the one `now` is in."""
    this_month = month_start_of(now)
    return (
        this_month.replace(year=this_month.year - 1, month=12)
        if this_month.month == 1
        else (this_month.replace(month=this_month.month - 1))
    )


def campaigns_of_month(month: date):
    """Campaigns running in the month whose month-end snapshots exist (frozen by the snapshot job)."""
    start, end = month_bounds(month)
    frozen = ProgressSnapshot.objects.filter(month=month).values("target__task__campaign")
    return (
        Campaign.objects.filter(status=CampaignStatus.ACTIVE, pk__in=frozen)
        .filter(starts_on__lt=end.date(), ends_on__gte=start.date())
        .order_by("pk")
    )


def lagging_units(campaign: Campaign, month: date) -> list[Lag]:
    """Units whose progress at the month's end lags their plan by more than the gap: responsible units and the
    sub-districts' offices alike (`unit_progress` gives both as departments), rolled up from the month's frozen
    snapshots — the figures of that month's 专报, whatever happened since."""
    gap = supervision_gap()
    built = frozen_progress(campaign, month)
    lags = []
    for row in unit_progress(campaign, at=month_end_instant(month), built=built):
        if row.progress is None or row.planned is None or row.planned - row.progress <= gap:
            continue
        lags.append(Lag(row.unit, Decimal(row.progress), Decimal(row.planned)))
    return lags


def notice_text(campaign: Campaign, lag: Lag, month: date) -> str:
    return (
        f"{campaign.name}：截至{month:%Y年%m月}底，{lag.unit.name}的完成进度为 {lag.progress:.1f}%，"
        f"计划应达 {lag.planned:.1f}%，落后 {lag.planned - lag.progress:.1f} 个百分点，请加快推进并报送整改措施。"
    )


def supervise_month(month: date, now: datetime | None = None) -> int:
    """Send the 督导 notices of `month` not yet sent; returns how many were sent."""
    now = now or timezone.now()
    sent = 0
    for campaign in campaigns_of_month(month):
        for lag in lagging_units(campaign, month):
            sent += _notify_once(campaign, lag, month, now)
    return sent


def _notify_once(campaign: Campaign, lag: Lag, month: date, now: datetime) -> int:
    with transaction.atomic():
        # The campaign's row serialises two workers; the unique row then says whether this one was sent.
        Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
        if SupervisionNotice.objects.filter(campaign=campaign, unit=lag.unit, month=month).exists():
            return 0
        text = notice_text(campaign, lag, month)
        notice = SupervisionNotice.objects.create(
            campaign=campaign,
            unit=lag.unit,
            month=month,
            progress=lag.progress.quantize(Decimal("0.01")),
            plan=lag.planned.quantize(Decimal("0.01")),
            text=text,
            sent_at=now,
        )
        recipients = User.objects.filter(Q(department=lag.unit), is_active=True)
        send_notice(recipients, NoticeDraft(kind=NoticeKind.URGE, title=f"专项行动督导：{campaign.name}", body=text))
        record_audit(
            None,
            "campaigns.supervision_sent",
            target=f"campaign:{campaign.pk}",
            summary=f"{lag.unit.name} {month:%Y-%m}",
            notice=notice.pk,
        )
    return 1


def supervision_job() -> int:
    """The worker's job: the month just ended, once its snapshots are frozen (until then it finds nothing)."""
    return supervise_month(previous_month(timezone.now()))
