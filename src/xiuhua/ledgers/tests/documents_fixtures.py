"""Parties and records for the documents tests, written with the models (the registry's services come later)."""

from __future__ import annotations

import pytest

from xiuhua.accounts.models import User
from xiuhua.accounts.queries import sees_division_code
from xiuhua.ledgers.choices import IdKind, LedgerKind, ShopKind, SubjectKind
from xiuhua.ledgers.documents import Draft
from xiuhua.ledgers.identity import credit_code_check, identity_digest
from xiuhua.ledgers.models import LedgerKeeper, Shop, Subject
from xiuhua.territory.models import Division, UnitGrid

OUTSIDE_TRADE = "09005"  # 店外经营
LEGAL_BASIS = "《城市市容和环境卫生管理条例》第十七条"
CREDIT_BODY = "91330424MA2CXXXX0"
CREDIT_CODE = CREDIT_BODY + credit_code_check(CREDIT_BODY)


class Archive:
    """One company with one restaurant in the demo inspector's beat; `zhifa` keeps the shops ledger."""

    def __init__(self, people) -> None:
        self.people = people
        inspector = people.inspector
        grid = next(g for g in UnitGrid.objects.order_by("code") if sees_division_code(inspector, g.code))
        self.grid = grid
        self.district = Division.objects.get(code=grid.code[:6])
        self.company = Subject.objects.create(
            kind=SubjectKind.ORGANISATION, name="海盐县好味道餐饮有限公司", id_kind=IdKind.CREDIT_CODE,
            id_digest=identity_digest(IdKind.CREDIT_CODE, CREDIT_CODE), id_last4=CREDIT_CODE[-4:],
            legal_representative="王建国", phone="13812345678", address="武原街道海滨东路 18 号",
            district=self.district,
        )  # fmt: skip
        centre = grid.geometry.representative_point()
        self.shop = Shop.objects.create(
            code="SP-0001", name="好味道饭店", subject=self.company, address="海滨东路 18 号", lng=centre.x,
            lat=centre.y, unit_grid=grid, grid_code=grid.code, district=self.district, kind=ShopKind.RESTAURANT,
            road="海滨东路",
        )  # fmt: skip
        LedgerKeeper.objects.get_or_create(ledger=LedgerKind.SHOP, department=people.zhifa.department)
        # The enforcement bureau's officers work on the whole district (the demo leaves a department's scope empty).
        people.zhifa.scope_division_codes = [self.district.code]
        people.zhifa.save(update_fields=["scope_division_codes"])

    @property
    def record(self) -> tuple[str, int]:
        return (LedgerKind.SHOP, self.shop.pk)

    def person(self, **fields) -> Subject:
        values = {"kind": SubjectKind.PERSON, "name": "李四", "address": "新桥路 3 号", "district": self.district}
        return Subject.objects.create(**(values | fields))


@pytest.fixture(name="archive")
def archive_fixture(people) -> Archive:
    return Archive(people)


def other_inspector(archive: Archive) -> User:
    return User.objects.filter(role="inspector").exclude(pk=archive.people.inspector.pk).order_by("username").first()


def outside_trade(archive: Archive, **fields) -> Draft:
    """A 店外经营 matter at the archive's restaurant; the kind None lets the ladder choose."""
    values = {"subject_id": archive.company.pk, "facts": "在店门外摆放桌椅经营", "legal_basis": LEGAL_BASIS,
              "class_code": OUTSIDE_TRADE, "demand": "撤除店外桌椅", "record": archive.record}  # fmt: skip
    return Draft(**(values | fields))
