"""Benchmark: the leader dashboard's figures and the map's case layer over a district with a million cases.

Builds a demo city, then writes `--cases` cases with their statistics rows straight into the tables (bulk
SQL, no workflow: this measures reading, not the loop), reported evenly over the last `--years` years (default
1: a megacity district's year; 7 is a typical district's 140,000 a year) in time order:
older cases mostly closed, recent ones at every open status, many past their handling limit (more open and
overdue cases than a real district has, on purpose). Then it times, best of
`--repeat` after one warm-up:

  * `cases.overview.overview` for an unscoped leader (whole district) and for a leader scoped to one
    sub-district — every figure of the dashboard and the big screen (counts today and this month,
    overdue, on-time rate, open by status, top classes and grids, the 30-day trend);
  * `cases.mapping.case_points` — the open cases as GeoJSON for the map, with its size;
  * the `/dashboard/` page and the `/dashboard/figures/` poll through Django's test client;

and prints one JSON object with the times in milliseconds and the query plans' use of indexes.

The database is `--database-url` (default: a fresh SQLite file in a temporary folder). For PostgreSQL pass
e.g. postgres://xiuhua_ci:xiuhua_ci@127.0.0.1:5432/xiuhua_bench (an empty database; it is filled).

Usage: python bench/overview.py --cases 1000000 [--years 7] [--database-url URL]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

OPEN_MIX = [
    ("reported", 3),
    ("accepted", 2),
    ("registered", 2),
    ("dispatched", 6),
    ("handling", 8),
    ("handled", 3),
    ("checking", 2),
    ("checked", 1),
    ("extension_requested", 1),
    ("suspended", 1),
]
CLOSED_SHARE_OLD = 0.99  # of cases reported more than 30 days ago
BATCH = 20_000


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--grids", type=int, default=2000)
    parser.add_argument("--years", type=float, default=1.0)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args()


def configure(args: argparse.Namespace) -> Path:
    workdir = Path(tempfile.mkdtemp(prefix="xiuhua-bench-overview-"))
    os.environ["XIUHUA_VAR_DIR"] = str(workdir)
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiuhua.platform.settings")
    os.environ.setdefault("XIUHUA_LOG_LEVEL", "WARNING")
    os.environ["XIUHUA_OVERVIEW_CACHE_SECONDS"] = "0"  # measure the figures, not the cache in front of them
    try:
        import xiuhua  # noqa: F401
    except ImportError:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import django

    django.setup()
    return workdir


def prepare(args: argparse.Namespace) -> None:
    from django.core.management import call_command

    from xiuhua.platform.demo import build_demo_city

    call_command("migrate", verbosity=0)
    build_demo_city(grids=args.grids, components=0, seed=args.seed)


def _insert(table: str, columns: list[str], rows: list[list]) -> None:
    from django.db import connection

    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {connection.ops.quote_name(table)} ({names}) VALUES ({marks})", rows)


def _template(model, values: dict) -> tuple[list[str], list]:
    """Column names and database values of one unsaved row with `values` (the rest: model defaults)."""
    from django.db import connection

    obj = model(**values)
    fields = [f for f in model._meta.concrete_fields]
    return [f.column for f in fields], [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields]


def fill(args: argparse.Namespace, now: datetime) -> dict:
    """Write the cases and their statistics rows; returns how many of each kind."""
    from django.db import connection, transaction

    from xiuhua.cases.models import Case, CaseStats
    from xiuhua.catalog.models import CaseClass
    from xiuhua.territory.models import UnitGrid

    rng = random.Random(args.seed)
    grids = list(UnitGrid.objects.select_related("community__parent__parent").order_by("code"))
    classes = list(CaseClass.objects.filter(kind="event", major_code__gte="06").values_list("pk", flat=True))
    hot_classes = classes[:12]
    hot_grids = rng.sample(grids, 40)
    dt = connection.ops.adapt_datetimefield_value
    start_id = (Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    case_cols, case_base = _template(
        Case,
        {
            "number": "0",
            "district_code": "330424",
            "source": "inspector",
            "case_class_id": classes[0],
            "description": "基准测试案卷",
            "lng": 0.0,
            "lat": 0.0,
            "original_lng": 0.0,
            "original_lat": 0.0,
            "unit_grid_id": grids[0].pk,
            "grid_code": grids[0].code,
            "community_id": grids[0].community_id,
            "subdistrict_id": grids[0].community.parent_id,
            "district_id": grids[0].community.parent.parent_id,
            "status": "closed",
            "reported_at": now,
            "updated_at": now,
        },
    )
    stats_cols, stats_base = _template(CaseStats, {"case_id": 0, "reported_at": now})
    ci = {c: i for i, c in enumerate(case_cols)}
    si = {c: i for i, c in enumerate(stats_cols)}
    open_states = [s for s, w in OPEN_MIX for _ in range(w)]
    tally: dict[str, int] = {}
    span = timedelta(days=365 * args.years).total_seconds()
    case_rows, stats_rows = [], []
    # Oldest first, as a real table grows: ids follow the report time.
    offsets = sorted((rng.random() * span for _ in range(args.cases)), reverse=True)
    for n, offset in enumerate(offsets):
        pk = start_id + n
        reported = now - timedelta(seconds=offset)
        recent = now - reported < timedelta(days=30)
        status = (
            "closed"
            if (not recent and rng.random() < CLOSED_SHARE_OLD) or (recent and rng.random() < 0.6)
            else (rng.choice(open_states))
        )
        tally[status] = tally.get(status, 0) + 1
        grid = rng.choice(hot_grids) if rng.random() < 0.3 else rng.choice(grids)
        point = (
            grid.min_lng + rng.random() * (grid.max_lng - grid.min_lng),
            grid.min_lat + rng.random() * (grid.max_lat - grid.min_lat),
        )
        registered = reported + timedelta(minutes=40)
        dispatched = registered + timedelta(minutes=20)
        deadline = dispatched + timedelta(days=3)
        handled_back = dispatched + timedelta(hours=rng.uniform(2, 100))
        row = list(case_base)
        row[ci["id"]] = pk
        row[ci["number"]] = f"B{pk:012d}"
        row[ci["case_class_id"]] = rng.choice(hot_classes) if rng.random() < 0.6 else rng.choice(classes)
        row[ci["lng"]] = row[ci["original_lng"]] = point[0]
        row[ci["lat"]] = row[ci["original_lat"]] = point[1]
        row[ci["unit_grid_id"]], row[ci["grid_code"]] = grid.pk, grid.code
        row[ci["community_id"]] = grid.community_id
        row[ci["subdistrict_id"]] = grid.community.parent_id
        row[ci["district_id"]] = grid.community.parent.parent_id
        row[ci["status"]] = status
        row[ci["reported_at"]] = dt(reported)
        running = status in ("dispatched", "handling", "extension_requested")
        row[ci["handling_deadline"]] = dt(deadline) if status not in ("reported", "accepted", "registered") else None
        row[ci["handling_warning_at"]] = dt(deadline - timedelta(hours=14)) if running else None
        row[ci["handling_running_since"]] = dt(dispatched) if running else None
        row[ci["closed_at"]] = dt(handled_back + timedelta(hours=3)) if status == "closed" else None
        stats = list(stats_base)
        stats[si["case_id"]] = pk
        stats[si["reported_at"]] = dt(reported)
        if status not in ("reported", "accepted"):
            stats[si["registered_at"]] = dt(registered)
        if status not in ("reported", "accepted", "registered"):
            stats[si["first_dispatched_at"]] = stats[si["dispatched_at"]] = dt(dispatched)
        if status in ("closed", "handled", "checking", "checked"):
            stats[si["reported_back_at"]] = dt(handled_back)
            stats[si["handling_on_time"]] = handled_back <= deadline
        if status == "closed":
            stats[si["closed_at"]] = dt(handled_back + timedelta(hours=3))
        case_rows.append(row)
        stats_rows.append(stats)
        if len(case_rows) >= BATCH:
            with transaction.atomic():
                _insert(Case._meta.db_table, case_cols, case_rows)
                _insert(CaseStats._meta.db_table, stats_cols, stats_rows)
            case_rows, stats_rows = [], []
    if case_rows:
        with transaction.atomic():
            _insert(Case._meta.db_table, case_cols, case_rows)
            _insert(CaseStats._meta.db_table, stats_cols, stats_rows)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh planner statistics, as a production database keeps
    return tally


def best_ms(func, repeat: int) -> tuple[float, float, object]:
    """(first call, best of `repeat` later calls) in milliseconds, and the last result."""
    start = time.perf_counter()
    result = func()
    first = (time.perf_counter() - start) * 1000
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        best = min(best, (time.perf_counter() - start) * 1000)
    return round(first, 1), round(best, 1), result


def plans(user, now: datetime) -> dict[str, str]:
    """SQLite's plan for the biggest figure queries: which index each reads (no scan of the cases table)."""
    from django.db import connection
    from django.db.models import Count

    from xiuhua.cases import overview

    if connection.vendor != "sqlite":
        return {}
    span = overview.periods(now)
    cases = overview.visible_cases(user)
    stats, _via = overview.stage_rows(cases)
    month = {"reported_at__gte": span.month, "reported_at__lt": span.tomorrow}
    queries = {
        "closed_this_month": stats.filter(closed_at__gte=span.month, closed_at__lt=span.tomorrow).values("pk"),
        "reported_this_month": cases.filter(**month).order_by().values("pk"),
        "top_grids": cases.filter(**month).order_by().values("grid_code").annotate(n=Count("*")),
        "overdue_now": cases.filter(overview.overdue_filter(now)).order_by().values("pk"),
        "open_by_status": cases.filter(status__in=overview.OPEN_STATUSES).order_by().values("status"),
    }
    out = {}
    with connection.cursor() as cursor:
        for name, queryset in queries.items():
            sql, params = queryset.query.sql_with_params()
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            out[name] = " | ".join(row[-1] for row in cursor.fetchall())
    return out


def page_ms(username: str, path: str, repeat: int) -> dict[str, float]:
    """The whole page as a browser gets it (session, view, figures, template), first and best of `repeat`."""
    from django.test import Client

    from xiuhua.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    first, best, response = best_ms(lambda: client.get(path), repeat)
    assert response.status_code == 200, response.status_code
    return {"first": first, "best": best}


def main() -> None:
    args = parse_args()
    workdir = configure(args)
    from django.db import connection
    from django.utils import timezone

    from xiuhua.accounts.choices import Role
    from xiuhua.accounts.models import User
    from xiuhua.cases.mapping import PointFilters, case_points
    from xiuhua.cases.overview import overview

    prepare(args)
    now = timezone.now().astimezone(UTC)
    started = time.perf_counter()
    tally = fill(args, now)
    fill_s = round(time.perf_counter() - started, 1)
    leader = User.objects.get(username="leader")
    town = User.objects.create(username="bench_town_leader", role=Role.LEADER, scope_division_codes=["330424001"])

    client_warm_up = page_ms("leader", "/map/", 0)  # the process's first request imports the URL modules
    first, best, figures = best_ms(lambda: overview(leader, now=now), args.repeat)
    town_first, town_best, town_figures = best_ms(lambda: overview(town, now=now), args.repeat)
    points_first, points_best, points = best_ms(lambda: case_points(leader, PointFilters(), now=now), args.repeat)
    print(
        json.dumps(
            {
                "database": connection.vendor,
                "cases": args.cases,
                "years": args.years,
                "grids": args.grids,
                "fill_seconds": fill_s,
                "statuses": dict(sorted(tally.items())),
                "overview_ms": {"first": first, "best": best},
                "overview_one_subdistrict_ms": {"first": town_first, "best": town_best},
                "dashboard_page_ms": page_ms("leader", "/dashboard/", args.repeat),
                "figures_poll_ms": page_ms("leader", "/dashboard/figures/?view=screen", args.repeat),
                "warm_up_ms": client_warm_up,
                "figures": {
                    "today": figures.today.__dict__,
                    "month": figures.month.__dict__,
                    "open_cases": figures.open_cases,
                    "overdue_now": figures.overdue_now,
                    "on_time_rate": round(figures.on_time_rate or 0, 3),
                    "one_subdistrict_month_reported": town_figures.month.reported,
                },
                "case_points": {
                    "first_ms": points_first,
                    "best_ms": points_best,
                    "count": points.count,
                    "truncated": points.truncated,
                    "bytes": len(points.geojson.encode()),
                },
                "plans": plans(leader, now),
                "workdir": str(workdir),
            },
            ensure_ascii=False,
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
