"""A person's resend of a failed message, from the outbox page or the API: a new outbox row and an audit entry
saying who resent what, in one transaction."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from xiuhua.core.audit import record_audit
from xiuhua.core.errors import DomainError, NotFound
from xiuhua.notify import outbox
from xiuhua.notify.models import Message, MessageBatch
from xiuhua.notify.queries import shown_failure_reason, visible_messages


def resend_message(user: Any, message_id: int) -> Message:
    """Resend failed message `message_id` once (a second resend of the same failure is refused: resend the
    newer message if that failed too). A message outside the user's data scope is as absent as a missing one."""
    if not visible_messages(user).filter(pk=message_id).exists():
        raise NotFound("消息不存在")
    with transaction.atomic():
        message = Message.objects.select_for_update().filter(pk=message_id).first()
        if message is None:
            raise NotFound("消息不存在")
        if message.resends.exists():
            raise DomainError("这条消息已经重发过，请查看重发的那一条", code="already_resent")
        again = outbox.resend(message)
        record_audit(
            user,
            "message.resent",
            target=f"message:{message.pk}",
            summary=f"重发失败消息，新消息 {again.pk}",
            new_message=again.pk,
            channel=message.channel,
            reason=shown_failure_reason(message.failure_reason),
        )
        if message.batch_id:  # a finished batch has a message on its way again
            MessageBatch.objects.filter(pk=message.batch_id, state=MessageBatch.State.DONE).update(
                state=MessageBatch.State.SENDING, finished_at=None
            )
    return again
