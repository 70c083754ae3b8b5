"""Patrol tracks for the demo city: a few inspectors walking the roads of their patrol area on recent days.

Each shift goes through the patrol services as a phone would send it (上岗, batches of 30-second positions, 下岗),
so the stored distance is what the platform computes. The walk follows the roads of the area and the lanes
between its unit grids (noded at their crossings), at walking pace, with stops, GPS noise and the accuracy a
phone reports.
One inspector is still on duty at the time the demo is built.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

import shapely
from django.utils import timezone

from xiuhua.accounts.choices import Role
from xiuhua.accounts.models import User
from xiuhua.patrol import services
from xiuhua.patrol.services import PointIn
from xiuhua.territory.models import Division, Road, UnitGrid

STEP_S = 30
M_PER_DEG_LAT = 110_540.0
SHIFTS = ((8, 30, 3.0), (13, 30, 3.5))  # local start hour, minute, hours


@dataclass
class DemoPatrol:
    shifts: int = 0
    points: int = 0
    km: float = 0.0


def _network(area: shapely.Geometry, codes: list[str]) -> dict[tuple, list[tuple]]:
    """Road pieces within (50 m of) the area and the lanes between its unit grids (the grid edges), noded at
    crossings: node → neighbouring nodes."""
    lines = [road.geometry.intersection(area) for road in Road.objects.all() if road.geometry is not None]
    grids = UnitGrid.objects.filter(community__code__in=codes, valid_to__isnull=True)
    lines += [grid.geometry.boundary for grid in grids if grid.geometry is not None]
    noded = shapely.union_all([line for line in lines if not line.is_empty])
    graph: dict[tuple, list[tuple]] = {}
    for part in getattr(noded, "geoms", [noded]):
        if part.geom_type != "LineString":
            continue
        coords = [(round(x, 7), round(y, 7)) for x, y in part.coords]
        for a, b in zip(coords, coords[1:], strict=False):
            graph.setdefault(a, []).append(b)
            graph.setdefault(b, []).append(a)
    return graph


def _walk(graph: dict, start: tuple, metres: float, rng: random.Random) -> list[tuple]:
    """A random walk along the network, not turning back unless at a dead end, of at least `metres`."""
    path, previous, here, walked = [start], None, start, 0.0
    while walked < metres:
        options = [n for n in graph[here] if n != previous] or graph[here]
        nxt = rng.choice(options)
        walked += _metres(here, nxt)
        path.append(nxt)
        previous, here = here, nxt
    return path


def _metres(a: tuple, b: tuple) -> float:
    scale = 111_320.0 * math.cos(math.radians(a[1]))
    return math.hypot((b[0] - a[0]) * scale, (b[1] - a[1]) * M_PER_DEG_LAT)


def _positions(path: list[tuple], start: datetime, hours: float, rng: random.Random) -> list[PointIn]:
    """A point every 30 s along the path at the inspector's pace, with stops to look at something."""
    points, at, end = [], start, start + timedelta(hours=hours)
    leg, offset = 0, 0.0
    speed = rng.uniform(1.0, 1.4)  # m/s, walking
    while at < end and leg < len(path) - 1:
        a, b = path[leg], path[leg + 1]
        length = _metres(a, b) or 1.0
        share = offset / length
        lng, lat = a[0] + (b[0] - a[0]) * share, a[1] + (b[1] - a[1]) * share
        accuracy = rng.uniform(4, 15)
        noise = accuracy / 3
        jitter_lng = rng.gauss(0, noise) / (111_320.0 * math.cos(math.radians(lat)))
        points.append(PointIn(at, lng + jitter_lng, lat + rng.gauss(0, noise) / M_PER_DEG_LAT, round(accuracy, 1)))
        at += timedelta(seconds=STEP_S)
        if rng.random() < 0.04:
            at += timedelta(seconds=STEP_S * rng.randint(2, 8))  # a stop: points go on at the same place below
            for _ in range(rng.randint(2, 6)):
                points.append(PointIn(at, lng + jitter_lng, lat, round(rng.uniform(5, 12), 1)))
                at += timedelta(seconds=STEP_S)
        offset += speed * STEP_S
        while leg < len(path) - 1 and offset >= _metres(path[leg], path[leg + 1]):
            offset -= _metres(path[leg], path[leg + 1])
            leg += 1
    return [p for p in points if p.recorded_at < end]


def _area(inspector: User) -> shapely.Geometry | None:
    shapes = [d.geometry for d in Division.objects.filter(code__in=inspector.scope_division_codes) if d.geometry]
    return shapely.union_all(shapes).buffer(0.0005) if shapes else None


def _shift(inspector: User, graph: dict, start: datetime, hours: float, rng: random.Random, now: datetime) -> tuple:
    nodes = sorted(graph)
    path = _walk(graph, rng.choice(nodes), 1.5 * 3600 * hours * 1.4, rng)
    points = _positions(path, start, hours, rng)
    end = start + timedelta(hours=hours)
    ongoing = end > now
    points = [p for p in points if p.recorded_at <= now]
    services.start_shift(inspector, start, now=start)
    for i in range(0, len(points), 120):  # the phone sends an hour at a time here (it was offline in a lift…)
        batch = points[i : i + 120]
        services.add_points(inspector, batch, now=min(now, batch[-1].recorded_at + timedelta(minutes=1)))
    if not ongoing:
        services.end_shift(inspector, end, now=end)
    return len(points)


def _out_now(inspector: User, graph: dict, rng: random.Random, now: datetime) -> int:
    """An evening round begun an hour ago (after the last shift), still going: someone on the on-duty map."""
    last = services.PatrolShift.objects.filter(inspector=inspector).order_by("-started_at").first()
    start = now - timedelta(minutes=60)
    if last is not None and last.ended_at:
        start = max(start, last.ended_at + timedelta(minutes=1))
    return _shift(inspector, graph, start.replace(microsecond=0), 3.0, rng, now)


def build_demo_patrol(days: int = 3, inspectors: int = 4, seed: int = 1, now: datetime | None = None) -> DemoPatrol:
    """Shifts of the first `inspectors` inspectors over the last `days` days (morning and afternoon)."""
    rng = random.Random(seed)
    now = now or timezone.now()
    result = DemoPatrol()
    today = timezone.localtime(now).date()
    people = User.objects.filter(role=Role.INSPECTOR).order_by("id")[:inspectors]
    for n, inspector in enumerate(people):
        area = _area(inspector)
        graph = _network(area, inspector.scope_division_codes) if area is not None else {}
        if not graph:
            continue
        for back in range(days, -1, -1):
            day = today - timedelta(days=back)
            for hour, minute, hours in SHIFTS:
                local = timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))
                start = local + timedelta(minutes=rng.randint(-10, 15))
                # Today only the first inspector is (still) out, so the on-duty map shows someone.
                if start > now or (back == 0 and n > 0):
                    continue
                result.points += _shift(inspector, graph, start, hours, rng, now)
                result.shifts += 1
        if n == 0 and services.current_shift(inspector) is None:
            result.points += _out_now(inspector, graph, rng, now)
            result.shifts += 1
    result.km = round(sum(s.distance_m for s in services.PatrolShift.objects.all()) / 1000, 1)
    return result
