"""A batch's text is checked like a message template before anything is queued, and one batch that cannot be
prepared never stops the others nor the workers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from xiuhua.accounts.choices import Role
from xiuhua.accounts.models import User
from xiuhua.cases.worker import JOBS
from xiuhua.notify import batches
from xiuhua.notify.batches import Recipient
from xiuhua.notify.models import Message, MessageBatch

pytestmark = pytest.mark.django_db
PASSWORD = "Batch-Text-2026"


def signed_in_shift_leader() -> Client:
    # The whole district in scope: a batch without a case is visible to whole-district readers (and its creator).
    User.objects.create_user("zhiban", password=PASSWORD, role=Role.SHIFT_LEADER, scope_division_codes=["330424"])
    client = Client()
    assert client.login(username="zhiban", password=PASSWORD)
    return client


def drafted(text: str = "{{ name }}：请保持门前整洁", count: int = 3) -> MessageBatch:
    recipients = [Recipient(f"商户{i}", f"139{i:08d}") for i in range(count)]
    return batches.draft_batch(
        None, kind="shop_reminder", channel="sms", title="提醒", text=text, recipients=recipients
    )


def stored_with_text(batch: MessageBatch, text: str, **fields) -> MessageBatch:
    """As if the text had been stored before texts were checked."""
    MessageBatch.objects.filter(pk=batch.pk).update(text=text, **fields)
    return MessageBatch.objects.get(pk=batch.pk)


def stale(batch: MessageBatch) -> None:
    MessageBatch.objects.filter(pk=batch.pk).update(
        state=MessageBatch.State.PREPARING, progress_at=timezone.now() - timedelta(minutes=5)
    )


def test_a_text_with_include_is_refused_on_the_page_in_chinese():
    client = signed_in_shift_leader()
    form = {"title": "提醒", "kind": "shop_reminder", "channel": "sms", "source": "staff", "role": Role.SHIFT_LEADER,
            "text": "{% include 'web/base.html' %}{{ name }}"}  # fmt: skip
    response = client.post("/centre/messages/batches/", form)
    assert response.status_code == 400
    assert "不能使用：include" in response.content.decode()
    assert not MessageBatch.objects.exists()


def test_a_text_with_an_unknown_variable_is_refused():
    with pytest.raises(batches.DomainError, match="未知的变量：phone"):
        drafted("{{ name }}您好，{{ phone }}")


def test_a_stored_draft_that_cannot_render_shows_why_and_stays_a_draft():
    client = signed_in_shift_leader()
    batch = stored_with_text(drafted(), "{% include 'web/base.html' %}")
    page = client.get(f"/centre/messages/batches/{batch.pk}/")
    assert page.status_code == 200 and "无法预览" in page.content.decode()
    client.post(f"/centre/messages/batches/{batch.pk}/confirm/")
    batch.refresh_from_db()
    assert batch.state == MessageBatch.State.DRAFT and not Message.objects.exists()


def test_a_batch_that_cannot_be_prepared_does_not_stop_the_others_from_resuming():
    bad = stored_with_text(drafted(), "{% include 'web/base.html' %}")
    good = drafted(count=4)
    stale(bad)
    stale(good)
    [resumed] = batches.resume_batches()
    assert resumed.pk == good.pk and resumed.state == MessageBatch.State.SENDING
    assert Message.objects.filter(batch=good).count() == 4 and not Message.objects.filter(batch=bad).exists()
    assert MessageBatch.objects.get(pk=bad.pk).state == MessageBatch.State.PREPARING


def test_the_background_worker_resumes_a_batch_left_preparing():
    batch = drafted(count=5)
    stale(batch)
    assert JOBS["resume_batches"].run() == "继续了 1 个批次"  # the job the worker runs every minute
    assert MessageBatch.objects.get(pk=batch.pk).state == MessageBatch.State.SENDING
    assert Message.objects.filter(batch=batch).count() == 5
