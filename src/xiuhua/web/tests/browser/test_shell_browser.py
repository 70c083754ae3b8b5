"""The staff shell in a real browser: logging in, the menu, filtering the case list, switching language."""

import re

from xiuhua.cases.models import Case


def test_operator_logs_in_and_sees_the_shell_in_chinese(page, log_in):
    log_in(page, "operator")

    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.get_by_role("link", name="案卷查询").is_visible()
    assert "全区" in page.get_by_test_id("scope").inner_text()


def test_a_wrong_password_is_refused_with_a_message(page, server):
    page.goto(f"{server.url}/login/")
    page.fill("#id_username", "operator")
    page.fill("#id_password", "wrong")
    page.click("button[type=submit]")

    assert "/login/" in page.url
    assert page.get_by_role("alert").is_visible()


def test_language_switch_turns_the_shell_english_and_back(page, log_in):
    log_in(page, "dispatcher")

    page.get_by_test_id("language-switch").get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("link", name="Case search").is_visible()

    page.get_by_test_id("language-switch").get_by_role("button", name="中文").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "zh-hans"


def test_case_list_filters_in_place_and_opens_a_case(page, log_in, loop, server):
    first = loop.report()
    loop.report(class_code="01002")
    log_in(page, "operator")

    page.goto(f"{server.url}/cases/")
    assert page.locator("table.case-table tbody tr").count() == 2
    page.click("summary:has-text('更多条件')")  # the class code is among the folded filters
    page.fill("#id_class_code", "01001")
    page.click("button:has-text('查询')")
    page.wait_for_url(re.compile(r"class_code=01001"))
    assert page.locator("table.case-table tbody tr").count() == 1

    page.click(f"text={first.number}")
    page.wait_for_url(re.compile(rf"/cases/{first.number}/$"))
    assert page.get_by_test_id("case-number").inner_text() == first.number
    assert Case.objects.count() == 2
