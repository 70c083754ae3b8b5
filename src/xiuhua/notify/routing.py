"""Who gets what: the outside channels a notice goes out on, by its kind (`XIUHUA_MESSAGE_ROUTES`), limited to
the channels switched on (`XIUHUA_MESSAGE_CHANNELS`), and the address each user has on each channel."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone

from xiuhua.notify.channels.base import enabled_channel_codes
from xiuhua.notify.models import MessageChannel
from xiuhua.notify.outbox import Draft, queue


def routed_channels(kind: str) -> list[str]:
    """The outside channels of a message kind that are switched on, in the route's order."""
    enabled = set(enabled_channel_codes())
    return [code for code in settings.XIUHUA_MESSAGE_ROUTES.get(kind, []) if code in enabled]


def user_address(user, channel: str) -> str:
    """Where `user` receives on `channel` ("" when they have no address there)."""
    if channel == MessageChannel.SMS:
        return user.phone
    if channel == MessageChannel.WECOM:
        return user.wecom_userid
    if channel == MessageChannel.EMAIL:
        return user.email
    return ""


def site_link(path: str) -> str:
    """An absolute link for a message read outside the browser ("" without XIUHUA_SITE_URL)."""
    base = settings.XIUHUA_SITE_URL.rstrip("/")
    return f"{base}{path}" if base and path else ""


def notice_text(draft) -> str:
    return f"{draft.title}。{draft.body}" if draft.body else draft.title


def queue_for_users(users: Iterable, draft) -> int:
    """Queue `draft` (a NoticeDraft) on each routed outside channel of each user; returns the messages queued."""
    channels = routed_channels(draft.message_kind)
    if not channels:
        return 0
    now = timezone.now()
    link = site_link(f"/cases/{draft.subject}/") if draft.subject else ""
    queued = 0
    for user in users:
        for channel in channels:
            queue(
                Draft(
                    channel=channel,
                    kind=draft.message_kind,
                    text=notice_text(draft),
                    title=draft.title,
                    address=user_address(user, channel),
                    recipient=user,
                    link=link,
                    subject_type="case" if draft.subject else "",
                    subject=draft.subject,
                    caused_at=now,
                )
            )
            queued += 1
    return queued
