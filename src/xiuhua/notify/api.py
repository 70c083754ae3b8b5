"""Outbox API: the messages with the outbox page's filters, the figures with the push rate, and resending a
failed message. For the shift leader and the system administrator, each within their data scope
(notify.queries.visible_messages); addresses, lookup codes and batch recipients' names masked."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from xiuhua.core.api_schemas import ERRORS
from xiuhua.core.errors import DomainError
from xiuhua.notify import batches
from xiuhua.notify.figures import message_figures, total
from xiuhua.notify.models import MessageKind, MessageStatus
from xiuhua.notify.queries import (
    OUTBOX_CHANNELS,
    MessageFilters,
    check_may_read_outbox,
    filter_messages,
    message_out,
    visible_batch,
    visible_messages,
)
from xiuhua.notify.resends import resend_message

router = Router(tags=["messages"])
MAX_PAGE = 500


class MessageQuery(Schema):
    channel: str = Field("", description="渠道：sms、wecom、email")
    status: str = Field("", description="状态：queued、sending、sent、delivered、failed")
    kind: str = Field("", description="消息类别，如 task、urge、citizen_receipt、shop_reminder")
    recipient: str = Field("", description="完整手机号码或邮箱（按摘要匹配），或收件人姓名/账号")
    date_from: date | None = Field(None, description="入队日期起（含）")
    date_to: date | None = Field(None, description="入队日期止（含）")
    batch: int | None = Field(None, description="批次号")
    limit: int = Field(50, ge=1, le=MAX_PAGE)
    offset: int = Field(0, ge=0, le=10_000_000)


class MessagePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[dict]


class FiguresQuery(Schema):
    date_from: date | None = Field(None, description="起因日期起（含）")
    date_to: date | None = Field(None, description="起因日期止（含）")
    push_minutes: int | None = Field(None, ge=1, le=10_080, description="推送时限（分钟），默认按系统设置")
    channel: str = Field("", description="只看一个渠道")
    kind: str = Field("", description="只看一类消息")


def check_choice(value: str, choices: list[str], label: str) -> None:
    if value and value not in choices:
        raise DomainError(f"{label}不正确：{value}（可选：{'、'.join(choices)}）", code="invalid_filter")


def checked_filters(query: MessageQuery) -> MessageFilters:
    check_choice(query.channel, OUTBOX_CHANNELS, "渠道")
    check_choice(query.status, MessageStatus.values, "状态")
    check_choice(query.kind, MessageKind.values, "消息类别")
    if query.date_from and query.date_to and query.date_from > query.date_to:
        raise DomainError("开始日期不能晚于结束日期", code="invalid_filter")
    return MessageFilters(**query.model_dump(exclude={"limit", "offset"}))


@router.get("/messages", response={200: MessagePage, **ERRORS}, summary="发件箱：消息列表（新的在前，号码已隐去）")
def list_messages(request: HttpRequest, query: Query[MessageQuery]):
    check_may_read_outbox(request.auth)
    rows = filter_messages(request.auth, checked_filters(query)).order_by("-queued_at", "-id")
    page = rows[query.offset : query.offset + query.limit]
    return {
        "count": rows.count(),
        "limit": query.limit,
        "offset": query.offset,
        "items": [message_out(m, request.auth) for m in page],
    }


@router.get("/messages/figures", response={200: dict, **ERRORS}, summary="发件箱统计：按渠道和类别，含推送率")
def figures(request: HttpRequest, query: Query[FiguresQuery]):
    check_may_read_outbox(request.auth)
    check_choice(query.channel, OUTBOX_CHANNELS, "渠道")
    check_choice(query.kind, MessageKind.values, "消息类别")
    rows = message_figures(
        query.date_from,
        query.date_to,
        push_minutes=query.push_minutes,
        channel=query.channel,
        kind=query.kind,
        messages=visible_messages(request.auth),
    )
    return {"rows": [row.as_dict() for row in rows], "total": total(rows).as_dict()}


@router.post("/messages/{message_id}/resend", response={201: dict, **ERRORS}, summary="重发一条发送失败的消息")
def resend(request: HttpRequest, message_id: int):
    check_may_read_outbox(request.auth)
    return Status(201, message_out(resend_message(request.auth, message_id), request.auth))


@router.get("/messages/batches/{batch_id}", response={200: dict, **ERRORS}, summary="一个批量发送的进度")
def batch_progress(request: HttpRequest, batch_id: int):
    check_may_read_outbox(request.auth)
    batch = batches.settle(visible_batch(request.auth, batch_id))
    return {
        "id": batch.pk,
        "title": batch.title,
        "kind": batch.kind,
        "channel": batch.channel,
        "state": batch.state,
        "prepared": batch.prepared,
        "progress": batches.progress(batch),
        "created_at": batch.created_at,
        "finished_at": batch.finished_at,
    }
