"""A per-client limit on anonymous reports, counted in the database so every web process shares it."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from xiuhua.core.errors import DomainError
from xiuhua.intake.models import RateWindow

# Longer than any window in use (the citizen limit counts per hour), so a live window is never pruned.
KEEP_WINDOWS = timedelta(days=1)


class TooManyRequests(DomainError):
    status_code = 429

    def __init__(self, message: str) -> None:
        super().__init__(message, code="rate_limited")


def _window_start(now: datetime, seconds: int) -> datetime:
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, tz=now.tzinfo)


def take_rate_slot(
    client: str, limit: int, per_seconds: int, now: datetime | None = None, *, message: str = ""
) -> None:
    """Count one request for `client`; refuse (429) once `limit` were made in the current window.

    `message` replaces the default refusal (it may use `{wait}`, the minutes until the window ends).
    """
    now = now or timezone.now()
    start = _window_start(now, per_seconds)
    with transaction.atomic():
        updated = RateWindow.objects.filter(client=client, window_start=start, count__lt=limit).update(
            count=F("count") + 1
        )
        if updated:
            return
        if not RateWindow.objects.filter(client=client, window_start=start).exists():
            try:
                with transaction.atomic():
                    RateWindow.objects.create(client=client, window_start=start, count=1)
                return
            except IntegrityError:
                return take_rate_slot(client, limit, per_seconds, now, message=message)
    wait = int((start + timedelta(seconds=per_seconds) - now).total_seconds() // 60) + 1
    text = message or "提交过于频繁，请约 {wait} 分钟后再试；紧急情况请拨打 12345"
    raise TooManyRequests(text.format(wait=wait))


def prune_rate_windows(now: datetime | None = None, keep: timedelta = KEEP_WINDOWS) -> int:
    """Delete counting windows that ended long ago (a periodic worker job); returns how many went."""
    now = now or timezone.now()
    deleted, _ = RateWindow.objects.filter(window_start__lt=now - keep).delete()
    return deleted
