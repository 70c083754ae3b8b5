"""Parties, keepers and documents for the credit, frontage and reminder tests."""

from __future__ import annotations

from datetime import date, datetime, time

from django.utils import timezone

from xiuhua.accounts.models import User
from xiuhua.ledgers.choices import DocumentKind, DocumentStatus, IdKind, LedgerKind, SubjectKind
from xiuhua.ledgers.identity import credit_code_check, identity_digest
from xiuhua.ledgers.models import EnforcementDocument, LedgerKeeper, Subject
from xiuhua.territory.models import Division, UnitGrid
from xiuhua.worktime.clock import SHANGHAI

DISTRICT = "330424"


def district() -> Division:
    return Division.objects.get(code=DISTRICT)


def company(name: str = "海盐某某餐饮有限公司", body: str = "91330424MA2B3C4D5") -> Subject:
    code = body + credit_code_check(body)
    return Subject.objects.create(
        kind=SubjectKind.ORGANISATION, name=name, id_kind=IdKind.CREDIT_CODE,
        id_digest=identity_digest(IdKind.CREDIT_CODE, code), id_last4=code[-4:], district=district(),
    )  # fmt: skip


def person(name: str = "张小明", number: str = "330424199001011234") -> Subject:
    return Subject.objects.create(
        kind=SubjectKind.PERSON, name=name, id_kind=IdKind.ID_CARD,
        id_digest=identity_digest(IdKind.ID_CARD, number), id_last4=number[-4:], district=district(),
    )  # fmt: skip


def shop_keeper(username: str = "dept_zhifa") -> User:
    """The enforcement bureau keeps the shops' ledger; its handler sees the whole district."""
    user = User.objects.get(username=username)
    LedgerKeeper.objects.get_or_create(ledger=LedgerKind.SHOP, department=user.department)
    user.scope_division_codes = [DISTRICT]
    user.save(update_fields=["scope_division_codes"])
    return user


_numbers = iter(range(1, 10_000))


def document(
    subject: Subject, kind: str = DocumentKind.PENALTY, on: date | None = None, **fields
) -> EnforcementDocument:
    """A document made directly with the model, as the documents part will have issued it."""
    keeper = User.objects.get(username="dept_zhifa")
    on = on or timezone.localdate()
    number = next(_numbers)
    return EnforcementDocument.objects.create(
        kind=kind, year=on.year, number=number, full_number=f"海综执{kind}〔{on.year}〕第 {number:05d} 号",
        subject=subject, facts=fields.pop("facts", "店外经营"), legal_basis="《浙江省城市市容和环境卫生管理条例》",
        issued_by=keeper, issuing_unit=keeper.department,
        issued_at=datetime.combine(on, time(10), tzinfo=SHANGHAI),
        status=fields.pop("status", DocumentStatus.ISSUED), **fields,
    )  # fmt: skip


def shops(count: int, *, lng: float, lat: float, prefix: str = "S", subdistrict: Division | None = None, **fields):
    """`count` shops (not yet saved) at one spot in a sub-district, each with its own code and name."""
    from xiuhua.ledgers.models import Shop

    home = subdistrict or Division.objects.filter(level="subdistrict").order_by("code").first()
    grid = UnitGrid.objects.filter(community__parent=home).order_by("code").first()
    return [
        Shop(
            code=f"{prefix}{i:06d}",
            name=f"商铺{prefix}{i}",
            district=district(),
            subdistrict=home,
            community=grid.community if grid else None,
            unit_grid=grid,
            grid_code=grid.code if grid else "",
            lng=lng,
            lat=lat,
            **fields,
        )  # fmt: skip
        for i in range(count)
    ]
