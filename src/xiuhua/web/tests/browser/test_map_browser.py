"""The map in a real browser: grids, divisions and lit case markers; popups; filters; 50,000 grids stay quick."""

from __future__ import annotations

import json
import math
import re
import time
from datetime import date, timedelta

import numpy as np
import shapely
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from xiuhua.accounts.choices import Role
from xiuhua.accounts.models import User
from xiuhua.cases.workflow import apply_action
from xiuhua.intake.channels.staff.adapter import report_by_staff
from xiuhua.intake.services import ReportInput
from xiuhua.territory.choices import DivisionLevel
from xiuhua.territory.models import Division, UnitGrid
from xiuhua.territory.services import forget_grid_index
from xiuhua.web.tests.browser.conftest import OUTPUT

LATTICE_TOWN = "330424199"  # a sub-district of its own for the 50,000 test grids
COLS, ROWS = 250, 200  # 50,000 grids of 100 m: 25 km × 20 km
BLOCK_COLS, BLOCK_ROWS = 25, 40  # 1,000 grids a community (3-digit sequence), 50 communities


def report_at(user: User, grid: UnitGrid, class_code: str = "01001", now=None):
    centre = grid.geometry.representative_point()
    data = ReportInput(
        class_code=class_code, kind="event", description="人行道上有暴露垃圾", lng=centre.x, lat=centre.y
    )
    return report_by_staff(user, data, now=now).case


def spread_cases(people) -> dict[str, list]:
    """Cases in grids across the demo city: new reports, registered ones, and dispatched ones long overdue."""
    grids = list(UnitGrid.objects.order_by("code"))
    long_ago = timezone.now() - timedelta(days=20)
    made: dict[str, list] = {"reported": [], "registered": [], "overdue": []}
    for i, grid in enumerate(grids[::7]):
        kind = ("reported", "registered", "overdue")[i % 3]
        at = long_ago if kind == "overdue" else None
        case = report_at(people.operator, grid, "01002" if kind == "registered" else "01001", now=at)
        if kind != "reported":
            apply_action(case.number, "accept", people.operator, {}, now=at)
            apply_action(case.number, "register", people.shift_leader, {}, now=at)
        if kind == "overdue":
            apply_action(case.number, "dispatch", people.dispatcher, {"department": "zhifa"}, now=at)
        made[kind].append(case)
    return made


def wait_for_map(page) -> None:
    page.wait_for_selector("[data-testid=map][data-grid-level]")
    page.wait_for_selector("[data-testid=map][data-case-count]")


def wait_for_case_count(page, count: int) -> None:
    expect(page.get_by_test_id("map")).to_have_attribute("data-case-count", str(count))


def test_the_map_draws_grids_towns_and_cases_by_light(page, log_in, server, people):
    made = spread_cases(people)
    log_in(page, "leader")

    page.goto(f"{server.url}/map/")
    wait_for_map(page)

    the_map = page.get_by_test_id("map")
    assert the_map.get_attribute("data-grid-level") == "grid"
    assert int(the_map.get_attribute("data-grid-count")) == UnitGrid.objects.count()
    assert int(the_map.get_attribute("data-case-count")) == sum(len(v) for v in made.values())
    assert page.locator(".case-dot-red").count() == len(made["overdue"])
    assert page.locator(".case-dot-green").count() >= 1
    assert page.locator(".division-label").count() >= 1  # sub-district names
    assert page.get_by_test_id("case-total").inner_text() == str(sum(len(v) for v in made.values()))


def test_clicking_a_case_opens_its_summary_and_the_link_opens_the_case(page, log_in, server, people):
    made = spread_cases(people)
    case = made["overdue"][0]
    log_in(page, "operator")
    page.goto(f"{server.url}/map/")
    wait_for_map(page)

    dots = page.locator(".case-dot-red")
    dots.first.click()
    popup = page.get_by_test_id("case-popup")
    popup.wait_for()
    number = page.get_by_test_id("case-popup-number").inner_text()
    assert number in {c.number for c in made["overdue"]}
    assert case.case_class.name in popup.inner_text()
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(400)  # the popup fades in
    page.screenshot(path=str(OUTPUT / "map_case_popup.png"))

    page.get_by_test_id("case-popup-number").click()
    page.wait_for_url(re.compile(rf"/cases/{number}/$"))


def test_filters_redraw_only_the_matching_cases(page, log_in, server, people):
    made = spread_cases(people)
    log_in(page, "dispatcher")
    page.goto(f"{server.url}/map/")
    wait_for_map(page)
    the_map = page.get_by_test_id("map")

    with page.expect_response(re.compile(r"cases\.geojson\?.*status=registered")):
        page.select_option("#map-status", "registered")
    wait_for_case_count(page, len(made["registered"]))

    with page.expect_response(re.compile(r"cases\.geojson\?.*class=01001")):
        page.select_option("#map-status", "")
        page.fill("#map-class", "01001")
        page.press("#map-class", "Enter")
    expected = len(made["reported"]) + len(made["overdue"])
    wait_for_case_count(page, expected)
    assert the_map.get_attribute("data-case-count") == str(expected)


def test_a_department_sees_only_its_cases_on_the_map(page, log_in, server, people):
    made = spread_cases(people)
    log_in(page, "dept_zhifa")

    page.goto(f"{server.url}/map/")
    wait_for_map(page)

    assert page.get_by_test_id("map").get_attribute("data-case-count") == str(len(made["overdue"]))


def test_zooming_out_swaps_grids_for_community_outlines(page, log_in, server):
    log_in(page, "leader")
    page.goto(f"{server.url}/map/")
    wait_for_map(page)

    with page.expect_response(re.compile(r"grids\.geojson\?.*zoom=13")):
        page.evaluate("document.querySelector('[data-testid=map]').xiuhua.map.setZoom(13) && null")
    page.wait_for_selector("[data-testid=map][data-grid-level=community]")
    assert page.get_by_test_id("grid-level-note").is_visible()


# -- 50,000 grids


def build_lattice() -> int:
    """A sub-district of 50 communities × 1,000 grids of 100 m, written in bulk (what an import of a county does)."""
    district = Division.objects.get(level=DivisionLevel.DISTRICT)
    dlat = 100 / 111_320
    dlng = dlat / math.cos(math.radians(30.6))
    west, north = 121.00, 30.70
    town = Division(code=LATTICE_TOWN, name="格点镇", level=DivisionLevel.SUBDISTRICT, parent=district)
    town.set_geometry(shapely.box(west, north - ROWS * dlat, west + COLS * dlng, north))
    town.save()
    grids = []
    for block in range((COLS // BLOCK_COLS) * (ROWS // BLOCK_ROWS)):
        by, bx = divmod(block, COLS // BLOCK_COLS)
        code = f"{LATTICE_TOWN}{block + 1:03d}"
        x0, y1 = west + bx * BLOCK_COLS * dlng, north - by * BLOCK_ROWS * dlat
        community = Division(code=code, name=f"格点{block + 1}村", level=DivisionLevel.COMMUNITY, parent=town)
        community.set_geometry(shapely.box(x0, y1 - BLOCK_ROWS * dlat, x0 + BLOCK_COLS * dlng, y1))
        community.save()
        rows, cols = np.divmod(np.arange(BLOCK_COLS * BLOCK_ROWS), BLOCK_COLS)
        xs, ys = x0 + cols * dlng, y1 - rows * dlat
        boxes = shapely.box(xs, ys - dlat, xs + dlng, ys)
        for seq, (box, wkb) in enumerate(zip(boxes, shapely.to_wkb(boxes), strict=True)):
            minx, miny, maxx, maxy = box.bounds
            grids.append(
                UnitGrid(
                    code=f"{code}{seq:03d}",
                    community=community,
                    area_m2=10_000,
                    valid_from=date(2024, 1, 1),
                    geometry_wkb=wkb,
                    min_lng=minx,
                    min_lat=miny,
                    max_lng=maxx,
                    max_lat=maxy,
                )
            )
    UnitGrid.objects.bulk_create(grids, batch_size=5000)
    forget_grid_index()
    return len(grids)


def test_fifty_thousand_grids_load_quickly_and_only_the_view_is_sent(page, log_in, server):
    assert build_lattice() == 50_000
    User.objects.create_user(
        "lattice_leader", password=settings.DEMO_PASSWORD, role=Role.LEADER, scope_division_codes=[LATTICE_TOWN]
    )
    log_in(page, "lattice_leader")

    started = time.perf_counter()
    with page.expect_response(re.compile(r"/map/grids\.geojson\?")) as first:
        page.goto(f"{server.url}/map/")
    page.wait_for_selector("[data-testid=map][data-grid-level=grid]")
    page.locator(".case-map canvas").first.wait_for(state="attached")
    elapsed = time.perf_counter() - started

    body = first.value.body()
    layer = json.loads(body)
    drawn = int(page.get_by_test_id("map").get_attribute("data-grid-count"))
    assert layer["level"] == "grid" and 200 <= layer["count"] == drawn <= 2000
    assert all(f["id"].startswith(LATTICE_TOWN) for f in layer["features"])
    assert len(body) < 250_000, f"{len(body)} bytes for {layer['count']} grids"
    assert first.value.headers["content-encoding"] == "gzip"
    sent = first.value.request.sizes()["responseBodySize"]
    assert sent < 60_000, f"{sent} bytes on the wire"
    assert elapsed < 10, f"{elapsed:.1f} s to draw the first grids"
    print(f"50,000 grids: first view {layer['count']} grids, {len(body)} bytes ({sent} gzipped), {elapsed:.2f} s")
    page.screenshot(path=str(OUTPUT / "map_50000_grids_first_view.png"))

    with page.expect_response(re.compile(r"grids\.geojson\?.*zoom=12")) as outlines:
        page.evaluate("document.querySelector('[data-testid=map]').xiuhua.map.setZoom(12) && null")
    assert json.loads(outlines.value.body())["level"] == "community"
    page.wait_for_selector("[data-testid=map][data-grid-level=community]")


def test_an_inspector_opens_the_map_on_a_phone(phone, log_in, server, people):
    spread_cases(people)
    log_in(phone, "inspector")

    phone.goto(f"{server.url}/map/")
    wait_for_map(phone)

    box = phone.get_by_test_id("map").bounding_box()
    assert box["width"] >= 350 and box["height"] >= 400
    assert phone.locator(".case-dot").count() + phone.locator(".case-cluster").count() >= 1
