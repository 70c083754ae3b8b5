"""Benchmark: the map's territory layers for a district of 50,000 unit grids, through the web endpoints.

Builds the demo city with `--grids` grids (≈100 m squares round 120.94E 30.52N, 9 towns, communities of
7×7 grids), signs in a leader and asks `/map/grids.geojson` and `/map/divisions.geojson` for the views a
browser asks for: the map page's first view (zoom 16 at the district's centre), a wider street view
(zoom 15), a zoomed-out view (zoom 13, community outlines instead of grids) and the whole district
(zoom 11). The view is a 1,176×732-pixel map (the map page at 1440×900) padded by a quarter on each side,
as `map.js` asks. Prints one JSON object: per view, the level drawn, the number of features, the body
size raw and gzipped, and the first and best response times (best of `--repeat`) in milliseconds.

With `--components N` (e.g. 500000) it also writes N components in bulk, 10 a grid or so, and measures the base
map's layers beside the grids: components (counted per cell when zoomed out, one by one at zoom 17+), roads and
house numbers, each with its query count. `--database-url postgres://…` runs it on PostgreSQL (the database's
tables are emptied first). The first request for components after a change builds the process's snapshot: that
time is reported as `first_ms` of the first components view.

Usage: python bench/map_layers.py --grids 50000
       python bench/map_layers.py --grids 50000 --components 500000 --database-url postgres://…/xh_bench
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import time

import django_setup

VIEW_PX = (1176, 732)
PADDING = 0.25


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grids", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--components", type=int, default=0)
    parser.add_argument("--database-url", default="")
    return parser.parse_args()


def view_bbox(lng: float, lat: float, zoom: int) -> str:
    """The bbox map.js asks for: the view of VIEW_PX pixels at `zoom` round (lng, lat), padded."""
    degrees_per_px = 360 / (256 * 2**zoom)
    half_w = VIEW_PX[0] * (1 + 2 * PADDING) / 2 * degrees_per_px
    half_h = VIEW_PX[1] * (1 + 2 * PADDING) / 2 * degrees_per_px * math.cos(math.radians(lat))
    return f"{lng - half_w:.6f},{lat - half_h:.6f},{lng + half_w:.6f},{lat + half_h:.6f}"


def measure(client, url: str, repeat: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times = []
    response = None
    for _ in range(repeat + 1):
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
        times.append((time.perf_counter() - start) * 1000)
    assert response.status_code == 200, response.content[:200]
    packed = response.content
    raw = gzip.decompress(packed) if response.get("Content-Encoding") == "gzip" else packed
    body = json.loads(raw)
    return {
        "level": body.get("level") or body.get("mode") or "",
        "features": body["count"],
        "queries": len(queries),
        "bytes": len(raw),
        "gzip_bytes": len(packed),
        "first_ms": round(times[0], 1),
        "best_ms": round(min(times[1:]), 1),
    }


def main() -> None:
    args = parse_args()
    workdir = django_setup.configure("map", args.database_url)
    from django.core.management import call_command
    from django.test import Client

    from xiuhua.accounts.models import User
    from xiuhua.platform.demo import build_demo_city
    from xiuhua.territory.models import Division

    if args.database_url:
        call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    if args.database_url:  # flush emptied the catalogue and calendar the migrations had loaded
        call_command("migrate", "catalog", "zero", verbosity=0)
        call_command("migrate", verbosity=0)
    started = time.perf_counter()
    build_demo_city(grids=args.grids, components=0, seed=args.seed)
    if args.components:
        from xiuhua.web.tests.basemap_data import grid_boxes, insert_components

        boxes = grid_boxes()
        per_grid = -(-args.components // len(boxes))
        insert_components(boxes[: -(-args.components // per_grid)], per_grid=per_grid, seed=args.seed)
    built_s = round(time.perf_counter() - started, 1)
    client = Client()
    client.force_login(User.objects.get(username="leader"))
    client.get("/map/")  # the process's first request imports the URL modules: not the layers' cost
    district = Division.objects.get(level="district")
    lng, lat = (district.min_lng + district.max_lng) / 2, (district.min_lat + district.max_lat) / 2
    whole = f"{district.min_lng},{district.min_lat},{district.max_lng},{district.max_lat}"
    views = {
        "first view, zoom 16": f"/map/grids.geojson?bbox={view_bbox(lng, lat, 16)}&zoom=16",
        "street, zoom 15": f"/map/grids.geojson?bbox={view_bbox(lng, lat, 15)}&zoom=15",
        "zoomed out, zoom 13": f"/map/grids.geojson?bbox={view_bbox(lng, lat, 13)}&zoom=13",
        "whole district, zoom 11": f"/map/grids.geojson?bbox={whole}&zoom=11",
        "sub-districts, zoom 11": f"/map/divisions.geojson?level=subdistrict&bbox={whole}&zoom=11",
        "communities, zoom 13": f"/map/divisions.geojson?level=community&bbox={view_bbox(lng, lat, 13)}&zoom=13",
    }
    if args.components:
        views |= {
            "components, first view, zoom 16": f"/map/components.geojson?bbox={view_bbox(lng, lat, 16)}&zoom=16",
            "components, zoom 13": f"/map/components.geojson?bbox={view_bbox(lng, lat, 13)}&zoom=13",
            "components, whole district, zoom 11": f"/map/components.geojson?bbox={whole}&zoom=11",
            "components one by one, zoom 17": f"/map/components.geojson?bbox={view_bbox(lng, lat, 17)}&zoom=17",
            "roads, zoom 16": f"/map/roads.geojson?bbox={view_bbox(lng, lat, 16)}&zoom=16",
            "roads, whole district, zoom 11": f"/map/roads.geojson?bbox={whole}&zoom=11",
            "house numbers, zoom 17": f"/map/addresses.geojson?bbox={view_bbox(lng, lat, 17)}&zoom=17",
        }
    results = {name: measure(client, url, args.repeat) for name, url in views.items()}
    print(
        json.dumps(
            {
                "grids": args.grids,
                "components": args.components,
                "database": "postgresql" if args.database_url.startswith("postgres") else "sqlite",
                "build_seconds": built_s,
                "view_px": VIEW_PX,
                "views": results,
                "workdir": str(workdir),
            },
            ensure_ascii=False,
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
