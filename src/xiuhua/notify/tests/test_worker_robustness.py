"""The message worker under stops, slow sends and a busy queue: a claimed message is not lost, a message is not
sent by two workers, urgent ones go first, and a slow mail server does not get a mail twice."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

import pytest
from django.db.models import Count
from django.utils import timezone

from xiuhua.notify import outbox
from xiuhua.notify.channels.sms import SmppChannel
from xiuhua.notify.models import Message, MessageStatus
from xiuhua.notify.outbox import Draft
from xiuhua.notify.routing import queue_for_users
from xiuhua.notify.sender import ChannelSender
from xiuhua.notify.services import NoticeDraft
from xiuhua.notify.testing.smsc import Smsc
from xiuhua.notify.testing.smtp import TestSMTPServer
from xiuhua.notify.tests.test_email import point_at, queue_mail

pytestmark = pytest.mark.django_db

UNCERTAIN = "无法确认是否已发出"
LEASE = timedelta(minutes=10)


def queue_sms(n: int, **fields) -> Message:
    return outbox.queue(Draft(channel="sms", kind="task", text=f"测试短信 {n}", address=f"1381234{n:04d}", **fields))


def lease_runs_out() -> None:
    """Every `sending` row's lease started longer ago than LEASE."""
    Message.objects.filter(status=MessageStatus.SENDING).update(
        sending_at=timezone.now() - LEASE - timedelta(seconds=1)
    )


def test_a_stopped_worker_s_unsent_messages_are_queued_again_and_only_the_one_in_hand_fails():
    for n in range(3):
        queue_sms(n)
    in_hand, waiting, last = outbox.claim("sms", "dead-worker", 10)
    assert outbox.hand_over(in_hand)
    lease_runs_out()

    assert outbox.recover_interrupted("sms", older_than=LEASE) == 1
    in_hand.refresh_from_db()
    assert in_hand.status == MessageStatus.FAILED and UNCERTAIN in in_hand.failure_reason
    again = outbox.claim("sms", "next-worker", 10)
    assert [m.pk for m in again] == [waiting.pk, last.pk]
    assert all(m.attempts == 1 and m.handed_at is None for m in again)  # the lost claim is not an attempt


def test_a_message_taken_back_from_a_slow_worker_is_not_handed_over_by_it():
    queue_sms(0)
    [slow] = outbox.claim("sms", "slow-worker", 10)
    lease_runs_out()
    outbox.recover_interrupted("sms", older_than=LEASE)
    [taken] = outbox.claim("sms", "other-worker", 10)

    assert not outbox.hand_over(slow)
    assert outbox.hand_over(taken)
    outbox.mark_failed(slow, "慢的进程不应改动别人领取的消息")
    taken.refresh_from_db()
    assert taken.status == MessageStatus.SENDING and taken.claimed_by == "other-worker"


def test_handing_over_renews_the_lease_of_that_message_alone():
    for n in range(2):
        queue_sms(n)
    first, second = outbox.claim("sms", "worker", 10)
    lease_runs_out()
    assert outbox.hand_over(first)  # being sent now: its lease starts again

    outbox.recover_interrupted("sms", older_than=LEASE)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == MessageStatus.SENDING and second.status == MessageStatus.QUEUED


def test_a_provider_answer_for_a_message_recovered_meanwhile_is_logged(caplog):
    queue_sms(0)
    [message] = outbox.claim("sms", "slow-worker", 10)
    outbox.hand_over(message)
    lease_runs_out()
    outbox.recover_interrupted("sms", older_than=LEASE)

    with caplog.at_level(logging.WARNING, logger="xiuhua.messages"):
        outbox.mark_sent(message, "smsc-77", delivered=False)
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED  # a person decides; the row is not overwritten
    assert any(str(message.pk) in r.getMessage() and "smsc-77" in r.getMessage() for r in caplog.records)


def test_an_urgent_message_queued_after_others_is_claimed_first():
    routine = [queue_sms(n) for n in range(3)]
    urgent = queue_sms(9, urgent=True)
    assert [m.pk for m in outbox.claim("sms", "worker", 1)] == [urgent.pk]
    assert [m.pk for m in outbox.claim("sms", "worker", 10)] == [m.pk for m in routine]


def test_an_urgent_notice_queues_urgent_outside_messages(settings, people):
    settings.XIUHUA_MESSAGE_CHANNELS = {"sms": "xiuhua.notify.channels.sms.SmppChannel"}
    settings.XIUHUA_MESSAGE_ROUTES = {**settings.XIUHUA_MESSAGE_ROUTES, "urge": ["sms"]}
    people.zhifa.phone = "13812340000"
    people.zhifa.save(update_fields=["phone"])
    queue_for_users([people.zhifa], NoticeDraft(kind="urge", title="督办：请立即处置", urgent=True))
    queue_for_users([people.zhifa], NoticeDraft(kind="urge", title="督办：请今日处置"))
    assert list(Message.objects.order_by("id").values_list("urgent", flat=True)) == [True, False]


def test_a_stopped_worker_gives_the_rest_of_its_batch_back_after_the_message_in_hand(settings):
    with TestSMTPServer() as server:
        point_at(settings, server.port)
        for n in range(3):
            queue_mail(f"handler{n}@example.cn")
        stop = threading.Event()
        server.handler.on_data = stop.set  # the stop comes while the first mail is being sent
        sender = ChannelSender("email", batch_size=10)
        try:
            assert sender.run_once(stop=stop) == 1
        finally:
            sender.drop_connection()
    assert len(server.received()) == 1
    counts = dict(Message.objects.values_list("status").annotate(n=Count("id")))
    assert counts == {MessageStatus.DELIVERED: 1, MessageStatus.QUEUED: 2}
    assert set(Message.objects.filter(status=MessageStatus.QUEUED).values_list("attempts", flat=True)) == {0}


def test_a_mail_server_answering_too_late_gets_the_mail_once_and_the_message_fails_for_a_person(settings):
    with TestSMTPServer() as server:
        point_at(settings, server.port)
        settings.EMAIL_TIMEOUT = 0.3
        server.answer_slowly(1.0)  # keeps the mail, answers after the client gave up
        message = queue_mail()
        sender = ChannelSender("email")
        try:
            sender.run_once()
            server.answer_slowly(0)
            Message.objects.update(not_before=None)
            sender.run_once()
        finally:
            sender.drop_connection()
        assert len(server.received()) == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED and UNCERTAIN in message.failure_reason


def test_reconnecting_to_the_smsc_does_not_add_a_logger_each_time(settings):
    with Smsc(system_id="xiuhua", password="secret") as smsc:
        settings.XIUHUA_SMPP_HOST, settings.XIUHUA_SMPP_PORT = smsc.host, smsc.port
        settings.XIUHUA_SMPP_SYSTEM_ID, settings.XIUHUA_SMPP_PASSWORD = "xiuhua", "secret"
        settings.XIUHUA_SMPP_TIMEOUT = 2
        channel = SmppChannel()
        channel.open()
        channel.close()
        before = len(logging.Logger.manager.loggerDict)
        for _ in range(3):
            channel.open()
            channel.close()
    assert len(logging.Logger.manager.loggerDict) == before
