"""Text over a limit is refused with the field and the limit named, never cut: citizen page and API, the staff
API, the hotline API, and the public-description edit."""

import pytest
from django.test import Client

from xiuhua.cases.models import Case
from xiuhua.cases.tests.test_intake import hotline_report
from xiuhua.intake.channels.citizen.tests.test_citizen_channel import post_report, wechat_form
from xiuhua.intake.channels.hotline.models import WorkOrder
from xiuhua.intake.channels.hotline.tests.test_hotline_channel import push
from xiuhua.web.tests.test_public import citizen_form

pytestmark = pytest.mark.django_db

LONG = "垃圾" * 10_000  # 20,000 characters


def test_the_citizen_page_refuses_a_long_description_naming_the_limit(demo_city, spot):
    response = Client().post("/public/", citizen_form(spot, description=LONG))
    assert response.status_code == 400
    assert "问题描述不能超过 4000 字（现为 20000 字）" in response.content.decode()
    assert not Case.objects.exists()


def test_the_citizen_page_refuses_a_long_name_instead_of_keeping_50_characters(demo_city, spot):
    response = Client().post("/public/", citizen_form(spot, name="陈" * 60))
    assert response.status_code == 400
    assert "称呼不能超过 50 字（现为 60 字）" in response.content.decode()
    assert not Case.objects.exists()


def test_the_citizen_page_gives_the_browser_no_maxlength_to_cut_pasted_text(demo_city):
    page = Client().get("/public/").content.decode()
    assert 'name="description"' in page and "maxlength" not in page


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"description": LONG}, "问题描述不能超过 4000 字（现为 20000 字）"),
        ({"name": "陈" * 51}, "称呼不能超过 50 字（现为 51 字）"),
        ({"phone": "1" * 31}, "联系电话格式不正确"),
    ],
)
def test_the_citizen_api_refuses_long_text_with_a_400_naming_the_limit(demo_city, spot, change, message):
    response = post_report(Client(), wechat_form(spot, **change))
    assert response.status_code == 400, response.content
    assert message in response.json()["detail"]
    assert not Case.objects.exists()


def test_the_staff_api_refuses_a_long_address_instead_of_cutting_it(as_user, spot):
    response = as_user("operator").post_json("/reports", hotline_report(spot, address="海滨路" * 100))
    assert response.status_code == 400, response.content
    assert response.json()["detail"] == "地址不能超过 256 字（现为 300 字）"
    assert response.json()["code"] == "text_too_long"
    assert not Case.objects.exists()


def test_the_hotline_api_refuses_a_long_caller_name(as_user, spot):
    response = push(as_user, spot, caller_name="王" * 80)
    assert response.status_code == 400, response.content
    assert response.json()["detail"] == "来电人姓名不能超过 50 字（现为 80 字）"
    assert not WorkOrder.objects.exists()


def test_text_at_the_limit_is_kept_whole(as_user, spot):
    response = as_user("operator").post_json("/reports", hotline_report(spot, description="垃" * 4000))
    assert response.status_code == 201, response.content
    assert len(Case.objects.get().description) == 4000
