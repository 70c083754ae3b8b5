"""A ledger as a map layer: GeoJSON points (or outlines) with number, name and status, no personal data.

Built for 100,000 shops: only the needed columns are read (`values_list`), the bounding box is a range filter on
the indexed-free float columns (cheap on a table of this size), and the JSON is written as text in one pass.
"""

from __future__ import annotations

import json
import math

from django.db.models import QuerySet

from xiuhua.core.errors import DomainError
from xiuhua.ledgers.choices import LedgerKind

# The field that says what a record is, per ledger (its category or status), shown on the map.
STATUS_FIELD = {
    LedgerKind.SHOP: "kind",
    LedgerKind.BILLBOARD: "category",
    LedgerKind.ILLEGAL_BUILDING: "status",
    LedgerKind.SITE: "kind",
    LedgerKind.ZONE: "kind",
}
OUTLINED = frozenset({LedgerKind.ZONE, LedgerKind.ILLEGAL_BUILDING, LedgerKind.SITE})


def parse_bbox(text: str) -> tuple[float, float, float, float] | None:
    if not text.strip():
        return None
    try:
        west, south, east, north = (float(part) for part in text.split(","))
    except ValueError:
        raise DomainError("bbox 应为「最小经度,最小纬度,最大经度,最大纬度」四个数字", code="bad_bbox") from None
    if not all(map(math.isfinite, (west, south, east, north))) or west > east or south > north:
        raise DomainError("bbox 范围不正确（最小值应不大于最大值）", code="bad_bbox")
    return west, south, east, north


def layer(records: QuerySet, kind: str, bbox: str = "", *, active_only: bool = True) -> bytes:
    """The FeatureCollection of the records (already limited to what the viewer sees) inside `bbox`."""
    box = parse_bbox(bbox)
    if box is not None:
        records = records.filter(lng__gte=box[0], lat__gte=box[1], lng__lte=box[2], lat__lte=box[3])
    if active_only:
        records = records.filter(active=True)
    status = STATUS_FIELD.get(kind)
    outlined = kind in OUTLINED
    columns = ["id", "code", "name", "lng", "lat", "active", status or "active"]
    if outlined:
        columns.append("area_geojson")
    parts = []
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    for row in records.values_list(*columns).iterator(chunk_size=5000):
        pk, code, name, lng, lat, active, state = row[:7]
        outline = row[7] if outlined else ""
        geometry = outline or f'{{"type":"Point","coordinates":[{lng:.6f},{lat:.6f}]}}'
        props = dumps({"code": code, "name": name, "status": state if status else ("active" if active else "inactive"),
                       "active": active})  # fmt: skip
        parts.append(f'{{"type":"Feature","id":{pk},"geometry":{geometry},"properties":{props}}}')
    return ('{"type":"FeatureCollection","features":[' + ",".join(parts) + "]}").encode()
