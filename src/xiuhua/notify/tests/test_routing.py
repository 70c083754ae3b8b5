"""Who gets what: each kind of case news reaches its channels, a user's preference switches one off, quiet hours
hold SMS to citizens until morning, a ceiling per hour holds the rest, and templates give the text."""

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.test import Client

from xiuhua.cases.tests.conftest import sh
from xiuhua.cases.timers import sweep
from xiuhua.notify import outbox
from xiuhua.notify.models import Message, MessageStatus, MessageTemplate, NotificationPreference
from xiuhua.notify.outbox import Draft
from xiuhua.notify.templating import template_problem

pytestmark = pytest.mark.django_db

CHANNELS_ON = {"sms": "xiuhua.notify.channels.sms.SmppChannel", "wecom": "xiuhua.notify.channels.wecom.WecomChannel"}


@pytest.fixture
def outside(settings, people):
    """SMS and WeCom switched on, and every demo account of the loop reachable on both."""
    settings.XIUHUA_MESSAGE_CHANNELS = CHANNELS_ON
    for n, user in enumerate([people.zhifa, people.dispatcher, people.shift_leader, people.operator]):
        user.phone, user.wecom_userid = f"1381234{n:04d}", f"user{n}"
        user.save(update_fields=["phone", "wecom_userid"])
    return people


def sent(case, user, kind: str) -> set[str]:
    """The channels `user` got a message of `kind` about `case` on."""
    rows = Message.objects.filter(subject=case.number, recipient=user, kind=kind)
    return set(rows.values_list("channel", flat=True))


def test_a_dispatch_reaches_the_department_as_a_new_task_by_sms_and_wecom_in_the_template_text(loop, outside):
    case = loop.to_dispatched()
    assert sent(case, outside.zhifa, "task") == {"sms", "wecom"}
    sms = Message.objects.get(subject=case.number, recipient=outside.zhifa, channel="sms")
    assert sms.template and sms.template.kind == "task"
    assert sms.text.startswith("【绣花城管】新派遣案卷") and "请于" in sms.text and "前处置" in sms.text
    assert sms.variables["case"] == case.number and sms.variables["class_name"] == case.case_class.name


def test_a_request_to_approve_reaches_the_dispatcher_as_approval_waiting_on_wecom_only(loop, outside):
    case = loop.to_dispatched()
    loop.act(case, "request_extension", outside.zhifa, extension_value=2, extension_unit="days", note="需协调")
    assert sent(case, outside.dispatcher, "approval") == {"wecom"}
    assert not Message.objects.filter(subject=case.number, recipient=outside.dispatcher, kind="task").exists()


def test_a_refused_request_reaches_the_requester_as_request_refused_and_an_approval_does_not_go_out(loop, outside):
    case = loop.to_dispatched()
    loop.act(case, "request_extension", outside.zhifa, extension_value=2, extension_unit="days", note="需协调")
    loop.act(case, "refuse", outside.dispatcher, note="可先行处置")
    assert sent(case, outside.zhifa, "refused") == {"wecom"}
    refused = Message.objects.get(subject=case.number, recipient=outside.zhifa, kind="refused")
    assert "可先行处置" in refused.text
    loop.act(case, "request_extension", outside.zhifa, extension_value=1, extension_unit="days", note="再申请")
    loop.act(case, "approve", outside.dispatcher)
    assert sent(case, outside.zhifa, "decision") == set()  # "decision" has no outside channel by default


def test_an_urge_goes_out_as_a_supervision_order(loop, outside):
    case = loop.to_dispatched()
    loop.act(case, "urge", outside.leader, note="群众反映强烈")
    assert sent(case, outside.zhifa, "urge") == {"sms", "wecom"}
    urge = Message.objects.get(subject=case.number, recipient=outside.zhifa, kind="urge", channel="sms")
    assert "督办意见：群众反映强烈" in urge.text


def test_a_time_limit_warning_goes_on_wecom_and_overdue_on_sms_and_wecom(loop, outside):
    start = sh(2026, 11, 2, 9, 0)
    case = loop.to_dispatched(now=start)
    sweep(now=case.handling_deadline - timedelta(minutes=1))
    assert sent(case, outside.zhifa, "warning") == {"wecom"}
    sweep(now=case.handling_deadline + timedelta(minutes=1))
    assert sent(case, outside.zhifa, "overdue") == {"sms", "wecom"}


def test_a_preference_switches_a_channel_off_for_that_kind_only(loop, outside):
    NotificationPreference.objects.create(user=outside.zhifa, kind="task", muted_channels=["sms"])
    case = loop.to_dispatched()
    assert sent(case, outside.zhifa, "task") == {"wecom"}
    loop.act(case, "urge", outside.leader, note="请加快")
    assert sent(case, outside.zhifa, "urge") == {"sms", "wecom"}


# -- quiet hours and the ceiling, applied by outbox.queue to every caller


@pytest.fixture(autouse=True)
def production_pacing(settings):
    """The shipped quiet hours and ceiling (the root conftest switches them off for every other test)."""
    settings.XIUHUA_MESSAGE_QUIET_HOURS = "21:00-08:00"
    settings.XIUHUA_MESSAGE_HOURLY_CEILING = 10


def citizen_sms(**fields) -> Draft:
    base = {"channel": "sms", "kind": "citizen_receipt", "text": "您反映的问题已受理", "address": "13900001111"}
    return Draft(**base | fields)


def test_a_citizen_sms_at_half_past_ten_at_night_is_held_until_eight_in_the_morning():
    message = outbox.queue(citizen_sms(), now=sh(2026, 11, 2, 22, 30))
    assert message.status == MessageStatus.QUEUED and message.not_before == sh(2026, 11, 3, 8, 0)


def test_a_citizen_sms_after_midnight_is_held_until_eight_the_same_morning():
    message = outbox.queue(citizen_sms(), now=sh(2026, 11, 3, 2, 15))
    assert message.not_before == sh(2026, 11, 3, 8, 0)


def test_a_citizen_sms_at_eight_goes_at_once():
    assert outbox.queue(citizen_sms(), now=sh(2026, 11, 3, 8, 0)).not_before is None


def test_a_held_message_is_released_once_morning_has_come():
    held = outbox.queue(citizen_sms(), now=sh(2026, 1, 5, 22, 30))  # that morning is long past
    [claimed] = outbox.claim("sms", "worker", 10)
    assert claimed.pk == held.pk


def test_an_urgent_citizen_sms_at_night_goes_at_once():
    assert outbox.queue(citizen_sms(urgent=True), now=sh(2026, 11, 2, 22, 30)).not_before is None


def test_a_message_to_a_staff_user_at_night_is_not_held(people):
    staff = citizen_sms(kind="overdue", recipient=people.zhifa)
    assert outbox.queue(staff, now=sh(2026, 11, 2, 22, 30)).not_before is None


def test_the_eleventh_message_of_an_hour_is_held_until_the_first_is_an_hour_old(settings):
    settings.XIUHUA_MESSAGE_HOURLY_CEILING = 10
    shop = {"kind": "shop_reminder", "address": "13900002222"}
    first = sh(2026, 11, 2, 10, 0)
    for minute in range(10):
        assert outbox.queue(citizen_sms(**shop), now=first + timedelta(minutes=minute)).not_before is None
    eleventh = outbox.queue(citizen_sms(**shop), now=first + timedelta(minutes=30))
    twelfth = outbox.queue(citizen_sms(**shop), now=first + timedelta(minutes=31))
    assert eleventh.status == MessageStatus.QUEUED and eleventh.not_before == first + timedelta(hours=1)
    assert twelfth.not_before == first + timedelta(hours=1, minutes=1)
    urgent = outbox.queue(citizen_sms(urgent=True, **shop), now=first + timedelta(minutes=32))
    assert urgent.not_before is None
    other = outbox.queue(citizen_sms(kind="shop_reminder", address="13900003333"), now=first + timedelta(minutes=33))
    assert other.not_before is None  # the ceiling is per address


# -- templates


def test_a_template_renders_the_text_and_its_provider_id_goes_to_the_provider():
    template = MessageTemplate.objects.get(kind="citizen_receipt", channel="sms")
    template.provider_template_id = "SMS_246810"
    template.save()
    draft = citizen_sms(variables={"case": "20261102-0007"}, link="https://cg.example.gov.cn/public/lookup/")
    message = outbox.queue(draft, now=sh(2026, 11, 2, 10, 0))
    assert message.template == template
    assert message.text == (
        "【绣花城管】您反映的问题已受理，编号20261102-0007，进度查询：https://cg.example.gov.cn/public/lookup/。"
    )
    assert outbox.outgoing(message).provider_template_id == "SMS_246810"
    assert outbox.outgoing(message).variables["case"] == "20261102-0007"


def test_without_a_variable_the_template_prints_the_message_keeps_its_own_text():
    draft = citizen_sms(variables={"class_name": "暴露垃圾"})  # no case number, which the receipt prints
    message = outbox.queue(draft, now=sh(2026, 11, 2, 10, 0))
    assert message.template is None and message.text == "您反映的问题已受理"


def test_a_message_without_variables_is_sent_as_its_caller_wrote_it():
    message = outbox.queue(citizen_sms(), now=sh(2026, 11, 2, 10, 0))
    assert message.template is None and message.text == "您反映的问题已受理"


def test_an_inactive_template_is_not_used():
    MessageTemplate.objects.filter(kind="citizen_receipt", channel="sms").update(active=False)
    message = outbox.queue(citizen_sms(variables={"case": "20261102-0007"}), now=sh(2026, 11, 2, 10, 0))
    assert message.template is None and message.text == "您反映的问题已受理"


def test_every_default_template_is_valid_for_its_kind():
    templates = list(MessageTemplate.objects.all())
    assert len(templates) >= 10
    assert [str(t) for t in templates if template_problem(t.kind, t.body)] == []


@pytest.fixture
def admin_client(demo_city) -> Client:
    client = Client()
    assert client.login(username="admin", password=django_settings.DEMO_PASSWORD)
    return client


def template_form(**fields) -> dict:
    return {"kind": "task", "channel": "email", "title": "", "body": "案卷{{ case }}", "active": "on"} | fields


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("案卷{{ case }}已派至{{ departmnet }}", "未知的变量：departmnet"),
        ("{% if case and departmnet %}案卷{{ case }}{% endif %}", "未知的变量：departmnet"),
        ("{% if case %}案卷{{ case }}", "模板语法错误"),
        ("{% include 'x.html' %}", "只能使用变量和 if 判断"),
    ],
)
def test_the_admin_refuses_a_bad_template_with_a_chinese_message(admin_client, body, reason):
    response = admin_client.post("/admin/notify/messagetemplate/add/", template_form(body=body))
    assert response.status_code == 200 and reason in response.content.decode()
    assert not MessageTemplate.objects.filter(channel="email").exists()


def test_the_admin_saves_a_good_template_and_shows_its_preview(admin_client):
    response = admin_client.post("/admin/notify/messagetemplate/add/", template_form(body="案卷{{ case }}请处置"))
    assert response.status_code == 302
    template = MessageTemplate.objects.get(kind="task", channel="email")
    page = admin_client.get(f"/admin/notify/messagetemplate/{template.pk}/change/").content.decode()
    assert "案卷20261207-0001请处置" in page and "{{ class_name }}" in page
