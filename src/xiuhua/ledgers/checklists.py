"""What an inspector checks at each kind of ledger record, and which case class a failed item is reported as.

The items are data, not models: they are the seeds' own lists (Jintan's toilet 户籍 checklist, Zhanggong's
门前三包, Haiyan's billboard campaign …) and change with a code release, not per installation. Each item has a
stable key (stored in `Inspection.checklist`) and the Chinese label the phone shows.
"""

from __future__ import annotations

from dataclasses import dataclass

from xiuhua.core.errors import DomainError
from xiuhua.ledgers.choices import LedgerKind, ShopKind


@dataclass(frozen=True)
class Item:
    key: str
    label: str
    class_code: str = ""  # the GB/T 47678.5 event class a failed item is reported as ("" = none fits)


TOILET = (
    Item("floor", "地面净", "03001"),
    Item("walls", "墙壁净", "03001"),
    Item("stalls", "厕位净", "03001"),
    Item("surroundings", "周边净", "06012"),
    Item("no_overflow", "无溢流", "03001"),
    Item("no_flies", "无蚊蝇", "03001"),
    Item("no_odour", "无臭味", "03001"),
    Item("water", "水通", "03001"),
    Item("power", "电通", "03001"),
    Item("lights", "灯明", "03001"),
)
SHOP = (
    Item("frontage_clean", "门前三包·清洁", "06012"),
    Item("frontage_order", "门前三包·秩序", "06036"),
    Item("frontage_green", "门前三包·绿化"),
    Item("no_outside_trade", "无店外经营", "09005"),
)
RESTAURANT_EXTRA = (Item("fume_purifier", "油烟净化", "06027"),)
BILLBOARD = (
    Item("structure", "结构牢固", "03006"),
    Item("permit_valid", "许可在期", "07003"),
    Item("undamaged", "无破损", "03006"),
)
SITE = (
    Item("hoarding", "围挡", "08007"),
    Item("wheel_wash", "冲洗", "08012"),
    Item("covered", "覆盖", "08006"),
    Item("dust", "扬尘", "08004"),
)
DOG = (Item("leashed", "牵引"), Item("vaccinated", "免疫"), Item("licensed", "办证"))
BUILDING = (Item("nothing_new", "无新增", "06001"), Item("no_construction", "无在建", "08016"))
ZONE = (Item("hours_kept", "时段", "09006"), Item("order_kept", "秩序", "09006"))

CHECKLISTS: dict[str, tuple[Item, ...]] = {
    LedgerKind.PUBLIC_TOILET: TOILET,
    LedgerKind.SHOP: SHOP,
    LedgerKind.BILLBOARD: BILLBOARD,
    LedgerKind.SITE: SITE,
    LedgerKind.DOG: DOG,
    LedgerKind.ILLEGAL_BUILDING: BUILDING,
    LedgerKind.ZONE: ZONE,
}


def checklist_for(kind: str, record: object | None = None) -> tuple[Item, ...]:
    """The items for a ledger kind; a restaurant also has its fume purifier checked."""
    if kind not in CHECKLISTS:
        raise DomainError(f"未知的台账类别「{kind}」", code="bad_ledger")
    items = CHECKLISTS[kind]
    if kind == LedgerKind.SHOP and getattr(record, "kind", "") == ShopKind.RESTAURANT:
        items = items + RESTAURANT_EXTRA
    return items


def item_of(kind: str, key: str, record: object | None = None) -> Item:
    for item in checklist_for(kind, record):
        if item.key == key:
            return item
    raise DomainError(f"检查项「{key}」不在该类台账的检查表中", code="bad_checklist_item")


def checked(kind: str, results: dict, record: object | None = None) -> dict[str, bool]:
    """The results keyed as the checklist, each true (ok) or false (failed); unknown or missing items refused."""
    keys = {item.key for item in checklist_for(kind, record)}
    unknown = sorted(set(results) - keys)
    if unknown:
        raise DomainError(f"检查项「{'、'.join(unknown)}」不在该类台账的检查表中", code="bad_checklist_item")
    missing = [item.label for item in checklist_for(kind, record) if item.key not in results]
    if missing:
        raise DomainError(f"检查表未填完：{'、'.join(missing)}", code="checklist_incomplete")
    if not all(isinstance(value, bool) for value in results.values()):
        raise DomainError("检查项的结果应为 true（合格）或 false（不合格）", code="bad_checklist_item")
    return {key: results[key] for key in sorted(results)}
