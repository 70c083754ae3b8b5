"""One interface for notices to users: `send_notice` puts a notice in each recipient's inbox and queues it on
the outside channels that the kind's route and the user allow (SMS, WeCom, e-mail: notify.routing).

Both happen inside the caller's transaction: the inbox row and the outbox rows exist exactly when the action
that caused them does. The message worker sends the outbox after commit (notify.sender).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone

from xiuhua.notify.models import ACTIONABLE_KINDS, Notice


@dataclass(frozen=True)
class NoticeDraft:
    kind: str  # NoticeKind: the inbox's category
    title: str
    body: str = ""
    subject: str = ""  # a case number
    # MessageKind when finer than the inbox's kind (an approval waiting is a TASK in the inbox); "" = kind.
    reason: str = ""
    # Template variables of outside messages (notify.templating.KIND_VARIABLES): case, class_name, deadline …
    variables: dict = field(default_factory=dict)
    # Sent before everything else waiting on the channel, and not held by quiet hours or the hourly ceiling.
    urgent: bool = False

    @property
    def message_kind(self) -> str:
        return self.reason or self.kind


def deliver_to_inbox(recipients: Iterable, draft: NoticeDraft) -> None:
    """The in-app inbox: one Notice row per recipient."""
    Notice.objects.bulk_create(
        Notice(recipient=user, kind=draft.kind, title=draft.title, body=draft.body, subject=draft.subject)
        for user in recipients
    )


def send_notice(recipients: Iterable, draft: NoticeDraft) -> int:
    """Send `draft` to each distinct active recipient; returns the number of recipients."""
    from xiuhua.notify.routing import queue_for_users

    unique = list({user.pk: user for user in recipients if user is not None and user.is_active}.values())
    if unique:
        deliver_to_inbox(unique, draft)
        queue_for_users(unique, draft)
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
