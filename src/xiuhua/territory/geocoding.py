"""Address text → point, through the street-address table (road + house number), falling back to the road,
then to the community or sub-district named in the text. The result says how precise it is."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import shapely

from xiuhua.core.errors import DomainError
from xiuhua.territory.choices import DivisionLevel
from xiuhua.territory.models import Division, Road


class Precision:
    ADDRESS = "address"  # the house number itself
    NEAR_ADDRESS = "near_address"  # the nearest known number on that road
    ROAD = "road"  # somewhere on the road
    COMMUNITY = "community"  # the community's centre
    SUBDISTRICT = "subdistrict"  # the sub-district's centre


@dataclass(frozen=True)
class Geocode:
    lng: float
    lat: float
    precision: str
    matched: str  # the part of the text that was understood, e.g. 海滨东路12号


_NUMBER = re.compile(r"^\s*(\d{1,5})\s*号")


def _normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").replace(" ", "").replace("\u3000", "")


def _longest_named(text: str, names) -> list:
    """The rows whose name appears in the text, longest name first (海滨东路 before 海滨路)."""
    found = [row for row in names if row.name and row.name in text]
    if not found:
        return []
    longest = max(len(row.name) for row in found)
    return [row for row in found if len(row.name) == longest]


def _road_in(text: str) -> Road | None:
    roads = _longest_named(text, Road.objects.select_related("subdistrict"))
    if len(roads) > 1:  # one name in several towns: the town named in the text decides
        roads = [r for r in roads if r.subdistrict and r.subdistrict.name in text] or roads
    return roads[0] if roads else None


def _house_number(text: str, road: Road) -> int | None:
    match = _NUMBER.match(text[text.index(road.name) + len(road.name) :])
    return int(match.group(1)) if match else None


def _on_road(road: Road, number: int | None) -> Geocode:
    addresses = road.addresses.all()
    if number is not None:
        exact = addresses.filter(number=number).first()
        if exact:
            return Geocode(exact.lng, exact.lat, Precision.ADDRESS, f"{road.name}{number}号")
        nearest = min(addresses, key=lambda a: abs(a.number - number), default=None)
        if nearest is not None:
            return Geocode(nearest.lng, nearest.lat, Precision.NEAR_ADDRESS, f"{road.name}{nearest.number}号")
    middle = road.geometry.interpolate(0.5, normalized=True) if road.geometry is not None else None
    if middle is None:
        raise DomainError(f"道路「{road.name}」没有位置数据，请在地图上选点", code="address_not_found")
    return Geocode(middle.x, middle.y, Precision.ROAD, road.name)


def _division_in(text: str) -> Geocode | None:
    for level, precision in (
        (DivisionLevel.COMMUNITY, Precision.COMMUNITY),
        (DivisionLevel.SUBDISTRICT, Precision.SUBDISTRICT),
    ):
        named = _longest_named(text, Division.objects.filter(level=level).only("id", "name"))
        division = Division.objects.get(pk=named[0].pk) if named else None
        if division is not None and division.geometry is not None:
            centre = shapely.point_on_surface(division.geometry)
            return Geocode(centre.x, centre.y, precision, division.name)
    return None


def geocode(address: str) -> Geocode:
    """The point an address describes, as precisely as the base data allow; refuses text it cannot place."""
    text = _normalize(address)
    if not text:
        raise DomainError("请填写地址或坐标", code="address_required")
    road = _road_in(text)
    if road is not None:
        return _on_road(road, _house_number(text, road))
    found = _division_in(text)
    if found is None:
        raise DomainError(
            f"无法根据地址「{address.strip()}」确定位置，请写出道路门牌或社区名称，或在地图上选点",
            code="address_not_found",
        )
    return found


# -- suggestions while an operator types an address (call-taking)

SUGGEST_LIMIT = 8
_TRAILING_NUMBER = re.compile(r"^(?P<road>.*?\D)(?P<number>\d{1,5})\s*号?$")


@dataclass(frozen=True)
class AddressSuggestion:
    label: str  # 海滨东路12号 / 海滨东路（武原街道） / 城西社区
    lng: float
    lat: float
    precision: str


def _road_point(road: Road) -> tuple[float, float] | None:
    middle = road.geometry.interpolate(0.5, normalized=True) if road.geometry is not None else None
    return (middle.x, middle.y) if middle is not None else None


def _roads_like(name: str, limit: int) -> list[Road]:
    """Roads whose name holds the text, names that start with it first (the road table is small: a scan is fine)."""
    from django.db.models import Case, IntegerField, Value, When
    from django.db.models.functions import Length

    starts = Case(When(name__startswith=name, then=Value(0)), default=Value(1), output_field=IntegerField())
    roads = Road.objects.filter(name__contains=name).select_related("subdistrict")
    return list(roads.annotate(starts=starts).order_by("starts", Length("name"), "name")[:limit])


def _numbers_on(roads: list[Road], number: int, limit: int) -> list[AddressSuggestion]:
    """That house number and the next ones on the roads (the (road, number) unique index answers it)."""
    from xiuhua.territory.models import StreetAddress

    rows = []
    for road in roads[:3]:
        addresses = StreetAddress.objects.filter(road=road, number__gte=number).order_by("number")[:limit]
        rows += [(a.number != number, a.number, road.name, a) for a in addresses]
    rows.sort(key=lambda row: row[:3])  # the exact number on every road first, then the following numbers
    return [AddressSuggestion(f"{name}{a.number}号", a.lng, a.lat, Precision.ADDRESS) for *_k, name, a in rows][:limit]


def _road_suggestions(roads: list[Road]) -> list[AddressSuggestion]:
    found = []
    for road in roads:
        if (point := _road_point(road)) is not None:
            town = f"（{road.subdistrict.name}）" if road.subdistrict else ""
            found.append(AddressSuggestion(f"{road.name}{town}", point[0], point[1], Precision.ROAD))
    return found


def _communities_like(text: str, limit: int) -> list[AddressSuggestion]:
    rows = Division.objects.filter(level=DivisionLevel.COMMUNITY, name__contains=text).order_by("name")[:limit]
    found = []
    for division in rows:
        if division.geometry is not None:
            centre = shapely.point_on_surface(division.geometry)
            found.append(AddressSuggestion(division.name, centre.x, centre.y, Precision.COMMUNITY))
    return found


def suggest_addresses(text: str, limit: int = SUGGEST_LIMIT) -> list[AddressSuggestion]:
    """What the operator may mean by the address typed so far: house numbers when a number follows a road
    name (海滨东路12 → 海滨东路12号, 14号 …), else roads whose name holds the text, else communities."""
    text = _normalize(text)
    if not text:
        return []
    match = _TRAILING_NUMBER.match(text)
    if match:
        roads = _roads_like(match.group("road"), 3)
        if roads:
            return _numbers_on(roads, int(match.group("number")), limit)
    roads = _roads_like(text, limit)
    found = _road_suggestions(roads)
    if len(found) < limit:
        found += _communities_like(text, limit - len(found))
    return found
