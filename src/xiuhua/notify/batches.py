"""Batch sends: one message to many recipients (a reminder to every shop of a street, a notice to all staff of a
role) as one job with progress.

A batch is drafted (recipients read from an uploaded sheet or chosen staff, text checked, nothing queued), then
confirmed and prepared: its recipients are written to the outbox in chunks, each chunk in one transaction with
the batch's progress (`prepared`). A process killed while preparing leaves the batch `preparing`; resuming
continues from `prepared`, and each message's idempotency key (batch and row) makes a chunk written twice queue
nothing twice. The message worker sends the queued messages as any others.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.template import Context, Template
from django.utils import timezone

from xiuhua.accounts.privacy import mask_name
from xiuhua.core import tabular
from xiuhua.core.errors import DomainError, NotFound
from xiuhua.notify import templating
from xiuhua.notify.models import Message, MessageBatch, MessageChannel, MessageKind, MessageStatus
from xiuhua.notify.outbox import Draft, Lookups, build
from xiuhua.notify.queries import shown_failure_reason
from xiuhua.notify.routing import user_address

log = logging.getLogger("xiuhua.notify.batches")

# The variable every batch's text may print: each recipient's name.
TEXT_VARIABLES = {"name": "收件人姓名或名称"}
# More a kind's batches may print, carried per recipient (`Recipient.variables`): a shop reminder's road.
KIND_TEXT_VARIABLES = {MessageKind.SHOP_REMINDER: {"road": "商铺所在道路"}}
BATCH_CHANNELS = (MessageChannel.SMS, MessageChannel.WECOM, MessageChannel.EMAIL)
MAX_RECIPIENTS = 20_000
# A batch `preparing` without progress for this long was left by a stopped process: resume takes it over.
STALE_AFTER = timedelta(seconds=60)

RECIPIENT_COLUMNS = [
    tabular.Column("name", "姓名", parse=tabular.text(100), aliases=("名称", "店名", "商户", "联系人"), example="张三"),
    tabular.Column(
        "address",
        "手机号码",
        required=True,
        parse=tabular.text(254),
        aliases=("手机", "电话", "联系电话", "phone", "邮箱", "电子邮件", "email", "政务微信账号", "wecom"),
        example="13812345678",
    ),
]


@dataclass(frozen=True)
class Recipient:
    name: str
    address: str
    user: int | None = None  # a staff account's id
    variables: dict = field(default_factory=dict)  # the kind's extra text variables, and what to trace it back to


def read_recipients(source: tabular.Source, filename: str | None = None) -> list[Recipient]:
    """Recipients of an uploaded xlsx or CSV (columns 姓名, 手机号码). A malformed number is not refused here: it
    becomes a failed message with its reason, like any other."""
    errors = tabular.RowErrors()
    rows = tabular.read_table(source, RECIPIENT_COLUMNS, errors, filename=filename)
    errors.raise_if_any()
    recipients = [Recipient(row.values.get("name", ""), row.values["address"]) for row in rows]
    check_size(len(recipients))
    return recipients


def staff_recipients(role: str, channel: str) -> list[Recipient]:
    """Every active account of `role`, at its address on `channel` (an account without one gets a failed
    message saying so)."""
    from xiuhua.accounts.models import User

    users = User.objects.filter(role=role, is_active=True).order_by("pk")
    recipients = [Recipient(str(user), user_address(user, channel), user.pk) for user in users]
    check_size(len(recipients))
    return recipients


def check_size(count: int) -> None:
    if count == 0:
        raise DomainError("没有收件人", code="no_recipients")
    if count > MAX_RECIPIENTS:
        raise DomainError(f"一个批次最多 {MAX_RECIPIENTS} 位收件人（现有 {count} 位），请分批发送", code="too_many")


def compile_text(text: str, kind: str = "") -> Template:
    """The batch's text as a template over {{ name }}, with the restrictions of message templates
    (notify.templating: variables, filters and `{% if %}` only): `{% include %}` and the like would read
    other data or fail only when rendered, so they are the sender's to fix before anything is queued."""
    if not text.strip():
        raise DomainError("请填写消息内容", code="no_text")
    problem = templating.source_problem(text, {**TEXT_VARIABLES, **KIND_TEXT_VARIABLES.get(kind, {})})
    if problem:
        raise DomainError(f"消息内容的模板写法有误：{problem}", code="bad_template")
    return templating.compile_template(text)


def render_text(template: Template, recipient: Recipient) -> str:
    try:
        context = {**recipient.variables, "name": recipient.name}
        return template.render(Context(context, autoescape=False)).strip()
    except Exception as exc:  # a filter failing on one recipient's name must not bring the page or worker down
        log.warning("batch text failed to render: %r", exc)
        raise DomainError("消息内容无法生成，请检查消息内容中的模板写法", code="bad_template") from None


def draft_batch(
    user: Any, *, kind: str, channel: str, title: str, text: str, recipients: list[Recipient], source_name: str = ""
) -> MessageBatch:
    """A batch ready for confirmation: recipients and text stored, nothing queued."""
    if channel not in BATCH_CHANNELS:
        raise DomainError("批量发送只能选择短信、政务微信或电子邮件", code="bad_channel")
    if kind not in MessageKind.values:
        raise DomainError("消息类别不正确", code="bad_kind")
    compile_text(text, kind)
    check_size(len(recipients))
    return MessageBatch.objects.create(
        kind=kind,
        channel=channel,
        title=(title.strip() or "批量消息")[:200],
        text=text.strip(),
        created_by=user if getattr(user, "is_authenticated", False) else None,
        state=MessageBatch.State.DRAFT,
        total=len(recipients),
        recipients=json.dumps([asdict(r) for r in recipients], ensure_ascii=False),
        source_name=source_name[:200],
    )


def stored_recipients(batch: MessageBatch) -> list[Recipient]:
    return [Recipient(**item) for item in json.loads(batch.recipients or "[]")]


def preview(batch: MessageBatch, count: int = 5) -> list[str]:
    """The text the first recipients will get; for a text that cannot be rendered (stored before texts were
    checked), why not, in its place (confirming it is refused with the same reason)."""
    recipients = stored_recipients(batch)[:count]
    try:
        template = compile_text(batch.text, batch.kind)
        return [render_text(template, r) for r in recipients]
    except DomainError as exc:
        return [f"（无法预览：{exc.message}）" for _r in recipients]


def confirm_batch(batch: MessageBatch, **prepare_options: Any) -> MessageBatch:
    """The sender confirmed the preview: queue every recipient."""
    compile_text(batch.text, batch.kind)  # a text that cannot be sent stays a draft, not a batch stuck `preparing`
    now = timezone.now()
    updated = MessageBatch.objects.filter(pk=batch.pk, state=MessageBatch.State.DRAFT).update(
        state=MessageBatch.State.PREPARING, confirmed_at=now, progress_at=now
    )
    if not updated:
        raise DomainError("该批次已确认，不能重复确认", code="already_confirmed")
    return prepare_batch(batch.pk, **prepare_options)


def prepare_batch(
    batch_id: int, *, chunk_size: int | None = None, after_chunk: Callable[[int], None] | None = None
) -> MessageBatch:
    """Queue the batch's recipients from where its progress says, a chunk per transaction.

    `after_chunk(prepared)` runs inside each chunk's transaction once its messages are written (tests stop a
    batch midway with it)."""
    size = chunk_size or settings.XIUHUA_MESSAGE_BATCH_CHUNK
    batch = MessageBatch.objects.get(pk=batch_id)
    recipients = stored_recipients(batch)
    template = compile_text(batch.text, batch.kind)
    while True:
        with transaction.atomic():
            # The row lock makes two preparers of one batch (a worker and a late web request) take turns.
            batch = MessageBatch.objects.select_for_update().get(pk=batch_id)
            if batch.state != MessageBatch.State.PREPARING:
                return batch
            start = batch.prepared
            write_chunk(batch, template, recipients[start : start + size], start)
            batch.prepared = min(len(recipients), start + size)
            batch.progress_at = timezone.now()
            if batch.prepared >= len(recipients):
                batch.state = MessageBatch.State.SENDING
            batch.save(update_fields=["prepared", "progress_at", "state"])
            if after_chunk is not None:
                after_chunk(batch.prepared)
            if batch.state != MessageBatch.State.PREPARING:
                return batch


def write_chunk(batch: MessageBatch, template: Template, chunk: list[Recipient], start: int) -> None:
    """One INSERT for the chunk's messages, leaving out rows already queued (a chunk written before its
    progress was saved); the batch row's lock keeps other preparers of this batch out meanwhile.

    A bounded number of queries per chunk whatever its size: the staff accounts, the rows already queued, the
    template and the recent messages to every address (hourly ceiling) are each read once."""
    from xiuhua.accounts.models import User

    accounts = User.objects.in_bulk([r.user for r in chunk if r.user is not None])
    drafts = [
        batch_draft(batch, template, recipient, index, accounts.get(recipient.user))
        for index, recipient in enumerate(chunk, start=start)
    ]
    done = set(
        Message.objects.filter(idempotency_key__in=[d.idempotency_key for d in drafts]).values_list(
            "idempotency_key", flat=True
        )
    )
    todo = [d for d in drafts if d.idempotency_key not in done]
    now = timezone.now()
    lookups = Lookups.for_drafts(todo, now)
    Message.objects.bulk_create([build(d, now, lookups) for d in todo])


def batch_draft(batch: MessageBatch, template: Template, recipient: Recipient, index: int, account: Any) -> Draft:
    """The message of row `index`; its idempotency key (batch, row) queues it once however often it is written."""
    return Draft(
        channel=batch.channel,
        kind=batch.kind,
        text=render_text(template, recipient),
        address=recipient.address,
        recipient=account,
        title=batch.title,
        subject_type="batch",
        subject=str(batch.pk),
        caused_at=batch.confirmed_at,
        variables={**recipient.variables, "name": recipient.name, "row": index + 1},
        idempotency_key=f"batch-{batch.pk}-{index}",
        batch_id=batch.pk,
    )


def resume_batches(*, stale_after: timedelta = STALE_AFTER) -> list[MessageBatch]:
    """Continue every batch left `preparing` by a stopped process (no progress for `stale_after`).

    Each batch on its own: one that cannot be prepared (its text fails) is logged and left as it is, and the
    others go on; the caller (the message worker, the background worker's periodic job) is never stopped."""
    cutoff = timezone.now() - stale_after
    left = MessageBatch.objects.filter(state=MessageBatch.State.PREPARING, progress_at__lt=cutoff).order_by("pk")
    resumed = []
    for pk in left.values_list("pk", flat=True):
        try:
            resumed.append(prepare_batch(pk))
        except Exception:
            log.exception("batch %s could not be resumed", pk)
    return resumed


def resume_job() -> str:
    """The background worker's periodic job: what was resumed, for its log ("" for nothing)."""
    resumed = resume_batches()
    return f"继续了 {len(resumed)} 个批次" if resumed else ""


def current_messages(batch: MessageBatch):
    """The batch's messages, a failed one replaced by its resend."""
    return Message.objects.filter(batch=batch, resends__isnull=True)


def progress(batch: MessageBatch) -> dict[str, int]:
    """Counts by status of the batch's messages, and the recipients not yet queued."""
    return progress_of([batch])[batch.pk]


def progress_of(rows: Iterable[MessageBatch]) -> dict[int, dict[str, int]]:
    """`progress` of many batches (batch id → counts) in one grouped query: the batch list."""
    rows = list(rows)
    counts: dict[int, dict[str, int]] = {row.pk: {} for row in rows}
    grouped = (
        Message.objects.filter(batch__in=[row.pk for row in rows], resends__isnull=True)
        .order_by()
        .values_list("batch_id", "status")
        .annotate(n=Count("pk"))
    )
    for batch_id, status, n in grouped:
        counts[batch_id][status] = n
    return {
        row.pk: {
            **{status: counts[row.pk].get(status, 0) for status in MessageStatus.values},
            "waiting": max(0, row.total - row.prepared),
            "total": row.total,
        }
        for row in rows
    }


def settle(batch: MessageBatch) -> MessageBatch:
    """A sending batch whose messages are all delivered or failed is done."""
    if batch.state == MessageBatch.State.SENDING:
        open_ = current_messages(batch).filter(status__in=[MessageStatus.QUEUED, MessageStatus.SENDING])
        if not open_.exists():
            now = timezone.now()
            MessageBatch.objects.filter(pk=batch.pk, state=MessageBatch.State.SENDING).update(
                state=MessageBatch.State.DONE, finished_at=now
            )
            batch.state, batch.finished_at = MessageBatch.State.DONE, now
    return batch


def get_batch(batch_id: int) -> MessageBatch:
    batch = MessageBatch.objects.filter(pk=batch_id).select_related("created_by").first()
    if batch is None:
        raise NotFound("批次不存在")
    return batch


def result_rows(
    batch: MessageBatch, show_address: Callable[[str, str], str], *, full_names: bool = False
) -> Iterable[dict[str, Any]]:
    """One row per recipient for the result sheet; `show_address(channel, address)` applies the privacy rule,
    which also decides `full_names` (otherwise 陈**); failure reasons masked as on the page."""
    rows = current_messages(batch).select_related("recipient").order_by("pk")
    for message in rows.iterator(chunk_size=1000):
        variables = message.variables or {}
        name = variables.get("name", "")
        yield {
            "row": variables.get("row", ""),
            "name": name if full_names else mask_name(name),
            "address": show_address(message.channel, message.address),
            "status": str(MessageStatus(message.status).label),
            "attempts": message.attempts,
            "failure_reason": shown_failure_reason(message.failure_reason),
            "sent_at": message.sent_at,
            "delivered_at": message.delivered_at,
            "failed_at": message.failed_at,
        }


RESULT_COLUMNS = [
    tabular.Column("row", "序号", numeric=True),
    tabular.Column("name", "姓名"),
    tabular.Column("address", "联系方式"),
    tabular.Column("status", "状态"),
    tabular.Column("attempts", "发送次数", numeric=True),
    tabular.Column("failure_reason", "失败原因"),
    tabular.Column("sent_at", "发出时间"),
    tabular.Column("delivered_at", "送达时间"),
    tabular.Column("failed_at", "失败时间"),
]
