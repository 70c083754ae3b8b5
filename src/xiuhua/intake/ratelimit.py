"""A per-client limit on anonymous reports, counted in the database so every web process shares it."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from xiuhua.core.errors import DomainError
from xiuhua.intake.models import RateWindow


class TooManyRequests(DomainError):
    status_code = 429

    def __init__(self, message: str) -> None:
        super().__init__(message, code="rate_limited")


def _window_start(now: datetime, seconds: int) -> datetime:
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, tz=now.tzinfo)


def take_rate_slot(client: str, limit: int, per_seconds: int, now: datetime | None = None) -> None:
    """Count one request for `client`; refuse (429) once `limit` were made in the current window."""
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
                return take_rate_slot(client, limit, per_seconds, now)
    wait = int((start + timedelta(seconds=per_seconds) - now).total_seconds() // 60) + 1
    raise TooManyRequests(f"提交过于频繁，请约 {wait} 分钟后再试；紧急情况请拨打 12345")
