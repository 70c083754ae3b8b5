# ruff: noqa: F811 (pytest fixtures imported from the cases tests and registry_support)
"""Parties: one per identity number, shown by the one rule (full to the desk and to the ledger's keeper in scope,
masked to other staff, absent for anonymous callers)."""

from __future__ import annotations

import pytest

from xiuhua.cases.tests.conftest import as_user, media_in_tmp, people, spot  # noqa: F401
from xiuhua.ledgers.models import Subject
from xiuhua.ledgers.tests.registry_support import credit_code, id_card, keepers, person_body, shop_body  # noqa: F401

pytestmark = pytest.mark.django_db


def test_the_same_identity_number_registered_twice_is_refused_naming_the_party_already_there(as_user, keepers):
    zhifa = as_user("dept_zhifa")
    first = zhifa.post_json("/ledgers/parties", person_body(1))
    assert first.status_code == 201, first.content
    again = zhifa.post_json("/ledgers/parties", person_body(1, name="陈大明"))
    assert again.status_code == 400
    assert again.json()["code"] == "duplicate_subject"
    assert "陈小明" in again.json()["detail"] and id_card(1)[-4:] in again.json()["detail"]
    assert Subject.objects.count() == 1


def test_the_identity_number_is_kept_only_as_digest_and_last_four_and_finds_the_party_again(as_user, keepers):
    zhifa = as_user("dept_zhifa")
    code = credit_code(3)
    body = {"kind": "organisation", "name": "海盐某某餐饮有限公司", "id_kind": "credit_code", "id_number": code}
    created = zhifa.post_json("/ledgers/parties", body).json()
    subject = Subject.objects.get(pk=created["id"])
    assert subject.id_last4 == code[-4:] and code not in subject.id_digest
    found = as_user("leader").get("/ledgers/parties", id_kind="credit_code", id_number=code.lower())
    assert [p["id"] for p in found.json()] == [subject.pk]


def test_a_bad_credit_code_check_character_is_refused_and_nothing_is_written(as_user, keepers):
    code = credit_code(4)
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    body = {"kind": "organisation", "name": "某公司", "id_kind": "credit_code", "id_number": wrong}
    response = as_user("dept_zhifa").post_json("/ledgers/parties", body)
    assert response.status_code == 400 and "校验位" in response.json()["detail"]
    assert not Subject.objects.exists()


def test_a_department_that_keeps_no_ledger_may_not_register_a_party(as_user, demo_city):
    response = as_user("dept_zhujian").post_json("/ledgers/parties", person_body(2))
    assert response.status_code == 403


def _shop_of_a_person(as_user, spot) -> tuple[int, int]:
    zhifa = as_user("dept_zhifa")
    party = zhifa.post_json("/ledgers/parties", person_body(5)).json()
    shop = zhifa.post_json("/ledgers/shop/records", shop_body(*spot, subject_id=party["id"]))
    assert shop.status_code == 201, shop.content
    return party["id"], shop.json()["id"]


def test_the_keeper_sees_the_persons_phone_in_full_and_other_staff_see_it_masked(as_user, keepers, spot):
    party_id, shop_id = _shop_of_a_person(as_user, spot)
    kept = as_user("dept_zhifa").get(f"/ledgers/shop/records/{shop_id}").json()
    assert kept["subject"]["phone"] == "13812345678" and kept["subject"]["name"] == "陈小明"
    assert kept["contact_phone"] == "13812345678"
    inspector = as_user("inspector").get(f"/ledgers/shop/records/{shop_id}").json()
    assert inspector["subject"]["phone"] == "138****5678"
    assert inspector["subject"]["name"] == "陈**"
    assert inspector["subject"]["address"] == "海盐县武原街…"
    assert inspector["contact_name"] == "陈**" and inspector["contact_phone"] == "138****5678"
    assert as_user("operator").get(f"/ledgers/parties/{party_id}").json()["phone"] == "13812345678"


def test_a_department_that_does_not_keep_shops_sees_no_shop(as_user, keepers, spot):
    _, shop_id = _shop_of_a_person(as_user, spot)
    zhujian = as_user("dept_zhujian")
    assert zhujian.get("/ledgers/shop/records").json()["count"] == 0
    assert zhujian.get(f"/ledgers/shop/records/{shop_id}").status_code == 404
    layer = zhujian.get("/ledgers/shop/layer.geojson").json()
    assert layer["features"] == []


def test_an_empty_scope_sees_nothing_and_an_anonymous_caller_is_refused(as_user, keepers, spot, client):
    from xiuhua.accounts.models import User

    _, shop_id = _shop_of_a_person(as_user, spot)
    zhifa = as_user("dept_zhifa")
    User.objects.filter(username="dept_zhifa").update(scope_division_codes=[])
    assert zhifa.get("/ledgers/shop/records").json()["count"] == 0
    assert zhifa.get("/ledgers/parties").json() == []
    assert client.get(f"/api/v1/ledgers/shop/records/{shop_id}").status_code == 401


def test_an_organisations_name_is_public_but_its_phone_is_masked_to_other_staff(as_user, keepers, spot):
    zhifa = as_user("dept_zhifa")
    body = {"kind": "organisation", "name": "海盐某某餐饮有限公司", "id_kind": "credit_code",
            "id_number": credit_code(9), "phone": "13900001111", "address": "海盐县武原街道海滨东路 88 号"}  # fmt: skip
    party = zhifa.post_json("/ledgers/parties", body).json()
    shop = zhifa.post_json("/ledgers/shop/records", shop_body(*spot, subject_id=party["id"])).json()
    seen = as_user("inspector").get(f"/ledgers/shop/records/{shop['id']}").json()["subject"]
    assert seen["name"] == "海盐某某餐饮有限公司" and seen["address"] == body["address"]
    assert seen["phone"] == "139****1111"


def test_a_keeper_corrects_a_party_keeping_its_identity_and_may_not_take_another_partys_number(as_user, keepers, spot):
    zhifa = as_user("dept_zhifa")
    party_id, _ = _shop_of_a_person(as_user, spot)
    other = zhifa.post_json("/ledgers/parties", person_body(6, name="王五")).json()
    corrected = {**person_body(5), "id_number": "", "phone": "13700001111"}
    response = zhifa.client.put(
        f"/api/v1/ledgers/parties/{party_id}", corrected, content_type="application/json", **zhifa.auth
    )
    assert response.status_code == 200, response.content
    assert response.json()["phone"] == "13700001111" and response.json()["id_last4"] == id_card(5)[-4:]
    taken = {**person_body(6), "name": "陈小明"}
    path = f"/api/v1/ledgers/parties/{party_id}"
    clash = zhifa.client.put(path, taken, content_type="application/json", **zhifa.auth)
    assert clash.status_code == 400 and "王五" in clash.json()["detail"]
    assert Subject.objects.get(pk=other["id"]).name == "王五"
