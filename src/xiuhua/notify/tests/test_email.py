"""The e-mail channel end to end: messages queued in the outbox, sent by the message worker (ChannelSender) through
Django's SMTP backend to a real SMTP server on a loopback port (aiosmtpd), read back there."""

import socket
from datetime import timedelta

import pytest
from django.utils import timezone

from xiuhua.notify import outbox
from xiuhua.notify.models import ChannelHealth, Message, MessageStatus
from xiuhua.notify.outbox import Draft
from xiuhua.notify.sender import ChannelSender
from xiuhua.notify.testing.smtp import TestSMTPServer

pytestmark = pytest.mark.django_db

LINK = "https://cg.example.gov.cn/cases/33042420261207001/"


@pytest.fixture
def smtp(settings):
    with TestSMTPServer() as server:
        point_at(settings, server.port)
        yield server


def point_at(settings, port: int) -> None:
    settings.XIUHUA_MESSAGE_CHANNELS = {"email": "xiuhua.notify.channels.email.EmailChannel"}
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.XIUHUA_EMAIL_FROM = "海盐县城市管理指挥中心 <noreply@cg.example.gov.cn>"


def queue_mail(address: str = "zhang.wei@example.cn", **fields) -> Message:
    draft = {
        "channel": "email",
        "kind": "task",
        "title": "新任务：案卷 33042420261207001 已派遣至您单位",
        "text": "海滨东路一处供水井盖松动，请于 12 月 8 日 17:00 前处置。",
        "address": address,
        "link": LINK,
        **fields,
    }
    return outbox.queue(Draft(**draft))


def free_port() -> int:
    """A loopback port nobody listens on: connecting is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_chinese_mail_arrives_decoded_with_the_case_link(smtp):
    message = queue_mail()
    assert ChannelSender("email").run_once() == 1
    [mail] = smtp.received()
    # Django folds an encoded subject onto a continuation line; unfolded, that is one leading space readers drop.
    assert mail["Subject"].strip() == "新任务：案卷 33042420261207001 已派遣至您单位"
    assert mail["From"].addresses[0].display_name == "海盐县城市管理指挥中心"
    assert smtp.envelopes()[0].rcpt_tos == ["zhang.wei@example.cn"]
    plain, rich = mail.get_body(("plain",)), mail.get_body(("html",))
    assert plain.get_content_charset() == "utf-8"
    assert "请于 12 月 8 日 17:00 前处置" in plain.get_content() and LINK in plain.get_content()
    assert f'<a href="{LINK}">' in rich.get_content()
    message.refresh_from_db()
    assert message.status == MessageStatus.DELIVERED and message.provider_id == mail["Message-ID"].strip()


def test_one_connection_carries_every_message_of_the_worker(smtp):
    for n in range(3):
        queue_mail(f"handler{n}@example.cn")
    sender = ChannelSender("email", batch_size=2)
    assert sender.run_once() + sender.run_once() == 3
    assert len(smtp.received()) == 3 and len({envelope.peer for envelope in smtp.envelopes()}) == 1


def test_a_refused_recipient_fails_with_the_reason_in_chinese_and_the_next_is_sent(smtp):
    smtp.refuse("left.the.job@example.cn")
    refused, fine = queue_mail("left.the.job@example.cn"), queue_mail("zhang.wei@example.cn")
    assert ChannelSender("email").run_once() == 1
    refused.refresh_from_db()
    fine.refresh_from_db()
    assert refused.status == MessageStatus.FAILED
    assert "邮件服务器拒收该收件地址" in refused.failure_reason and "550" in refused.failure_reason
    assert fine.status == MessageStatus.DELIVERED
    assert [envelope.rcpt_tos for envelope in smtp.envelopes()] == [["zhang.wei@example.cn"]]


def test_a_busy_server_421_is_retried_after_the_backoff_and_sent_once(smtp):
    smtp.be_busy(1)
    message = queue_mail()
    sender = ChannelSender("email")
    assert sender.run_once() == 0
    message.refresh_from_db()
    assert message.status == MessageStatus.QUEUED and "421" in message.failure_reason
    assert message.not_before > timezone.now() + timedelta(seconds=20)  # the backoff, not a tight loop
    Message.objects.filter(pk=message.pk).update(not_before=None)
    assert sender.run_once() == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.DELIVERED and message.attempts == 2
    assert len(smtp.received()) == 1
    assert ChannelHealth.objects.get(channel="email").reachable


def test_a_server_down_is_an_outage_and_the_messages_stay_queued_until_it_is_back(settings):
    point_at(settings, free_port())
    message = queue_mail()
    assert ChannelSender("email").run_once() == 0
    health = ChannelHealth.objects.get(channel="email")
    assert not health.reachable and "无法连接邮件服务器" in health.problem
    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.QUEUED, 0)
    with TestSMTPServer() as server:
        point_at(settings, server.port)
        assert ChannelSender("email").run_once() == 1
        assert len(server.received()) == 1
    assert ChannelHealth.objects.get(channel="email").reachable


def test_a_server_that_never_answers_times_out_as_an_outage(settings):
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()  # accepts the connection (backlog) but never greets
        point_at(settings, silent.getsockname()[1])
        settings.EMAIL_TIMEOUT = 0.3
        queue_mail()
        assert ChannelSender("email").run_once() == 0
    health = ChannelHealth.objects.get(channel="email")
    assert not health.reachable and "超时" in health.problem
    assert Message.objects.get().status == MessageStatus.QUEUED


def test_a_connection_idle_for_a_minute_is_closed_and_the_next_mail_opens_a_new_one(smtp):
    sender = ChannelSender("email")
    queue_mail("first@example.cn")
    assert sender.run_once() == 1
    sender.channel.last_used -= 61  # a minute without mail
    sender.run_once()  # nothing due: the round's poll lets the connection go
    assert sender.channel.backend is None
    queue_mail("second@example.cn")
    assert sender.run_once() == 1
    first, second = smtp.envelopes()
    assert first.peer != second.peer and second.rcpt_tos == ["second@example.cn"]
