"""When a queued message may go: quiet hours for citizens and shops, and a ceiling per recipient per hour.

Both hold a message (its `not_before`), neither drops one: a citizen's receipt written at 22:30 still arrives,
at 08:00. Urgent messages are never held. Applied by `outbox.queue`, so every caller (notices, citizen SMS,
batches) gets the same rules.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, time, timedelta
from functools import lru_cache

from django.conf import settings
from django.db.models import DateTimeField
from django.db.models.functions import Coalesce
from django.utils import timezone

from xiuhua.notify.models import Message, MessageChannel, MessageStatus

HOUR = timedelta(hours=1)
QUIET_HOURS_FORMAT = "21:00-08:00"
log = logging.getLogger("xiuhua.notify.pacing")


def parse_quiet_hours(value: str) -> tuple[time, time] | None:
    """ "21:00-08:00" as (start, end); None for "" or an empty window. ValueError when malformed."""
    value = (value or "").strip()
    if not value:
        return None
    parts = value.split("-")
    if len(parts) != 2:
        raise ValueError(value)
    start, end = (time.fromisoformat(part.strip()) for part in parts)
    return (start, end) if start != end else None


@lru_cache(maxsize=4)
def _quiet_window(value: str) -> tuple[time, time] | None:
    try:
        return parse_quiet_hours(value)
    except ValueError:
        # The system check (notify.checks) reports it at start; here a wrong setting must not fail the case
        # action that queues a message, so it means no quiet hours, logged once per value.
        log.error("XIUHUA_MESSAGE_QUIET_HOURS %r is not like %s: no quiet hours", value, QUIET_HOURS_FORMAT)
        return None


def quiet_window() -> tuple[time, time] | None:
    """`XIUHUA_MESSAGE_QUIET_HOURS` ("21:00-08:00", local time) as (start, end); None when switched off ("")
    or malformed."""
    return _quiet_window(str(getattr(settings, "XIUHUA_MESSAGE_QUIET_HOURS", "") or ""))


def quiet_until(moment: datetime) -> datetime | None:
    """The end of the quiet hours `moment` falls in (the next 08:00 local time), or None outside them."""
    window = quiet_window()
    if window is None:
        return None
    start, end = window
    local = timezone.localtime(moment)
    clock = local.time()
    inside = start <= clock < end if start < end else (clock >= start or clock < end)
    if not inside:
        return None
    release = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if release <= local:
        release += timedelta(days=1)
    # Built in local time so a release is 08:00 on the wall clock; stored (and compared) as an aware instant.
    return timezone.make_aware(release.replace(tzinfo=None), timezone.get_default_timezone())


def hourly_ceiling() -> int:
    return int(getattr(settings, "XIUHUA_MESSAGE_HOURLY_CEILING", 0) or 0)


def recent_dues(digests: Iterable[tuple[str, str]], since: datetime) -> dict[tuple[str, str], list[datetime]]:
    """When each recent message to each (channel, digest) is due, newest first: one query for all of them.

    Only dues after `since` (an hour before the earliest moment asked about) can count under the ceiling."""
    wanted = {(channel, digest) for channel, digest in digests if digest}
    dues: dict[tuple[str, str], list[datetime]] = defaultdict(list)
    if not wanted or hourly_ceiling() <= 0:
        return dues
    rows = (
        Message.objects.filter(channel__in={c for c, _d in wanted}, address_digest__in={d for _c, d in wanted})
        .exclude(status=MessageStatus.FAILED)
        .annotate(due=Coalesce("not_before", "queued_at", output_field=DateTimeField()))
        .filter(due__gt=since)
        .order_by("-due")
        .values_list("channel", "address_digest", "due")
    )
    for channel, digest, due in rows:
        dues[(channel, digest)].append(due)
    return dues


def ceiling_from(dues: list[datetime], at: datetime) -> datetime | None:
    """`ceiling_until` over known dues (newest first; at least those less than an hour before `at`)."""
    ceiling = hourly_ceiling()
    if ceiling <= 0:
        return None
    counting = [due for due in dues if due + HOUR > at]
    return counting[ceiling - 1] + HOUR if len(counting) >= ceiling else None


def ceiling_until(channel: str, digest: str, at: datetime) -> datetime | None:
    """When one more message to this address fits under the hourly ceiling, if not at `at`.

    Each message counts at the time it is due to go (its hold, else when it was queued). If the ceiling-th
    latest of them is less than an hour before `at`, the new one waits until that one is an hour old: the
    11th message of an hour goes when the hour's first is an hour old, the 12th when the second is, and so on,
    so no window of one hour ever holds more than the ceiling. Failed messages reached nobody and do not count."""
    ceiling = int(getattr(settings, "XIUHUA_MESSAGE_HOURLY_CEILING", 0) or 0)
    if ceiling <= 0 or not digest:
        return None
    latest = list(
        Message.objects.filter(channel=channel, address_digest=digest)
        .exclude(status=MessageStatus.FAILED)
        .annotate(due=Coalesce("not_before", "queued_at", output_field=DateTimeField()))
        .order_by("-due")
        .values_list("due", flat=True)[:ceiling]
    )
    if len(latest) < ceiling or latest[-1] + HOUR <= at:
        return None
    return latest[-1] + HOUR


def release_time(
    *,
    channel: str,
    digest: str,
    to_person: bool,
    urgent: bool,
    wanted: datetime | None,
    now: datetime,
    dues: list[datetime] | None = None,
) -> datetime | None:
    """The `not_before` of a message being queued: `wanted` (the caller's own hold), moved past quiet hours
    (SMS to citizens and shops, `to_person` False) and past the hourly ceiling. None = send at once.

    `dues`: the address's recent dues when the caller read them for many messages at once (`recent_dues`)."""
    if urgent:
        return wanted
    at = max(wanted or now, now)
    quiet = channel == MessageChannel.SMS and not to_person
    for _ in range(4):  # a ceiling's hold can end inside quiet hours, and the morning can be full
        moved = (quiet and quiet_until(at)) or (
            ceiling_from(dues, at) if dues is not None else ceiling_until(channel, digest, at)
        )
        if not moved:
            break
        at = moved
    return at if at > now or wanted else None
