"""Patrol in a real browser: the inspector's phone goes on duty with a granted, emulated position, records and
sends positions, keeps them while offline and sends them when the network returns; the shift leader replays."""

import time

import pytest
from playwright.sync_api import expect

from xiuhua.patrol.models import PatrolShift, PatrolTrack
from xiuhua.web.tests.browser.conftest import PHONE, _context


@pytest.fixture
def patrol_phone(browser, request, server, demo_city, spot, settings):
    """A phone with its position granted at the demo city's first grid, recording every second (not 30 s)."""
    settings.XIUHUA_PATROL_INTERVAL_SECONDS = 1
    position = {"longitude": spot[0], "latitude": spot[1], "accuracy": 8}
    yield from _context(browser, request, **PHONE, geolocation=position, permissions=["geolocation"])


def eventually(check, seconds: float = 15.0):
    """Poll the database (the live server writes from its own thread) until `check()` is truthy."""
    deadline = time.monotonic() + seconds
    while not (result := check()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)
    return result


def test_going_on_duty_records_positions_and_sends_them(patrol_phone, log_in, spot):
    page = patrol_phone
    log_in(page, "inspector")
    page.get_by_test_id("duty-start").click()
    expect(page.get_by_test_id("duty-state")).to_contain_text("在岗")
    expect(page.get_by_test_id("duty-end")).to_be_visible()
    shift = eventually(lambda: PatrolShift.objects.filter(inspector__username="inspector").first())
    eventually(lambda: PatrolTrack.objects.filter(shift=shift).count() >= 2)
    # 9.6 m east: beyond the accuracy (a step, not jitter), slow enough at one reading a second (not a jump).
    page.context.set_geolocation({"longitude": spot[0] + 0.0001, "latitude": spot[1], "accuracy": 8})
    eventually(lambda: PatrolTrack.objects.filter(shift=shift, lng__gt=spot[0] + 0.00009).exists())

    page.get_by_test_id("duty-end").click()
    expect(page.get_by_test_id("duty-start")).to_be_visible()
    shift = eventually(lambda: PatrolShift.objects.filter(pk=shift.pk, ended_at__isnull=False).first())
    assert shift.end_reason == "inspector"
    assert 9 < shift.distance_m < 10
    first = PatrolTrack.objects.filter(shift=shift).order_by("recorded_at").first()
    assert abs(first.lng - spot[0]) < 1e-6 and first.accuracy_m == 8


def test_positions_recorded_offline_wait_on_the_phone_and_are_sent_later(patrol_phone, log_in, spot):
    page = patrol_phone
    log_in(page, "inspector")
    expect(page.get_by_test_id("duty-start")).to_be_visible()
    page.context.set_offline(True)
    page.get_by_test_id("duty-start").click()  # 上岗 without network: kept with the positions
    waiting = page.get_by_test_id("duty-waiting")
    expect(waiting).to_be_visible()
    expect(waiting).not_to_have_attribute("data-count", "1")
    expect(waiting).not_to_have_attribute("data-count", "2")
    assert PatrolShift.objects.count() == 0 and PatrolTrack.objects.count() == 0

    page.context.set_offline(False)  # the `online` event sends 上岗, then the positions in one batch
    expect(waiting).to_be_hidden()
    shift = eventually(lambda: PatrolShift.objects.filter(inspector__username="inspector").first())
    assert shift.on_duty
    points = eventually(lambda: PatrolTrack.objects.filter(shift=shift).count() >= 3 and PatrolTrack.objects.all())
    assert min(p.recorded_at for p in points) >= shift.started_at
    assert PatrolTrack.objects.values("recorded_at").distinct().count() == PatrolTrack.objects.count()


def test_the_shift_leader_sees_who_is_on_duty_and_replays_a_shift(page, log_in):
    from django.conf import settings as django_settings

    from xiuhua.platform.demo_patrol import build_demo_patrol

    build_demo_patrol(days=1, inspectors=2)
    page.set_viewport_size({"width": 1366, "height": 800})
    log_in(page, "shift_leader")
    page.get_by_role("link", name="巡查轨迹").click()
    expect(page.get_by_test_id("on-duty").first).to_contain_text("监督员")
    patrol_map = page.get_by_test_id("patrol-map")
    expect(patrol_map).to_have_attribute("data-on-duty", "1")

    page.get_by_test_id("patrol-inspector").select_option(label="监督员2")
    shifts = page.get_by_test_id("patrol-shift")
    expect(shifts.first).to_contain_text("公里")
    shifts.first.click()
    expect(page.get_by_test_id("replay")).to_be_visible()
    newest = PatrolShift.objects.filter(inspector__username="inspector_2").order_by("-started_at").first()
    expect(patrol_map).to_have_attribute("data-replay-points", str(newest.point_count))
    expect(page.locator("#patrol-map path.patrol-track")).to_have_count(1)

    page.get_by_test_id("replay-slider").fill("120")
    expect(patrol_map).to_have_attribute("data-replay-index", "120")
    expect(page.get_by_test_id("replay-time")).to_contain_text(":")
    page.get_by_test_id("replay-play").click()
    expect(patrol_map).not_to_have_attribute("data-replay-index", "120")
    page.get_by_test_id("replay-play").click()  # pause where it is, for the picture
    shots = django_settings.PROJECT_DIR / "docs" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(shots / "patrol-replay.png"))
