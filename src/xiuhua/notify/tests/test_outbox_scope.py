"""The outbox within each reader's data scope (a street's shift leader sees its cases' messages only), and the
personal data it never shows: addresses echoed in failure reasons, citizens' lookup codes, recipients' names."""

from __future__ import annotations

import io
from dataclasses import dataclass

import openpyxl
import pytest
from django.test import Client
from django.utils import timezone

from xiuhua.accounts.choices import Role
from xiuhua.accounts.models import User
from xiuhua.cases.models import Case
from xiuhua.notify import batches, outbox
from xiuhua.notify.batches import Recipient
from xiuhua.notify.citizens import CitizenCase, lookup_link, receipt_text
from xiuhua.notify.models import Message, MessageBatch, MessageStatus
from xiuhua.notify.outbox import Draft

pytestmark = pytest.mark.django_db
PASSWORD = "Outbox-Scope-2026"
DISTRICT = "330424"
SMTP_REFUSAL = "550 5.1.1 <zhang.san@example.cn>: Recipient address rejected (13812345678)"


def user(username: str, role: str = Role.SHIFT_LEADER, **extra) -> User:
    return User.objects.create_user(username, password=PASSWORD, role=role, **extra)


def signed_in(account: User) -> Client:
    client = Client()
    assert client.login(username=account.username, password=PASSWORD)
    return client


def api(account: User) -> Client:
    body = {"username": account.username, "password": PASSWORD}
    response = Client().post("/api/v1/auth/token", body, content_type="application/json")
    assert response.status_code == 200, response.content
    return Client(headers={"Authorization": f"Bearer {response.json()['token']}"})


def failed(reason: str = "运营商回执：空号", **fields) -> Message:
    values = {"channel": "sms", "kind": "task", "text": "案卷已派遣", "address": "13900001111"}
    row = outbox.queue(Draft(**{**values, **fields}))
    Message.objects.filter(pk=row.pk).update(
        status=MessageStatus.FAILED, failed_at=timezone.now(), failure_reason=reason, attempts=1
    )
    return Message.objects.get(pk=row.pk)


def batch_by(creator: User, names: list[str]) -> MessageBatch:
    recipients = [Recipient(name, f"1390000{i:04d}") for i, name in enumerate(names)]
    batch = batches.draft_batch(creator, kind="shop_reminder", channel="sms", title="门前三包提醒",
                                text="{{ name }}：请保持门前整洁", recipients=recipients)  # fmt: skip
    return batches.confirm_batch(batch)


@dataclass
class Town:
    """Two cases in two streets of the district, a message about each, a batch and a notice about nothing."""

    ours: Message
    theirs: Message
    batch: MessageBatch
    about_nothing: Message
    street_leader: User
    district_leader: User


@pytest.fixture
def town(loop) -> Town:
    mine, other = loop.report(), loop.report()
    street = mine.grid_code[:9]
    Case.objects.filter(pk=other.pk).update(grid_code=f"{DISTRICT}999001001")  # another street of the district
    Message.objects.all().delete()  # whatever reporting queued: the test counts its own messages only
    creator = user("batch_sender", Role.SYSADMIN, scope_division_codes=[DISTRICT])
    return Town(
        ours=failed(subject_type="case", subject=mine.number),
        theirs=failed(subject_type="case", subject=other.number, text="另一街道的案卷"),
        batch=batch_by(creator, ["老张面馆"]),
        about_nothing=failed(text="系统维护通知"),
        street_leader=user("street_leader", scope_division_codes=[street]),
        district_leader=user("district_leader", scope_division_codes=[DISTRICT]),
    )


def listed_ids(account: User) -> set[int]:
    body = api(account).get("/api/v1/messages", {"limit": 500}).json()
    assert body["count"] == len(body["items"])
    return {item["id"] for item in body["items"]}


def test_a_street_shift_leader_sees_only_messages_about_cases_of_their_street(town):
    assert listed_ids(town.street_leader) == {town.ours.pk}
    html = signed_in(town.street_leader).get("/centre/messages/").content.decode()
    assert html.count('data-testid="message-row"') == 1 and town.theirs.subject not in html
    batch_message = Message.objects.get(batch=town.batch)
    everything = {town.ours.pk, town.theirs.pk, town.about_nothing.pk, batch_message.pk}
    assert listed_ids(town.district_leader) == everything


def test_an_unscoped_shift_leader_sees_no_message_and_the_superuser_all(town):
    assert listed_ids(user("nowhere")) == set()
    superuser = user("root", Role.SYSADMIN, is_superuser=True)
    assert len(listed_ids(superuser)) == 4


def test_a_street_shift_leader_gets_404_on_another_street_s_resend_and_another_s_batch(town):
    client, token = signed_in(town.street_leader), api(town.street_leader)
    assert client.post(f"/centre/messages/{town.theirs.pk}/resend/").status_code == 404
    assert token.post(f"/api/v1/messages/{town.theirs.pk}/resend").status_code == 404
    assert token.post(f"/api/v1/messages/{town.about_nothing.pk}/resend").status_code == 404
    assert not Message.objects.filter(resend_of__isnull=False).exists()
    pk = town.batch.pk
    for url in (f"/centre/messages/batches/{pk}/", f"/centre/messages/batches/{pk}/result.xlsx"):
        assert client.get(url).status_code == 404
    assert client.post(f"/centre/messages/batches/{pk}/confirm/").status_code == 404
    assert token.get(f"/api/v1/messages/batches/{pk}").status_code == 404
    assert "门前三包提醒" not in client.get("/centre/messages/batches/").content.decode()
    # Their own street's failure they resend as before.
    assert token.post(f"/api/v1/messages/{town.ours.pk}/resend").status_code == 201


def test_the_creator_of_a_batch_sees_it_without_a_whole_district_scope(town):
    creator = town.batch.created_by
    User.objects.filter(pk=creator.pk).update(scope_division_codes=[])
    assert signed_in(creator).get(f"/centre/messages/batches/{town.batch.pk}/").status_code == 200
    assert listed_ids(creator) == {Message.objects.get(batch=town.batch).pk}


def test_figures_count_only_the_messages_the_reader_sees(town):
    assert api(town.street_leader).get("/api/v1/messages/figures").json()["total"]["caused"] == 1
    assert api(town.district_leader).get("/api/v1/messages/figures").json()["total"]["caused"] == 4
    html = signed_in(town.street_leader).get("/centre/messages/").content.decode()
    assert "另一街道" not in html


@pytest.fixture
def leader() -> User:
    return user("zhiban", scope_division_codes=[DISTRICT])


def test_an_address_echoed_in_a_failure_reason_is_masked_on_the_page_api_and_excel(leader):
    failed(reason=SMTP_REFUSAL, channel="email", address="zhang.san@example.cn")
    html = signed_in(leader).get("/centre/messages/").content.decode()
    item = api(leader).get("/api/v1/messages").json()["items"][0]
    for shown in (html, item["failure_reason"]):
        assert "zhang.san@" not in shown and "13812345678" not in shown
        assert "z***@example.cn" in shown and "138****5678" in shown and "Recipient address rejected" in shown
    batch = batch_by(user("sender", scope_division_codes=[DISTRICT]), ["老张面馆"])
    Message.objects.filter(batch=batch).update(status=MessageStatus.FAILED, failure_reason=SMTP_REFUSAL)
    response = signed_in(leader).get(f"/centre/messages/batches/{batch.pk}/result.xlsx")
    row = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))[1]
    assert row[5] == "550 5.1.1 <z***@example.cn>: Recipient address rejected (138****5678)"


@pytest.mark.parametrize("channel", ["email", "sms"])  # e-mail: the plain receipt; SMS: the approved template
def test_a_citizen_receipt_shows_its_lookup_code_only_as_asterisks(leader, channel):
    citizen = CitizenCase(pk=1, number="20261207-0001", lookup_code="K7Q2XM", email="c@example.cn")
    link = lookup_link(citizen)
    variables = {"case": citizen.number, "code": citizen.lookup_code, "link": link}
    text = receipt_text(citizen, link)
    failed(kind="citizen_receipt", channel=channel, text=text, variables=variables, address="13812345678")
    html = signed_in(leader).get("/centre/messages/").content.decode()
    shown = api(leader).get("/api/v1/messages").json()["items"][0]["text"]
    assert "K7Q2XM" not in html and "K7Q2XM" not in shown
    assert "?code=******" in shown and "20261207-0001" in shown
    if channel == "email":
        assert "查询码 ******" in shown and shown.endswith("?code=******")
    else:
        assert shown.endswith("?code=******。")


def test_a_batch_text_shows_the_recipient_s_name_masked_except_to_its_creator(leader):
    creator = user("sender", scope_division_codes=[DISTRICT])
    batch = batch_by(creator, ["老张面馆"])
    query = {"batch": batch.pk}

    def text(account: User) -> str:
        return api(account).get("/api/v1/messages", query).json()["items"][0]["text"]

    assert text(leader) == "【绣花城管】老***：请保持门前整洁"  # the shop-reminder SMS template signs first
    assert "老张面馆" not in signed_in(leader).get("/centre/messages/", query).content.decode()
    assert text(creator) == "【绣花城管】老张面馆：请保持门前整洁"


def test_the_inbox_is_not_offered_as_an_outbox_channel(leader):
    html = signed_in(leader).get("/centre/messages/").content.decode()
    assert 'value="inbox"' not in html and 'value="sms"' in html
    response = api(leader).get("/api/v1/messages", {"channel": "inbox"})
    assert response.status_code == 400 and response.json()["code"] == "invalid_filter"
    assert api(leader).get("/api/v1/messages/figures", {"channel": "inbox"}).status_code == 400
