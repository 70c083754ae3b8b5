"""Citizens who left a phone get an SMS when their report is received and when it is closed, each with the public
lookup link; queued in the intake's and the close's own transaction, once per case however often it is retried."""

from urllib.parse import urlsplit

import pytest
from django.db import transaction
from django.test import Client

from xiuhua.cases.models import Case
from xiuhua.cases.tests.conftest import photo
from xiuhua.geo.crs import wgs84_to_gcj02
from xiuhua.intake.channels.citizen.adapter import report_by_citizen
from xiuhua.intake.services import ReportInput
from xiuhua.notify.models import Message, MessageStatus

pytestmark = pytest.mark.django_db

PHONE = "13857312345"


@pytest.fixture(autouse=True)
def sms_on(settings):
    settings.XIUHUA_MESSAGE_CHANNELS = {"sms": "xiuhua.notify.channels.sms.SmppChannel"}
    settings.XIUHUA_SITE_URL = "https://cg.example.gov.cn"


def report_form(spot, **extra) -> dict:
    lng, lat = wgs84_to_gcj02(*spot)
    form = {"class_code": "06010", "description": "小区门口垃圾堆了好几天", "lng": lng, "lat": lat, "crs": "gcj02"}
    return {**form, "phone": PHONE, **extra}


def post_report(form, key: str = "retry-1"):
    return Client().post("/api/v1/public/reports", form, HTTP_IDEMPOTENCY_KEY=key)


def citizen_messages(kind: str):
    return list(Message.objects.filter(kind=kind).order_by("id"))


def lookup_path(case: Case) -> str:
    return f"/public/cases/{case.number}/?code={case.lookup_code}"


def test_a_citizen_report_with_a_phone_queues_one_receipt_sms_even_when_retried(spot):
    first = post_report(report_form(spot))
    again = post_report(report_form(spot))
    assert (first.status_code, again.status_code) == (201, 200)
    case = Case.objects.get(number=first.json()["number"])
    [sms] = citizen_messages("citizen_receipt")
    assert (sms.channel, sms.address, sms.status, sms.recipient) == ("sms", PHONE, MessageStatus.QUEUED, None)
    assert case.number in sms.text and case.lookup_code in sms.text
    assert sms.link == f"https://cg.example.gov.cn{lookup_path(case)}" and sms.link in sms.text
    assert (sms.subject_type, sms.subject) == ("case", case.number)


def test_the_link_in_the_receipt_opens_the_citizens_public_page(spot):
    post_report(report_form(spot))
    [sms] = citizen_messages("citizen_receipt")
    link = urlsplit(sms.link)
    page = Client().get(f"{link.path}?{link.query}")
    assert page.status_code == 200 and sms.subject in page.content.decode()


def test_closing_the_case_queues_the_closure_sms_with_the_lookup_link(spot, loop):
    case = Case.objects.get(number=post_report(report_form(spot)).json()["number"])
    assert citizen_messages("citizen_closure") == []
    loop.close(case)
    [sms] = citizen_messages("citizen_closure")
    assert sms.address == PHONE and "已办结" in sms.text and "评价" in sms.text
    assert sms.link.endswith(lookup_path(case)) and sms.link in sms.text


def test_a_report_merged_into_a_closed_case_tells_its_own_citizen_with_its_own_link(spot, loop):
    parent = Case.objects.get(number=post_report(report_form(spot), "p").json()["number"])
    merged_number = post_report(report_form(spot, phone="13900001111"), "m").json()["number"]
    loop.act(parent, "accept", loop.p.operator)
    loop.act(Case.objects.get(number=merged_number), "merge", loop.p.operator, parent=parent.number)
    loop.close(parent)
    closures = {m.address: m for m in citizen_messages("citizen_closure")}
    assert set(closures) == {PHONE, "13900001111"}
    assert closures["13900001111"].subject == merged_number


def test_a_report_without_a_phone_or_with_a_landline_queues_no_sms(spot, loop):
    no_phone = Case.objects.get(number=post_report(report_form(spot, phone=""), "a").json()["number"])
    assert post_report(report_form(spot, phone="0573-86123456"), "b").status_code == 201
    loop.close(no_phone)
    assert not Message.objects.filter(kind__startswith="citizen").exists()


def test_an_inspectors_report_queues_no_citizen_sms(loop):
    case = loop.report_by_inspector()
    loop.close(case)
    assert not Message.objects.filter(kind__startswith="citizen").exists()


def test_a_hotline_callers_receipt_names_the_work_order_even_when_kept_confidential(as_user, spot):
    order = {
        "hotline": "12345",
        "order_number": "ZJ3304242611230099",
        "order_type": "complaint",
        "urgency": "normal",
        "content": "来电人反映海滨东路井盖松动",
        "caller_phone": "13905731234",
        "confidential": True,  # hidden from the departments, not from the caller themselves
        "class_code": "01001",
        "kind": "event",
        "lng": spot[0],
        "lat": spot[1],
    }
    assert as_user("operator").post_json("/hotline/orders", order).status_code == 201
    [sms] = citizen_messages("citizen_receipt")
    assert sms.address == "13905731234" and "ZJ3304242611230099" in sms.text


def test_a_rolled_back_intake_queues_nothing(spot):
    data = ReportInput(class_code="06010", description="路边垃圾", lng=spot[0], lat=spot[1], reporter_phone=PHONE)
    with pytest.raises(RuntimeError), transaction.atomic():
        report_by_citizen(data, [], client="test-client", idempotency_key="k1")
        assert Message.objects.filter(kind="citizen_receipt").count() == 1
        raise RuntimeError("the channel's own row could not be stored")
    assert Case.objects.count() == 0 and Message.objects.count() == 0


def test_no_citizen_sms_when_sms_is_not_switched_on(spot, settings):
    settings.XIUHUA_MESSAGE_CHANNELS = {}
    assert post_report(report_form(spot)).status_code == 201
    assert Message.objects.count() == 0


def test_a_case_reopened_and_closed_again_tells_the_citizen_again(spot, loop):
    case = loop.close(Case.objects.get(number=post_report(report_form(spot)).json()["number"]))
    loop.act(case, "reopen", loop.p.shift_leader, note="市民反映垃圾又堆起来了")
    loop.act(case, "report_back", loop.p.zhifa, files=[photo("after.jpg")], note="再次清运")
    loop.act(case, "check", loop.p.operator)
    loop.act(case, "check", loop.p.inspector, files=[photo("check.jpg")], result=True)
    loop.act(case, "close", loop.p.shift_leader)
    assert len(citizen_messages("citizen_closure")) == 2
    assert len(citizen_messages("citizen_receipt")) == 1


def test_a_citizen_who_left_an_e_mail_address_is_mailed_when_e_mail_is_routed(spot, settings):
    settings.XIUHUA_MESSAGE_CHANNELS = {
        "sms": "xiuhua.notify.channels.sms.SmppChannel",
        "email": "xiuhua.notify.channels.email.EmailChannel",
    }
    settings.XIUHUA_MESSAGE_ROUTES = {**settings.XIUHUA_MESSAGE_ROUTES, "citizen_receipt": ["sms", "email"]}
    data = ReportInput(
        class_code="06010", description="路边垃圾", lng=spot[0], lat=spot[1], reporter_email="chen@example.cn"
    )
    report_by_citizen(data, [], client="test-client", idempotency_key="k1")
    [mail] = citizen_messages("citizen_receipt")  # no phone: no SMS
    assert (mail.channel, mail.address, mail.title) == ("email", "chen@example.cn", "您反映的问题已收到")
