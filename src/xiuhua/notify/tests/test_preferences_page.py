"""通知设置: the page shows each kind of the user's role with the channels allowed, the inbox always on, their
addresses (a phone masked), and saves their choice through the service."""

import pytest
from django.conf import settings as django_settings
from django.test import Client

from xiuhua.notify.models import Message, NotificationPreference

pytestmark = pytest.mark.django_db

CHANNELS_ON = {"sms": "xiuhua.notify.channels.sms.SmppChannel", "wecom": "xiuhua.notify.channels.wecom.WecomChannel"}


@pytest.fixture
def handler(settings, people):
    settings.XIUHUA_MESSAGE_CHANNELS = CHANNELS_ON
    people.zhifa.phone, people.zhifa.wecom_userid = "13812345678", ""
    people.zhifa.save(update_fields=["phone", "wecom_userid"])
    client = Client()
    assert client.login(username="dept_zhifa", password=django_settings.DEMO_PASSWORD)
    return client


def row(page: str, kind: str) -> str:
    return page.split(f'data-testid="kind-{kind}"', 1)[1].split("</tr>", 1)[0]


def test_the_user_menu_links_to_the_settings_page(handler):
    page = handler.get("/cases/").content.decode()
    assert 'href="/settings/notifications/"' in page


def test_the_page_shows_the_kinds_of_the_role_with_their_allowed_channels_and_the_inbox_always_on(handler):
    page = handler.get("/settings/notifications/").content.decode()
    task = row(page, "task")
    assert "checked disabled" in task  # the inbox, shown but not switchable
    assert 'name="kind:task" value="sms"' in task and 'name="kind:task" value="wecom"' in task
    assert 'value="sms"' not in row(page, "refused")  # its route allows WeCom only
    assert 'data-testid="kind-approval"' not in page  # departments approve nothing


def test_the_page_shows_the_phone_masked_and_says_when_the_wecom_id_is_missing(handler):
    page = handler.get("/settings/notifications/").content.decode()
    assert "138****5678" in page and "13812345678" not in page
    assert "未登记政务微信账号" in page


def test_saving_switches_a_channel_off_and_the_next_dispatch_respects_it(handler, loop, people):
    response = handler.post(
        "/settings/notifications/", {"kind:task": ["wecom"], "kind:urge": ["sms", "wecom"], "kind:overdue": ["sms"]}
    )
    assert response.status_code == 302
    assert NotificationPreference.objects.get(user=people.zhifa, kind="task").muted_channels == ["sms"]
    assert not NotificationPreference.objects.filter(user=people.zhifa, kind="urge").exists()
    page = handler.get("/settings/notifications/").content.decode()
    assert "通知设置已保存" in page
    assert 'id="task-sms" checked' not in page and 'id="task-wecom" checked' in page
    case = loop.to_dispatched()
    channels = Message.objects.filter(subject=case.number, recipient=people.zhifa).values_list("channel", flat=True)
    assert set(channels) == {"wecom"}  # SMS switched off; WeCom queued (a failed message: no id registered)


def test_a_channel_the_route_does_not_allow_is_refused_in_chinese(handler, people):
    response = handler.post("/settings/notifications/", {"kind:refused": ["sms"]})
    assert response.status_code == 400
    assert "「申请被驳回」不能通过「短信」发送" in response.content.decode()
    assert not NotificationPreference.objects.filter(user=people.zhifa).exists()


def test_a_kind_not_of_the_users_role_is_refused(handler, people):
    response = handler.post("/settings/notifications/", {"kind:approval": ["wecom"]})
    assert response.status_code == 400 and "不属于您的岗位" in response.content.decode()
