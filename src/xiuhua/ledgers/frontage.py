"""门前三包: which shop answers for a spot of pavement, the shop to suggest for a case, and 门责告知履约率.

A shop's duty area is either a polygon (GeoJSON) or, when only a length of frontage was recorded, the pavement
near its frontage point: a spot counts as the shop's when it lies within `XIUHUA_FRONTAGE_DISTANCE_M` (15 m by
default) of that point. Candidates are read by a box around the spot of `SEARCH_M` from the shop's point, so a
duty polygon reaching further than that from its shop is not found (duty areas are the pavement in front).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import date
from typing import Any

import shapely
from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from xiuhua.geo.geojson import geometry_from_geojson
from xiuhua.geo.local import degrees_around, to_local
from xiuhua.ledgers.models import Shop
from xiuhua.territory.models import Division

SEARCH_M = 100.0
DEFAULT_DISTANCE_M = 15.0


@dataclass(frozen=True)
class ShopMatch:
    shop: Shop
    inside_area: bool  # inside the duty polygon; otherwise near the frontage point
    distance_m: float  # from the shop's frontage point (0 when it has none)

    @property
    def why(self) -> str:
        if self.inside_area:
            return f"案件位置在「{self.shop.name}」的门前三包责任区内"
        return f"案件位置距「{self.shop.name}」门前 {self.distance_m:.0f} 米，在其门前三包责任路段内"


def frontage_distance_m() -> float:
    return float(getattr(settings, "XIUHUA_FRONTAGE_DISTANCE_M", DEFAULT_DISTANCE_M))


def duty_polygon(shop: Shop) -> Any:
    """The shop's duty polygon, or None (none recorded, or not readable: then the frontage rule applies)."""
    if not shop.duty_area_geojson:
        return None
    try:
        return geometry_from_geojson(json.loads(shop.duty_area_geojson))
    except (ValueError, TypeError):
        return None


def shops_for_point(lng: float, lat: float, *, district: Division | None = None) -> list[ShopMatch]:
    """Active shops whose duty covers the point: polygons containing it first, then the nearest frontages."""
    d_lng, d_lat = degrees_around(lat, SEARCH_M)
    near = Shop.objects.filter(
        active=True, lng__range=(lng - d_lng, lng + d_lng), lat__range=(lat - d_lat, lat + d_lat)
    ).filter(~Q(duty_area_geojson="") | Q(duty_frontage_m__isnull=False))
    if district is not None:
        near = near.filter(district=district)
    point, limit, matches = shapely.Point(lng, lat), frontage_distance_m(), []
    for shop in near:
        x, y = to_local([shop.lng], [shop.lat], lng, lat)
        distance = float(math.hypot(x[0], y[0]))
        area = duty_polygon(shop)
        if area is not None and area.covers(point):
            matches.append(ShopMatch(shop, True, distance))
        elif area is None and shop.duty_frontage_m is not None and distance <= limit:
            matches.append(ShopMatch(shop, False, distance))
    return sorted(matches, key=lambda m: (not m.inside_area, m.distance_m, m.shop.pk))


def suggest_shop_for_case(case: Any) -> ShopMatch | None:
    """The shop to suggest as the case's responsible party (the officer confirms it on the case page), or None."""
    matches = shops_for_point(case.lng, case.lat, district=case.district)
    return matches[0] if matches else None


@dataclass(frozen=True)
class DutyRate:
    """门责告知履约率 of one sub-district: shops with a signed duty letter ÷ active shops."""

    code: str
    name: str
    shops: int
    signed: int

    @property
    def rate(self) -> float | None:
        """Percent, one decimal; None for no shops."""
        return round(100 * self.signed / self.shops, 1) if self.shops else None

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, "shops": self.shops, "signed": self.signed, "rate": self.rate}


def duty_rates(district: Division, on: date | None = None) -> tuple[list[DutyRate], DutyRate]:
    """Per sub-district (shops not yet placed in one under 未落位) and the district's total, on a day."""
    on = on or timezone.localdate()
    signed = Q(duty_letter_signed_on__isnull=False, duty_letter_signed_on__lte=on)
    grouped = (
        Shop.objects.filter(district=district, active=True)
        .order_by()
        .values("subdistrict__code", "subdistrict__name")
        .annotate(shops=Count("pk"), signed=Count("pk", filter=signed))
        .order_by("subdistrict__code")
    )
    rows = [
        DutyRate(g["subdistrict__code"] or "", g["subdistrict__name"] or "未落位", g["shops"], g["signed"])
        for g in grouped
    ]
    total = DutyRate(district.code, district.name, sum(r.shops for r in rows), sum(r.signed for r in rows))
    return rows, total
