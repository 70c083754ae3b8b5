"""The base map in a real browser: roads, house numbers and components under grids and cases; a 500,000-component
district stays quick; GCJ-02 tiles get shifted overlays."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from xiuhua.accounts.choices import Role
from xiuhua.accounts.models import User
from xiuhua.catalog.mapview import forget_snapshot
from xiuhua.geo.crs import gcj02_to_wgs84, wgs84_to_gcj02
from xiuhua.territory.models import StreetAddress
from xiuhua.web.tests.basemap_data import grid_boxes, insert_components
from xiuhua.web.tests.browser.conftest import OUTPUT
from xiuhua.web.tests.browser.test_map_browser import LATTICE_TOWN, build_lattice, spread_cases

SCREENSHOT = Path(settings.PROJECT_DIR) / "docs" / "screenshots" / "base-map.png"
NONZERO = re.compile(r"^[1-9]\d*$")


def the_map(page):
    return page.get_by_test_id("map")


def set_view(page, lng: float, lat: float, zoom: int) -> None:
    page.evaluate(f"document.querySelector('[data-testid=map]').xiuhua.map.setView([{lat}, {lng}], {zoom}) && null")


def test_the_map_page_draws_roads_components_and_house_numbers_under_grids_and_cases(page, log_in, server, people):
    spread_cases(people)
    log_in(page, "leader")

    page.goto(f"{server.url}/map/")

    expect(the_map(page)).to_have_attribute("data-road-count", NONZERO)
    expect(the_map(page)).to_have_attribute("data-component-mode", "cells")
    expect(page.locator(".component-cell").first).to_be_visible()
    switcher = page.get_by_test_id("layer-switcher")
    for name in ("道路", "门牌", "部件", "网格", "案卷"):
        expect(switcher).to_contain_text(name)

    address = StreetAddress.objects.order_by("id")[len(StreetAddress.objects.all()) // 2]
    set_view(page, address.lng, address.lat, 18)
    expect(the_map(page)).to_have_attribute("data-component-mode", "points")
    expect(the_map(page)).to_have_attribute("data-address-count", NONZERO)
    expect(page.locator(".house-number").first).to_be_visible()
    assert page.locator(".component-cell").count() == 0

    set_view(page, address.lng, address.lat, 17)
    expect(the_map(page)).to_have_attribute("data-component-mode", "points")
    expect(page.locator(".house-number").first).to_be_visible()
    page.set_viewport_size({"width": 1366, "height": 800})
    page.wait_for_timeout(600)  # the resize redraws the canvas
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))


def test_a_base_layer_is_switched_off_in_the_layer_switcher(page, log_in, server):
    log_in(page, "leader")
    page.goto(f"{server.url}/map/")
    expect(page.locator(".component-cell").first).to_be_visible()

    switcher = page.get_by_test_id("layer-switcher")
    switcher.hover()
    switcher.get_by_text("部件").click()

    expect(page.locator(".component-cell")).to_have_count(0)


def test_the_case_page_map_has_the_base_layers(page, log_in, server, people):
    case = spread_cases(people)["registered"][0]
    log_in(page, "leader")

    page.goto(f"{server.url}/cases/{case.number}/")

    box = page.get_by_test_id("case-map")
    expect(box).to_have_attribute("data-loaded", "true")
    expect(box).to_have_attribute("data-component-mode", re.compile(r"^(points|cells)$"))
    expect(box).to_have_attribute("data-road-count", re.compile(r"^\d+$"))


def open_map_timed(page, url: str) -> tuple[float, dict]:
    """Seconds from navigation start until grids and components are drawn, and the components' answer."""
    started = time.perf_counter()
    with page.expect_response(re.compile(r"/map/components\.geojson\?")) as answer:
        page.goto(url)
    expect(the_map(page)).to_have_attribute("data-grid-level", "grid")
    expect(the_map(page)).to_have_attribute("data-component-mode", "cells")
    expect(page.locator(".component-cell").first).to_be_visible()
    expect(the_map(page)).to_have_attribute("data-road-count", re.compile(r"^\d+$"))
    return time.perf_counter() - started, json.loads(answer.value.body())


def test_a_district_of_500000_components_loads_its_map_in_under_three_seconds(page, log_in, server):
    started = time.perf_counter()
    assert build_lattice() == 50_000
    assert insert_components(grid_boxes(community__code__startswith=LATTICE_TOWN), per_grid=10) == 500_000
    forget_snapshot()
    User.objects.create_user(
        "lattice_leader", password=settings.DEMO_PASSWORD, role=Role.LEADER, scope_division_codes=[LATTICE_TOWN]
    )
    built = time.perf_counter() - started
    log_in(page, "lattice_leader")

    # The first map after the components changed also reads them into the server's snapshot (once per process).
    first, _body = open_map_timed(page, f"{server.url}/map/")
    assert first < 8, f"{first:.2f} s to draw the first map after an import"

    elapsed, body = open_map_timed(page, f"{server.url}/map/")

    assert body["mode"] == "cells" and body["total"] > 5_000
    assert elapsed < 3, f"{elapsed:.2f} s to draw grids and components"
    print(
        f"500,000 components: built in {built:.1f} s; first view {body['total']} components in {body['count']} cells,"
        f" drawn in {elapsed:.2f} s (the first map after the import: {first:.2f} s)"
    )
    page.screenshot(path=str(OUTPUT / "base_map_500000_components.png"))

    started = time.perf_counter()
    with page.expect_response(re.compile(r"components\.geojson\?.*zoom=13")) as wide:
        page.evaluate("document.querySelector('[data-testid=map]').xiuhua.map.setZoom(13) && null")
    expect(the_map(page)).to_have_attribute("data-grid-level", "community")
    expect(the_map(page)).to_have_attribute("data-component-total", re.compile(r"^\d{6}$"))
    zoomed_out = time.perf_counter() - started
    assert json.loads(wide.value.body())["total"] > 100_000
    assert zoomed_out < 3, f"{zoomed_out:.2f} s to redraw the whole town"


def test_the_js_shift_is_that_of_geo_crs(page, log_in, server):
    log_in(page, "leader")
    page.goto(f"{server.url}/map/")

    for lng, lat in [(120.94, 30.52), (116.397, 39.909), (113.26, 23.13)]:
        gcj = page.evaluate(f"XiuhuaBase.wgsToGcj({lng}, {lat})")
        assert gcj == pytest.approx(list(wgs84_to_gcj02(lng, lat)), abs=1e-9)
        back = page.evaluate(f"XiuhuaBase.gcjToWgs({gcj[0]}, {gcj[1]})")
        assert back == pytest.approx(list(gcj02_to_wgs84(*gcj)), abs=1e-8)
        assert back == pytest.approx([lng, lat], abs=1e-7)


def test_with_gcj02_tiles_every_overlay_is_shifted_onto_them(page, log_in, server, settings):
    settings.XIUHUA_MAP_TILES_CRS = "gcj02"
    log_in(page, "leader")

    with page.expect_response(re.compile(r"/map/grids\.geojson\?")) as answer:
        page.goto(f"{server.url}/map/")
    expect(the_map(page)).to_have_attribute("data-grid-level", "grid")

    body = json.loads(answer.value.body())
    lng, lat = body["features"][0]["geometry"]["coordinates"][0][0]
    drawn = page.evaluate(
        "(() => { const l = document.querySelector('[data-testid=map]').xiuhua.layers.grids.getLayers()[0];"
        " const p = l.getLatLngs()[0][0]; return [p.lng, p.lat]; })()"
    )
    assert drawn == pytest.approx(list(wgs84_to_gcj02(lng, lat)), abs=1e-7)
    assert abs(drawn[0] - lng) > 1e-3  # hundreds of metres: really shifted

    sent = re.search(r"bbox=([^&]+)", answer.value.url).group(1).replace("%2C", ",").split(",")
    west, south, east, north = map(float, sent)
    view = page.evaluate(
        "(() => { const b = document.querySelector('[data-testid=map]').xiuhua.map.getBounds();"
        " return [b.getCenter().lng, b.getCenter().lat]; })()"
    )
    centre = gcj02_to_wgs84(*view)
    assert west < centre[0] < east and south < centre[1] < north
