"""SMS over SMPP end to end: the message worker (ChannelSender) sends through SmppChannel to a real SMPP server
on a loopback port (notify.testing.smsc), which answers, sends delivery receipts, throttles, refuses and drops
connections as told. Nothing is mocked."""

from __future__ import annotations

import time

import pytest
import smpplib.consts as c

from xiuhua.notify import outbox
from xiuhua.notify.models import ChannelHealth, Message, MessagePart, MessageStatus
from xiuhua.notify.outbox import Draft
from xiuhua.notify.sender import ChannelSender
from xiuhua.notify.testing.smsc import Smsc

pytestmark = pytest.mark.django_db

SMS_ON = {"sms": "xiuhua.notify.channels.sms.SmppChannel"}


@pytest.fixture
def smsc(settings):
    server = Smsc(system_id="xiuhua", password="secret").start()
    settings.XIUHUA_MESSAGE_CHANNELS = SMS_ON
    settings.XIUHUA_SMPP_HOST, settings.XIUHUA_SMPP_PORT = server.host, server.port
    settings.XIUHUA_SMPP_SYSTEM_ID, settings.XIUHUA_SMPP_PASSWORD = "xiuhua", "secret"
    settings.XIUHUA_SMPP_SOURCE_ADDR = "10690001"
    settings.XIUHUA_SMPP_TIMEOUT = 2
    yield server
    server.stop()


@pytest.fixture
def sender(smsc):
    worker = ChannelSender("sms")
    yield worker
    worker.drop_connection()


def queue_sms(text: str = "案卷 20261207-0001 已派遣至您单位，请及时处置", address: str = "13812345678") -> Message:
    return outbox.queue(Draft(channel="sms", kind="task", text=text, address=address))


def rounds_until(sender: ChannelSender, done, seconds: float = 5.0) -> None:
    """Worker rounds (send, then read receipts) until `done()` or the time is up."""
    deadline = time.monotonic() + seconds
    while not done() and time.monotonic() < deadline:
        sender.run_once(poll_timeout=0.1)
    assert done()


def status(message: Message) -> str:
    message.refresh_from_db()
    return message.status


def test_chinese_text_goes_as_ucs2_and_decodes_back_at_the_smsc(smsc, sender):
    message = queue_sms()
    assert sender.run_once() == 1
    [submit] = smsc.submits
    assert submit.data_coding == c.SMPP_ENCODING_ISO10646
    assert (submit.destination, submit.text) == ("13812345678", "案卷 20261207-0001 已派遣至您单位，请及时处置")
    message.refresh_from_db()
    assert message.provider_id == submit.message_id


def test_a_delivery_receipt_marks_the_message_delivered(smsc, sender):
    message = queue_sms()
    rounds_until(sender, lambda: status(message) == MessageStatus.DELIVERED)
    assert message.delivered_at >= message.sent_at
    assert smsc.wait_for(lambda: smsc.receipts_acked == 1)


def test_a_receipt_saying_undeliverable_fails_the_message_with_the_reason_in_chinese(smsc, sender):
    smsc.undeliverable.add("13812345678")
    message = queue_sms()
    rounds_until(sender, lambda: status(message) == MessageStatus.FAILED)
    assert "无法送达" in message.failure_reason


def test_receipts_read_before_the_message_was_recorded_sent_are_not_lost(smsc, sender):
    # The SMSC answers each receipt at once, so most arrive while the next submit waits for its answer.
    messages = [queue_sms(address=f"1381234{n:04d}") for n in range(20)]
    rounds_until(sender, lambda: all(status(m) == MessageStatus.DELIVERED for m in messages))
    assert len(smsc.submits) == 20 and smsc.wait_for(lambda: smsc.receipts_acked == 20)


def test_a_200_character_text_is_one_message_in_concatenated_parts_delivered_when_every_part_is(settings, smsc):
    smsc.receipt_delay = 0.3  # long enough to see the message sent and waiting for its parts' receipts
    text = ("市民反映海滨东路人行道有暴露垃圾，请于两小时内清运并拍照回复。" * 7)[:200]
    message = queue_sms(text=text)
    sender = ChannelSender("sms")
    try:
        assert sender.run_once() == 1
        assert len(smsc.submits) == 3 and len({s.udh_ref for s in smsc.submits}) == 1
        assert smsc.messages() == [("13812345678", text)]
        assert status(message) == MessageStatus.SENT
        assert message.provider_id == ",".join(s.message_id for s in smsc.submits)
        assert MessagePart.objects.filter(message=message).count() == 3
        rounds_until(sender, lambda: status(message) == MessageStatus.DELIVERED)
    finally:
        sender.drop_connection()
    assert set(MessagePart.objects.filter(message=message).values_list("delivered", flat=True)) == {True}


def test_a_throttled_message_is_queued_again_and_sent_once_later(settings, smsc, sender):
    settings.XIUHUA_SMPP_THROTTLE_SECONDS = 0.3
    smsc.throttle(1)
    message = queue_sms()
    assert sender.run_once() == 0
    message.refresh_from_db()
    assert message.status == MessageStatus.QUEUED and "限流" in message.failure_reason
    assert message.not_before and smsc.submits == []
    time.sleep(0.35)
    rounds_until(sender, lambda: status(message) == MessageStatus.DELIVERED)
    assert len(smsc.submits) == 1 and smsc.refused == [("13812345678", c.SMPP_ESME_RTHROTTLED)]


def test_a_number_the_smsc_refuses_fails_with_a_chinese_reason_and_the_others_go(smsc, sender):
    smsc.fail("13800000000", c.SMPP_ESME_RINVDSTADR)
    bad, good = queue_sms(address="13800000000"), queue_sms(address="13812345678")
    rounds_until(sender, lambda: status(good) == MessageStatus.DELIVERED)
    assert status(bad) == MessageStatus.FAILED
    assert "手机号码无效" in bad.failure_reason
    assert [s.destination for s in smsc.submits] == ["13812345678"]


def test_a_dropped_connection_is_bound_again_and_nothing_is_sent_twice(smsc, sender):
    first = queue_sms(address="13812340001")
    rounds_until(sender, lambda: status(first) == MessageStatus.DELIVERED)
    smsc.drop()
    assert smsc.wait_for(lambda: not smsc._connections)
    second = queue_sms(address="13812340002")
    rounds_until(sender, lambda: status(second) == MessageStatus.DELIVERED)
    assert smsc.binds == 2
    assert sorted(s.destination for s in smsc.submits) == ["13812340001", "13812340002"]


def test_a_wrong_password_is_an_outage_and_the_messages_stay_queued(settings, smsc, sender):
    settings.XIUHUA_SMPP_PASSWORD = "wrong"
    message = queue_sms()
    assert sender.run_once() == 0
    health = ChannelHealth.objects.get(channel="sms")
    assert not health.reachable and "密码错误" in health.problem
    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.QUEUED, 0)
    assert smsc.submits == []


def test_a_dispatched_case_reaches_the_department_handler_by_sms_with_its_receipt(smsc, loop, people):
    people.zhifa.phone = "13912345678"
    people.zhifa.save(update_fields=["phone"])
    case = loop.to_dispatched()
    message = Message.objects.get(channel="sms", recipient=people.zhifa)
    assert message.status == MessageStatus.QUEUED and message.subject == case.number
    sender = ChannelSender("sms")
    try:
        rounds_until(sender, lambda: status(message) == MessageStatus.DELIVERED)
    finally:
        sender.drop_connection()
    [(destination, text)] = [m for m in smsc.messages() if m[0] == "13912345678"]
    assert case.number in text and message.delivered_at


def test_a_submit_whose_answer_is_lost_is_failed_for_a_person_and_never_sent_again(smsc, sender):
    smsc.vanish_after_submits = 1  # the SMSC takes the message, then the connection breaks before its answer
    lost, later = queue_sms(address="13812340001"), queue_sms(address="13812340002")
    rounds_until(sender, lambda: status(later) == MessageStatus.DELIVERED)
    assert status(lost) == MessageStatus.FAILED and "无法确认是否已发出" in lost.failure_reason
    for _ in range(3):
        sender.run_once()
    assert [s.destination for s in smsc.submits] == ["13812340001", "13812340002"]


def test_a_long_message_fails_when_a_part_is_reported_undeliverable(smsc, sender):
    smsc.undeliverable.add("13812345678")
    message = queue_sms(text="请尽快处置。" * 30)
    rounds_until(sender, lambda: status(message) == MessageStatus.FAILED)
    assert "无法送达" in message.failure_reason and "长短信" in message.failure_reason
    assert len(smsc.submits) == 3
