"""Reading the outbox: who may, the filters of the outbox page and API, and each message as a person sees it
(names, never full phone numbers or e-mail addresses)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from xiuhua.accounts.choices import Role
from xiuhua.accounts.privacy import mask_name, mask_phone
from xiuhua.core import crypto
from xiuhua.core.errors import PermissionDenied
from xiuhua.notify.figures import day_bounds
from xiuhua.notify.models import ChannelHealth, Message, MessageChannel
from xiuhua.notify.outbox import MOBILE, address_digest

# The centre's shift leader watches the outbox; the system administrator keeps the channels running.
OUTBOX_ROLES = frozenset({Role.SHIFT_LEADER, Role.SYSADMIN})
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


def may_read_outbox(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.role in OUTBOX_ROLES)


def check_may_read_outbox(user: Any) -> None:
    if not may_read_outbox(user):
        raise PermissionDenied("只有值班长和系统管理员可以查看发件箱")


@dataclass(frozen=True)
class MessageFilters:
    channel: str = ""
    status: str = ""
    kind: str = ""
    recipient: str = ""  # a full phone number or e-mail address (matched by digest), or a user's name
    date_from: date | None = None
    date_to: date | None = None
    batch: int | None = None


def recipient_filter(text: str) -> Q:
    """A full phone number or e-mail address matches by its keyed digest (the column is encrypted, so no LIKE
    on it); anything else matches the recipient account's name or user name."""
    text = text.strip()
    phone = crypto.normalise_phone(text)
    if MOBILE.match(phone):
        return Q(address_digest=address_digest(MessageChannel.SMS, phone))
    if EMAIL.match(text):
        return Q(address_digest=address_digest(MessageChannel.EMAIL, text))
    by_name = Q(recipient__display_name__icontains=text) | Q(recipient__username__iexact=text)
    return by_name | Q(address_digest=address_digest(MessageChannel.WECOM, text))


def filter_messages(filters: MessageFilters) -> QuerySet[Message]:
    rows = Message.objects.select_related("recipient", "batch")
    for name in ("channel", "status", "kind"):
        if value := getattr(filters, name):
            rows = rows.filter(**{name: value})
    if filters.recipient.strip():
        rows = rows.filter(recipient_filter(filters.recipient))
    start, end = day_bounds(filters.date_from, filters.date_to)
    if start:
        rows = rows.filter(queued_at__gte=start)
    if end:
        rows = rows.filter(queued_at__lt=end)
    if filters.batch:
        rows = rows.filter(batch_id=filters.batch)
    return rows


def mask_email(address: str) -> str:
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}" if domain else mask_name(address)


def masked_address(channel: str, address: str) -> str:
    """An address as every page, export and API shows it: phones 138****5678, e-mail z***@example.cn."""
    if not address:
        return ""
    if channel == MessageChannel.SMS:
        return mask_phone(address)
    if channel == MessageChannel.EMAIL:
        return mask_email(address)
    return address  # a WeCom user id names an account, not a person's contact


def recipient_label(message: Message) -> str:
    """The recipient account's name, or the masked address of a citizen or shop."""
    if message.recipient_id:
        return str(message.recipient)
    name = (message.variables or {}).get("name", "")
    masked = masked_address(message.channel, message.address)
    return f"{mask_name(name)} {masked}".strip() if name else masked


def message_out(message: Message) -> dict[str, Any]:
    """One message for the API (and the page's rows): no full address anywhere."""
    return {
        "id": message.pk,
        "channel": message.channel,
        "kind": message.kind,
        "recipient": recipient_label(message),
        "recipient_user": message.recipient.username if message.recipient_id else None,
        "address": masked_address(message.channel, message.address),
        "title": message.title,
        "text": message.text,
        "subject_type": message.subject_type,
        "subject": message.subject,
        "status": message.status,
        "attempts": message.attempts,
        "failure_reason": message.failure_reason,
        "urgent": message.urgent,
        "batch": message.batch_id,
        "resend_of": message.resend_of_id,
        "caused_at": message.caused_at,
        "queued_at": message.queued_at,
        "sending_at": message.sending_at,
        "sent_at": message.sent_at,
        "delivered_at": message.delivered_at,
        "failed_at": message.failed_at,
    }


def channel_outages() -> list[ChannelHealth]:
    """Outside channels the worker last found unreachable."""
    return list(ChannelHealth.objects.filter(reachable=False).order_by("channel"))
