"""Figures of the outbox per channel and kind over a date range: caused, sent, delivered, failed, and the push
rate — the share of causes whose message was delivered within N minutes (`XIUHUA_MESSAGE_PUSH_MINUTES`).

A person's resend is a new message row pointing at the failed one (`resend_of`) with the same cause time: it
is not a second cause, so `caused` counts only first messages, while a resend delivered in time still counts
as pushed. The vital-sign and ledger work call `message_figures`; the outbox page shows it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Count, ExpressionWrapper, F, Q, QuerySet
from django.db.models.fields import DateTimeField
from django.utils import timezone

from xiuhua.notify.models import Message, MessageStatus


@dataclass(frozen=True)
class Figures:
    channel: str
    kind: str
    caused: int
    sent: int
    delivered: int
    failed: int
    pushed: int  # delivered within the push minutes of the cause

    @property
    def push_rate(self) -> float | None:
        """pushed ÷ caused (0–1), None without causes."""
        return min(1.0, self.pushed / self.caused) if self.caused else None

    def as_dict(self) -> dict:
        return {**asdict(self), "push_rate": self.push_rate}


def day_bounds(date_from: date | None, date_to: date | None) -> tuple[datetime | None, datetime | None]:
    """Aware bounds [start of date_from, start of the day after date_to) in the platform's time zone."""
    zone = timezone.get_current_timezone()
    start = datetime.combine(date_from, time.min, tzinfo=zone) if date_from else None
    end = datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=zone) if date_to else None
    return start, end


def message_figures(
    date_from: date | None = None,
    date_to: date | None = None,
    *,
    push_minutes: int | None = None,
    channel: str = "",
    kind: str = "",
    messages: QuerySet[Message] | None = None,
) -> list[Figures]:
    """One row per channel and kind of the messages caused in [date_from, date_to] (local days), by one
    aggregate query; sorted by channel, then kind. `messages` limits the count to a reader's messages
    (notify.queries.visible_messages); all by default."""
    minutes = settings.XIUHUA_MESSAGE_PUSH_MINUTES if push_minutes is None else push_minutes
    start, end = day_bounds(date_from, date_to)
    rows = Message.objects.all() if messages is None else messages
    if start:
        rows = rows.filter(caused_at__gte=start)
    if end:
        rows = rows.filter(caused_at__lt=end)
    if channel:
        rows = rows.filter(channel=channel)
    if kind:
        rows = rows.filter(kind=kind)
    deadline = ExpressionWrapper(F("caused_at") + timedelta(minutes=minutes), output_field=DateTimeField())
    delivered = Q(status=MessageStatus.DELIVERED)
    totals = (
        rows.order_by()
        .values("channel", "kind")
        .annotate(
            caused=Count("pk", filter=Q(resend_of__isnull=True)),
            sent=Count("pk", filter=Q(sent_at__isnull=False)),
            delivered=Count("pk", filter=delivered),
            failed=Count("pk", filter=Q(status=MessageStatus.FAILED)),
            pushed=Count("pk", filter=delivered & Q(delivered_at__lte=deadline)),
        )
        .order_by("channel", "kind")
    )
    return [Figures(**row) for row in totals]


def total(figures: list[Figures], channel: str = "", kind: str = "") -> Figures:
    """The sum of rows (all, or one channel's or kind's): the page's total line."""
    chosen = [f for f in figures if (not channel or f.channel == channel) and (not kind or f.kind == kind)]
    sums = {name: sum(getattr(f, name) for f in chosen) for name in ("caused", "sent", "delivered", "failed")}
    return Figures(channel=channel, kind=kind, pushed=sum(f.pushed for f in chosen), **sums)
