"""The inspector's check page (核查) in a real phone-sized browser: the department's after-photo beside the
reported one, its reply and time, the address found from the reported point, the small map and the map-app links;
then the check passed from the page. Saves `check-page.png` (the README's picture: docs/screenshots/)."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from xiuhua.intake.channels.staff.adapter import report_by_staff
from xiuhua.intake.services import ReportInput
from xiuhua.web.tests.browser.conftest import OUTPUT


def scene(name: str, litter: bool) -> SimpleUploadedFile:
    """A street photo: a pavement, with a heap of rubbish before handling and without it after."""
    image = Image.new("RGB", (800, 600), (176, 190, 197))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 380, 800, 600), fill=(120, 124, 128))
    if litter:
        draw.ellipse((280, 400, 520, 520), fill=(70, 110, 60))
        draw.rectangle((330, 350, 480, 430), fill=(205, 160, 80))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=80)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def checking(loop, people, spot):
    data = ReportInput(class_code="01001", kind="event", description="人行道有暴露垃圾", lng=spot[0], lat=spot[1])
    case = report_by_staff(people.operator, data, [scene("before.jpg", True)]).case
    loop.act(case, "accept", people.operator)
    loop.act(case, "register", people.shift_leader)
    loop.act(case, "dispatch", people.dispatcher, department="zhifa")
    loop.act(case, "handle", people.zhifa)
    loop.act(case, "report_back", people.zhifa, files=[scene("after.jpg", False)], note="已清运完毕，路面已冲洗")
    return loop.act(case, "check", people.operator, inspector="inspector")


def test_the_check_page_shows_the_after_photo_and_the_departments_reply(phone, log_in, server, checking):
    page = phone
    log_in(page, "inspector")
    page.goto(f"{server.url}/m/cases/{checking.number}/")

    after = page.get_by_test_id("photos-after").locator("img")
    expect(after).to_have_count(1)
    expect(after).to_be_visible()
    expect(page.get_by_test_id("photos-before").locator("img")).to_have_count(1)
    # The worker's thumbnail of the 800-px photo, not a broken link (a broken one never gets a width). On a busy
    # machine the picture may still be loading when the page is: wait for it, then check its size.
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=after.element_handle())
    assert after.evaluate("img => img.naturalWidth") == 480
    expect(page.get_by_test_id("dept-reply-note")).to_have_text("已清运完毕，路面已冲洗")
    expect(page.get_by_test_id("dept-reply-by")).to_contain_text(re.compile(r"\d\d-\d\d \d\d:\d\d"))
    expect(page.get_by_test_id("case-address")).to_have_text(checking.address)
    expect(page.get_by_test_id("case-map")).to_have_attribute("data-loaded", "true")
    expect(page.locator("#case-map .case-point")).to_have_count(1)
    expect(page.get_by_test_id("nav-amap")).to_have_attribute("href", re.compile(r"^https://uri\.amap\.com/marker\?"))
    expect(page.get_by_test_id("nav-geo")).to_have_attribute("href", re.compile(r"^geo:\d+\.\d+,\d+\.\d+"))
    OUTPUT.mkdir(parents=True, exist_ok=True)
    # The tab bar is fixed to the bottom of the screen: in a full-page picture it would cover the photos.
    page.screenshot(path=str(OUTPUT / "check-page.png"), full_page=True, style=".m-tabs { position: static; }")

    page.get_by_test_id("result-yes").click()
    page.get_by_test_id("photos").set_input_files(
        files=[{"name": "check.jpg", "mimeType": "image/jpeg", "buffer": scene("check.jpg", False).read()}]
    )
    page.get_by_test_id("m-submit-check").click()
    page.wait_for_url(re.compile(r"/m/$"))
    checking.refresh_from_db()
    assert checking.status == "checked"
