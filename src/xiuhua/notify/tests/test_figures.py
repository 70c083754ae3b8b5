"""The outbox figures: caused, sent, delivered, failed and the push rate per channel and kind, from explicit
messages, in one aggregate query."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from xiuhua.notify import outbox
from xiuhua.notify.figures import message_figures, total
from xiuhua.notify.models import Message, MessageStatus
from xiuhua.notify.outbox import Draft

pytestmark = pytest.mark.django_db


def earlier_today():
    """A moment of today's local day before now (an hour ago would be yesterday just after midnight)."""
    now = timezone.localtime()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight + (now - midnight) / 2


def message(*, channel="sms", kind="task", caused=None, delivered_after=None, status=None, resend_of=None):
    caused = caused or earlier_today()
    address = {"sms": "13812345678", "wecom": "zhangsan", "email": "a@example.cn"}[channel]
    draft = Draft(channel=channel, kind=kind, text="案卷待处置", address=address, caused_at=caused,
                  resend_of_id=resend_of.pk if resend_of else None)  # fmt: skip
    row = outbox.queue(draft)
    fields = {}
    if delivered_after is not None:
        done = caused + delivered_after
        fields = {"status": MessageStatus.DELIVERED, "sent_at": done, "delivered_at": done}
    elif status == MessageStatus.FAILED:
        fields = {"status": status, "failed_at": caused, "failure_reason": "运营商回执：未送达"}
    elif status is not None:
        fields = {"status": status, "sent_at": caused if status == MessageStatus.SENT else None}
    Message.objects.filter(pk=row.pk).update(**fields)
    return row


def only(figures, channel="sms", kind="task"):
    [row] = [f for f in figures if f.channel == channel and f.kind == kind]
    return row


def test_push_rate_is_messages_delivered_within_the_minutes_over_messages_caused(settings):
    settings.XIUHUA_MESSAGE_PUSH_MINUTES = 5
    message(delivered_after=timedelta(minutes=2))
    message(delivered_after=timedelta(minutes=10))
    message(status=MessageStatus.FAILED)
    message(status=MessageStatus.SENT)
    message()  # still queued
    row = only(message_figures(timezone.localdate(), timezone.localdate()))
    assert (row.caused, row.sent, row.delivered, row.failed, row.pushed) == (5, 3, 2, 1, 1)
    assert row.push_rate == pytest.approx(0.2)


def test_a_longer_push_time_counts_the_later_delivery_too():
    message(delivered_after=timedelta(minutes=2))
    message(delivered_after=timedelta(minutes=10))
    assert only(message_figures(push_minutes=15)).push_rate == 1.0
    assert only(message_figures(push_minutes=1)).push_rate == 0.0


def test_figures_are_per_channel_and_kind_with_a_total():
    message(delivered_after=timedelta(minutes=1))
    message(channel="wecom", delivered_after=timedelta(minutes=1))
    message(kind="urge", status=MessageStatus.FAILED)
    figures = message_figures()
    assert [(f.channel, f.kind, f.caused) for f in figures] == [("sms", "task", 1), ("sms", "urge", 1),
                                                                 ("wecom", "task", 1)]  # fmt: skip
    assert total(figures).caused == 3 and total(figures, channel="sms").push_rate == 0.5


def test_the_date_range_is_of_the_cause_in_local_days():
    message(caused=timezone.now() - timedelta(days=3), delivered_after=timedelta(minutes=1))
    message(delivered_after=timedelta(minutes=1))
    today = timezone.localdate()
    assert only(message_figures(today, today)).caused == 1
    assert only(message_figures(today - timedelta(days=3), today)).caused == 2
    assert message_figures(today - timedelta(days=10), today - timedelta(days=5)) == []


def test_a_resend_is_not_a_second_cause_but_counts_as_pushed_when_delivered_in_time():
    caused = timezone.now() - timedelta(hours=1)
    failed = message(caused=caused, status=MessageStatus.FAILED)
    message(caused=caused, delivered_after=timedelta(minutes=3), resend_of=failed)
    row = only(message_figures())
    assert (row.caused, row.delivered, row.failed, row.pushed, row.push_rate) == (1, 1, 1, 1, 1.0)


def test_no_messages_means_no_push_rate_rather_than_zero():
    assert message_figures() == [] and total([]).push_rate is None


def test_the_figures_are_one_query(django_assert_num_queries):
    for kind in ("task", "urge", "overdue"):
        message(kind=kind, delivered_after=timedelta(minutes=1))
    with django_assert_num_queries(1):
        assert len(message_figures()) == 3
