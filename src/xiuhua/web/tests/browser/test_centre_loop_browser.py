"""The whole loop clicked through in Chromium: each role logs in through the login form and works the case from
its workbench (or, for departments and inspectors, from the case page) until it is closed and called back."""

from __future__ import annotations

import re
from pathlib import Path

from django.utils import timezone
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from xiuhua.cases.choices import CaseStatus
from xiuhua.cases.models import Case
from xiuhua.catalog.models import RegisterCondition
from xiuhua.routing.services import route_case
from xiuhua.web.tests.browser.conftest import OUTPUT

METRE_LAT = 1 / 111_320.0


def site_photo(path: Path, colour: tuple[int, int, int]) -> Path:
    """A real JPEG as a phone would take it: a wall with a rectangle where the advert was."""
    image = Image.new("RGB", (800, 600), (196, 190, 178))
    ImageDraw.Draw(image).rectangle((250, 180, 550, 420), fill=colour, outline=(90, 90, 90), width=6)
    image.save(path, format="JPEG", quality=85)
    return path


def snapshot(page, name: str) -> None:
    """An extra screenshot of a key moment, next to the one every test saves at its end."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUTPUT / f"{name}.png"), full_page=True)


def log_out(page) -> None:
    page.get_by_test_id("user-menu").click()
    page.locator("form[action='/logout/'] button").click()
    page.wait_for_url(re.compile(r"/login/"))


def as_user(page, log_in, username: str, landing: str = "") -> None:
    """Sign out whoever is signed in, then sign in through the form (landing on the role's workbench)."""
    if "/login/" not in page.url and page.url != "about:blank":
        log_out(page)
    log_in(page, username)
    if landing:
        assert page.url.endswith(landing), page.url


def open_row(page, number: str) -> None:
    """Click the case's row; htmx loads its side panel without leaving the page."""
    url = page.url
    page.locator(f"tr.queue-row[data-number='{number}']").click()
    page.wait_for_selector(f"[data-testid=case-panel][data-number='{number}']")
    assert page.url.split("?")[0] == url.split("?")[0]


def act(page, action: str, fill=None) -> None:
    """Open the action's form, let `fill` complete it, confirm, and wait for the page it leads to."""
    page.get_by_test_id(f"action-{action}").click()
    form = page.locator(f"details[data-action='{action}'] form")
    if fill:
        fill(form)
    with page.expect_navigation():
        form.get_by_test_id(f"submit-{action}").click()
    assert page.get_by_test_id("action-error").count() == 0, page.get_by_test_id("action-error").inner_text()


def test_a_hotline_report_goes_round_the_whole_loop_in_the_browser(page, log_in, loop, server, spot, tmp_path):
    earlier = loop.report(class_code="07001")  # the same advert, reported a little earlier 20 m away
    loop.spot = (spot[0], spot[1] - 20 * METRE_LAT)
    case = loop.report(class_code="07001", reporter_name="王芳", reporter_phone="13812345678")
    number = case.number

    # Operator: sees the report with its possible duplicate beside the queue, and accepts it.
    as_user(page, log_in, "operator", "/centre/intake/")
    open_row(page, number)
    duplicate = page.locator(f"[data-testid=duplicate][data-number='{earlier.number}']")
    assert duplicate.get_by_test_id("duplicate-distance").inner_text() == "20 m"
    snapshot(page, "centre_intake_workbench_duplicates")
    act(page, "accept")
    assert page.url.endswith("/centre/intake/?tab=accept")
    assert page.locator(f"tr.queue-row[data-number='{number}']").count() == 0

    # Shift leader: registers it with a condition, whose limit the form shows.
    condition = RegisterCondition.objects.filter(case_class=case.case_class, active=True).first()
    as_user(page, log_in, "shift_leader", "/centre/intake/")
    open_row(page, number)
    assert page.locator(f"[data-testid=condition][data-id='{condition.pk}']").is_visible()
    act(page, "register", lambda form: form.locator("select[name=register_condition]").select_option(f"{condition.pk}"))

    # Dispatcher: the form is filled in with the routing suggestion; dispatch as suggested.
    suggested = route_case(Case.objects.get(pk=case.pk), timezone.now()).lead.short_name
    as_user(page, log_in, "dispatcher", "/centre/dispatch/")
    row = page.locator(f"tr.queue-row[data-number='{number}']")
    assert row.get_by_test_id("suggested-unit").inner_text().startswith(route_case(case, timezone.now()).lead.name)
    open_row(page, number)
    assert page.get_by_test_id("suggested-lead").get_attribute("data-short-name") == suggested
    page.get_by_test_id("action-dispatch").click()
    assert page.locator("#dispatch-department").input_value() == suggested
    snapshot(page, "centre_dispatch_workbench")
    with page.expect_navigation():
        page.get_by_test_id("submit-dispatch").click()
    assert page.url.endswith("/centre/dispatch/?tab=dispatch")

    # The department: handles it and reports back with an after-photo, from the case page.
    as_user(page, log_in, f"dept_{suggested}")
    page.goto(f"{server.url}/cases/{number}/")
    act(page, "handle")
    after = site_photo(tmp_path / "after.jpg", (196, 190, 178))

    def report_back(form) -> None:
        form.locator("input[name=photos]").set_input_files(str(after))
        form.locator("textarea[name=note]").fill("已清除小广告")

    act(page, "report_back", report_back)

    # Operator: sends an inspector to check, from the "to close" tab.
    as_user(page, log_in, "operator", "/centre/intake/")
    page.get_by_test_id("tab-close").click()
    open_row(page, number)
    act(page, "check", lambda form: form.locator("select[name=inspector]").select_option("inspector"))

    # Inspector: the check passes, with a photo.
    as_user(page, log_in, "inspector")
    page.goto(f"{server.url}/cases/{number}/")
    check_photo = site_photo(tmp_path / "check.jpg", (200, 194, 182))

    def passed(form) -> None:
        form.locator("input[name=result][value=true]").check()
        form.locator("input[name=photos]").set_input_files(str(check_photo))

    act(page, "check", passed)

    # Shift leader: closes it from the "to close" tab.
    as_user(page, log_in, "shift_leader", "/centre/intake/")
    page.get_by_test_id("tab-close").click()
    open_row(page, number)
    act(page, "close")

    # Operator: calls the citizen back.
    as_user(page, log_in, "operator", "/centre/intake/")
    page.get_by_test_id("tab-callback").click()
    open_row(page, number)

    def satisfied(form) -> None:
        form.locator("select[name=satisfaction]").select_option("satisfied")
        form.locator("select[name=service_satisfaction]").select_option("very_satisfied")

    act(page, "callback", satisfied)

    case = Case.objects.get(pk=case.pk)
    assert case.status == CaseStatus.CLOSED and case.lead_department.short_name == suggested
    assert case.register_condition_id == condition.pk and case.stats.satisfaction == "satisfied"
    steps = list(case.events.order_by("at", "id").values_list("action", "actor__username"))
    assert steps == [
        ("report", "operator"),
        ("accept", "operator"),
        ("register", "shift_leader"),
        ("dispatch", "dispatcher"),
        ("handle", f"dept_{suggested}"),
        ("report_back", f"dept_{suggested}"),
        ("check", "operator"),
        ("check", "inspector"),
        ("close", "shift_leader"),
        ("callback", "operator"),
    ]
    assert case.attachments.filter(stage="after").count() == 2
    page.goto(f"{server.url}/cases/{number}/")
    assert page.get_by_test_id("timeline").locator("li").count() == len(steps)
    expect(page.get_by_test_id("timeline").locator("img.thumb")).to_have_count(2)


def test_a_dispatcher_refuses_an_extension_only_with_a_reason(page, log_in, loop, people):
    case = loop.to_dispatched()
    loop.act(
        case, "request_extension", people.zhifa, note="需协调供水公司停水", extension_value=2, extension_unit="days"
    )

    as_user(page, log_in, "dispatcher", "/centre/dispatch/")
    assert page.get_by_test_id("count-approvals").inner_text() == "1"
    page.get_by_test_id("tab-approvals").click()
    page.wait_for_url(re.compile(r"tab=approvals"))
    open_row(page, case.number)
    assert page.get_by_test_id("pending-request").get_attribute("data-kind") == "extension"
    snapshot(page, "centre_dispatch_approvals")

    page.get_by_test_id("action-refuse").click()
    page.get_by_test_id("submit-refuse").click()  # no reason: the browser keeps the form
    assert page.locator("#refuse-note:invalid").count() == 1
    assert Case.objects.get(pk=case.pk).status == CaseStatus.EXTENSION_REQUESTED

    page.fill("#refuse-note", "时限充足，请按期处置")
    with page.expect_navigation():
        page.get_by_test_id("submit-refuse").click()
    assert page.url.endswith("/centre/dispatch/?tab=approvals")
    assert page.get_by_test_id("count-approvals").inner_text() == "0"
    assert Case.objects.get(pk=case.pk).status == CaseStatus.DISPATCHED
