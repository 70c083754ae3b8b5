"""The phone pages in a real browser at 390×844 with the phone's position granted: the inspector's report in three
taps, the offline outbox (nothing stored while offline, exactly one case after, a resend still one), a verify task
answered with a photo, and a citizen's report → receipt → status → rating after the case is closed."""

import base64
import re

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from xiuhua.cases.models import Case
from xiuhua.intake.channels.citizen.models import CitizenRating
from xiuhua.web.tests.browser.conftest import OUTPUT, PHONE, _context


@pytest.fixture
def located_phone(browser, request, server, demo_city, spot):
    """The `phone` tab with geolocation allowed and the phone standing at the demo city's first grid."""
    position = {"longitude": spot[0], "latitude": spot[1], "accuracy": 8}
    yield from _context(browser, request, **PHONE, geolocation=position, permissions=["geolocation"])


@pytest.fixture
def camera_jpeg(tmp_path):
    """A photo as a phone camera would save it: a real JPEG, with some shapes so it looks like a scene."""
    image = Image.new("RGB", (1200, 900), (176, 190, 197))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 560, 1200, 900), fill=(120, 124, 128))
    draw.ellipse((420, 600, 780, 760), fill=(70, 110, 60))
    draw.rectangle((470, 520, 730, 640), fill=(205, 160, 80))
    path = tmp_path / "IMG_20261123_101500.jpg"
    image.save(path, format="JPEG", quality=85)
    return path


def snap(page, name: str, full_page: bool = False) -> None:
    """An extra screenshot of a step worth showing (the fixture saves the last state of every test too)."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    if full_page:
        page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(OUTPUT / f"{name}.png"), full_page=full_page)


def open_report_page(page, log_in, server) -> None:
    log_in(page, "inspector")
    page.get_by_test_id("tab-report").click()
    page.wait_for_url(re.compile(r"/m/report/$"))


def three_taps(page, camera_jpeg) -> None:
    page.locator('[data-testid=frequent] .m-class[data-code="01001"]').click()  # tap 1: the class
    page.get_by_test_id("photo").set_input_files(camera_jpeg)  # tap 2: the camera
    page.get_by_test_id("map").wait_for()


def test_inspector_reports_in_three_taps_at_the_phones_position(located_phone, log_in, server, loop, camera_jpeg, spot):
    page = located_phone
    loop.report_by_inspector()  # makes 01001 a frequent class of the inspector
    open_report_page(page, log_in, server)
    snap(page, "phone_report_step1_classes")

    three_taps(page, camera_jpeg)
    expect(page.locator("[data-place]")).to_contain_text("·")
    snap(page, "phone_report_step3_confirm")
    page.get_by_test_id("send").click()  # tap 3

    receipt = page.get_by_test_id("sent-receipt")
    receipt.wait_for()
    case = Case.objects.get(number=receipt.get_attribute("data-number"))
    assert case.source == "inspector" and case.case_class.code == "01001"
    assert case.original_crs == "wgs84" and abs(case.lng - spot[0]) < 1e-6 and abs(case.lat - spot[1]) < 1e-6
    assert case.attachments.get().original_name == camera_jpeg.name
    assert page.get_by_test_id("pending").is_hidden()


def test_a_report_made_offline_waits_on_the_phone_and_is_sent_once(located_phone, log_in, server, loop, camera_jpeg):
    page = located_phone
    loop.report_by_inspector()
    before = Case.objects.count()
    open_report_page(page, log_in, server)

    page.context.set_offline(True)
    three_taps(page, camera_jpeg)
    page.get_by_test_id("send").click()

    page.get_by_test_id("queued-note").wait_for()
    assert page.get_by_test_id("pending-count").inner_text() == "1"
    assert page.get_by_test_id("offline").is_visible()
    snap(page, "phone_report_offline_waiting")
    assert Case.objects.count() == before

    page.context.set_offline(False)  # the `online` event sends it
    receipt = page.get_by_test_id("sent-receipt")
    receipt.wait_for()
    page.get_by_test_id("pending").wait_for(state="hidden")
    assert Case.objects.count() == before + 1

    status, body = page.evaluate(
        """async ([key, jpeg]) => {
            const bytes = Uint8Array.from(atob(jpeg), c => c.charCodeAt(0));
            const form = new FormData();
            Object.entries({class_code: '01001', kind: 'event', description: '重发', lng: '120.9', lat: '30.5'})
              .forEach(([k, v]) => form.append(k, v));
            form.append('photos', new Blob([bytes], {type: 'image/jpeg'}), 'again.jpg');
            const csrf = document.querySelector('meta[name=csrf-token]').content;
            const response = await fetch('/m/report/', {method: 'POST', body: form,
              headers: {'Idempotency-Key': key, 'X-CSRFToken': csrf}});
            return [response.status, await response.json()];
        }""",
        [receipt.get_attribute("data-key"), base64.b64encode(camera_jpeg.read_bytes()).decode()],
    )
    assert status == 200 and body["created"] is False and body["number"] == receipt.get_attribute("data-number")
    assert Case.objects.count() == before + 1


def test_a_verify_task_is_answered_on_the_phone_with_a_photo(located_phone, log_in, server, loop, people, camera_jpeg):
    page = located_phone
    case = loop.report()
    loop.act(case, "accept", people.operator)
    loop.act(case, "verify", people.operator, inspector="inspector")
    log_in(page, "inspector")

    page.get_by_test_id("task-list").wait_for()
    page.wait_for_selector("#task-list[data-sort=distance]")  # the phone's position arrived: nearest first
    assert page.get_by_test_id("distance").first.is_visible()
    snap(page, "phone_tasks_nearest_first")
    page.locator(f"[data-testid=task][data-number='{case.number}']").click()
    page.get_by_test_id("result-yes").click()
    page.get_by_test_id("photos").set_input_files(camera_jpeg)
    page.wait_for_timeout(300)  # let the chosen answer's colour transition finish before the picture
    snap(page, "phone_verify_task")
    page.get_by_test_id("m-submit-verify").click()

    page.wait_for_url(re.compile(r"/m/$"))
    assert page.get_by_test_id("message").is_visible()
    case.refresh_from_db()
    assert case.status == "accepted" and case.attachments.count() == 1


def test_a_citizen_reports_keeps_the_receipt_follows_and_rates(located_phone, server, loop, camera_jpeg):
    page = located_phone
    page.goto(f"{server.url}/public/")
    page.locator("label[for=class-06010]").click()
    page.get_by_test_id("photo").set_input_files(camera_jpeg)
    expect(page.locator("[data-place]")).to_contain_text("·")
    page.get_by_test_id("description").fill("小区门口垃圾堆了好几天，味道很大")
    page.get_by_test_id("phone").fill("13857312345")
    snap(page, "public_report", full_page=True)
    page.get_by_test_id("send").click()

    page.get_by_test_id("receipt").wait_for()
    number = page.get_by_test_id("receipt-number").inner_text()
    code = page.get_by_test_id("receipt-code").inner_text()
    case = Case.objects.get(number=number)
    assert case.lookup_code == code and case.source == "citizen" and case.attachments.count() == 1
    snap(page, "public_receipt")

    page.get_by_test_id("lookup-link").click()
    page.fill("#lookup-number", number)
    page.fill("#lookup-code", code.lower())
    page.get_by_test_id("lookup-submit").click()
    page.get_by_test_id("public-timeline").wait_for()
    assert page.get_by_test_id("public-status").inner_text() == "待受理"

    loop.close(case)
    page.reload()
    assert page.get_by_test_id("public-status").inner_text() == "已办结"
    snap(page, "public_status_rating", full_page=True)
    page.get_by_test_id("face-very_satisfied").click()
    page.get_by_test_id("rate").click()
    page.get_by_test_id("rating-done").wait_for()
    assert CitizenRating.objects.get(case=case).satisfaction == "very_satisfied"


def still_offline(page, offline: bool = True) -> None:
    """Tell the document the service worker just served that the network is off, as a phone's browser does.

    With Chromium 150, a document navigated to while the context is offline gets no network at all but its
    navigator.onLine says true, so no `online` event follows when the network returns. Emulating the condition
    again on the page's own target (DevTools protocol) fixes what the document believes, with no moment online.
    """
    session = page.context.new_cdp_session(page)
    session.send(
        "Network.emulateNetworkConditions",
        {"offline": offline, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )


def test_the_app_opens_without_network_once_visited(located_phone, log_in, server):
    page = located_phone
    open_report_page(page, log_in, server)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # the worker now controls the page and keeps it

    page.context.set_offline(True)
    page.goto(f"{server.url}/m/report/")
    still_offline(page)

    assert page.get_by_test_id("report-form").is_visible()
    expect(page.get_by_test_id("offline")).to_be_visible()


def test_the_me_tab_lists_what_waits_on_the_phone_and_it_leaves_when_sent(
    located_phone, log_in, server, loop, camera_jpeg
):
    page = located_phone
    loop.report_by_inspector()
    open_report_page(page, log_in, server)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")

    page.context.set_offline(True)
    three_taps(page, camera_jpeg)
    page.get_by_test_id("send").click()
    page.get_by_test_id("queued-note").wait_for()
    page.get_by_test_id("pending").click()  # the Me tab, kept by the service worker
    page.wait_for_url(re.compile(r"/m/me/"))
    still_offline(page)
    page.get_by_test_id("queued-item").wait_for()
    snap(page, "phone_me_waiting")
    assert Case.objects.count() == 1

    assert page.evaluate("navigator.onLine") is False
    page.context.set_offline(False)
    # The queue is sent on the `online` event or when the app is next opened. Chromium 150 keeps a document (and
    # its service worker) that was opened offline cut off after the network returns, so the phone opens the app
    # again: the new page sends what waited.
    again = page.context.new_page()
    again.goto(f"{server.url}/m/me/")
    again.get_by_test_id("queued-item").wait_for(state="detached")
    assert Case.objects.count() == 2


def test_logging_out_drops_the_pages_kept_on_the_phone(located_phone, log_in, server):
    page = located_phone
    open_report_page(page, log_in, server)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.get_by_test_id("tab-me").click()
    assert page.evaluate("caches.keys().then(names => names.length)") == 1

    page.get_by_test_id("logout").click()
    page.wait_for_url(re.compile(r"/login/"))

    assert page.evaluate("caches.keys().then(names => names.length)") == 0
