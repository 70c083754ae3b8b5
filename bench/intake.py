"""Intake: reports per second over HTTP beside the floor endpoint, with phone photos, and a hotline Excel import.

1. Reports over real HTTP to waitress (4 threads) in this process, from 4 concurrent keep-alive clients, through
   the project's whole middleware stack plus `bench/measure.py`'s measuring middleware (outermost). Each scenario
   runs the real endpoint, `POST /api/v1/reports` as the operator (location point → grid, repeat-complaint
   checks, numbering, first event, timers, statistics, photo handling), then its floor, `POST
   /bench/floor/reports` (`bench/floor.py`: the same case and first event inserted in one transaction, photos
   stored as they come), in the same run and server:
   - `no_photo`: JSON reports (`--reports`, default 300);
   - `photo_3mp`, `photo_12mp`: multipart reports with one phone JPEG of 3 or 12 megapixels with EXIF GPS and
     orientation (`bench/phone_photos.py`; `--photo-reports` each, default 30; 0 skips them).
   For each: reports per second, statements per report, CPU per report (app and database), server and client
   p50/p95 latency, each beside the floor's (`rate_share_of_floor`, `cpu_times_floor`, `statements_times_floor`).
2. `import_work_orders` on a generated 12345 export of `--orders` rows (default 3,000; 0 skips it): seconds and
   peak memory.

The database is `--database-url` (default: a fresh SQLite file in a temporary folder), migrated and given a small
demo city if it has none (see `bench/loop.py`). Prints one JSON object. Examples:
    .venv/bin/python bench/intake.py --reports 300 --photo-reports 30 --orders 0
    .venv/bin/python bench/intake.py --database-url postgres://xiuhua_ci:xiuhua_ci@127.0.0.1:5432/xh_bench
"""

from __future__ import annotations

import argparse
import io
import json
import random
import resource
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # measure, floor, phone_photos, loop

CLIENTS = 4
ANSWERED_ON_CALL = 0.3  # consultations answered on the call: no case is opened for them
PHOTO_SCENARIOS = ("3mp", "12mp")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=300, help="reports without photo, real and floor each")
    parser.add_argument("--photo-reports", type=int, default=30, help="reports per photo size, real and floor each")
    parser.add_argument("--orders", type=int, default=3000, help="rows of the Excel import (0: no import)")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--grids", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--trace-memory", action="store_true", help="tracemalloc during the import (slower)")
    return parser.parse_args()


def _points(count: int, seed: int) -> list[tuple[float, float]]:
    from xiuhua.territory.models import UnitGrid

    grids = [g.geometry.representative_point() for g in UnitGrid.objects.all()[:300]]
    rng = random.Random(seed)
    return [(p.x, p.y) for p in (rng.choice(grids) for _ in range(count))]


def report_bodies(count: int, seed: int, **extra: str) -> list[dict]:
    """`count` hotline reports of exposed rubbish at points spread over the demo city, each with its own phone."""
    return [
        {
            "class_code": "06010",
            "kind": "event",
            "description": f"暴露垃圾 第 {i} 处",
            "lng": lng,
            "lat": lat,
            "source": "hotline_12345",
            "reporter_phone": f"139{i:08d}",
            **extra,
        }
        for i, (lng, lat) in enumerate(_points(count, seed))
    ]


def _phase(port: int, requests: list) -> dict:
    """Send `requests` (all of one label) from CLIENTS threads; the label's figures with the rate."""
    from measure import run_clients, summary

    def work(client, share, failures) -> None:
        for request in share:
            client.send(request, failures)

    if not requests:
        return {}
    seconds, failures = run_clients(port, [requests[i::CLIENTS] for i in range(CLIENTS)], work)
    return {
        "per_second": round(len(requests) / seconds, 1),
        "seconds": round(seconds, 2),
        "failures": len(failures),
        "first_failure": failures[:1],
        **summary(requests[0].label),
    }


def http_intake(args: argparse.Namespace) -> dict:
    """Each scenario: the real endpoint, then its floor, on the same server."""
    from measure import Request, run_clients, serve, token
    from phone_photos import phone_photo

    server = serve(CLIENTS)
    port = server.effective_port
    operator = token("operator")
    bodies = report_bodies(max(args.reports, args.photo_reports) + 1, args.seed)
    scenarios = {"no_photo": (args.reports, [])}
    for name in PHOTO_SCENARIOS if args.photo_reports else ():
        scenarios[f"photo_{name}"] = (args.photo_reports, [(f"IMG_{name}.jpg", phone_photo(name).data)])
    # A real and a floor report of each kind from every client before measuring (not counted): the floor copies the
    # latest case the real endpoint made, and first-request imports and each server thread's database connection
    # are not what is measured.
    warm = [
        Request("warm-up", path, who, {**bodies[0], "reporter_phone": "13700000000"}, photos)
        for _, photos in scenarios.values()
        for path, who in (("/api/v1/reports", operator), ("/bench/floor/reports", ""))
    ]
    run_clients(port, [warm] * CLIENTS, lambda client, share, failures: [client.send(r, failures) for r in share])
    out = {}
    for scenario, (count, photos) in scenarios.items():
        real = [Request(scenario, "/api/v1/reports", operator, b, photos) for b in bodies[:count]]
        floor = [Request(f"floor_{scenario}", "/bench/floor/reports", "", b, photos) for b in bodies[:count]]
        out[scenario] = side_by_side_phase(port, real, floor)
    # The server is left to end with the process: closing it while a thread finishes its last task only logs
    # "Bad file descriptor".
    return out


def side_by_side_phase(port: int, real: list, floor: list) -> dict:
    from measure import side_by_side

    return side_by_side(_phase(port, real), _phase(port, floor))


def _point_in(polygon, rng: random.Random) -> tuple[float, float]:
    from shapely import Point

    min_x, min_y, max_x, max_y = polygon.bounds
    while True:
        lng, lat = rng.uniform(min_x, max_x), rng.uniform(min_y, max_y)
        if polygon.contains(Point(lng, lat)):
            return lng, lat


def _export(count: int, seed: int) -> bytes:
    """A 12345 export shaped like a real one: classes weighted as in district statistics, callers' own words,
    points spread over the whole territory, mostly different callers, orders over the last 30 days, and a share
    of consultations answered on the call (no case). That share also keeps one import under the 99,999 case
    numbers a district has per day (CJ/T 214 numbering: date + 5 digits)."""
    from datetime import datetime, timedelta

    import openpyxl

    from xiuhua.platform.demo_texts import TEXT_CLASSES, Place, describe
    from xiuhua.territory.models import UnitGrid

    rng = random.Random(seed)
    grids = [grid.geometry for grid in UnitGrid.objects.all()]
    events = [tc for tc in TEXT_CLASSES if tc.kind == "event"]
    weights = [tc.weight for tc in events]
    start = datetime(2026, 10, 24, 8, 0)
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(
        ["工单编号", "热线", "受理时间", "来电人", "联系电话", "诉求类型", "紧急程度", "诉求内容", "经度", "纬度"]
        + ["小类代码", "部件/事件", "当场答复", "答复内容"]
    )
    for i in range(count):
        text_class = rng.choices(events, weights)[0]
        lng, lat = _point_in(rng.choice(grids), rng)
        place = Place(rng.choice(("海滨路", "武原大道", "城北路", "百尺路")), rng.randint(1, 300), "", "盐湖路")
        received = start + timedelta(minutes=rng.randint(0, 30 * 24 * 60))
        answered = rng.random() < ANSWERED_ON_CALL
        sheet.append(
            [
                f"BENCH{i:08d}",
                "12345",
                received.strftime("%Y-%m-%d %H:%M"),
                "市民",
                f"13{rng.randint(0, 999_999_999):09d}",
                "咨询" if answered else "投诉",
                "一般",
                describe(text_class, "citizen", place, rng),
                lng,
                lat,
                "" if answered else text_class.code,
                "" if answered else "事件",
                "是" if answered else "否",
                "已当场告知办理渠道" if answered else "",
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def excel_import(args: argparse.Namespace) -> dict:
    """Seconds and memory of one import. tracemalloc slows Python code about threefold, so it is only switched on
    with --trace-memory; otherwise memory is the growth of the process's peak RSS during the import."""
    from xiuhua.accounts.models import User
    from xiuhua.cases.models import Case
    from xiuhua.intake.channels.hotline.importer import import_work_orders

    data = _export(args.orders, args.seed)
    operator = User.objects.get(username="operator")
    cases_before = Case.objects.count()
    rss_before = _max_rss_mb()
    if args.trace_memory:
        tracemalloc.start()
    started = time.perf_counter()
    result = import_work_orders(data, operator, filename="bench.xlsx")
    seconds = time.perf_counter() - started
    out = {
        "orders": args.orders,
        "file_mb": round(len(data) / 2**20, 1),
        "created": result.created,
        "cases_opened": Case.objects.count() - cases_before,
        "seconds": round(seconds, 1),
        "per_second": round(args.orders / seconds, 1),
        "peak_rss_growth_mb": round(_max_rss_mb() - rss_before, 1),
        "max_rss_mb": round(_max_rss_mb(), 1),
    }
    if args.trace_memory:
        out["tracemalloc_peak_mb"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
        tracemalloc.stop()
    return out


def main() -> None:
    from loop import configure, prepare  # the same throw-away database and demo city as the loop benchmark
    from phone_photos import photos_described

    args = parse_args()
    configure(args)
    prepare(args)
    from django.db import connection

    out = {
        "database": connection.vendor,
        "clients": CLIENTS,
        "photos": photos_described(list(PHOTO_SCENARIOS) if args.photo_reports else []),
        "reports": http_intake(args),
    }
    if args.orders:
        out["excel_import"] = excel_import(args)
    print(json.dumps(out, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
