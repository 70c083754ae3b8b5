"""The editable fields of each ledger, read from their models, and the parsing of a value given for one (from the
API as JSON or from an import cell), with the Chinese message of a bad value naming the field."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models

from xiuhua.ledgers.models import LEDGER_MODELS, LedgerRecord

# Written by the services, not given: location is set by placement, `active` by deactivation.
SYSTEM_FIELDS = frozenset(
    {"id", "created_at", "updated_at", "unit_grid", "grid_code", "community", "subdistrict", "district", "active",
     "contact_phone_digest", "lng", "lat", "area_geojson"}
)  # fmt: skip
TRUE_TEXTS = {"true", "1", "yes", "是", "y", "有"}
FALSE_TEXTS = {"false", "0", "no", "否", "n", "无"}


def editable_fields(model: type[LedgerRecord]) -> dict[str, models.Field]:
    """Field name → field of what a user gives for a record of `model` (foreign keys by their `_id`)."""
    found = {}
    for field in model._meta.concrete_fields:
        if field.name in SYSTEM_FIELDS:
            continue
        found[field.attname] = field
    return found


def label(field: models.Field) -> str:
    return str(field.verbose_name)


def parse_value(field: models.Field, value: Any) -> Any:
    """The stored value of `value` for `field`; ValueError with a Chinese message when it cannot be."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return blank_value(field)
    if field.choices:
        text = str(value).strip()
        by_label = {str(lbl): key for key, lbl in field.choices}
        text = by_label.get(text, text)
        if text not in {key for key, _ in field.choices}:
            raise ValueError(f"「{value}」不是可选值（可选：{'、'.join(str(lbl) for _, lbl in field.choices)}）")
        return text
    return _PARSERS.get(type(field).__name__, _text)(field, value)


def blank_value(field: models.Field) -> Any:
    if isinstance(field, models.BooleanField) and not field.null:
        return False
    if field.null:
        return None
    if not field.blank:
        raise ValueError("不能为空")
    return ""


def _text(field: models.Field, value: Any) -> str:
    text = str(value).strip()
    if field.max_length and len(text) > field.max_length:
        raise ValueError(f"不能超过 {field.max_length} 个字符")
    return text


def _date(field: models.Field, value: Any) -> date:
    if isinstance(value, date):
        return value if not hasattr(value, "date") else value.date()
    try:
        return date.fromisoformat(str(value).strip().replace("/", "-"))
    except ValueError:
        raise ValueError(f"「{value}」不是日期（格式：2026-05-01）") from None


def _decimal(field: models.Field, value: Any) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"「{value}」不是数字") from None
    if not number.is_finite() or number <= 0:
        raise ValueError("应为大于 0 的数字")
    if len(number.as_tuple().digits) - max(0, -number.as_tuple().exponent) > field.max_digits - field.decimal_places:
        raise ValueError("数字过大")
    return number.quantize(Decimal(1).scaleb(-field.decimal_places))


def _integer(field: models.Field, value: Any) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ValueError(f"「{value}」不是整数") from None
    if not 0 <= number <= 32767:
        raise ValueError("应为 0 到 32767 的整数")
    return number


def _boolean(field: models.Field, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in TRUE_TEXTS:
        return True
    if text in FALSE_TEXTS:
        return False
    raise ValueError(f"「{value}」应为「是」或「否」")


def _foreign(field: models.Field, value: Any) -> int:
    number = _integer(field, value) if not isinstance(value, int) else value
    if not field.related_model.objects.filter(pk=number).exists():
        raise ValueError(f"编号 {number} 不存在")
    return number


_PARSERS = {
    "DateField": _date,
    "DecimalField": _decimal,
    "PositiveSmallIntegerField": _integer,
    "PositiveIntegerField": _integer,
    "BooleanField": _boolean,
    "ForeignKey": _foreign,
}


def all_ledger_fields() -> dict[str, dict[str, models.Field]]:
    return {kind: editable_fields(model) for kind, model in LEDGER_MODELS.items()}
