"""A case's address when the report came as a point only: words from the point (reverse geocoding) and how
precise they are, stored on the case at intake; and the fill of cases stored before this existed.

`Case.location_precision` says how the place was found. "point" is a point as reported (with the reporter's
own address text, if any); the address-text values (address, near_address, road, community, subdistrict) are a
point found from the text; "point_" + one of those is a point as reported whose address was found from it.
The address is the place of the problem, not the reporter's: no personal data is involved.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db import transaction

from xiuhua.cases.models import Case
from xiuhua.territory.geocoding import Precision
from xiuhua.territory.reverse_geocoding import reverse_geocode
from xiuhua.territory.services import Location

POINT = "point"
FROM_POINT = "point_"

# What each precision means to the person reading the address (case page, panel).
PRECISION_LABELS = {
    POINT: "按上报坐标",
    Precision.ADDRESS: "由地址定位到门牌",
    Precision.NEAR_ADDRESS: "由地址定位到附近门牌",
    Precision.ROAD: "由地址定位到道路",
    Precision.COMMUNITY: "由地址定位到社区",
    Precision.SUBDISTRICT: "由地址定位到街道",
    FROM_POINT + Precision.ADDRESS: "地址由坐标推算：门牌",
    FROM_POINT + Precision.NEAR_ADDRESS: "地址由坐标推算：附近门牌",
    FROM_POINT + Precision.ROAD: "地址由坐标推算：道路",
    FROM_POINT + Precision.COMMUNITY: "地址由坐标推算：仅到社区",
}


def precision_label(precision: str) -> str:
    return PRECISION_LABELS.get(precision, precision)


def address_from_point(lng: float, lat: float, community_name: str = "") -> tuple[str, str]:
    """(address text, location precision) for a reported point; ("", "point") if nothing names it."""
    place = reverse_geocode(lng, lat, community_name=community_name)
    if place is None or not place.text:
        return "", POINT
    return place.text[:256], FROM_POINT + place.precision


def place_for_report(location: Location, precision: str, address: str) -> tuple[str, str]:
    """The address and precision a new case stores: the reporter's words if any, else words from the point."""
    address = (address or "").strip()  # its length was checked with the rest of the report
    if precision != POINT or address:
        return address, precision
    return address_from_point(location.lng, location.lat, location.community_name)


def _unnamed_batches(batch: int) -> Iterator[list[tuple[int, float, float, str]]]:
    last = 0
    while True:
        rows = list(
            Case.objects.filter(location_precision=POINT, address="", pk__gt=last)
            .order_by("pk")
            .values_list("pk", "lng", "lat", "community__name")[:batch]
        )
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def fill_missing_addresses(batch: int = 500) -> int:
    """Give every stored case reported as a point without address text its address from the point.

    Safe to run again (it touches only cases still without an address) and while the server runs: each batch
    is one short transaction, and a case is updated only if nobody wrote an address meanwhile.
    """
    filled = 0
    for rows in _unnamed_batches(batch):
        with transaction.atomic():
            for pk, lng, lat, community in rows:
                address, precision = address_from_point(lng, lat, community)
                if address:
                    filled += Case.objects.filter(pk=pk, location_precision=POINT, address="").update(
                        address=address, location_precision=precision
                    )
    return filled
