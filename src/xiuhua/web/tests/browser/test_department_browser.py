"""A department handler in a real browser: the workbench's actions with real photos, and the case page's map."""

import re
from datetime import timedelta
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from xiuhua.cases.models import Case
from xiuhua.intake.channels.staff.adapter import report_by_staff
from xiuhua.intake.services import ReportInput


def scene_jpeg(path, cleaned: bool) -> str:
    """A real JPEG of a pavement, with a rubbish heap on it unless `cleaned`, as a phone camera would save it."""
    image = Image.new("RGB", (800, 600), (176, 178, 172))
    draw = ImageDraw.Draw(image)
    for y in range(0, 600, 60):  # paving joints
        draw.line([(0, y), (800, y)], fill=(150, 152, 148), width=3)
    draw.rectangle([0, 430, 800, 600], fill=(96, 99, 104))  # the road
    draw.line([(0, 515), (800, 515)], fill=(235, 235, 230), width=6)
    if not cleaned:
        draw.ellipse([250, 250, 560, 460], fill=(110, 86, 54))
        draw.rectangle([300, 220, 380, 300], fill=(40, 120, 60))
        draw.ellipse([430, 260, 520, 330], fill=(220, 220, 225))
    image.save(path, format="JPEG", quality=85)
    return str(path)


def workbench_row(page, number: str):
    return page.locator(f'tr[data-case="{number}"]')


def action_form(page, number: str, action: str):
    """Open one action of a workbench row and return its form."""
    row = workbench_row(page, number)
    row.get_by_test_id(f"action-{action}").click()
    return row.locator(f'details[data-action="{action}"] form')


def fill_extra_cases(loop, people):
    """A few more cases so the workbench looks like a working day: overdue, reported back, assisting."""
    loop.to_dispatched(now=timezone.now() - timedelta(days=10))
    loop.to_handled()
    assisted = loop.to_registered(class_code="01002")
    loop.act(assisted, "dispatch", people.dispatcher, department="zhujian", assisting=["zhifa"])


def test_department_handles_and_reports_back_with_an_after_photo_from_the_workbench(
    page, log_in, loop, people, server, tmp_path
):
    case = loop.to_dispatched()
    fill_extra_cases(loop, people)
    log_in(page, "dept_zhifa")
    assert page.url.endswith("/department/")

    action_form(page, case.number, "handle").get_by_test_id("submit-handle").click()
    page.wait_for_url(re.compile(r"/department/"))
    assert Case.objects.get(pk=case.pk).status == "handling"

    form = action_form(page, case.number, "report_back")
    form.locator("input[type=file][name=photos]").set_input_files(scene_jpeg(tmp_path / "after.jpg", cleaned=True))
    form.locator("textarea[name=note]").fill("垃圾已清运，地面已冲洗")
    form.get_by_test_id("submit-report_back").click()
    page.wait_for_url(re.compile(r"/department/"))

    case.refresh_from_db()
    assert case.status == "handled"
    assert case.attachments.get().stage == "after"
    page.get_by_test_id("filter-reported_back").click()
    page.wait_for_url(re.compile(r"show=reported_back"))
    assert workbench_row(page, case.number).count() == 1
    page.wait_for_selector('[data-testid="month-figures"][data-loaded="true"]')
    assert page.locator('[data-figure="handled"] .figure-value').inner_text() == "2"


def test_department_requests_an_extension_from_the_workbench(page, log_in, loop, people, server):
    case = loop.to_dispatched()
    fill_extra_cases(loop, people)
    log_in(page, "dept_zhifa")

    form = action_form(page, case.number, "request_extension")
    form.locator("input[name=extension_value]").fill("2")
    form.locator("select[name=extension_unit]").select_option("days")
    form.locator("textarea[name=note]").fill("需协调供电部门停电后施工")
    form.get_by_test_id("submit-request_extension").click()
    page.wait_for_url(re.compile(r"/department/"))

    case.refresh_from_db()
    assert case.status == "extension_requested"
    request = case.requests.get()
    assert (request.extension_value, request.extension_unit, request.reason) == (2, "days", "需协调供电部门停电后施工")
    page.get_by_test_id("filter-handling").click()
    page.wait_for_url(re.compile(r"show=handling"))
    assert workbench_row(page, case.number).count() == 1
    page.get_by_test_id("filter-open").click()
    page.wait_for_url(re.compile(r"show=open"))
    assert page.get_by_test_id("case-row").count() == 3
    page.wait_for_selector('[data-testid="month-figures"][data-loaded="true"]')
    assert page.locator('[data-figure="overdue_open"] .figure-value').inner_text() == "1"


def test_case_page_shows_photos_before_and_after_and_the_grid_on_a_map(page, log_in, loop, people, server, tmp_path):
    report = ReportInput(
        class_code="01001",
        kind="event",
        description="海滨东路人行道上堆放生活垃圾和废弃纸箱，约 1 平方米",
        lng=loop.spot[0],
        lat=loop.spot[1],
        address="武原街道海滨东路 18 号",
    )
    before = SimpleUploadedFile("before.jpg", Path(scene_jpeg(tmp_path / "b.jpg", cleaned=False)).read_bytes())
    case = report_by_staff(people.inspector, report, [before]).case
    loop.act(case, "accept", people.operator)
    loop.act(case, "register", people.shift_leader)
    loop.act(case, "dispatch", people.dispatcher, department="zhifa")
    loop.act(case, "handle", people.zhifa)
    after = SimpleUploadedFile("after.jpg", Path(scene_jpeg(tmp_path / "a.jpg", cleaned=True)).read_bytes())
    loop.act(case, "report_back", people.zhifa, files=[after], note="垃圾已清运，地面已冲洗")
    # Neighbouring grids are drawn as far as the reader's scope reaches: this department is given the district.
    people.zhifa.scope_division_codes = ["330424"]
    people.zhifa.save(update_fields=["scope_division_codes"])
    log_in(page, "dept_zhifa")

    page.goto(f"{server.url}/cases/{case.number}/")

    # The photos' thumbnails, made just after commit (their placeholders ask again until they are there).
    expect(page.get_by_test_id("photos-before").locator("img")).to_have_count(1)
    expect(page.get_by_test_id("photos-after").locator("img")).to_have_count(1)
    page.wait_for_selector("#case-map[data-loaded=true]")
    assert page.locator("#case-map.leaflet-container").count() == 1
    assert page.locator("#case-map path.grid-outline").count() == 1
    assert page.locator("#case-map path.grid-neighbour").count() >= 1
    assert page.locator("#case-map path.case-point").count() == 1
    assert page.get_by_test_id("timeline").locator("li").count() == 6


def test_on_a_phone_the_workbench_rows_stack_and_report_back_asks_the_camera(phone, log_in, loop, people, server):
    case = loop.to_dispatched()
    fill_extra_cases(loop, people)
    log_in(phone, "dept_zhifa")

    form = action_form(phone, case.number, "report_back")

    photos = form.locator("input[type=file][name=photos]")
    assert photos.get_attribute("capture") == "environment" and photos.get_attribute("accept") == "image/*"
    assert form.is_visible()
    phone.wait_for_selector('[data-testid="month-figures"][data-loaded="true"]')
    table = phone.locator("table.dept-table").bounding_box()
    assert table["x"] >= 0 and table["x"] + table["width"] <= 390  # no sideways scrolling: each case is a card


def test_department_asks_to_suspend_from_the_case_page_and_sees_the_request_waiting(page, log_in, loop, people, server):
    case = loop.to_dispatched(now=timezone.now() - timedelta(hours=20))
    loop.act(case, "handle", people.zhifa)
    log_in(page, "dept_zhifa")
    page.goto(f"{server.url}/department/")

    page.click(f"text={case.number}")
    page.wait_for_url(re.compile(rf"/cases/{case.number}/$"))
    assert page.get_by_test_id("handling-limit").get_attribute("data-light") in ("green", "yellow", "red")
    page.get_by_test_id("action-request_suspension").click()
    reason = page.locator('details[data-action="request_suspension"] textarea[name=note]')
    reason.fill("涉及地下管网改造，需待汛期后施工")
    page.get_by_test_id("submit-request_suspension").click()
    page.wait_for_url(re.compile(rf"/cases/{case.number}/$"))

    assert "涉及地下管网改造" in page.get_by_test_id("pending-request").inner_text()
    assert Case.objects.get(pk=case.pk).status == "suspension_requested"
    page.wait_for_selector("#case-map[data-loaded=true]")
