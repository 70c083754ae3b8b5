"""The outbox in a browser: the shift leader sees messages with masked numbers, the push rate and an outage
banner, and resends a failed SMS."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from xiuhua.accounts.models import User
from xiuhua.notify import outbox
from xiuhua.notify.models import ChannelHealth, Message, MessageStatus
from xiuhua.notify.outbox import Draft

SCREENSHOT = settings.PROJECT_DIR / "docs" / "screenshots" / "outbox.png"


def sample_messages() -> Message:
    """A delivered task by SMS and WeCom, a citizen's receipt that failed, one waiting; returns the failed one."""
    handler = User.objects.filter(role="department").order_by("username").first()
    now = timezone.now()
    case = {"subject_type": "case", "subject": "20261207-0003", "caused_at": now - timedelta(minutes=20)}
    for channel, address in (("sms", "13912340001"), ("wecom", "zhifa01")):
        sent = outbox.queue(Draft(channel=channel, kind="task", title="案卷20261207-0003已派遣至您单位",
                                  text="请于今日18:00前处置", address=address, recipient=handler, **case))  # fmt: skip
        Message.objects.filter(pk=sent.pk).update(
            status=MessageStatus.DELIVERED, attempts=1, queued_at=case["caused_at"],
            sent_at=now - timedelta(minutes=19), delivered_at=now - timedelta(minutes=18),
        )  # fmt: skip
    failed = outbox.queue(Draft(channel="sms", kind="citizen_receipt", text="您反映的问题已受理，案卷号20261207-0003",
                                address="13812345678", variables={"name": "陈小明"}, **case))  # fmt: skip
    Message.objects.filter(pk=failed.pk).update(
        status=MessageStatus.FAILED, attempts=1, queued_at=case["caused_at"], sent_at=now - timedelta(minutes=19),
        failed_at=now - timedelta(minutes=15), failure_reason="运营商回执：空号",
    )  # fmt: skip
    outbox.queue(Draft(channel="sms", kind="urge", title="督办：案卷20261207-0003", text="请加快处置",
                       address="13912340002", recipient=handler, urgent=True))  # fmt: skip
    ChannelHealth.objects.create(channel="sms", reachable=False, problem="连接短信网关 10.0.0.8:2775 超时")
    return failed


def test_the_shift_leader_reads_the_outbox_and_resends_a_failed_sms(page, log_in, server):
    failed = sample_messages()
    page.set_viewport_size({"width": 1366, "height": 800})
    log_in(page, "shift_leader")
    page.goto(f"{server.url}/centre/messages/")
    expect(page.get_by_test_id("channel-outage")).to_contain_text("连接短信网关")
    expect(page.get_by_test_id("message-row")).to_have_count(4)
    expect(page.get_by_test_id("outbox-table")).to_contain_text("陈** 138****5678")
    expect(page.get_by_test_id("outbox-table")).not_to_contain_text("13812345678")
    # Two of four caused messages delivered two minutes after their cause: within the five push minutes.
    expect(page.get_by_test_id("push-rate")).to_have_text("50.0%")
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))

    page.get_by_test_id("resend").click()
    expect(page.get_by_test_id("message-row")).to_have_count(5)
    assert Message.objects.get(resend_of=failed).status == MessageStatus.QUEUED
