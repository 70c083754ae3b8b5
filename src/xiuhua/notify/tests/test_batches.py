"""Batch sends: drafted from an uploaded sheet or a role's staff, previewed, confirmed, queued in chunks and
resumed after an interruption without queuing anyone twice; the per-recipient result as Excel."""

from __future__ import annotations

import io
from datetime import timedelta

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from xiuhua.accounts.choices import Role
from xiuhua.accounts.models import User
from xiuhua.core.errors import DomainError
from xiuhua.core.models import AuditEntry
from xiuhua.notify import batches
from xiuhua.notify.batches import Recipient
from xiuhua.notify.models import Message, MessageBatch, MessageStatus

pytestmark = pytest.mark.django_db
PASSWORD = "Batch-Send-2026"


DISTRICT = "330424"  # a whole-district scope: sees batches it did not create


def user(username: str, role: str = Role.SHIFT_LEADER, **extra) -> User:
    return User.objects.create_user(username, password=PASSWORD, role=role, **extra)


def signed_in(account: User) -> Client:
    client = Client()
    assert client.login(username=account.username, password=PASSWORD)
    return client


def shops(count: int) -> list[Recipient]:
    return [Recipient(f"商户{i:03d}", f"139{i:08d}") for i in range(count)]


def drafted(recipients: list[Recipient], by: User | None = None) -> MessageBatch:
    return batches.draft_batch(by, kind="shop_reminder", channel="sms", title="门前三包提醒",
                               text="{{ name }}：请保持门前整洁", recipients=recipients)  # fmt: skip


def sheet(rows: list[tuple[str, str]], name: str = "shops.csv") -> SimpleUploadedFile:
    text = "店名,手机号码\n" + "".join(f"{a},{b}\n" for a, b in rows)
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


class Stopped(Exception):
    """The process preparing the batch died."""


def test_a_batch_stopped_midway_resumes_and_queues_each_recipient_once():
    batch = drafted(shops(300))

    def die_in_the_third_chunk(prepared: int) -> None:
        if prepared == 150:
            raise Stopped

    with pytest.raises(Stopped):
        batches.confirm_batch(batch, chunk_size=50, after_chunk=die_in_the_third_chunk)
    batch.refresh_from_db()
    assert batch.state == MessageBatch.State.PREPARING and batch.prepared == 100
    assert Message.objects.filter(batch=batch).count() == 100  # the third chunk went with its transaction
    # A running preparer is not taken over; one quiet for a minute was left by a stopped process.
    assert batches.resume_batches() == []
    MessageBatch.objects.filter(pk=batch.pk).update(progress_at=timezone.now() - timedelta(minutes=2))
    [resumed] = batches.resume_batches()
    assert resumed.state == MessageBatch.State.SENDING and resumed.prepared == 300
    messages = Message.objects.filter(batch=batch)
    assert messages.count() == 300
    assert messages.values("address_digest").distinct().count() == 300
    assert sorted(m.variables["row"] for m in messages) == list(range(1, 301))


def test_writing_a_chunk_again_after_losing_the_progress_queues_nothing_twice():
    batch = drafted(shops(120))
    batches.confirm_batch(batch, chunk_size=50)
    # As if the progress had been lost after the messages were written: every row is written again.
    MessageBatch.objects.filter(pk=batch.pk).update(state=MessageBatch.State.PREPARING, prepared=0)
    batches.prepare_batch(batch.pk, chunk_size=50)
    assert Message.objects.filter(batch=batch).count() == 120


def test_the_command_resumes_unfinished_batches():
    batch = drafted(shops(30))
    MessageBatch.objects.filter(pk=batch.pk).update(state=MessageBatch.State.PREPARING, progress_at=timezone.now())
    out = io.StringIO()
    call_command("message_batch", "resume", "--stale-seconds", "0", stdout=out)
    assert "继续了 1 个批次" in out.getvalue()
    assert Message.objects.filter(batch=batch).count() == 30


def test_the_text_is_rendered_per_recipient_and_a_bad_number_is_a_failed_message():
    batch = drafted([Recipient("老张面馆", "13800001111"), Recipient("无号码", "1234")])
    batches.confirm_batch(batch)
    good, bad = Message.objects.filter(batch=batch).order_by("pk")
    # The batch's text per recipient, inside the kind's SMS template (its 【绣花城管】 signature).
    assert good.text == "【绣花城管】老张面馆：请保持门前整洁" and good.status == MessageStatus.QUEUED
    assert good.template.kind == "shop_reminder"
    assert bad.status == MessageStatus.FAILED and "手机号码格式不正确" in bad.failure_reason
    assert batches.progress(batch)["failed"] == 1 and batches.progress(batch)["queued"] == 1


def test_a_confirmed_batch_cannot_be_confirmed_again():
    batch = drafted(shops(3))
    batches.confirm_batch(batch)
    with pytest.raises(DomainError, match="不能重复确认"):
        batches.confirm_batch(batch)
    assert Message.objects.filter(batch=batch).count() == 3


def test_a_batch_is_done_when_every_message_is_delivered_or_failed():
    batch = drafted(shops(2))
    batches.confirm_batch(batch)
    Message.objects.filter(batch=batch).update(status=MessageStatus.DELIVERED, delivered_at=timezone.now())
    assert batches.settle(MessageBatch.objects.get(pk=batch.pk)).state == MessageBatch.State.DONE


def test_a_role_s_staff_get_the_batch_at_their_own_address():
    user("a1", Role.DEPARTMENT, phone="13700000001", display_name="处置员甲")
    user("a2", Role.DEPARTMENT)  # no phone: a failed message saying so
    recipients = batches.staff_recipients(Role.DEPARTMENT, "sms")
    batch = drafted(recipients)
    batches.confirm_batch(batch)
    rows = {m.recipient.username: m for m in Message.objects.filter(batch=batch)}
    assert rows["a1"].address == "13700000001" and rows["a1"].text == "【绣花城管】处置员甲：请保持门前整洁"
    assert rows["a2"].status == MessageStatus.FAILED and "没有该渠道的联系方式" in rows["a2"].failure_reason


def test_the_page_reads_an_upload_previews_it_masked_and_queues_it_on_confirmation():
    leader = user("zhiban")
    client = signed_in(leader)
    rows = [(f"商户{i}", f"139{i:08d}") for i in range(300)]
    form = {"title": "门前三包提醒", "kind": "shop_reminder", "channel": "sms", "source": "file",
            "text": "{{ name }}：请保持门前整洁", "file": sheet(rows)}  # fmt: skip
    response = client.post("/centre/messages/batches/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    batch = MessageBatch.objects.get()
    preview = client.get(response["Location"]).content.decode()
    assert batch.state == MessageBatch.State.DRAFT and batch.total == 300 and not Message.objects.exists()
    assert "139****0000" in preview and "13900000000" not in preview and "商户0：请保持门前整洁" in preview
    client.post(f"/centre/messages/batches/{batch.pk}/confirm/")
    assert Message.objects.filter(batch=batch).count() == 300
    progress = client.get(f"/centre/messages/batches/{batch.pk}/").content.decode()
    assert 'data-testid="count-queued">300<' in progress


def test_a_sheet_without_the_phone_column_is_refused_in_chinese():
    client = signed_in(user("zhiban"))
    bad = SimpleUploadedFile("x.csv", "店名,地址\n老张,中山路\n".encode(), content_type="text/csv")
    form = {"title": "t", "kind": "shop_reminder", "channel": "sms", "source": "file", "text": "您好", "file": bad}
    response = client.post("/centre/messages/batches/", form)
    assert response.status_code == 400 and "缺少必填列「手机号码」" in response.content.decode()
    assert not MessageBatch.objects.exists()


def test_a_template_error_in_the_text_is_refused_in_chinese():
    with pytest.raises(DomainError, match="模板写法有误"):
        drafted_text = "{% if %}"
        batches.draft_batch(None, kind="info", channel="sms", title="t", text=drafted_text, recipients=shops(1))


def result(client: Client, batch: MessageBatch) -> list[tuple]:
    response = client.get(f"/centre/messages/batches/{batch.pk}/result.xlsx")
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    return list(workbook.active.iter_rows(values_only=True))


def test_the_result_sheet_has_a_row_per_recipient_masked_for_others_and_is_audited():
    creator = user("zhiban")
    batch = drafted([Recipient("老张面馆", "13800001111"), Recipient("无号码", "1234")], by=creator)
    batches.confirm_batch(batch)
    Message.objects.filter(batch=batch, status=MessageStatus.QUEUED).update(
        status=MessageStatus.DELIVERED, sent_at=timezone.now(), delivered_at=timezone.now()
    )
    header, first, second = result(signed_in(user("sys", Role.SYSADMIN, scope_division_codes=[DISTRICT])), batch)
    assert header[:6] == ("序号", "姓名", "联系方式", "状态", "发送次数", "失败原因")
    assert first[:4] == (1, "老***", "138****1111", "已送达")
    assert second[1] == "无**" and "手机号码格式不正确" in second[5]
    # Who entered the list sees names and numbers in full, as the privacy rule lets the one who entered a report.
    assert result(signed_in(creator), batch)[1][1:3] == ("老张面馆", "13800001111")
    exports = AuditEntry.objects.filter(action="privacy.personal_data_exported").order_by("pk")
    assert [e.actor.username for e in exports] == ["sys", "zhiban"] and exports[0].details["rows"] == 2


def test_an_inspector_cannot_open_the_batch_pages():
    batch = drafted(shops(2))
    client = signed_in(user("xj", Role.INSPECTOR))
    for url in ("/centre/messages/batches/", f"/centre/messages/batches/{batch.pk}/",
                f"/centre/messages/batches/{batch.pk}/result.xlsx"):  # fmt: skip
        assert client.get(url).status_code == 403
    assert client.post(f"/centre/messages/batches/{batch.pk}/confirm/").status_code == 403
    assert not Message.objects.exists()


def test_the_api_gives_a_batch_s_progress_and_its_messages_masked():
    leader = user("zhiban")
    batch = drafted(shops(3), by=leader)
    batches.confirm_batch(batch)
    token = Client().post("/api/v1/auth/token", {"username": "zhiban", "password": PASSWORD},
                          content_type="application/json").json()["token"]  # fmt: skip
    api = Client(headers={"Authorization": f"Bearer {token}"})
    body = api.get(f"/api/v1/messages/batches/{batch.pk}").json()
    assert body["state"] == "sending" and body["progress"]["queued"] == 3 and body["progress"]["total"] == 3
    items = api.get("/api/v1/messages", {"batch": batch.pk}).json()["items"]
    assert sorted(item["address"] for item in items) == ["139****0000", "139****0001", "139****0002"]
    assert api.get("/api/v1/messages/batches/999999").status_code == 404
