"""Support for the registry tests (imported by test_registry_*, not a conftest, so the other ledger tests stay
apart): the shops kept by 综合执法, valid identity numbers, a shop created through the API."""

from __future__ import annotations

import pytest

from xiuhua.accounts.models import Department, User
from xiuhua.ledgers.identity import CREDIT_CODE_CHARS, credit_code_check, id_card_check
from xiuhua.ledgers.models import LedgerKeeper
from xiuhua.territory.models import Division


def credit_code(seed: int) -> str:
    """A valid unified social credit code (its check character computed)."""
    first17 = "91330424" + "".join(CREDIT_CODE_CHARS[(seed * 7 + i * 3) % 31] for i in range(9))
    return first17 + credit_code_check(first17)


def id_card(seed: int) -> str:
    first17 = f"33042419{80 + seed % 20:02d}0101{seed % 1000:03d}"
    return first17 + id_card_check(first17)


def district_code() -> str:
    return Division.objects.get(level="district").code


@pytest.fixture
def keepers(demo_city):
    """综合执法 keeps the shops; both it and 住建 work on the whole district (their demo scope is empty)."""
    LedgerKeeper.objects.create(ledger="shop", department=Department.objects.get(short_name="zhifa"))
    LedgerKeeper.objects.create(ledger="site", department=Department.objects.get(short_name="zhujian"))
    for username in ("dept_zhifa", "dept_zhujian"):
        user = User.objects.get(username=username)
        user.scope_division_codes = [district_code()]
        user.save()


def shop_body(lng: float, lat: float, code: str = "SP0001", **extra) -> dict:
    return {"code": code, "name": "海滨小吃店", "kind": "restaurant", "road": "海滨东路", "lng": lng, "lat": lat,
            "contact_name": "陈小明", "contact_phone": "13812345678", **extra}  # fmt: skip


def person_body(seed: int = 1, **extra) -> dict:
    return {"kind": "person", "name": "陈小明", "id_kind": "id_card", "id_number": id_card(seed),
            "phone": "13812345678", "address": "海盐县武原街道海滨东路 12 号", **extra}  # fmt: skip


def patch_json(api, path: str, body: dict):
    """PATCH with the ApiClient of the cases tests (it has no patch of its own)."""
    return api.client.patch(f"/api/v1{path}", body, content_type="application/json", **api.auth)
