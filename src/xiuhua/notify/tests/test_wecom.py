"""The 企业微信 / 政务微信 channel end to end: the message worker (ChannelSender) sends through wechatpy to a local
WeCom API server that answers the documented endpoints on a real socket."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from xiuhua.accounts.choices import Role
from xiuhua.accounts.models import User
from xiuhua.accounts.tests.helpers import PASSWORD, make_user
from xiuhua.notify import outbox
from xiuhua.notify.models import ChannelHealth, Message, MessageStatus, ProviderToken
from xiuhua.notify.outbox import Draft
from xiuhua.notify.sender import ChannelSender
from xiuhua.notify.testing.wecom_server import WeComServer

pytestmark = pytest.mark.django_db

WECOM_ON = {"wecom": "xiuhua.notify.channels.wecom.WeComChannel"}


@pytest.fixture
def wecom(settings):
    """A running local WeCom server, and the settings that point the channel at it."""
    with WeComServer() as server:
        settings.XIUHUA_MESSAGE_CHANNELS = WECOM_ON
        settings.XIUHUA_WECOM_API_BASE = server.api_base
        settings.XIUHUA_WECOM_CORP_ID = server.corp_id
        settings.XIUHUA_WECOM_SECRET = server.secret
        settings.XIUHUA_WECOM_AGENT_ID = server.agent_id
        settings.XIUHUA_WECOM_TIMEOUT_SECONDS = 2
        yield server


def queue_wecom(address: str = "zhangsan", **fields) -> Message:
    return outbox.queue(
        Draft(**{"channel": "wecom", "kind": "task", "text": "案卷 A001 待处置", "address": address, **fields})
    )


def send_round() -> int:
    return ChannelSender("wecom").run_once()


def reloaded(message: Message) -> Message:
    return Message.objects.get(pk=message.pk)


def test_a_message_with_a_link_goes_out_as_a_text_card_to_the_user_and_counts_as_delivered(wecom):
    message = queue_wecom(title="新任务", text="案卷 A001 <暴露垃圾> 待处置", link="https://cg.example.cn/cases/A001/")
    assert send_round() == 1
    [body] = wecom.received
    assert body["touser"] == "zhangsan" and body["agentid"] == wecom.agent_id and body["msgtype"] == "textcard"
    assert body["textcard"]["url"] == "https://cg.example.cn/cases/A001/"
    assert body["textcard"]["title"] == "新任务"
    assert body["textcard"]["description"] == "案卷 A001 &lt;暴露垃圾&gt; 待处置"  # text, never markup
    message = reloaded(message)
    assert message.status == MessageStatus.DELIVERED and message.delivered_at
    assert message.provider_id.startswith("msg-1-")


def test_a_message_without_a_link_goes_out_as_plain_text(wecom):
    queue_wecom(text="今日有 3 件案卷超期")
    send_round()
    [body] = wecom.received
    assert body["msgtype"] == "text" and body["text"] == {"content": "今日有 3 件案卷超期"}
    assert body["touser"] == "zhangsan"


def test_an_expired_token_is_refreshed_exactly_once_and_the_message_sent(wecom):
    queue_wecom()
    send_round()
    assert wecom.token_requests == 1
    wecom.expire_token()
    message = queue_wecom(text="第二条")
    assert send_round() == 1
    assert wecom.token_requests == 2
    assert reloaded(message).status == MessageStatus.DELIVERED
    assert [b["text"]["content"] for b in wecom.received] == ["案卷 A001 待处置", "第二条"]


def test_the_token_is_shared_by_every_worker_and_stored_encrypted(wecom):
    queue_wecom()
    send_round()
    queue_wecom(text="另一个进程发送")
    ChannelSender("wecom", worker="another-process").run_once()  # a fresh channel and client: no token of its own
    assert wecom.token_requests == 1 and len(wecom.received) == 2
    token = ProviderToken.objects.get().value
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT value FROM {ProviderToken._meta.db_table}")
        [raw] = cursor.fetchone()
    assert token and token not in raw  # the column holds ciphertext


def test_a_rate_limit_holds_the_message_for_the_configured_wait_then_it_is_sent(wecom, settings):
    settings.XIUHUA_WECOM_RATE_LIMIT_RETRY_SECONDS = 120
    wecom.rate_limit(1)
    message = queue_wecom()
    assert send_round() == 0
    held = reloaded(message)
    assert held.status == MessageStatus.QUEUED and "频繁" in held.failure_reason
    assert held.not_before > timezone.now() + timedelta(seconds=100)
    assert send_round() == 0  # not before its time
    Message.objects.filter(pk=message.pk).update(not_before=timezone.now())
    assert send_round() == 1
    sent = reloaded(message)
    assert sent.status == MessageStatus.DELIVERED and sent.attempts == 2 and len(wecom.received) == 1


def test_an_unknown_user_is_a_failed_message_with_the_reason(wecom):
    wecom.unknown_users = {"ghost"}
    ghost, known = queue_wecom("ghost"), queue_wecom("zhangsan")
    assert send_round() == 1
    ghost = reloaded(ghost)
    assert ghost.status == MessageStatus.FAILED and ghost.failure_reason == "政务微信中不存在该用户"
    assert reloaded(known).status == MessageStatus.DELIVERED


def test_an_unreachable_server_is_an_outage_and_the_messages_stay_queued(wecom):
    wecom.stop()
    message = queue_wecom()
    assert send_round() == 0
    health = ChannelHealth.objects.get(channel="wecom")
    assert not health.reachable and "无法连接政务微信服务器" in health.problem
    waiting = reloaded(message)
    assert waiting.status == MessageStatus.QUEUED and waiting.attempts == 0


def test_wrong_credentials_are_an_outage_with_the_error_code_and_nothing_is_lost(wecom, settings):
    settings.XIUHUA_WECOM_SECRET = "not-the-secret"
    message = queue_wecom()
    assert send_round() == 0
    health = ChannelHealth.objects.get(channel="wecom")
    assert not health.reachable and "access_token" in health.problem and "40001" in health.problem
    assert reloaded(message).status == MessageStatus.QUEUED and reloaded(message).attempts == 0


def test_a_server_gone_after_the_token_was_fetched_holds_the_message_for_a_retry(wecom):
    queue_wecom()
    send_round()
    wecom.stop()
    message = queue_wecom(text="服务器已停止")
    assert send_round() == 0
    waiting = reloaded(message)
    assert waiting.status == MessageStatus.QUEUED and "无法连接政务微信服务器" in waiting.failure_reason
    assert not ChannelHealth.objects.get(channel="wecom").reachable


def test_a_slow_answer_is_not_sent_again_but_failed_for_a_person_to_check(wecom, settings):
    settings.XIUHUA_WECOM_TIMEOUT_SECONDS = 0.3
    wecom.delay = 0.6
    message = queue_wecom()
    send_round()
    failed = reloaded(message)
    assert failed.status == MessageStatus.FAILED and "无法确认是否已发出" in failed.failure_reason
    send_round()
    assert len(wecom.received) == 1  # taken once by the server, never resent


def test_a_dispatched_case_reaches_the_department_handler_by_wecom_with_its_link(wecom, loop, people, settings):
    settings.XIUHUA_SITE_URL = "https://cg.example.cn"
    assert people.zhifa.wecom_userid  # the demo gives department handlers a WeCom account
    case = loop.to_dispatched(department="zhifa")
    assert send_round() >= 1
    cards = [b for b in wecom.received if b["touser"] == people.zhifa.wecom_userid]
    assert cards and cards[0]["msgtype"] == "textcard"
    assert cards[0]["textcard"]["url"] == f"https://cg.example.cn/cases/{case.number}/"
    card = cards[0]["textcard"]
    assert case.number in card["title"] + card["description"]
    assert not card["description"].startswith(card["title"])  # the title is shown once, above the body
    message = Message.objects.get(channel="wecom", recipient=people.zhifa, subject=case.number, kind="task")
    assert message.status == MessageStatus.DELIVERED


def add_account_in_admin(wecom_userid: str):
    make_user("sys1", role=Role.SYSADMIN, is_staff=True)
    admin = Client()
    assert admin.login(username="sys1", password=PASSWORD)
    assert 'name="wecom_userid"' in admin.get("/admin/accounts/user/add/").content.decode()
    fields = {"username": "handler1", "password1": "Start#pass1", "password2": "Start#pass1", "display_name": "处置人"}
    return admin.post(
        "/admin/accounts/user/add/",
        {**fields, "usable_password": "true", "role": Role.DEPARTMENT, "wecom_userid": wecom_userid},
    )


def test_an_administrator_gives_an_account_its_wecom_user_id_in_the_admin():
    response = add_account_in_admin("LiSi")
    assert response.status_code == 302, response.content.decode()[:2000]
    assert User.objects.get(username="handler1").wecom_userid == "LiSi"


def test_the_admin_refuses_a_name_typed_as_the_wecom_user_id():
    response = add_account_in_admin("李四")
    assert response.status_code == 200 and "政务微信账号只能包含字母" in response.content.decode()
    assert not User.objects.filter(username="handler1").exists()
