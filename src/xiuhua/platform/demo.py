"""The demo city: a deterministic Haiyan County (海盐县) with grids, roads, components, departments, users.

`build_demo_city(grids=2000, components=20000, seed=1)` gives the same district for the same arguments.
Unit grids are ~100 m squares laid out round the county seat (≈120.94 E, 30.52 N), nine real towns on a
3x3 layout, communities of about 7x7 grids, numbered west→east, north→south inside each community.
"""

import itertools
import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import shapely
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction

from xiuhua.accounts.choices import DepartmentKind, Role
from xiuhua.accounts.models import Department, User
from xiuhua.accounts.scope_index import sync_scope_codes
from xiuhua.catalog.models import CaseClass, Component, RegisterCondition
from xiuhua.core import refcache
from xiuhua.core.audit import record_audit
from xiuhua.core.errors import DomainError
from xiuhua.geo.validation import polygon_area_m2
from xiuhua.platform import demo_data as facts
from xiuhua.platform.demo_conditions import (
    COMPONENT_WEIGHTS,
    MAJOR_SUPERVISOR,
    component_maintainer,
    conditions_for,
)
from xiuhua.routing.models import RoutingRule
from xiuhua.territory.choices import ChiefRole, DivisionLevel, RegionClass, RoadKind
from xiuhua.territory.models import Division, DutyGrid, GridChief, Road, StreetAddress, UnitGrid
from xiuhua.territory.services import forget_grid_index, locate_grid_ids

CENTRE = (120.94, 30.52)
CELL_METRES = 100.0
COMMUNITY_TILE = 7  # cells per side of a community block
DUTY_GRID_SIZE = 16  # unit grids per duty grid
GRIDS_VALID_FROM = date(2024, 1, 1)
STAFF_ROLES = [
    ("admin", Role.SYSADMIN, "系统管理员"),
    ("secadmin", Role.SECADMIN, "安全管理员"),
    ("auditor", Role.AUDITOR, "安全审计员"),
    ("operator", Role.OPERATOR, "受理员"),
    ("shift_leader", Role.SHIFT_LEADER, "值班长"),
    ("dispatcher", Role.DISPATCHER, "派遣员"),
    ("inspector", Role.INSPECTOR, "监督员"),
    ("leader", Role.LEADER, "领导"),
]
BATCH = 2000


@dataclass
class DemoCity:
    district: Division
    subdistricts: int = 0
    communities: int = 0
    grids: int = 0
    roads: int = 0
    addresses: int = 0
    duty_grids: int = 0
    chiefs: int = 0
    components: int = 0
    departments: int = 0
    users: list[str] = field(default_factory=list)


@dataclass
class _Cell:
    row: int
    col: int
    box: shapely.Polygon
    subdistrict: str = ""
    community: str = ""


def has_territory() -> bool:
    return Division.objects.exists()


@transaction.atomic
def build_demo_city(grids: int = 2000, components: int = 20000, seed: int = 1) -> DemoCity:
    """Create the whole demo district in one transaction; refuses a database that already has a territory."""
    if grids < 9 or grids > 99 * 999:
        raise DomainError("网格数量应在 9 到 98901 之间")
    if components < 0:
        raise DomainError("部件数量不能为负数")
    if has_territory():
        raise DomainError("数据库中已有辖区数据，演示城市只能载入空数据库")
    rng = random.Random(seed)
    departments = _create_departments()
    cells, cols, rows = _layout_cells(grids)
    city = DemoCity(district=_create_divisions(cells, cols, rows))
    grid_rows = _create_unit_grids(cells)
    city.subdistricts = len(facts.SUBDISTRICTS)
    city.communities = Division.objects.filter(level=DivisionLevel.COMMUNITY).count()
    city.grids = len(grid_rows)
    city.roads = len(_create_roads(cells, cols, rows))
    city.addresses = _create_street_addresses()
    city.duty_grids, city.chiefs = _create_duty_grids_and_chiefs(grid_rows, rng)
    _create_register_conditions(departments)
    _create_routing_rules(departments)
    city.components = _create_components(grid_rows, components, departments, rng)
    city.departments = len(departments)
    city.users = _create_users(departments)
    forget_grid_index()
    refcache.bump()  # departments and register conditions were bulk-created (no signals)
    record_audit(
        None, "demo.built", target=facts.DISTRICT[0], summary=f"grids={grids} components={components} seed={seed}"
    )
    return city


def _create_routing_rules(departments: dict[str, Department]) -> None:
    """A few responsibility rules of the kind a district writes down; everything else goes by the register
    condition's default unit or, failing that, to the sub-district where it happened."""
    for rule in facts.ROUTING_RULES:
        created = RoutingRule.objects.create(
            name=rule.name,
            priority=rule.priority,
            kind=rule.kind,
            major_code=rule.major_code,
            area_code=rule.area_code,
            start_time=rule.start_time,
            end_time=rule.end_time,
            lead_department=departments[rule.lead],
        )
        created.assisting_departments.set([departments[a] for a in rule.assisting])


def _create_departments() -> dict[str, Department]:
    rows = [
        Department(name=n, short_name=s, short_label=label, kind=k) for n, s, label, k in facts.PROFESSIONAL_DEPARTMENTS
    ]
    rows += [
        Department(
            name=f"海盐县{name}",
            short_name=short,
            short_label=name,
            kind=DepartmentKind.SUBDISTRICT,
            division_code=code,
        )
        for code, name, short, _urban in facts.SUBDISTRICTS
    ]
    Department.objects.bulk_create(rows)
    return {d.short_name: d for d in Department.objects.all()}


def _cell_size_degrees() -> tuple[float, float]:
    dlat = CELL_METRES / 111_320.0
    return dlat / math.cos(math.radians(CENTRE[1])), dlat


def _layout_cells(count: int) -> tuple[list[_Cell], int, int]:
    """`count` square cells in row-major order (row 0 is the northern edge), centred on the county seat."""
    cols = max(3, math.ceil(math.sqrt(count * 1.25)))
    rows = math.ceil(count / cols)
    dlng, dlat = _cell_size_degrees()
    west, north = CENTRE[0] - cols * dlng / 2, CENTRE[1] + rows * dlat / 2
    cells = []
    for i in range(count):
        row, col = divmod(i, cols)
        x, y = west + col * dlng, north - row * dlat
        cells.append(_Cell(row, col, shapely.box(x, y - dlat, x + dlng, y)))
    return cells, cols, rows


def _band(index: int, size: int, parts: int) -> int:
    return min(parts - 1, index * parts // size)


def _create_divisions(cells: list[_Cell], cols: int, rows: int) -> Division:
    """Assign cells to the nine towns (3x3) and to communities (7x7 tiles), then save all divisions."""
    names = {code: (name, urban) for code, name, _short, urban in facts.SUBDISTRICTS}
    tiles: dict[str, dict[tuple[int, int], list[_Cell]]] = defaultdict(lambda: defaultdict(list))
    for cell in cells:
        cell.subdistrict = facts.SUBDISTRICT_LAYOUT[_band(cell.row, rows, 3) * 3 + _band(cell.col, cols, 3)]
        tiles[cell.subdistrict][(cell.row // COMMUNITY_TILE, cell.col // COMMUNITY_TILE)].append(cell)
    names_used = itertools.count()
    district = Division(code=facts.DISTRICT[0], name=facts.DISTRICT[1], level=DivisionLevel.DISTRICT)
    _save_with_geometry(district, [c.box for c in cells])
    for code, _name, _short, _urban in facts.SUBDISTRICTS:
        if code not in tiles:
            continue
        name, urban = names[code]
        town = Division(code=code, name=name, level=DivisionLevel.SUBDISTRICT, parent=district)
        _save_with_geometry(town, [c.box for group in tiles[code].values() for c in group])
        for number, (_tile, members) in enumerate(sorted(tiles[code].items()), start=1):
            community_code = _community_code(code, number, urban)
            for cell in members:
                cell.community = community_code
            community = Division(
                code=community_code,
                name=_community_name(next(names_used), urban),
                level=DivisionLevel.COMMUNITY,
                parent=town,
            )
            _save_with_geometry(community, [c.box for c in members])
    return district


def _community_name(k: int, urban: bool) -> str:
    """Distinct names across the district: 城东社区 … then 城东新社区, 城东南社区 … when the stems run out."""
    stems = facts.COMMUNITY_STEMS
    stem = stems[k % len(stems)] + ("", "新", "南", "北", "东", "西", "中")[k // len(stems) % 7]
    suffix = "" if k < 7 * len(stems) else str(k // (7 * len(stems)) + 1)
    return f"{stem}{suffix}{'社区' if urban else '村'}"


def _community_code(subdistrict_code: str, number: int, urban: bool) -> str:
    # Statistical convention: 0xx/1xx are residents' committees (社区), 2xx village committees (村).
    return f"{subdistrict_code}{number:03d}" if urban else f"{subdistrict_code}{200 + number:03d}"


def _save_with_geometry(division: Division, boxes: list[shapely.Polygon]) -> None:
    # union_all (not coverage_union_all) dissolves cells meeting only at a corner too, so the boundary is a
    # valid polygon with a counter-clockwise exterior, as a surveyor would deliver it.
    shape = shapely.orient_polygons(shapely.union_all(boxes))
    division.set_geometry(shape)
    division.area_m2 = round(polygon_area_m2(shape), 1)
    division.save()


def _create_unit_grids(cells: list[_Cell]) -> list[UnitGrid]:
    communities = {d.code: d for d in Division.objects.filter(level=DivisionLevel.COMMUNITY)}
    urban = {code for code, _n, _s, is_urban in facts.SUBDISTRICTS if is_urban}
    by_community: dict[str, list[_Cell]] = defaultdict(list)
    for cell in cells:
        by_community[cell.community].append(cell)
    grids = []
    for code, members in sorted(by_community.items()):
        for seq, cell in enumerate(sorted(members, key=lambda c: (c.row, c.col)), start=1):
            grid = UnitGrid(
                code=f"{code}{seq:03d}",
                name=f"{communities[code].name}{seq:03d}号网格",
                community=communities[code],
                area_m2=round(polygon_area_m2(cell.box), 1),
                region_class=RegionClass.CLASS_ONE if cell.subdistrict in urban else RegionClass.CLASS_TWO,
                valid_from=GRIDS_VALID_FROM,
            )
            grid.set_geometry(cell.box)
            grids.append(grid)
    UnitGrid.objects.bulk_create(grids, batch_size=BATCH)
    return list(UnitGrid.objects.order_by("code"))


def _create_roads(cells: list[_Cell], cols: int, rows: int) -> list[Road]:
    """Roads on the community tile edges: east–west 路 and north–south 街/大道 across the district."""
    west, south, east, north = shapely.union_all([cells[0].box, cells[-1].box]).bounds
    dlng, dlat = _cell_size_degrees()
    north = cells[0].box.bounds[3]
    roads = []
    stems = facts.ROAD_STEMS
    for k, row in enumerate(range(COMMUNITY_TILE, rows, COMMUNITY_TILE)):
        y = north - row * dlat
        roads.append(
            _road(
                len(roads),
                _road_name(stems, k, "路"),
                RoadKind.ARTERIAL if k % 3 == 0 else RoadKind.SECONDARY,
                shapely.LineString([(west, y), (west + cols * dlng, y)]),
            )
        )
    for k, col in enumerate(range(COMMUNITY_TILE, cols, COMMUNITY_TILE)):
        x = west + col * dlng
        roads.append(
            _road(
                len(roads),
                _road_name(stems, k + 17, "大道" if k % 4 == 0 else "街"),
                RoadKind.ARTERIAL if k % 4 == 0 else RoadKind.BRANCH,
                shapely.LineString([(x, north), (x, north - rows * dlat)]),
            )
        )
    Road.objects.bulk_create(roads)
    return roads


ADDRESS_SPACING_M = 30.0
ADDRESS_SETBACK_M = 8.0  # odd numbers on the left of the road's direction, even on the right


def _create_street_addresses() -> int:
    """House numbers every 30 m along each road, odd on one side and even on the other, located in their grid."""
    rows = []
    for road in Road.objects.all():
        rows += _numbers_along(road)
    grid_ids = locate_grid_ids(np.array([a.lng for a in rows]), np.array([a.lat for a in rows])) if rows else []
    kept = [a for a, grid_id in zip(rows, grid_ids, strict=True) if grid_id is not None]
    for address, grid_id in zip(kept, [g for g in grid_ids if g is not None], strict=True):
        address.unit_grid_id = grid_id
    StreetAddress.objects.bulk_create(kept, batch_size=BATCH)
    return len(kept)


def _numbers_along(road: Road) -> list[StreetAddress]:
    line = road.geometry
    (x0, y0), (x1, y1) = line.coords[0], line.coords[-1]
    m_per_lng = 111_320.0 * math.cos(math.radians((y0 + y1) / 2))
    m_per_lat = 110_540.0
    dx, dy = (x1 - x0) * m_per_lng, (y1 - y0) * m_per_lat
    length = math.hypot(dx, dy)
    left = (-dy / length, dx / length)  # unit normal, in metres
    addresses = []
    for number in range(1, int(length // ADDRESS_SPACING_M) + 1):
        along = line.interpolate(number * ADDRESS_SPACING_M / length, normalized=True)
        side = 1 if number % 2 else -1
        lng = along.x + side * left[0] * ADDRESS_SETBACK_M / m_per_lng
        lat = along.y + side * left[1] * ADDRESS_SETBACK_M / m_per_lat
        addresses.append(StreetAddress(road=road, number=number, lng=lng, lat=lat))
    return addresses


def _road_name(stems: list[str], k: int, suffix: str) -> str:
    stem = stems[k % len(stems)]
    return (
        f"{stem}{suffix}" if k < len(stems) else f"{stem}{('东', '西', '南', '北', '新')[k // len(stems) % 5]}{suffix}"
    )


def _road(index: int, name: str, kind: str, line: shapely.LineString) -> Road:
    road = Road(code=f"R{facts.DISTRICT[0]}{index + 1:04d}", name=name, kind=kind)
    road.set_geometry(line)
    return road


def _person(rng: random.Random) -> tuple[str, str]:
    name = rng.choice(facts.SURNAMES) + "".join(rng.choice(facts.GIVEN) for _ in range(rng.choice((1, 2))))
    return name, f"1{rng.choice('35789')}{rng.randrange(10**9):09d}"


def _create_duty_grids_and_chiefs(grids: list[UnitGrid], rng: random.Random) -> tuple[int, int]:
    by_community: dict[int, list[UnitGrid]] = defaultdict(list)
    for grid in grids:
        by_community[grid.community_id].append(grid)
    communities = Division.objects.in_bulk(list(by_community))
    duty_rows, members = [], []
    for community_id, community_grids in by_community.items():
        community = communities[community_id]
        for n, start in enumerate(range(0, len(community_grids), DUTY_GRID_SIZE), start=1):
            chunk = community_grids[start : start + DUTY_GRID_SIZE]
            duty = DutyGrid(
                code=f"{community.code}D{n:02d}", name=f"{community.name}第{n}责任网格", community=community
            )
            duty.set_geometry(shapely.coverage_union_all([g.geometry for g in chunk]))
            duty_rows.append(duty)
            members.append(chunk)
    DutyGrid.objects.bulk_create(duty_rows, batch_size=BATCH)
    saved = {d.code: d for d in DutyGrid.objects.all()}
    links = [
        DutyGrid.unit_grids.through(dutygrid_id=saved[d.code].pk, unitgrid_id=g.pk)
        for d, chunk in zip(duty_rows, members, strict=True)
        for g in chunk
    ]
    DutyGrid.unit_grids.through.objects.bulk_create(links, batch_size=BATCH)
    return len(duty_rows), _create_chiefs(saved, members, duty_rows, rng)


def _create_chiefs(
    saved: dict[str, DutyGrid], members: list[list[UnitGrid]], duty_rows: list[DutyGrid], rng: random.Random
) -> int:
    chiefs, grid_links = [], []
    for duty, chunk in zip(duty_rows, members, strict=True):
        name, phone = _person(rng)
        chiefs.append(GridChief(role=ChiefRole.AREA, person_name=name, phone=phone, duty_grid=saved[duty.code]))
        grid_links.append(chunk)
        for role, place in (
            (ChiefRole.BUILDING, f"{rng.randint(1, 30)}幢"),
            (ChiefRole.SHOP, f"{rng.choice(facts.SURNAMES)}记{rng.choice(facts.SHOP_KINDS)}"),
        ):
            name, phone = _person(rng)
            chiefs.append(GridChief(role=role, person_name=name, phone=phone, duty_grid=saved[duty.code], place=place))
            grid_links.append([rng.choice(chunk)])
    road_chiefs = []
    for road in Road.objects.order_by("code"):
        for role, place in ((ChiefRole.ROAD, ""), (ChiefRole.SECTION, "东段"), (ChiefRole.SECTION, "西段")):
            name, phone = _person(rng)
            road_chiefs.append((GridChief(role=role, person_name=name, phone=phone, place=place), road))
    GridChief.objects.bulk_create(chiefs + [c for c, _ in road_chiefs], batch_size=BATCH)
    GridChief.unit_grids.through.objects.bulk_create(
        [
            GridChief.unit_grids.through(gridchief_id=c.pk, unitgrid_id=g.pk)
            for c, grids in zip(chiefs, grid_links, strict=True)
            for g in grids
        ],
        batch_size=BATCH,
    )
    GridChief.roads.through.objects.bulk_create(
        [GridChief.roads.through(gridchief_id=c.pk, road_id=r.pk) for c, r in road_chiefs], batch_size=BATCH
    )
    return len(chiefs) + len(road_chiefs)


def _create_register_conditions(departments: dict[str, Department]) -> None:
    rows = []
    for case_class in CaseClass.objects.filter(active=True).order_by("kind", "code"):
        for order, c in enumerate(conditions_for(case_class.kind, case_class.code, case_class.name)):
            rows.append(
                RegisterCondition(
                    case_class=case_class,
                    description=c.description,
                    urgency=c.urgency,
                    handling_limit_value=c.value,
                    handling_limit_unit=c.unit,
                    close_condition=c.close_condition,
                    default_department=departments.get(c.department) if c.department else None,
                    sort_order=order,
                )
            )
    RegisterCondition.objects.bulk_create(rows, batch_size=BATCH)


def _create_components(
    grids: list[UnitGrid], count: int, departments: dict[str, Department], rng: random.Random
) -> int:
    classes = list(CaseClass.objects.filter(kind="component", active=True, is_local=False).order_by("code"))
    weights = [COMPONENT_WEIGHTS.get(c.code, 1) for c in classes]
    states = (["intact"] * 90) + (["damaged"] * 6) + (["lost"] * 2) + ["discarded", "removed"]
    sequence: dict[str, int] = defaultdict(int)
    survey_start = date(2024, 3, 1)
    rows = []
    for case_class in rng.choices(classes, weights=weights, k=count):
        grid = rng.choice(grids)
        min_x, min_y, max_x, max_y = grid.min_lng, grid.min_lat, grid.max_lng, grid.max_lat
        sequence[case_class.code] += 1
        maintainer = departments[component_maintainer(case_class.code)]
        state = rng.choice(states)
        rows.append(
            Component(
                code=f"{facts.DISTRICT[0]}{case_class.code}{sequence[case_class.code]:06d}",
                name=case_class.name,
                case_class=case_class,
                unit_grid=grid,
                lng=round(rng.uniform(min_x, max_x), 7),
                lat=round(rng.uniform(min_y, max_y), 7),
                address=f"{grid.name}内",
                supervising_department=departments[MAJOR_SUPERVISOR[case_class.major_code]],
                owning_department=maintainer,
                maintaining_department=maintainer,
                state=state,
                survey_date=survey_start + timedelta(days=rng.randrange(240)),
                change_date=(date(2025, 6, 1) + timedelta(days=rng.randrange(300))) if state != "intact" else None,
                data_source="实测",
            )
        )
        if len(rows) >= BATCH:
            Component.objects.bulk_create(rows)
            rows = []
    Component.objects.bulk_create(rows)
    return count


PATROL_COMMUNITIES = 3


def _staff_scopes() -> dict[str, list[str]]:
    """The centre and the leader work on the whole district (an empty scope would be nothing). The security
    administrator and the auditor keep an empty scope: their duties (lockouts, the audit trail) need no case."""
    no_cases = {Role.INSPECTOR, Role.SECADMIN, Role.AUDITOR}
    return {role: [facts.DISTRICT[0]] for _u, role, _label in STAFF_ROLES if role not in no_cases}


def _patrol_areas() -> list[list[str]]:
    """A few communities per inspector, as a real 监督员 walks a beat rather than the district; every
    community has one, so every report can be verified and checked."""
    codes = list(Division.objects.filter(level=DivisionLevel.COMMUNITY).order_by("code").values_list("code", flat=True))
    return [codes[i : i + PATROL_COMMUNITIES] for i in range(0, len(codes), PATROL_COMMUNITIES)] or [[]]


def _inspectors() -> list[User]:
    """`inspector` patrols the first area; `inspector_2`, `inspector_3`, … the others."""
    return [
        User(
            username="inspector" if n == 1 else f"inspector_{n}",
            role=Role.INSPECTOR,
            display_name="监督员" if n == 1 else f"监督员{n}",
            is_demo=True,
            scope_division_codes=area,
        )
        for n, area in enumerate(_patrol_areas(), start=1)
    ]


def _create_users(departments: dict[str, Department]) -> list[str]:
    """Demo accounts; they get the demo password only in demo mode, otherwise an unusable one."""
    scopes = _staff_scopes()
    users = [
        User(
            username=u,
            role=role,
            display_name=label,
            is_demo=True,
            # The demo admin stays superuser (installation and the demo's convenience); the security administrator
            # works in the admin with their role's powers only; the auditor reads /audit/, not the admin.
            is_staff=role in (Role.SYSADMIN, Role.SECADMIN),
            is_superuser=role == Role.SYSADMIN,
            scope_division_codes=scopes.get(role, []),
        )
        for u, role, label in STAFF_ROLES
        if role != Role.INSPECTOR
    ]
    users += _inspectors()
    users += [
        User(
            username=f"dept_{d.short_name}",
            role=Role.DEPARTMENT,
            department=d,
            display_name=d.short_label or d.name,
            is_demo=True,
            wecom_userid=f"dept_{d.short_name}",  # their 企业微信/政务微信 account, when that channel is on
            # A sub-district's handlers also see every case inside their sub-district.
            scope_division_codes=[d.division_code] if d.kind == DepartmentKind.SUBDISTRICT and d.division_code else [],
        )
        for d in sorted(departments.values(), key=lambda d: (d.kind, d.short_name))
    ]
    # One hash for all: hashing is deliberately slow, and the demo accounts share one password anyway.
    password = make_password(settings.DEMO_PASSWORD if settings.DEMO_MODE else None)
    for user in users:
        user.password = password
    User.objects.bulk_create(users)
    sync_scope_codes(users)  # bulk_create sends no post_save: the scope index follows by hand
    return [u.username for u in users]
