"""Reading the outbox: who may, which messages and batches each reader sees (`visible_messages`,
`visible_batches`: every surface goes through them), the filters of the outbox page and API, and each message as
a person sees it (names, never full phone numbers or e-mail addresses, never a citizen's lookup code).

Data scope: a message about a case is visible when the case is (the cases app registers that rule here with
`register_subject_scope`, since notify sits below cases); a message about no case (a batch, a notice about
nothing) only to readers whose scope is the whole territory, or to the batch's creator. The superuser sees all.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from xiuhua.accounts.choices import Role
from xiuhua.accounts.privacy import Visibility, contact_visibility, mask_name, mask_phone
from xiuhua.accounts.queries import sees_everything, sees_whole_district
from xiuhua.core import crypto
from xiuhua.core.errors import NotFound, PermissionDenied
from xiuhua.notify.figures import day_bounds
from xiuhua.notify.models import ChannelHealth, Message, MessageBatch, MessageChannel, MessageKind
from xiuhua.notify.outbox import MOBILE, address_digest

# The centre's shift leader watches the outbox; the system administrator keeps the channels running.
OUTBOX_ROLES = frozenset({Role.SHIFT_LEADER, Role.SYSADMIN})
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
# Address-like pieces of free text (a provider's failure text echoes the recipient: "<user@example.cn>").
EMAIL_IN_TEXT = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
MOBILE_IN_TEXT = re.compile(r"(?<!\d)(?:\+?86)?1[3-9]\d{9}(?!\d)")
# The lookup code in a citizen's link (…/public/cases/20261207-0001/?code=AB12CD).
CODE_PARAMETER = re.compile(r"([?&]code=)([A-Za-z0-9%_~-]+)")  # ASCII only: "…?code=AB12CD。" keeps its 。
# The channels an outbox row can have: the inbox is no outbox channel (its notices are not messages).
OUTBOX_CHANNELS = [c for c in MessageChannel.values if c != MessageChannel.INBOX]
CITIZEN_KINDS = frozenset({MessageKind.CITIZEN_RECEIPT, MessageKind.CITIZEN_CLOSURE})

# subject_type → a function giving, for a reader, the Q over Message of the messages about subjects of that type
# the reader may see (e.g. "case": the cases the reader sees). Filled by the apps above notify in their ready().
SubjectScope = Callable[[Any], Q]
_SUBJECT_SCOPES: dict[str, SubjectScope] = {}


def register_subject_scope(subject_type: str, scope: SubjectScope) -> None:
    _SUBJECT_SCOPES[subject_type] = scope


def may_read_outbox(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.role in OUTBOX_ROLES)


def check_may_read_outbox(user: Any) -> None:
    if not may_read_outbox(user):
        raise PermissionDenied("只有值班长和系统管理员可以查看发件箱")


def sees_whole_territory(user: Any) -> bool:
    """Readers of messages and batches that belong to no place: a whole-district scope or the superuser."""
    return sees_whole_district(user)


def visible_batches(user: Any) -> QuerySet[MessageBatch]:
    """The batches the user may see: all for a whole-territory scope, otherwise the ones the user created."""
    batches = MessageBatch.objects.all()
    if sees_whole_territory(user):
        return batches
    return batches.filter(created_by_id=user.pk)


def visible_batch(user: Any, batch_id: int) -> MessageBatch:
    """One batch the user may see; another's is as absent as a missing one (404)."""
    batch = visible_batches(user).filter(pk=batch_id).select_related("created_by").first()
    if batch is None:
        raise NotFound("批次不存在")
    return batch


def visible_messages(user: Any) -> QuerySet[Message]:
    """The one permission helper of the outbox: every list, figure, resend and export starts here.

    A message about a subject with a registered scope (a case) is visible when its subject is; one about a batch
    when the batch is; any other (no subject, or a subject type nobody registered) only to a whole-territory
    reader. An empty scope sees nothing."""
    rows = Message.objects.all()
    if sees_everything(user):
        return rows
    whole = sees_whole_territory(user)
    visible = Q(batch__in=visible_batches(user)) if not whole else Q(subject_type="batch")
    registered = list(_SUBJECT_SCOPES)
    for subject_type, scope in _SUBJECT_SCOPES.items():
        visible |= Q(subject_type=subject_type) & scope(user)
    if whole:  # messages about no place: the territory's
        visible |= ~Q(subject_type__in=[*registered, "batch"])
    return rows.filter(visible)


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


def filter_messages(user: Any, filters: MessageFilters) -> QuerySet[Message]:
    """The messages `user` may see that match the filters."""
    rows = visible_messages(user).select_related("recipient", "batch")
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


def shown_failure_reason(reason: str) -> str:
    """A failure reason as every page, API and export shows it: a provider's text may echo the recipient's
    e-mail address or mobile number, which are masked like the address column."""
    reason = EMAIL_IN_TEXT.sub(lambda found: mask_email(found.group()), reason or "")
    return MOBILE_IN_TEXT.sub(lambda found: mask_phone(found.group()), reason)


def name_visibility(viewer: Any, batch_creator_id: int | None) -> Visibility:
    """The privacy rule on a batch recipient's name and address: not confidential, no place of their own;
    whoever entered the list sees it in full (as an inspector sees the report they entered), others as the rule
    says."""
    return contact_visibility(viewer, confidential=False, division_code="", entered_by_id=batch_creator_id)


def shown_text(message: Message, viewer: Any) -> str:
    """The message text as `viewer` may read it: a citizen's lookup code (which lets its holder rate the case,
    and which no staff page shows) in asterisks, and the recipient's name masked unless the privacy rule gives
    the viewer the contact in full."""
    text = message.text or ""
    variables = message.variables or {}
    if message.kind in CITIZEN_KINDS:
        text = CODE_PARAMETER.sub(lambda found: found.group(1) + "*" * len(found.group(2)), text)
        code = str(variables.get("code") or "")
        if code:
            text = text.replace(code, "*" * len(code))
    name = str(variables.get("name") or "")
    if name and name in text:
        creator = message.batch.created_by_id if message.batch_id and message.batch else None
        if name_visibility(viewer, creator) != Visibility.FULL:
            text = text.replace(name, mask_name(name))
    return text


def message_out(message: Message, viewer: Any) -> dict[str, Any]:
    """One message for the API (and the page's rows) as `viewer` may see it: no full address anywhere."""
    return {
        "id": message.pk,
        "channel": message.channel,
        "kind": message.kind,
        "recipient": recipient_label(message),
        "recipient_user": message.recipient.username if message.recipient_id else None,
        "address": masked_address(message.channel, message.address),
        "title": message.title,
        "text": shown_text(message, viewer),
        "subject_type": message.subject_type,
        "subject": message.subject,
        "status": message.status,
        "attempts": message.attempts,
        "failure_reason": shown_failure_reason(message.failure_reason),
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
