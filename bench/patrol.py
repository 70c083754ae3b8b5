"""Patrol tracks: the cost of a batch of 100 positions and of a day's distance, on a table already holding a
day of 30-second positions from hundreds of inspectors.

1. The database (a throw-away SQLite file, or --database-url, which must be empty or hold an earlier run of this
   script) gets a small demo city and `--inspectors` inspectors, each with one 8-hour shift yesterday of 960
   positions (bulk inserted: the background the measured writes land among).
2. Measured, median and worst of `--runs`: a new batch of 100 positions in time order (stored, distance extended);
   the same batch sent again (all duplicates); a batch of 100 that reaches back in time (the shift recounted);
   a day's distance of one inspector recounted from its 960 stored positions; 在岗时长 and 巡查里程 of every
   inspector for the month (the evaluation's query).

Prints one JSON object. Example:
    .venv/bin/python bench/patrol.py --inspectors 300 --database-url postgres://…/xiuhua_bench
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

DAY_POINTS = 960  # 8 hours at one position every 30 s


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inspectors", type=int, default=300)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--database-url", default="")
    return parser.parse_args()


def timed(work, runs: int) -> dict:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append((time.perf_counter() - start) * 1000)
    return {"median_ms": round(statistics.median(times), 2), "worst_ms": round(max(times), 2)}


def day_of(lng: float, lat: float, start, count: int, step_deg: float = 0.0001):
    from xiuhua.patrol.services import PointIn

    # East and back along a 20-point leg: about 9.6 m per 30 s, a walk.
    return [
        PointIn(start + timedelta(seconds=30 * i), lng + step_deg * (i % 40 if i % 40 < 20 else 40 - i % 40), lat, 8.0)
        for i in range(count)
    ]


def background(inspectors: int, lng: float, lat: float, start) -> list:
    """Inspectors with a stored day each (bulk: this part is the setting, not the measure)."""
    from django.contrib.auth.hashers import make_password

    from xiuhua.accounts.models import User
    from xiuhua.patrol.models import PatrolShift, PatrolTrack

    password = make_password(None)
    User.objects.bulk_create(
        [User(username=f"bench_inspector_{n}", role="inspector", password=password) for n in range(inspectors)]
    )
    people = list(User.objects.filter(username__startswith="bench_inspector_"))
    shifts = PatrolShift.objects.bulk_create(
        [
            PatrolShift(inspector=p, started_at=start, ended_at=start + timedelta(hours=8), end_reason="inspector")
            for p in people
        ]
    )
    for person, shift in zip(people, shifts, strict=True):
        rows = [
            PatrolTrack(inspector=person, shift=shift, recorded_at=p.recorded_at, lng=p.lng, lat=p.lat,
                        accuracy_m=p.accuracy_m, received_at=start)
            for p in day_of(lng, lat, start, DAY_POINTS)
        ]  # fmt: skip
        PatrolTrack.objects.bulk_create(rows, batch_size=1000)
    return people


def main() -> None:
    args = parse_args()
    import django_setup

    django_setup.configure("patrol", args.database_url)
    from django.core.management import call_command
    from django.utils import timezone

    from xiuhua.accounts.models import User
    from xiuhua.patrol import services
    from xiuhua.patrol.models import PatrolShift, PatrolTrack
    from xiuhua.platform.demo import build_demo_city, has_territory
    from xiuhua.territory.models import UnitGrid

    call_command("migrate", interactive=False, verbosity=0)
    if not has_territory():
        build_demo_city(grids=300, components=0, seed=1)
    centre = UnitGrid.objects.order_by("code").first().geometry.centroid
    now = timezone.now().replace(microsecond=0)
    yesterday = now - timedelta(hours=20)
    PatrolTrack.objects.filter(inspector__username__startswith="bench_").delete()
    PatrolShift.objects.filter(inspector__username__startswith="bench_").delete()
    User.objects.filter(username__startswith="bench_").delete()
    started = time.perf_counter()
    people = background(args.inspectors, centre.x, centre.y, yesterday)
    fill_s = round(time.perf_counter() - started, 1)

    walker = people[0]
    services.start_shift(walker, now - timedelta(hours=3), now=now)
    fresh = iter(range(args.runs * 2 + 2))

    def new_batch():
        n = next(fresh)
        services.add_points(
            walker, day_of(centre.x, centre.y, now - timedelta(hours=3) + timedelta(minutes=50 * n), 100), now=now
        )

    resent = day_of(centre.x, centre.y, now - timedelta(hours=3), 100)
    services.add_points(walker, resent, now=now)
    late = iter(range(args.runs + 1))

    def late_batch():  # 100 positions 15 s between the stored ones: the shift is recounted
        n = next(late)
        points = day_of(centre.x, centre.y, now - timedelta(hours=3, seconds=-15) + timedelta(minutes=50 * n), 100)
        services.add_points(walker, points, now=now)

    day_shift = PatrolShift.objects.get(inspector=people[1])
    month_start = now - timedelta(days=30)
    result = {
        "database": "postgresql" if args.database_url.startswith("postgres") else "sqlite",
        "inspectors": args.inspectors,
        "stored_points": PatrolTrack.objects.count(),
        "background_fill_s": fill_s,
        "batch_of_100_new": timed(new_batch, args.runs),
        "batch_of_100_resent": timed(lambda: services.add_points(walker, resent, now=now), args.runs),
        "batch_of_100_late_recount": timed(late_batch, args.runs),
        "day_distance_recount_960_points": timed(lambda: services.recount(day_shift), args.runs),
        "month_figures_all_inspectors": timed(lambda: services.inspector_figures(month_start, now, now=now), args.runs),
        "day_distance_km": round(services.recount(day_shift).metres / 1000, 3),
    }
    print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
