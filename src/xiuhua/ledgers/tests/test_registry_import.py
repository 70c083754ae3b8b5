# ruff: noqa: F811 (pytest fixtures imported from the cases tests and registry_support)
"""Ledger import and export: all or nothing with every error's row and column, upsert by ledger number, parties
found again by identity number, exports masked by the one rule, and a template that imports."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from xiuhua.cases.tests.conftest import as_user, media_in_tmp, people, spot  # noqa: F401
from xiuhua.ledgers.models import LedgerChange, Shop, Subject
from xiuhua.ledgers.tests.registry_support import credit_code, id_card, keepers  # noqa: F401

pytestmark = pytest.mark.django_db
HEADERS = ["code", "name", "kind", "road", "contact_name", "contact_phone", "经度", "纬度", "当事人类型",
           "当事人名称", "证件类型", "证件号码", "当事人电话"]  # fmt: skip


def shop_row(n: int, lng: float, lat: float, *, number: str | None = None, road: str = "海滨东路") -> list:
    return [f"SP{n:05d}", f"商铺{n}", "餐饮", road, "陈小明", f"1381234{n:04d}", lng, lat, "单位", f"某某餐饮店{n}",
            "统一社会信用代码", number or credit_code(n), ""]  # fmt: skip


def csv_file(rows: list[list], name: str = "shops.csv") -> SimpleUploadedFile:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    writer.writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode("utf-8-sig"), content_type="text/csv")


def test_an_import_with_one_bad_credit_code_writes_nothing_and_names_row_and_column(as_user, keepers, spot):
    good = credit_code(2)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    rows = [shop_row(1, *spot), shop_row(2, *spot, number=bad), shop_row(3, *spot)]
    response = as_user("dept_zhifa").post_form("/ledgers/shop/import", {"file": csv_file(rows)})
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [(e["row"], e["column"]) for e in errors] == [(3, "证件号码")]
    assert "校验位" in errors[0]["message"]
    assert not Shop.objects.exists() and not Subject.objects.exists() and not LedgerChange.objects.exists()


def test_a_point_outside_the_territory_in_a_file_names_its_row(as_user, keepers, spot):
    rows = [shop_row(1, *spot), shop_row(2, 116.4, 39.9)]
    response = as_user("dept_zhifa").post_form("/ledgers/shop/import", {"file": csv_file(rows)})
    assert response.status_code == 400
    assert [(e["row"], e["column"]) for e in response.json()["errors"]] == [(3, "经度")]
    assert not Shop.objects.exists()


def test_re_importing_updates_by_ledger_number_and_finds_the_party_again(as_user, keepers, spot):
    zhifa = as_user("dept_zhifa")
    same = credit_code(7)
    rows = [shop_row(1, *spot, number=same), shop_row(2, *spot, number=same), shop_row(3, *spot)]
    first = zhifa.post_form("/ledgers/shop/import", {"file": csv_file(rows)})
    assert first.status_code == 200, first.content
    assert first.json()["created"] == 3
    assert Subject.objects.count() == 2  # rows 1 and 2 share one party by its credit code
    rows[1] = shop_row(2, *spot, number=same, road="新桥路")
    again = zhifa.post_form("/ledgers/shop/import", {"file": csv_file(rows)})
    assert (again.json()["created"], again.json()["updated"], again.json()["unchanged"]) == (0, 1, 2)
    assert Shop.objects.get(code="SP00002").road == "新桥路" and Shop.objects.count() == 3
    assert Subject.objects.count() == 2
    assert Shop.objects.get(code="SP00001").kind == "restaurant"
    assert LedgerChange.objects.filter(how="imported").count() == 4


def test_a_department_that_does_not_keep_the_ledger_may_not_import_it(as_user, keepers, spot):
    response = as_user("dept_zhujian").post_form("/ledgers/shop/import", {"file": csv_file([shop_row(1, *spot)])})
    assert response.status_code == 403 and not Shop.objects.exists()


def test_the_export_masks_personal_data_for_staff_who_do_not_see_it_and_imports_again(as_user, keepers, spot):
    zhifa = as_user("dept_zhifa")
    zhifa.post_form("/ledgers/shop/import", {"file": csv_file([shop_row(1, *spot), shop_row(2, *spot)])})
    masked = as_user("inspector").get("/ledgers/shop/export", format="csv")
    assert masked.status_code == 200
    text = masked.content.decode("utf-8-sig")
    assert "138****0001" in text and "13812340001" not in text and "陈**" in text
    full = zhifa.get("/ledgers/shop/export", format="xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(full.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert "13812340001" in [str(v) for v in rows[1]] and len(rows) == 3
    upload = SimpleUploadedFile("shops.xlsx", full.content)
    again = zhifa.post_form("/ledgers/shop/import", {"file": upload})
    assert again.status_code == 200, again.content
    assert (again.json()["created"], again.json()["updated"]) == (0, 0)


def test_the_template_has_every_column_of_the_ledger_with_chinese_titles(as_user, keepers):
    response = as_user("dept_zhifa").get("/ledgers/illegal_building/template", format="xlsx")
    assert response.status_code == 200
    headers = next(openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True))
    assert {"台账编号", "面积（平方米）", "经度", "纬度", "证件号码"} <= set(headers)
    assert as_user("dept_zhifa").get("/ledgers/nothing/template").status_code == 404


def test_a_person_with_an_id_card_is_one_party_across_two_ledgers(as_user, keepers, spot):
    row = shop_row(1, *spot)
    row[8:12] = ["个人", "陈小明", "身份证", id_card(3)]
    assert as_user("dept_zhifa").post_form("/ledgers/shop/import", {"file": csv_file([row])}).status_code == 200
    subject = Subject.objects.get()
    assert subject.kind == "person" and subject.id_last4 == id_card(3)[-4:]


def test_an_import_applies_the_rules_of_the_ledger_naming_each_row_and_column(as_user, spot):
    header = "台账编号,名称,面积（平方米）,发现日期,状态日期,建成日期,经度,纬度\n"
    lines = [
        f"WJ1,铁皮棚,45,2026-01-05,2026-01-05,2019-06-01,{spot[0]},{spot[1]}",
        f"WJ2,阳光房,0,2026-01-05,2026-01-05,2019-06-01,{spot[0]},{spot[1]}",
        f"WJ3,加层,60,2026-01-05,2025-12-31,2999-01-01,{spot[0]},{spot[1]}",
    ]
    upload = SimpleUploadedFile("wj.csv", (header + "\n".join(lines)).encode("utf-8"))
    response = as_user("leader").post_form("/ledgers/illegal_building/import", {"file": upload})
    assert response.status_code == 400
    found = [(e["row"], e["column"]) for e in response.json()["errors"]]
    assert found == [(3, "面积（平方米）"), (4, "建成日期"), (4, "状态日期")]
    assert not LedgerChange.objects.exists()


def test_a_party_number_that_does_not_exist_is_named_by_row_and_column(as_user, keepers, spot):
    header = "台账编号,名称,经度,纬度,当事人编号\n"
    body = f"SP1,小吃店,{spot[0]},{spot[1]},999999\nSP2,面馆,{spot[0]},{spot[1]},abc\n"
    upload = SimpleUploadedFile("shops.csv", (header + body).encode("utf-8"))
    response = as_user("dept_zhifa").post_form("/ledgers/shop/import", {"file": upload})
    assert response.status_code == 400
    assert [(e["row"], e["column"]) for e in response.json()["errors"]] == [(2, "当事人编号"), (3, "当事人编号")]


def test_a_bad_row_in_a_later_batch_rolls_back_the_batches_already_written(as_user, keepers, spot, monkeypatch):
    from xiuhua.ledgers import importers

    monkeypatch.setattr(importers, "BATCH", 2)
    rows = [shop_row(n, *spot) for n in range(1, 6)]
    rows[4][6] = 116.4  # row 6 of the file, in the third batch: outside the territory
    response = as_user("dept_zhifa").post_form("/ledgers/shop/import", {"file": csv_file(rows)})
    assert response.status_code == 400
    assert [(e["row"], e["column"]) for e in response.json()["errors"]] == [(6, "经度")]
    assert not Shop.objects.exists() and not Subject.objects.exists() and not LedgerChange.objects.exists()
    rows[4][6] = spot[0]
    imported = as_user("dept_zhifa").post_form("/ledgers/shop/import", {"file": csv_file(rows)})
    assert imported.json()["created"] == 5 and Shop.objects.count() == 5


def test_an_imported_zone_outline_is_drawn_on_the_layer_as_its_geometry(as_user, spot):
    import json

    lng, lat = spot
    ring = [[lng - 1e-4, lat - 1e-4], [lng + 1e-4, lat - 1e-4], [lng + 1e-4, lat + 1e-4], [lng - 1e-4, lat - 1e-4]]
    polygon = {"type": "Polygon", "coordinates": [ring]}
    outline = json.dumps({"type": "Feature", "properties": {"x": 1}, "geometry": polygon})
    buffer = io.StringIO()
    csv.writer(buffer).writerows([["台账编号", "名称", "类型", "范围（GeoJSON）"], ["Z1", "夜市", "疏导区", outline]])
    leader = as_user("leader")
    response = leader.post_form(
        "/ledgers/zone/import", {"file": SimpleUploadedFile("z.csv", buffer.getvalue().encode())}
    )
    assert response.status_code == 200, response.content
    feature = leader.get("/ledgers/zone/layer.geojson").json()["features"][0]
    assert feature["geometry"]["type"] == "Polygon" and feature["properties"]["status"] == "guided"
