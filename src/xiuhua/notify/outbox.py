"""The outbox: queue a message inside the action's transaction, and every later step of its life.

Life of a message: queued → sending (claimed by one worker) → sent → delivered, or failed. Each step is one
short transaction on the message row, so a worker killed at any point leaves every row in a state a restarted
worker resolves without sending anything twice (see `recover_interrupted`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from xiuhua.core import crypto
from xiuhua.notify import pacing, templating
from xiuhua.notify.channels.base import Outgoing
from xiuhua.notify.models import Message, MessageChannel, MessagePart, MessageStatus, MessageTemplate

log = logging.getLogger("xiuhua.messages")

MOBILE = re.compile(r"^1[3-9]\d{9}$")
WECOM_USERID = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")


@dataclass(frozen=True)
class Draft:
    """A message to queue: who, on which channel, what, and what caused it."""

    channel: str
    kind: str
    text: str
    address: str = ""
    recipient: Any = None  # a User, or None for citizens and shops (address only)
    title: str = ""
    link: str = ""
    subject_type: str = ""
    subject: str = ""
    caused_at: datetime | None = None
    urgent: bool = False
    template: MessageTemplate | None = None
    variables: dict | None = None
    idempotency_key: str | None = None
    not_before: datetime | None = None
    batch_id: int | None = None
    resend_of_id: int | None = None


def address_problem(channel: str, address: str) -> str:
    """Why `address` cannot receive on `channel` (in Chinese), or "" when it can."""
    if not address:
        return "收件人没有该渠道的联系方式"
    if channel == MessageChannel.SMS and not MOBILE.match(crypto.normalise_phone(address)):
        return f"手机号码格式不正确（{len(address)} 位）"
    if channel == MessageChannel.EMAIL:
        try:
            validate_email(address)
        except ValidationError:
            return "电子邮件地址格式不正确"
    if channel == MessageChannel.WECOM and not WECOM_USERID.match(address):
        return "政务微信账号格式不正确"
    return ""


def address_digest(channel: str, address: str) -> str:
    """The keyed digest of one recipient address on one channel ("" for none): ceilings count by it."""
    if not address:
        return ""
    value = crypto.normalise_phone(address) if channel == MessageChannel.SMS else address.strip().lower()
    return crypto.keyed_digest(f"{channel}:{value}")


def active_template(kind: str, channel: str) -> MessageTemplate | None:
    return MessageTemplate.objects.filter(kind=kind, channel=channel, active=True).first()


def clean_address(channel: str, address: str) -> str:
    return crypto.normalise_phone(address) if channel == MessageChannel.SMS else address.strip()


class Lookups:
    """What building many messages in one call reads once instead of once per message: the active template of
    each (kind, channel), and the recent messages to each address (the hourly ceiling). Made for one call and
    dropped after it, so a template changed meanwhile is used by the next call."""

    def __init__(self, dues: dict[tuple[str, str], list[datetime]] | None = None) -> None:
        self.templates: dict[tuple[str, str], MessageTemplate | None] = {}
        self.dues = dues  # None: not read, each message asks the database (pacing.ceiling_until)

    @classmethod
    def for_drafts(cls, drafts: Iterable[Draft], now: datetime) -> Lookups:
        """Lookups with the recent dues of every address of `drafts` read in one query."""
        keys = [(d.channel, address_digest(d.channel, clean_address(d.channel, d.address))) for d in drafts]
        return cls(pacing.recent_dues(keys, since=now - pacing.HOUR))

    def template(self, kind: str, channel: str) -> MessageTemplate | None:
        if (kind, channel) not in self.templates:
            self.templates[(kind, channel)] = active_template(kind, channel)
        return self.templates[(kind, channel)]

    def dues_of(self, channel: str, digest: str) -> list[datetime] | None:
        return None if self.dues is None else self.dues.setdefault((channel, digest), [])

    def note(self, message: Message) -> None:
        """A message built in this call counts under the ceiling for the next ones to the same address."""
        if self.dues is None or message.status == MessageStatus.FAILED or not message.address_digest:
            return
        dues = self.dues.setdefault((message.channel, message.address_digest), [])
        due = message.not_before or message.queued_at
        dues.append(due)
        dues.sort(reverse=True)  # newest first, as read


def rendered(draft: Draft, lookups: Lookups | None = None) -> tuple[MessageTemplate | None, str, str, dict]:
    """(template, title, text, variables) of a draft: from the kind's active template on its channel when
    there is one and the draft has every variable it prints, else the draft's own title and text.

    A draft without variables is a caller that wrote its own text (a person's resend, a test message): it is
    sent as written."""
    variables = {"title": draft.title, "link": draft.link, **(draft.variables or {})}
    find = lookups.template if lookups is not None else active_template
    template = draft.template or (find(draft.kind, draft.channel) if draft.variables else None)
    if template is not None:
        text = templating.render(template.body, {**variables, "text": draft.text})
        title = templating.render(template.title, {**variables, "text": draft.text}) if template.title else ""
        if text:
            return template, (title or draft.title), text, variables
    return None, draft.title, draft.text, variables


def build(draft: Draft, now: datetime | None = None, lookups: Lookups | None = None) -> Message:
    """The unsaved outbox row of `draft`: address normalised and checked (a bad one makes a failed row), text
    from the kind's template (notify.templating), held by quiet hours or the hourly ceiling (notify.pacing).
    Batches build their rows with it and insert them in chunks; everyone else calls `queue` or `queue_many`.

    `lookups` (one per call building many rows) reads templates and ceilings once for all of them."""
    now = now or timezone.now()
    address = clean_address(draft.channel, draft.address)
    problem = address_problem(draft.channel, address)
    digest = address_digest(draft.channel, address)
    template, title, text, variables = rendered(draft, lookups)
    not_before = draft.not_before
    if not problem:
        not_before = pacing.release_time(
            channel=draft.channel,
            digest=digest,
            to_person=draft.recipient is not None,
            urgent=draft.urgent,
            wanted=draft.not_before,
            now=now,
            dues=lookups.dues_of(draft.channel, digest) if lookups is not None else None,
        )
    message = Message(
        channel=draft.channel,
        kind=draft.kind,
        recipient=draft.recipient,
        address=address,
        address_digest=digest,
        template=template,
        variables=variables,
        title=title[:200],
        text=text,
        link=draft.link,
        subject_type=draft.subject_type,
        subject=draft.subject,
        caused_at=draft.caused_at or now,
        urgent=draft.urgent,
        batch_id=draft.batch_id,
        resend_of_id=draft.resend_of_id,
        idempotency_key=draft.idempotency_key,
        not_before=not_before,
        queued_at=now,
    )
    if problem:
        message.status, message.failed_at, message.failure_reason = MessageStatus.FAILED, now, problem
    if lookups is not None:
        lookups.note(message)
    return message


def queue(draft: Draft, *, now: datetime | None = None) -> Message:
    """Write one message to the outbox, in the caller's transaction (a rolled-back action sends nothing).

    A malformed address gives a failed message with the reason, never an exception. A draft whose
    idempotency key is already queued returns the existing message."""
    if draft.idempotency_key:
        existing = Message.objects.filter(idempotency_key=draft.idempotency_key).first()
        if existing:
            return existing
    message = build(draft, now)
    try:
        with transaction.atomic():  # a savepoint: a concurrent twin with the same key must not break the action
            message.save()
    except IntegrityError:
        if not draft.idempotency_key:
            raise
        return Message.objects.get(idempotency_key=draft.idempotency_key)
    return message


def queue_many(drafts: list[Draft], *, now: datetime | None = None) -> list[Message]:
    """`queue` for many drafts without idempotency keys (a notice to several people on several channels), in a
    bounded number of queries: templates and ceilings read once, one INSERT."""
    if any(draft.idempotency_key for draft in drafts):
        raise ValueError("queue_many takes drafts without idempotency keys; use queue for those")
    now = now or timezone.now()
    lookups = Lookups.for_drafts(drafts, now)
    return Message.objects.bulk_create([build(draft, now, lookups) for draft in drafts])


def outgoing(message: Message) -> Outgoing:
    return Outgoing(
        message_id=message.pk,
        address=message.address,
        title=message.title,
        text=message.text,
        link=message.link,
        provider_template_id=message.template.provider_template_id if message.template_id else "",
        variables=message.variables,
        urgent=message.urgent,
    )


UNCERTAIN = "发送过程中断，无法确认是否已发出；请核实后在发件箱重发"
SENDING_ORDER = ("-urgent", "id")  # urgent first, then first come first served


def claim(channel: str, worker: str, limit: int) -> list[Message]:
    """Take up to `limit` due queued messages of `channel` for `worker`, urgent ones first: each row is claimed
    by exactly one worker (row locks skipped by the others on PostgreSQL; SQLite has one writer at a time).

    Claiming is not handing over: each message is stamped by `hand_over` just before it goes to the provider."""
    now = timezone.now()
    with transaction.atomic():
        due = (
            Message.objects.select_for_update(skip_locked=True)
            .filter(channel=channel, status=MessageStatus.QUEUED)
            .filter(Q(not_before__isnull=True) | Q(not_before__lte=now))
            .order_by(*SENDING_ORDER)
            .values_list("pk", flat=True)[:limit]
        )
        ids = list(due)
        if not ids:
            return []
        Message.objects.filter(pk__in=ids, status=MessageStatus.QUEUED).update(
            status=MessageStatus.SENDING,
            sending_at=now,
            handed_at=None,
            claimed_by=worker,
            attempts=F("attempts") + 1,
        )
    mine = Message.objects.filter(pk__in=ids, status=MessageStatus.SENDING, claimed_by=worker)
    return list(mine.select_related("template").order_by(*SENDING_ORDER))


def hand_over(message: Message) -> bool:
    """Stamp `message` as being handed to the provider now, just before the channel sends it. False when the
    row is no longer this worker's (its lease ran out and another worker's recovery took it): do not send it.

    The stamp also renews the lease for this message alone, so a slow batch does not expire under its worker."""
    now = timezone.now()
    stamped = Message.objects.filter(pk=message.pk, status=MessageStatus.SENDING, claimed_by=message.claimed_by).update(
        handed_at=now, sending_at=now
    )
    if stamped:
        message.handed_at = message.sending_at = now
    return bool(stamped)


def held(message: Message) -> QuerySet[Message]:
    """The row of `message` while its worker still holds it (neither recovered nor re-claimed by another)."""
    return Message.objects.filter(pk=message.pk, status=MessageStatus.SENDING, claimed_by=message.claimed_by)


def mark_sent(message: Message, provider_id: str, *, delivered: bool) -> None:
    """The provider took the message. Without receipts to come, taking it is delivering it."""
    now = timezone.now()
    fields = {"status": MessageStatus.SENT, "sent_at": now, "provider_id": provider_id[:100], "failure_reason": ""}
    if delivered:
        fields.update(status=MessageStatus.DELIVERED, delivered_at=now)
    part_ids = provider_id.split(",") if "," in provider_id else []
    with transaction.atomic():
        updated = held(message).update(**fields)
        if updated and part_ids and not delivered:  # a message in several parts: each part has its receipt
            MessagePart.objects.bulk_create([MessagePart(message_id=message.pk, provider_id=pid) for pid in part_ids])
    if not updated:
        # The provider took it, but the row was recovered meanwhile (lease shorter than the send took): the
        # outbox now says "cannot confirm" for a message that went out. Say so where an operator looks.
        status = Message.objects.filter(pk=message.pk).values_list("status", flat=True).first()
        log.warning(
            "message %s was taken by the provider (id %s) after its lease ran out; the outbox row is %s, "
            "not updated (raise XIUHUA_MESSAGE_LEASE_SECONDS above the channel's timeout)",
            message.pk,
            provider_id,
            status,
        )


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, 4 min … capped at one hour."""
    return timedelta(seconds=min(3600, 30 * 2 ** max(0, attempts - 1)))


def mark_retry(message: Message, reason: str, retry_after: float | None = None) -> None:
    """A temporary failure: queued again after a backoff, or failed for good after the last attempt."""
    now = timezone.now()
    rows = held(message)
    if message.attempts >= settings.XIUHUA_MESSAGE_MAX_ATTEMPTS:
        rows.update(
            status=MessageStatus.FAILED, failed_at=now, failure_reason=f"{reason}（已重试 {message.attempts} 次）"
        )
        return
    wait = timedelta(seconds=retry_after) if retry_after is not None else backoff(message.attempts)
    rows.update(status=MessageStatus.QUEUED, not_before=now + wait, claimed_by="", failure_reason=reason[:300])


def mark_failed(message: Message, reason: str) -> None:
    held(message).update(status=MessageStatus.FAILED, failed_at=timezone.now(), failure_reason=reason[:300])


def record_receipt(channel: str, provider_id: str, delivered: bool, reason: str = "") -> int:
    """A delivery receipt from the provider: the message it names becomes delivered or failed. Returns the
    number of messages updated (0 for a receipt about nothing we know, or one already settled)."""
    now = timezone.now()
    rows = Message.objects.filter(
        channel=channel, provider_id=provider_id, status__in=[MessageStatus.SENT, MessageStatus.SENDING]
    )
    if delivered:
        settled = rows.update(status=MessageStatus.DELIVERED, delivered_at=now, failure_reason="")
    else:
        settled = rows.update(
            status=MessageStatus.FAILED, failed_at=now, failure_reason=(reason or "运营商回执：未送达")[:300]
        )
    return settled or record_part_receipt(channel, provider_id, delivered, reason)


def record_part_receipt(channel: str, provider_id: str, delivered: bool, reason: str = "") -> int:
    """The receipt of one part of a message sent in parts: the message is delivered once all its parts are,
    failed as soon as one is not."""
    with transaction.atomic():
        part = (
            MessagePart.objects.select_for_update()
            .filter(provider_id=provider_id, message__channel=channel, delivered__isnull=True)
            .first()
        )
        if part is None:
            return 0
        part.delivered = delivered
        part.save(update_fields=["delivered"])
        rows = Message.objects.filter(pk=part.message_id, status=MessageStatus.SENT)
        now = timezone.now()
        if not delivered:
            reason = f"{reason or '运营商回执：未送达'}（长短信的一部分）"
            return rows.update(status=MessageStatus.FAILED, failed_at=now, failure_reason=reason[:300])
        if MessagePart.objects.filter(message_id=part.message_id).exclude(delivered=True).exists():
            return 0
        return rows.update(status=MessageStatus.DELIVERED, delivered_at=now, failure_reason="")


def recover_interrupted(channel: str, *, older_than: timedelta) -> int:
    """Messages left `sending` by a worker that stopped (killed, crashed) longer ago than `older_than`.

    One never handed over (no `handed_at`: it waited in the worker's batch) goes back to the queue, its
    attempt not counted. One handed over may or may not have reached the provider; sending it again could send
    it twice, so it is not resent: it fails with a reason a person can act on (resend from the outbox page).
    Returns the number of messages failed."""
    now = timezone.now()
    stale = Message.objects.filter(channel=channel, status=MessageStatus.SENDING, sending_at__lt=now - older_than)
    requeued = stale.filter(handed_at__isnull=True).update(
        status=MessageStatus.QUEUED, claimed_by="", sending_at=None, attempts=F("attempts") - 1
    )
    failed = stale.filter(handed_at__isnull=False).update(
        status=MessageStatus.FAILED, failed_at=now, failure_reason=UNCERTAIN
    )
    if requeued or failed:
        log.warning("%s: %s interrupted message(s) queued again, %s failed as uncertain", channel, requeued, failed)
    return failed


def resend(message: Message) -> Message:
    """A person's resend of a failed message: the same text to the same address, as a new outbox row (the
    failed one stays as it was, for the record)."""
    if message.status != MessageStatus.FAILED:
        from xiuhua.core.errors import DomainError

        raise DomainError("只能重发发送失败的消息")
    return queue(
        Draft(
            channel=message.channel,
            kind=message.kind,
            text=message.text,
            address=message.address,
            recipient=message.recipient,
            title=message.title,
            link=message.link,
            subject_type=message.subject_type,
            subject=message.subject,
            caused_at=message.caused_at,
            urgent=message.urgent,
            template=message.template,
            variables=message.variables,
            batch_id=message.batch_id,
            resend_of_id=message.pk,
        )
    )
