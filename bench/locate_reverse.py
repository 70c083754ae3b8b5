"""Reverse geocoding (point → house number / road side / community) with a large street-address table, and
what it adds to one report. Run through `bench/locate.py --reverse-geocoding`; prints one JSON object.

The district: the demo city (`--grids` unit grids, where reports land) inside a square lattice of synthetic roads
every 250 m, numbered every 20 m on both sides (8 m set back): about 800 numbers per km², so `--addresses`
500,000 cover ~625 km², a large district. Timed:
  * `reverse_geocode` at random points over the whole square (most near a number; some only near a road), and at
    points in the demo city, per point (median and 95th percentile, ms) with the SQL queries it made;
  * one report by a point through the staff channel (`report_by_staff`, as the phone's report), alternately
    without address text (reverse geocoding runs) and with address text (it does not: the baseline), same points.
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import time

from django_setup import configure

SPACING_M = 250.0
STEP_M = 10.0  # a number every 10 m along a road, sides alternating: every 20 m on each side
SETBACK_M = 8.0
BATCH = 5000


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _summary(seconds: list[float]) -> dict:
    ms = [s * 1000 for s in seconds]
    return {"n": len(ms), "median_ms": round(statistics.median(ms), 3), "p95_ms": round(_percentile(ms, 0.95), 3)}


def build_lattice(centre: tuple[float, float], addresses: int) -> tuple[int, float]:
    """Roads and numbers round `centre` until `addresses` numbers exist; (roads made, side of the square in m)."""
    import shapely

    from xiuhua.geo.local import degrees_around
    from xiuhua.territory.models import Road, StreetAddress

    density = (2 / SPACING_M) / STEP_M  # numbers per m²: road metres per m², one number per step
    side_m = math.sqrt(addresses / density)
    per_road = int(side_m // STEP_M)
    wanted = math.ceil(addresses / per_road)
    dlng, dlat = degrees_around(centre[1], 1.0)  # degrees per metre
    x0, y0 = centre[0] - side_m / 2 * dlng, centre[1] - side_m / 2 * dlat
    rows: list = []
    for made in range(wanted):
        offset, horizontal = (made // 2) * SPACING_M, made % 2 == 0
        if horizontal:
            a, b = (x0, y0 + offset * dlat), (x0 + side_m * dlng, y0 + offset * dlat)
        else:
            a, b = (x0 + offset * dlng, y0), (x0 + offset * dlng, y0 + side_m * dlat)
        road = Road(code=f"B{made:05d}", name=f"测{made // 2}{'路' if horizontal else '街'}")
        road.set_geometry(shapely.LineString([a, b]))
        road.save()
        for n in range(1, per_road + 1):  # odd numbers on one side, even on the other, alternating
            along, side = n * STEP_M / side_m, (1 if n % 2 else -1) * SETBACK_M
            lng = a[0] + (b[0] - a[0]) * along + (0 if horizontal else side * dlng)
            lat = a[1] + (b[1] - a[1]) * along + (side * dlat if horizontal else 0)
            rows.append(StreetAddress(road=road, number=n, lng=lng, lat=lat))
        if len(rows) >= BATCH:
            StreetAddress.objects.bulk_create(rows, batch_size=BATCH)
            rows = []
    StreetAddress.objects.bulk_create(rows, batch_size=BATCH)
    return wanted, side_m


def _time_points(points: list[tuple[float, float]]) -> tuple[dict, dict]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from xiuhua.territory.reverse_geocoding import reverse_geocode

    seconds, kinds, queries = [], {}, []
    for lng, lat in points:
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            place = reverse_geocode(lng, lat)
            seconds.append(time.perf_counter() - started)
        queries.append(len(captured))
        kind = place.precision if place else "none"
        kinds[kind] = kinds.get(kind, 0) + 1
    return {**_summary(seconds), "queries_median": statistics.median(queries)}, kinds


def _report_costs(points: list[tuple[float, float]]) -> dict:
    from xiuhua.accounts.models import User
    from xiuhua.intake.channels.staff.adapter import report_by_staff
    from xiuhua.intake.services import ReportInput

    operator = User.objects.get(username="operator")
    timed: dict[str, list[float]] = {"with_reverse_geocoding": [], "baseline_address_given": []}
    for i, (lng, lat) in enumerate(points):
        order = ("with_reverse_geocoding", "baseline_address_given")
        for variant in order if i % 2 else reversed(order):  # alternate, so drift hits both alike
            address = "" if variant == "with_reverse_geocoding" else "某路某号"
            data = ReportInput(
                class_code="06010", kind="event", description=f"暴露垃圾 {i}", lng=lng, lat=lat, address=address
            )
            started = time.perf_counter()
            report_by_staff(operator, data)
            timed[variant].append(time.perf_counter() - started)
    out = {name: _summary(values) for name, values in timed.items()}
    added = out["with_reverse_geocoding"]["median_ms"] - out["baseline_address_given"]["median_ms"]
    out["added_median_ms"] = round(added, 3)
    return out


def run(args: argparse.Namespace) -> dict:
    configure("locate-reverse", args.database_url)
    from django.core.management import call_command
    from django.db import connection

    from xiuhua.platform.demo import build_demo_city
    from xiuhua.territory.models import StreetAddress, UnitGrid

    call_command("migrate", verbosity=0)
    build_demo_city(grids=args.grids, components=0, seed=args.seed)
    grids = [g.geometry.representative_point() for g in UnitGrid.objects.all()]
    centre = (statistics.fmean(p.x for p in grids), statistics.fmean(p.y for p in grids))
    started = time.perf_counter()
    roads, side_m = build_lattice(centre, args.addresses)
    load_s = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE territory_streetaddress; ANALYZE territory_road")
    from xiuhua.geo.local import degrees_around

    rng = random.Random(args.seed)
    dlng, dlat = degrees_around(centre[1], side_m / 2)
    anywhere = [
        (rng.uniform(centre[0] - dlng, centre[0] + dlng), rng.uniform(centre[1] - dlat, centre[1] + dlat))
        for _ in range(args.samples)
    ]
    in_city = [(p.x, p.y) for p in (rng.choice(grids) for _ in range(args.samples))]
    reverse_geocode_anywhere, kinds_anywhere = _time_points(anywhere)
    reverse_geocode_in_city, kinds_in_city = _time_points(in_city)
    return {
        "database": connection.vendor,
        "street_addresses": StreetAddress.objects.count(),
        "roads": roads,
        "square_side_km": round(side_m / 1000, 1),
        "demo_grids": len(grids),
        "load_seconds": round(load_s, 1),
        "reverse_geocode_random_points": {**reverse_geocode_anywhere, "answers": kinds_anywhere},
        "reverse_geocode_points_in_grids": {**reverse_geocode_in_city, "answers": kinds_in_city},
        "one_report_by_point": _report_costs(in_city[: args.reports]),
    }
