"""Queuing many messages at once reads templates, ceilings and accounts once: the queries of a notice to many
people and of a batch chunk do not grow with the number of recipients, and the hourly ceiling still holds
between messages queued in the same call."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xiuhua.accounts.choices import Role
from xiuhua.accounts.models import User
from xiuhua.notify import batches
from xiuhua.notify.batches import Recipient
from xiuhua.notify.models import Message, MessageBatch, NoticeKind
from xiuhua.notify.services import NoticeDraft, send_notice

pytestmark = pytest.mark.django_db
CHANNELS_ON = {"sms": "xiuhua.notify.channels.sms.SmppChannel", "wecom": "xiuhua.notify.channels.wecom.WecomChannel"}


def department_staff(count: int, start: int = 0) -> list[User]:
    User.objects.bulk_create(
        User(username=f"dept{i}", role=Role.DEPARTMENT, phone=f"137{i:08d}", wecom_userid=f"dept{i}")
        for i in range(start, start + count)
    )
    return list(User.objects.filter(username__in=[f"dept{i}" for i in range(start, start + count)]))


def dispatch_notice(number: str) -> NoticeDraft:
    variables = {"case": number, "class_name": "暴露垃圾", "address": "人民路 1 号", "deadline": "2026-12-08 17:00"}
    return NoticeDraft(kind=NoticeKind.TASK, title=f"新派遣案卷 {number}", subject=number, variables=variables)


def queries_of(action) -> int:
    with CaptureQueriesContext(connection) as captured:
        action()
    return len(captured)


def test_a_dispatch_notice_to_five_people_on_two_channels_takes_as_many_queries_as_to_one(
    settings, django_assert_max_num_queries
):
    settings.XIUHUA_MESSAGE_CHANNELS = CHANNELS_ON
    one, five = department_staff(1), department_staff(5, start=1)
    for_one = queries_of(lambda: send_notice(one, dispatch_notice("20261207-0001")))
    with django_assert_max_num_queries(for_one):
        send_notice(five, dispatch_notice("20261207-0002"))
    assert for_one <= 10
    sent = Message.objects.filter(subject="20261207-0002")
    assert sent.count() == 10 and {m.channel for m in sent} == {"sms", "wecom"}
    assert all(m.template is not None for m in sent)  # the task templates, read once per channel


def test_a_chunk_of_three_hundred_staff_recipients_takes_a_bounded_number_of_queries(django_assert_max_num_queries):
    department_staff(300)
    recipients = batches.staff_recipients(Role.DEPARTMENT, "sms")
    batch = batches.draft_batch(None, kind="info", channel="sms", title="通知", text="{{ name }}：明日停水",
                                recipients=recipients)  # fmt: skip
    # Before: an account, a template and a ceiling query per recipient (900 and more). Now a fixed few, plus
    # the INSERT that SQLite splits by its limit of 999 parameters a statement (9 for 300 rows).
    with django_assert_max_num_queries(25):
        batches.confirm_batch(batch, chunk_size=300)
    messages = Message.objects.filter(batch=batch)
    assert messages.count() == 300 and messages.filter(recipient__isnull=False).count() == 300


def test_the_hourly_ceiling_holds_between_messages_of_one_batch(settings):
    settings.XIUHUA_MESSAGE_HOURLY_CEILING = 10
    settings.XIUHUA_MESSAGE_QUIET_HOURS = ""  # whatever the time the test runs at
    same_shop = [Recipient(f"第{i}次", "13900002222") for i in range(12)]
    batch = batches.draft_batch(None, kind="shop_reminder", channel="sms", title="提醒", text="{{ name }}",
                                recipients=same_shop)  # fmt: skip
    batches.confirm_batch(batch)
    messages = list(Message.objects.filter(batch=batch).order_by("pk"))
    queued_at = messages[0].queued_at
    # The first ten go at once; the 11th and 12th wait until those are an hour old.
    assert [m.not_before for m in messages] == [None] * 10 + [queued_at + batches.timedelta(hours=1)] * 2
    assert MessageBatch.objects.get(pk=batch.pk).state == MessageBatch.State.SENDING


def test_the_hourly_ceiling_holds_between_two_people_sharing_a_phone(settings):
    settings.XIUHUA_MESSAGE_CHANNELS = CHANNELS_ON
    settings.XIUHUA_MESSAGE_HOURLY_CEILING = 1
    a, b = department_staff(2)
    User.objects.filter(pk=b.pk).update(phone=a.phone)
    b.refresh_from_db()
    send_notice([a, b], dispatch_notice("20261207-0003"))
    sms = Message.objects.filter(channel="sms").order_by("pk")
    assert [m.not_before is None for m in sms] == [True, False]
