"""Calls taken in Chromium with the keyboard alone, as an operator on a headset works: no test here clicks, every
step is `keyboard.type` or `keyboard.press` (signing in included)."""

from __future__ import annotations

import re

from django.conf import settings
from playwright.sync_api import expect

from xiuhua.cases.models import Case
from xiuhua.intake.channels.hotline.models import WorkOrder
from xiuhua.routing.services import route_case
from xiuhua.territory.geocoding import suggest_addresses
from xiuhua.territory.models import StreetAddress

SCREENSHOT = settings.PROJECT_DIR / "docs" / "screenshots" / "call-taking.png"


def sign_in_with_keys(page, server, username: str) -> None:
    page.goto(f"{server.url}/login/?next=/centre/calls/")
    expect(page.locator("#id_username")).to_be_focused()
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(settings.DEMO_PASSWORD)
    page.keyboard.press("Enter")
    # Not just "/centre/calls/$": the login page's own address ends so too (?next=/centre/calls/).
    page.wait_for_url(re.compile(r"^[^?]*/centre/calls/$"))


def choose_first(page, listbox: str) -> None:
    """↓ then Enter on a suggestion list once its first option is there. The list may still show the answer to
    part of what was typed (its request is slower than the typing): ↓ is then kept until the fresh answer comes, so
    the option selected is always one for the whole text (calls.js)."""
    expect(page.get_by_test_id(listbox).get_by_test_id("suggestion").first).to_be_visible()
    page.keyboard.press("ArrowDown")
    expect(page.get_by_test_id(listbox).locator("[aria-selected=true]")).to_have_count(1)
    expect(page.get_by_test_id(listbox)).to_have_attribute("aria-busy", "false")
    page.keyboard.press("Enter")


def test_a_call_taken_with_the_keyboard_only_ends_in_a_case_at_the_right_department(page, server, loop):
    address = StreetAddress.objects.select_related("road").order_by("road__code", "number")[5]
    loop.spot = (address.lng, address.lat)
    earlier = loop.report(class_code="07001")  # the same adverts, reported already: a possible duplicate
    page.set_viewport_size({"width": 1366, "height": 800})
    sign_in_with_keys(page, server, "operator")

    phone = page.get_by_test_id("caller-phone")
    expect(phone).to_be_focused()
    page.keyboard.type("13812345678")
    # The caller lookup is a server round trip after typing stops; a loaded CI machine can take over 5 s.
    expect(page.get_by_test_id("caller-new")).to_be_visible(timeout=20_000)
    page.keyboard.press("Tab")
    page.keyboard.type("李女士")
    page.keyboard.press("Tab")  # type: 投诉 (already chosen)
    expect(page.locator("#type-complaint")).to_be_focused()
    page.keyboard.press("Tab")  # urgency: 一般
    page.keyboard.press("Tab")  # confidential
    page.keyboard.press("Tab")
    expect(page.get_by_test_id("address")).to_be_focused()
    page.keyboard.type(f"{address.road.name}{address.number}")
    choose_first(page, "address-suggestions")
    expect(page.get_by_test_id("address")).to_have_value(f"{address.road.name}{address.number}号")
    expect(page.locator("[data-lng]")).not_to_have_value("")

    page.keyboard.press("Tab")
    page.keyboard.type("海滨路电线杆上贴满了开锁办证的小广告，撕了又贴")
    page.keyboard.press("Tab")
    expect(page.get_by_test_id("class-search")).to_be_focused()
    page.keyboard.type("小广告")
    choose_first(page, "class-suggestions")
    expect(page.get_by_test_id("class-chosen")).to_contain_text("07001 非法小广告")
    expect(page.locator(f"[data-testid=call-duplicate][data-number='{earlier.number}']")).to_be_visible()
    page.screenshot(path=str(SCREENSHOT))

    page.keyboard.press("Control+Enter")
    saved = page.get_by_test_id("call-saved")
    expect(saved).to_contain_text("海盐县综合行政执法局")
    number = saved.get_attribute("data-case")
    assert number and number != earlier.number
    case = Case.objects.get(number=number)
    assert route_case(case, case.reported_at).lead.short_name == "zhifa"
    assert (case.source, case.case_class.code, case.reporter_name) == ("hotline_12345", "07001", "李女士")
    # Ready for the next call: the form is empty and the caller number has the focus.
    expect(phone).to_be_focused()
    expect(phone).to_have_value("")
    expect(page.get_by_test_id("class-chosen")).to_have_text("")
    expect(page.get_by_test_id("order-number")).not_to_have_value(WorkOrder.objects.get().order_number)


def test_a_consultation_answered_on_the_call_is_recorded_without_a_case(page, server):
    sign_in_with_keys(page, server, "shift_leader")
    expect(page.get_by_test_id("caller-phone")).to_be_focused()
    page.keyboard.type("0573-86001234")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowLeft")  # 投诉 → 求助
    page.keyboard.press("ArrowLeft")  # 求助 → 咨询
    expect(page.locator("#type-consultation")).to_be_checked()
    expect(page.get_by_test_id("answered-on-call")).to_be_visible()
    for _field in ("urgency", "confidential", "address", "content"):
        page.keyboard.press("Tab")
    expect(page.get_by_test_id("content")).to_be_focused()
    page.keyboard.type("咨询大件垃圾怎么处理")
    page.keyboard.press("Tab")  # the class: none for a consultation
    page.keyboard.press("Tab")
    expect(page.get_by_test_id("answered-on-call")).to_be_focused()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.type("已告知可预约上门清运，电话 0573-86000000")
    page.keyboard.press("Control+Enter")

    expect(page.get_by_test_id("call-saved")).to_contain_text("已当场答复")
    order = WorkOrder.objects.get()
    assert (order.order_type, order.state, order.case) == ("consultation", "answered", None)
    assert order.answer.startswith("已告知") and not Case.objects.exists()
    expect(page.get_by_test_id("answered-on-call")).to_be_hidden()  # the form is back to a complaint


def test_down_and_enter_pressed_before_the_suggestions_catch_up_take_the_one_for_the_whole_text(page, server):
    """The race behind a once-flaky keyboard test: the list still answers 「海滨路1」 when 「5」 is typed and ↓ Enter
    follow at once. The keys wait for the answer to 「海滨路15」, whatever the load on the machine."""
    text, wanted, shown = next(
        (text, full[0].label, part[0].label)
        for a in StreetAddress.objects.select_related("road").order_by("road__code", "number")
        if len(str(a.number)) >= 2
        for text in [f"{a.road.name}{a.number}"]
        for full, part in [(suggest_addresses(text), suggest_addresses(text[:-1]))]
        if full and part and full[0].label != part[0].label
    )
    sign_in_with_keys(page, server, "operator")
    expect(page.get_by_test_id("caller-phone")).to_be_focused()
    for _field in ("name", "type", "urgency", "confidential", "address"):
        page.keyboard.press("Tab")
    expect(page.get_by_test_id("address")).to_be_focused()
    listbox = page.get_by_test_id("address-suggestions")
    page.keyboard.type(text[:-1])
    expect(listbox.get_by_test_id("suggestion").first).to_have_text(shown)  # the answer to all but the last digit

    page.keyboard.type(text[-1])
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")

    expect(page.get_by_test_id("address")).to_have_value(re.sub(r"（.*）$", "", wanted))
    expect(page.locator("[data-lng]")).not_to_have_value("")
