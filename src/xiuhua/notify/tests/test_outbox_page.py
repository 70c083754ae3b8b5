"""The outbox page and API of the centre: filters, masked numbers, resend with an audit entry, the outage
banner, and who may read it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from xiuhua.accounts.choices import Role
from xiuhua.accounts.models import User
from xiuhua.core.models import AuditEntry
from xiuhua.notify import outbox
from xiuhua.notify.models import ChannelHealth, Message, MessageStatus
from xiuhua.notify.outbox import Draft

pytestmark = pytest.mark.django_db
PASSWORD = "Outbox-Page-2026"
PHONE = "13812345678"
DISTRICT = "330424"  # a whole-district scope: sees messages about no case, and cases of the district


def user(username: str, role: str, **extra) -> User:
    return User.objects.create_user(username, password=PASSWORD, role=role, **extra)


def signed_in(account: User) -> Client:
    client = Client()
    assert client.login(username=account.username, password=PASSWORD)
    return client


@pytest.fixture
def leader() -> User:
    return user("zhiban", Role.SHIFT_LEADER, display_name="值班长王", scope_division_codes=[DISTRICT])


def queue(**fields) -> Message:
    values = {"channel": "sms", "kind": "citizen_receipt", "text": "您反映的问题已受理", "address": PHONE,
              "subject_type": "case", "subject": "20261207-0001", "variables": {"name": "陈小明"}}  # fmt: skip
    return outbox.queue(Draft(**{**values, **fields}))


def failed(**fields) -> Message:
    row = queue(**fields)
    Message.objects.filter(pk=row.pk).update(
        status=MessageStatus.FAILED, failed_at=timezone.now(), failure_reason="运营商回执：空号", attempts=1
    )
    return Message.objects.get(pk=row.pk)


def api(account: User) -> Client:
    """A client calling the API with the account's bearer token."""
    body = {"username": account.username, "password": PASSWORD}
    response = Client().post("/api/v1/auth/token", body, content_type="application/json")
    assert response.status_code == 200, response.content
    return Client(headers={"Authorization": f"Bearer {response.json()['token']}"})


def api_get(client: Client, path: str, **params):
    return client.get(f"/api/v1{path}", params)


def test_the_page_lists_messages_with_phones_masked_and_the_reason_in_chinese(leader):
    failed()
    handler = user("dept_x", Role.DEPARTMENT, display_name="环卫所李", phone="13900001111")
    queue(recipient=handler, address=handler.phone, kind="task")
    page = signed_in(leader).get("/centre/messages/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "138****5678" in html and PHONE not in html and "13900001111" not in html
    assert "环卫所李" in html and "陈**" in html and "运营商回执：空号" in html
    assert 'href="/cases/20261207-0001/"' in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"channel": "wecom"}, {"wecom"}),
        ({"status": "failed"}, {"failed"}),
        ({"kind": "urge"}, {"urge"}),
        ({"recipient": "138-1234-5678"}, {"by-phone"}),
        ({"recipient": "值班"}, {"by-name"}),
    ],
)
def test_the_filters_narrow_the_list(leader, query, expected):
    queue(channel="wecom", address="lisi", title="wecom")
    failed(address="13900002222", title="failed")
    queue(kind="urge", address="13900003333", title="urge")
    queue(title="by-phone")
    queue(recipient=leader, address="13900004444", title="by-name")
    response = api_get(api(leader), "/messages", **query)
    assert response.status_code == 200, response.content
    assert {item["title"] for item in response.json()["items"]} == expected
    page = signed_in(leader).get("/centre/messages/", query)
    assert page.content.decode().count('data-testid="message-row"') == len(expected)


def test_the_date_range_is_of_the_queuing_day(leader):
    old = queue(title="old")
    Message.objects.filter(pk=old.pk).update(queued_at=timezone.now() - timedelta(days=5))
    queue(title="today")
    today = timezone.localdate().isoformat()
    items = api_get(api(leader), "/messages", date_from=today, date_to=today).json()["items"]
    assert [item["title"] for item in items] == ["today"]


def test_a_part_of_a_phone_number_matches_nothing_there_is_no_search_inside_encrypted_numbers(leader):
    queue()
    assert api_get(api(leader), "/messages", recipient="5678").json()["count"] == 0


def test_the_api_masks_the_address_and_gives_the_times_of_each_step(leader):
    failed()
    [item] = api_get(api(leader), "/messages").json()["items"]
    assert item["address"] == "138****5678" and PHONE not in str(item)
    assert item["status"] == "failed" and item["failed_at"] and item["failure_reason"] == "运营商回执：空号"


def test_a_bad_filter_value_is_a_chinese_400(leader):
    response = api_get(api(leader), "/messages", channel="fax")
    assert response.status_code == 400 and "渠道不正确" in response.json()["detail"]
    assert signed_in(leader).get("/centre/messages/", {"channel": "fax"}).status_code == 400


def test_resending_a_failed_message_queues_a_new_one_and_is_audited(leader):
    message = failed()
    client = signed_in(leader)
    response = client.post(f"/centre/messages/{message.pk}/resend/", {"next": "/centre/messages/"})
    assert response.status_code == 302 and response["Location"] == "/centre/messages/"
    again = Message.objects.get(resend_of=message)
    assert again.status == MessageStatus.QUEUED and again.address == PHONE and again.text == message.text
    entry = AuditEntry.objects.get(action="message.resent")
    assert entry.actor == leader and entry.target == f"message:{message.pk}"
    # The same failure twice is refused: the new message is the one to follow.
    client.post(f"/centre/messages/{message.pk}/resend/")
    assert Message.objects.filter(resend_of=message).count() == 1


def test_only_a_failed_message_can_be_resent_through_the_api(leader):
    waiting = queue()
    client = api(leader)
    response = client.post(f"/api/v1/messages/{waiting.pk}/resend")
    assert response.status_code == 400 and response.json()["detail"] == "只能重发发送失败的消息"
    resent = client.post(f"/api/v1/messages/{failed().pk}/resend")
    assert resent.status_code == 201 and resent.json()["address"] == "138****5678"


def test_resend_needs_a_post_with_the_csrf_token(leader):
    message = failed()
    client = Client(enforce_csrf_checks=True)
    client.login(username=leader.username, password=PASSWORD)
    assert client.post(f"/centre/messages/{message.pk}/resend/").status_code == 403
    assert client.get(f"/centre/messages/{message.pk}/resend/").status_code == 405
    assert not Message.objects.filter(resend_of=message).exists()


def test_an_unreachable_channel_shows_a_banner_saying_messages_wait_in_the_queue(leader):
    ChannelHealth.objects.create(channel="sms", reachable=False, problem="连接短信网关超时")
    html = signed_in(leader).get("/centre/messages/").content.decode()
    assert 'data-testid="channel-outage"' in html and "连接短信网关超时" in html


def test_the_page_shows_the_push_rate_of_the_days(leader):
    row = queue()
    now = timezone.now()
    Message.objects.filter(pk=row.pk).update(status=MessageStatus.DELIVERED, sent_at=now, delivered_at=now)
    failed()
    html = signed_in(leader).get("/centre/messages/").content.decode()
    assert 'data-testid="push-rate">50.0%' in html
    figures = api_get(api(leader), "/messages/figures").json()
    assert figures["total"]["caused"] == 2 and figures["total"]["push_rate"] == 0.5


@pytest.mark.parametrize("role", [Role.INSPECTOR, Role.DEPARTMENT, Role.OPERATOR])
def test_other_roles_get_403_on_the_page_and_the_api(role):
    message = failed()
    other = user("other", role)
    client = signed_in(other)
    assert client.get("/centre/messages/").status_code == 403
    assert api(other).get("/api/v1/messages").status_code == 403
    assert api(other).get("/api/v1/messages/figures").status_code == 403
    assert client.post(f"/centre/messages/{message.pk}/resend/").status_code == 403
    assert not Message.objects.filter(resend_of=message).exists()


def test_the_system_administrator_reads_the_outbox_too():
    assert signed_in(user("sys", Role.SYSADMIN)).get("/centre/messages/").status_code == 200
