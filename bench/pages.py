"""Page speed with a million cases: server time and SQL query count of the pages people use all day.

1. A throw-away database gets the demo city (default 5,000 grids) and N cases (default 1,000,000) over the last
   year from `history.generate_cases` (bulk inserts of cases and their statistics, shaped like a real district),
   plus a few cases played through the real workflow so that their case page has a genuine timeline.
2. Each page is rendered in-process through Django's test client as the role that uses it (no network, no
   browser): one warm-up, then the median and the worst of `--runs` runs, and the number of SQL queries.
   Pages a build does not have yet are listed under "missing", not timed.

Prints one JSON object. Examples:
    .venv/bin/python bench/pages.py --cases 1000000
    .venv/bin/python bench/pages.py --cases 1000000 --database-url postgres://…/xiuhua_bench
The goal is under 200 ms for each page on PostgreSQL.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--grids", type=int, default=5_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--days", type=int, default=365, help="spread the cases over the last N days (61: the months evaluated)"
    )
    parser.add_argument(
        "--only", default="", help="measure only the pages whose name contains this text (several: comma-separated)"
    )
    parser.add_argument(
        "--components", type=int, default=0, help="also write N base-map components in bulk (e.g. 500000)"
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure the cases already in --database-url (an earlier run's), e.g. the same data with other code; "
        "set XIUHUA_DATA_KEY to the earlier run's data key (printed by that run)",
    )
    return parser.parse_args()


def _play_cases(count: int = 3) -> list[str]:
    """Cases taken round the loop by the real workflow up to handling, for case pages with real timelines."""
    from xiuhua.accounts.models import User
    from xiuhua.cases.workflow import apply_action
    from xiuhua.intake.channels.staff.adapter import report_by_staff
    from xiuhua.intake.services import ReportInput
    from xiuhua.routing.services import route_case
    from xiuhua.territory.models import UnitGrid

    user = {role: User.objects.filter(role=role).first() for role in ("operator", "shift_leader", "dispatcher")}
    numbers = []
    for grid in UnitGrid.objects.order_by("?")[:count]:
        point = grid.geometry.representative_point()
        data = ReportInput(
            class_code="01001",
            kind="event",
            description="人行道上有暴露垃圾",
            lng=point.x,
            lat=point.y,
            source="hotline_12345",
        )
        case = report_by_staff(user["operator"], data).case
        apply_action(case.number, "accept", user["operator"])
        case = apply_action(case.number, "register", user["shift_leader"])
        lead = route_case(case, case.reported_at).lead
        apply_action(case.number, "dispatch", user["dispatcher"], {"department": lead.short_name})
        numbers.append(case.number)
    return numbers


def _pages(case_numbers: list[str]) -> list[tuple[str, str, str, str]]:
    """(name, username, url name, url args or query) of each page measured."""
    one = case_numbers[0]
    return [
        ("case list (operator, newest first)", "operator", "web:case_list", ""),
        ("case list filtered (red light)", "operator", "web:case_list", "?light=red"),
        ("intake queue (operator)", "operator", "web:intake", ""),
        ("intake: callbacks (operator)", "operator", "web:intake", "?tab=callback"),
        ("intake: to register (shift leader)", "shift_leader", "web:intake", ""),
        ("dispatch queue (dispatcher)", "dispatcher", "web:dispatch", ""),
        ("dispatch: approvals (dispatcher)", "dispatcher", "web:dispatch", "?tab=approvals"),
        ("department workbench", "dept_zhifa", "web:department", ""),
        ("department month figures", "dept_zhifa", "web:department_figures", ""),
        ("inspector tasks (phone)", "inspector", "web:m_tasks", ""),
        ("case page", "operator", "web:case_detail", one),
        ("map: open cases in view", "operator", "web:map_cases", "?bbox=120.80,30.40,121.10,30.65"),
        ("map: grids in view", "operator", "web:map_grids", "?bbox=120.90,30.48,120.98,30.55&zoom=15"),
        ("map: divisions", "operator", "web:map_divisions", "?bbox=120.80,30.40,121.10,30.65&zoom=12"),
        ("leader dashboard (uncached)", "leader", "web:dashboard", ""),
        ("dashboard figures poll (uncached)", "leader", "web:dashboard_figures", ""),
        ("big screen (uncached)", "leader", "web:screen", ""),
        # The last complete month: the evaluation's busiest tab (every grid) and a sorted later page of it.
        ("evaluation: grid tab (leader)", "leader", "web:evaluation", f"?type=grid&period={_last_month()}"),
        (
            "evaluation: grid tab sorted by score, page 3",
            "leader",
            "web:evaluation",
            f"?type=grid&period={_last_month()}&sort=-score&page=3",
        ),
        ("evaluation: departments (leader)", "leader", "web:evaluation", f"?type=department&period={_last_month()}"),
        ("evaluation: inspectors (leader)", "leader", "web:evaluation", f"?type=inspector&period={_last_month()}"),
    ]


def _call_pages() -> list[tuple[str, str, str, str]]:
    """The call-taking page and the suggestions it asks while an operator types (issue 13), with real arguments:
    a caller with earlier orders, a road and house number from the table, a busy spot for duplicates."""
    from urllib.parse import urlencode

    from xiuhua.accounts.models import User
    from xiuhua.cases.models import Case
    from xiuhua.intake.channels.hotline.adapter import WorkOrderInput, take_work_order
    from xiuhua.territory.models import StreetAddress

    operator = User.objects.filter(role="operator").first()
    address = StreetAddress.objects.select_related("road").order_by("road__code", "number")[10]
    for i in range(3):
        order = WorkOrderInput(
            "12345", f"BENCH-{i}", "complaint", "路边有暴露垃圾", caller_phone="13905730000",
            class_code="01001", kind="event", lng=address.lng, lat=address.lat,
        )  # fmt: skip
        take_work_order(order, operator)
    busy = Case.objects.filter(case_class__code="01001").order_by("-reported_at").first()
    spot = {"class_code": "01001", "kind": "event", "lng": busy.lng, "lat": busy.lat}
    road = address.road.name
    return [
        ("call-taking page (operator)", "operator", "web:call_take", ""),
        ("call: caller history", "operator", "web:call_caller", "?caller_phone=13905730000"),
        ("call: address suggestions (road)", "operator", "web:call_addresses", "?" + urlencode({"q": road[:2]})),
        (
            "call: address suggestions (house number)",
            "operator",
            "web:call_addresses",
            "?" + urlencode({"q": f"{road}{address.number}"}),
        ),
        (
            "call: class search",
            "operator",
            "web:call_classes",
            "?" + urlencode({"q": "垃圾", "text": "路边有暴露垃圾"}),
        ),
        ("call: possible duplicates", "operator", "web:call_duplicates", "?" + urlencode(spot)),
    ]


def _map_layer_pages() -> list[tuple[str, str, str, str]]:
    """The base map's layers (issue 13) for the map page's first view (zoom 16 at the district's centre), the whole
    district zoomed out and a street zoomed in, as `bench/map_layers.py` asks them."""
    from map_layers import view_bbox

    from xiuhua.territory.models import Division

    district = Division.objects.get(level="district")
    lng, lat = (district.min_lng + district.max_lng) / 2, (district.min_lat + district.max_lat) / 2
    whole = f"?bbox={district.min_lng},{district.min_lat},{district.max_lng},{district.max_lat}&zoom=11"
    z16, z17 = f"?bbox={view_bbox(lng, lat, 16)}&zoom=16", f"?bbox={view_bbox(lng, lat, 17)}&zoom=17"
    return [
        ("map layer: components, first view, zoom 16", "operator", "web:map_components", z16),
        ("map layer: components, whole district, zoom 11", "operator", "web:map_components", whole),
        ("map layer: components one by one, zoom 17", "operator", "web:map_components", z17),
        ("map layer: roads, zoom 16", "operator", "web:map_roads", z16),
        ("map layer: roads, whole district, zoom 11", "operator", "web:map_roads", whole),
        ("map layer: house numbers, zoom 17", "operator", "web:map_addresses", z17),
    ]


def _components(count: int, seed: int) -> None:
    from xiuhua.web.tests.basemap_data import grid_boxes, insert_components

    boxes = grid_boxes()
    per_grid = -(-count // len(boxes))
    insert_components(boxes[: -(-count // per_grid)], per_grid=per_grid, seed=seed)


def _last_month() -> str:
    from datetime import timedelta

    from django.utils import timezone

    first = timezone.localdate().replace(day=1)
    return (first - timedelta(days=1)).strftime("%Y-%m")


def _url(url_name: str, arg: str) -> str | None:
    from django.urls import NoReverseMatch, reverse

    try:
        if arg and not arg.startswith("?"):
            return reverse(url_name, args=[arg])
        return reverse(url_name) + arg
    except NoReverseMatch:
        return None


def measure(pages, runs: int) -> tuple[list[dict], list[str]]:
    from django.conf import settings
    from django.db import connection
    from django.http import HttpRequest
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    # The overview is cached for 30 s in production; measure what a cache miss costs.
    settings.XIUHUA_OVERVIEW_CACHE_SECONDS = 0
    clients: dict[str, Client] = {}
    results, missing = [], []
    for name, username, url_name, arg in pages:
        url = _url(url_name, arg)
        if url is None:
            missing.append(name)
            continue
        if username not in clients:
            clients[username] = Client()
            clients[username].login(request=HttpRequest(), username=username, password=settings.DEMO_PASSWORD)
        client = clients[username]
        client.get(url)  # warm-up: templates, grid index, caches
        timings = []
        for _ in range(runs):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - started) * 1000)
        results.append(
            {
                "page": name,
                "url": url,
                "status": response.status_code,
                "median_ms": round(statistics.median(timings), 1),
                "max_ms": round(max(timings), 1),
                "queries": len(queries.captured_queries),
                "bytes": len(response.content),
            }
        )
    return results, missing


def main() -> None:
    from loop import configure  # the same throw-away database as the other benchmarks

    args = parse_args()
    workdir = configure(args)
    if not os.environ.get("XIUHUA_DATA_KEY"):
        # Personal data is encrypted under a key kept in this run's temporary directory: a later --reuse run of the
        # same database needs it (XIUHUA_DATA_KEY=$(cat …/data_key)).
        print(f"data key of this run: {workdir / 'data_key'}", file=sys.stderr, flush=True)
    from django.core.management import call_command
    from django.db import connection
    from history import generate_cases

    from xiuhua.cases.models import Case
    from xiuhua.catalog.models import Component
    from xiuhua.platform.demo import build_demo_city
    from xiuhua.territory.models import UnitGrid

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    if not (args.reuse and Case.objects.exists()):
        build_demo_city(grids=args.grids, components=0, seed=args.seed)
        generate_cases(
            args.cases,
            seed=args.seed,
            days=args.days,
            progress=lambda n: print(f"{n} cases", file=sys.stderr, flush=True),
        )
        if connection.vendor == "postgresql":
            # VACUUM as autovacuum soon would on a live database: without it the bulk-loaded tables have no
            # visibility map, and every index-only count reads the table's pages too.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        if args.components:
            _components(args.components, args.seed)
        _play_cases()
    generated_s = time.perf_counter() - started
    played = list(Case.objects.filter(events__isnull=False).order_by("pk").values_list("number", flat=True)[:1])
    only = [text for text in args.only.split(",") if text] or [""]
    pages = _pages(played) + _call_pages() + _map_layer_pages()
    pages = [page for page in pages if any(text in page[0] for text in only)]
    results, missing = measure(pages, args.runs)
    out = {
        "database": connection.vendor,
        "cases": Case.objects.count(),
        "grids": UnitGrid.objects.count(),
        "components": Component.objects.count(),
        "generate_seconds": round(generated_s, 1),
        "pages": results,
        "missing": missing,
    }
    print(json.dumps(out, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
