"""The outbox's own rules, without any provider: queued in the action's transaction, a bad address is a failed
message and not an exception, one key queues once, one worker claims a row, an interrupted send is not resent."""

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from xiuhua.notify import outbox
from xiuhua.notify.models import Message, MessageStatus
from xiuhua.notify.outbox import Draft

pytestmark = pytest.mark.django_db

SMS_ON = {"sms": "xiuhua.notify.channels.sms.SmppChannel"}


def draft(**fields) -> Draft:
    return Draft(**{"channel": "sms", "kind": "task", "text": "案卷待处置", "address": "13812345678", **fields})


def test_a_message_queued_in_a_rolled_back_action_is_not_in_the_outbox():
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox.queue(draft())
        raise RuntimeError("the action failed")
    assert Message.objects.count() == 0


def test_the_phone_number_is_encrypted_at_rest_and_normalised():
    message = outbox.queue(draft(address="+86 138-1234-5678"))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT address FROM {Message._meta.db_table} WHERE id = %s", [message.pk])
        [raw] = cursor.fetchone()
    assert "13812345678" not in raw
    assert Message.objects.get(pk=message.pk).address == "13812345678"
    assert message.address_digest == outbox.address_digest("sms", "13812345678")


@pytest.mark.parametrize(
    ("channel", "address", "reason"),
    [
        ("sms", "1381234", "手机号码格式不正确"),
        ("sms", "", "没有该渠道的联系方式"),
        ("email", "not-an-address", "电子邮件地址格式不正确"),
        ("wecom", "有空格 的 id", "政务微信账号格式不正确"),
    ],
)
def test_a_bad_address_is_a_failed_message_with_its_reason(channel, address, reason):
    message = outbox.queue(draft(channel=channel, address=address))
    assert message.status == MessageStatus.FAILED
    assert reason in message.failure_reason and message.failed_at


def test_the_same_idempotency_key_queues_one_message():
    first = outbox.queue(draft(idempotency_key="case-1-task-7"))
    again = outbox.queue(draft(idempotency_key="case-1-task-7", text="another text"))
    assert again.pk == first.pk and Message.objects.count() == 1


def test_a_claimed_message_is_not_claimed_by_a_second_worker():
    outbox.queue(draft())
    outbox.queue(draft())
    assert len(outbox.claim("sms", "worker-a", 1)) == 1
    second = outbox.claim("sms", "worker-b", 10)
    assert len(second) == 1 and second[0].claimed_by == "worker-b" and second[0].attempts == 1
    assert outbox.claim("sms", "worker-c", 10) == []


def test_a_message_held_until_later_is_not_claimed_before_then():
    outbox.queue(draft(not_before=timezone.now() + timedelta(hours=1)))
    assert outbox.claim("sms", "worker", 10) == []


def test_a_temporary_failure_waits_its_backoff_and_the_last_attempt_fails_for_good(settings):
    settings.XIUHUA_MESSAGE_MAX_ATTEMPTS = 2
    outbox.queue(draft())
    [message] = outbox.claim("sms", "worker", 1)
    outbox.mark_retry(message, "短信网关无响应")
    message.refresh_from_db()
    assert message.status == MessageStatus.QUEUED and message.not_before > timezone.now() + timedelta(seconds=20)
    Message.objects.update(not_before=None)
    [message] = outbox.claim("sms", "worker", 1)
    outbox.mark_retry(message, "短信网关无响应")
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED and "已重试 2 次" in message.failure_reason


def test_a_receipt_settles_the_message_it_names():
    outbox.queue(draft())
    [message] = outbox.claim("sms", "worker", 1)
    outbox.mark_sent(message, "smsc-42", delivered=False)
    assert outbox.record_receipt("sms", "smsc-42", True) == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.DELIVERED and message.delivered_at >= message.sent_at
    assert outbox.record_receipt("sms", "smsc-42", False, "UNDELIV") == 0  # settled already


def test_an_interrupted_send_is_failed_for_a_person_and_never_resent():
    outbox.queue(draft())
    [message] = outbox.claim("sms", "dead-worker", 1)
    assert outbox.hand_over(message)  # the worker died while handing it to the provider
    Message.objects.filter(pk=message.pk).update(sending_at=timezone.now() - timedelta(minutes=11))
    assert outbox.recover_interrupted("sms", older_than=timedelta(minutes=10)) == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED and "无法确认是否已发出" in message.failure_reason
    assert outbox.claim("sms", "worker", 10) == []
    again = outbox.resend(message)
    assert again.pk != message.pk and again.status == MessageStatus.QUEUED and again.address == "13812345678"


def test_a_dispatch_queues_the_department_handlers_messages_on_the_routed_channels(loop, people, settings):
    settings.XIUHUA_MESSAGE_CHANNELS = SMS_ON
    settings.XIUHUA_MESSAGE_ROUTES = {**settings.XIUHUA_MESSAGE_ROUTES, "task": ["sms", "wecom"]}
    case = loop.to_dispatched()
    messages = Message.objects.filter(subject=case.number, kind="task")
    assert messages.exists()
    assert set(messages.values_list("channel", flat=True)) == {"sms"}  # WeCom is not switched on
    assert all(m.recipient.department_id == case.lead_department_id for m in messages)
