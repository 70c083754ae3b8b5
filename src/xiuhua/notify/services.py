"""One interface for outgoing notices: `send_notice` hands a message to every configured channel.

The inbox channel writes inside the caller's transaction, so a notice exists exactly when the action
that caused it does. Channels that talk to the outside world (SMS, WeChat) must send after commit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.module_loading import import_string

from xiuhua.notify.models import ACTIONABLE_KINDS, Notice


@dataclass(frozen=True)
class Message:
    kind: str
    title: str
    body: str = ""
    subject: str = ""


class Channel(Protocol):
    def deliver(self, recipients: Sequence, message: Message) -> None: ...


class InboxChannel:
    """The in-app inbox: one Notice row per recipient."""

    def deliver(self, recipients: Sequence, message: Message) -> None:
        Notice.objects.bulk_create(
            Notice(recipient=user, kind=message.kind, title=message.title, body=message.body, subject=message.subject)
            for user in recipients
        )


class AfterCommit:
    """Wraps an outside-world channel so that a rolled-back action sends nothing."""

    def __init__(self, channel: Channel) -> None:
        self.channel = channel

    def deliver(self, recipients: Sequence, message: Message) -> None:
        transaction.on_commit(lambda: self.channel.deliver(recipients, message))


def configured_channels() -> list[Channel]:
    channels: list[Channel] = []
    for path in getattr(settings, "XIUHUA_NOTIFY_CHANNELS", ["xiuhua.notify.services.InboxChannel"]):
        channel = import_string(path)()
        channels.append(channel if isinstance(channel, InboxChannel) else AfterCommit(channel))
    return channels


def send_notice(recipients: Iterable, message: Message) -> int:
    """Send `message` to each distinct recipient through every channel; returns the number of recipients."""
    unique = list({user.pk: user for user in recipients if user is not None and user.is_active}.values())
    if unique:
        for channel in configured_channels():
            channel.deliver(unique, message)
    return len(unique)


def mark_read(user, notice_ids: Iterable[int]) -> int:
    return Notice.objects.filter(recipient=user, pk__in=list(notice_ids), read_at__isnull=True).update(
        read_at=timezone.now()
    )


def mark_all_read(user) -> int:
    """全部已读: every unread notice of the user."""
    return Notice.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


def mark_subject_read(user, subject: str) -> int:
    """Every unread notice of the user about one case (a row of the grouped inbox)."""
    return Notice.objects.filter(recipient=user, subject=subject, read_at__isnull=True).update(read_at=timezone.now())


def settle_notices(subject: str, recipients: QuerySet | None = None) -> int:
    """Mark as read the unread notices about `subject` (a case number), of `recipients` (users) or of everyone.

    Called by the workflow when someone has acted on the case: a task notice that has been dealt with no
    longer asks anything of its recipient, and leaving it unread is what made the bell meaningless.
    """
    if not subject:
        return 0
    notices = Notice.objects.filter(subject=subject, read_at__isnull=True)
    if recipients is not None:
        notices = notices.filter(recipient__in=recipients)
    return notices.update(read_at=timezone.now())


def actionable_unread(user) -> QuerySet:
    """The user's unread notices of the kinds that ask for action (before any check of the case's state)."""
    return Notice.objects.filter(recipient=user, read_at__isnull=True, kind__in=ACTIONABLE_KINDS)
