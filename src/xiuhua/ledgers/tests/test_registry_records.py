# ruff: noqa: F811 (pytest fixtures imported from the cases tests and registry_support)
"""Ledger records through the API: placed in the territory, checked per kind, with photos and a change history
that never keeps a phone in full, and drawn as a map layer without personal data."""

from __future__ import annotations

import json

import pytest

from xiuhua.cases.tests.conftest import as_user, media_in_tmp, people, photo, spot  # noqa: F401
from xiuhua.ledgers.models import LedgerChange, Shop
from xiuhua.ledgers.tests.registry_support import keepers, patch_json, shop_body  # noqa: F401
from xiuhua.territory.models import UnitGrid

pytestmark = pytest.mark.django_db


def square(lng: float, lat: float, half: float = 0.0001) -> str:
    ring = [[lng - half, lat - half], [lng + half, lat - half], [lng + half, lat + half], [lng - half, lat + half]]
    return json.dumps({"type": "Polygon", "coordinates": [[*ring, ring[0]]]})


def test_a_shop_is_placed_in_its_unit_grid_community_and_sub_district(as_user, keepers, spot):
    response = as_user("dept_zhifa").post_json("/ledgers/shop/records", shop_body(*spot))
    assert response.status_code == 201, response.content
    shop = Shop.objects.get(code="SP0001")
    grid = UnitGrid.objects.order_by("code").first()
    assert shop.unit_grid_id == grid.pk and shop.grid_code == grid.code
    assert shop.community_id == grid.community_id and shop.subdistrict_id == grid.community.parent_id
    assert response.json()["community"] == grid.community.name


def test_a_point_outside_every_grid_is_refused_in_chinese_and_nothing_is_written(as_user, keepers):
    response = as_user("dept_zhifa").post_json("/ledgers/shop/records", shop_body(116.40, 39.90))
    assert response.status_code == 400
    assert response.json()["code"] == "outside_territory" and "不在本辖区" in response.json()["detail"]
    assert not Shop.objects.exists() and not LedgerChange.objects.exists()


def test_a_duty_area_reaching_outside_the_territory_is_refused(as_user, keepers, spot):
    body = shop_body(*spot, duty_area_geojson=square(*spot, half=1.0))
    response = as_user("dept_zhifa").post_json("/ledgers/shop/records", body)
    assert response.status_code == 400 and "门前三包责任区超出本辖区" in response.json()["detail"]
    inside = as_user("dept_zhifa").post_json("/ledgers/shop/records", shop_body(*spot, duty_area_geojson=square(*spot)))
    assert inside.status_code == 201, inside.content


def test_a_vending_zone_needs_an_outline_which_places_it(as_user, spot):
    leader = as_user("leader")
    without = leader.post_json("/ledgers/zone/records", {"code": "Z1", "name": "夜市", "kind": "guided", "lng": spot[0],
                                                         "lat": spot[1]})  # fmt: skip
    assert without.status_code == 400 and "范围" in without.json()["detail"]
    zone = {"code": "Z1", "name": "夜市", "kind": "guided", "hours": "17:00-22:00", "area_geojson": square(*spot)}
    created = leader.post_json("/ledgers/zone/records", zone)
    assert created.status_code == 201, created.content
    assert created.json()["grid_code"] == UnitGrid.objects.order_by("code").first().code


def test_bad_values_are_refused_naming_the_field(as_user, spot):
    leader = as_user("leader")
    body = {"code": "WJ1", "name": "铁皮棚", "area_m2": "-3", "found_on": "2026-01-05", "status_on": "2026-01-05",
            "lng": spot[0], "lat": spot[1]}  # fmt: skip
    negative = leader.post_json("/ledgers/illegal_building/records", body)
    assert negative.status_code == 400
    assert negative.json()["detail"] == "「面积（平方米）」应为大于 0 的数字", negative.json()
    missing = leader.post_json("/ledgers/billboard/records", {"code": "GG1", "name": "招牌", "lng": spot[0],
                                                               "lat": spot[1]})  # fmt: skip
    assert missing.status_code == 400 and missing.json()["code"] == "missing_field"
    dog = {"code": "D1", "name": "旺财", "breed": "柴犬", "vaccinated_on": "2999-01-01", "lng": spot[0], "lat": spot[1]}
    future = leader.post_json("/ledgers/dog/records", dog)
    assert future.status_code == 400 and "不能晚于今天" in future.json()["detail"]


def test_a_45_m2_building_of_2019_is_new_and_handled_in_the_grid_a_60_m2_one_needs_a_plan(as_user, spot):
    leader = as_user("leader")
    base = {"name": "阳光房", "built_on": "2019-06-01", "found_on": "2026-01-05", "status_on": "2026-01-05",
            "lng": spot[0], "lat": spot[1]}  # fmt: skip
    small = leader.post_json("/ledgers/illegal_building/records", {**base, "code": "WJ1", "area_m2": "45"}).json()
    large = leader.post_json("/ledgers/illegal_building/records", {**base, "code": "WJ2", "area_m2": "60"}).json()
    old = leader.post_json("/ledgers/illegal_building/records",
                           {**base, "code": "WJ3", "area_m2": "45", "built_on": "2012-03-01"}).json()  # fmt: skip
    assert (small["is_new"], small["route"]) == (True, "grid")
    assert (large["is_new"], large["route"]) == (True, "plan")
    assert old["is_new"] is False


def test_the_change_history_keeps_the_phone_masked(as_user, keepers, spot):
    zhifa = as_user("dept_zhifa")
    shop_id = zhifa.post_json("/ledgers/shop/records", shop_body(*spot)).json()["id"]
    edited = patch_json(zhifa, f"/ledgers/shop/records/{shop_id}", {"contact_phone": "13999998888", "road": "新桥路"})
    assert edited.status_code == 200, edited.content
    history = edited.json()["history"]
    assert history[0]["how"] == "edited"
    assert history[0]["changes"]["contact_phone"] == ["138****5678", "139****8888"]
    assert history[0]["changes"]["road"] == ["海滨东路", "新桥路"]
    stored = json.dumps(list(LedgerChange.objects.values_list("changes", flat=True)), ensure_ascii=False)
    assert "13812345678" not in stored and "13999998888" not in stored and "陈小明" not in stored


def test_a_deactivated_shop_stays_in_the_archive_and_leaves_the_map(as_user, keepers, spot):
    zhifa = as_user("dept_zhifa")
    shop_id = zhifa.post_json("/ledgers/shop/records", shop_body(*spot)).json()["id"]
    assert len(zhifa.get("/ledgers/shop/layer.geojson").json()["features"]) == 1
    closed = zhifa.post_json(f"/ledgers/shop/records/{shop_id}/deactivate", {"reason": "歇业"})
    assert closed.status_code == 200 and closed.json()["active"] is False
    assert zhifa.get("/ledgers/shop/layer.geojson").json()["features"] == []
    assert zhifa.get("/ledgers/shop/records", active="false").json()["count"] == 1
    assert zhifa.post_json(f"/ledgers/shop/records/{shop_id}/deactivate", {}).status_code == 400


def test_the_map_layer_has_code_name_and_status_filtered_by_bbox_and_no_personal_data(as_user, keepers, spot):
    zhifa = as_user("dept_zhifa")
    zhifa.post_json("/ledgers/shop/records", shop_body(*spot))
    lng, lat = spot
    inside = zhifa.get("/ledgers/shop/layer.geojson", bbox=f"{lng - 0.01},{lat - 0.01},{lng + 0.01},{lat + 0.01}")
    feature = inside.json()["features"][0]
    assert feature["properties"] == {"code": "SP0001", "name": "海滨小吃店", "status": "restaurant", "active": True}
    assert "1381234" not in inside.content.decode() and "陈" not in inside.content.decode()
    away = zhifa.get("/ledgers/shop/layer.geojson", bbox=f"{lng + 1},{lat + 1},{lng + 2},{lat + 2}")
    assert away.json()["features"] == []
    assert zhifa.get("/ledgers/shop/layer.geojson", bbox="a,b").status_code == 400


def test_photos_are_stored_with_their_stage_and_a_non_picture_is_refused(as_user, spot):
    leader = as_user("leader")
    base = {"code": "WJ9", "name": "铁皮棚", "area_m2": "30", "found_on": "2026-01-05", "status_on": "2026-01-05",
            "lng": spot[0], "lat": spot[1]}  # fmt: skip
    record_id = leader.post_json("/ledgers/illegal_building/records", base).json()["id"]
    sent = leader.post_form(f"/ledgers/illegal_building/records/{record_id}/photos",
                            {"files": [photo("before.jpg")], "stage": "before"})  # fmt: skip
    assert sent.status_code == 201, sent.content
    assert [p["stage"] for p in sent.json()["photos"]] == ["before"]
    from django.core.files.uploadedfile import SimpleUploadedFile

    text = SimpleUploadedFile("note.txt", b"hello there, not a picture", content_type="image/jpeg")
    refused = leader.post_form(f"/ledgers/illegal_building/records/{record_id}/photos", {"files": [text]})
    assert refused.status_code == 400


def test_an_inspector_reads_the_ledgers_in_scope_but_may_not_write_them(as_user, keepers, spot):
    as_user("dept_zhifa").post_json("/ledgers/shop/records", shop_body(*spot))
    inspector = as_user("inspector")
    assert inspector.get("/ledgers/shop/records").json()["count"] == 1
    assert inspector.post_json("/ledgers/shop/records", shop_body(*spot, code="SP2")).status_code == 403


def test_a_point_given_in_gcj02_is_stored_in_wgs84_in_the_same_grid(as_user, keepers, spot):
    from xiuhua.geo.crs import wgs84_to_gcj02

    lng, lat = wgs84_to_gcj02(*spot)
    created = as_user("dept_zhifa").post_json("/ledgers/shop/records", shop_body(float(lng), float(lat), crs="gcj02"))
    assert created.status_code == 201, created.content
    assert abs(created.json()["lng"] - spot[0]) < 1e-6 and abs(created.json()["lat"] - spot[1]) < 1e-6
