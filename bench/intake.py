"""Intake throughput: reports per second through the HTTP API, and a large hotline Excel import.

1. `POST /api/v1/reports` served by waitress (4 threads) in this process, called by 4 concurrent clients
   over real HTTP; each report goes through location (point → grid), repeat-complaint checks, numbering,
   the first event, timers and storage. Baseline: the same rows (case + event) inserted plainly with the ORM,
   one transaction per report, by 4 threads.
2. `import_work_orders` on a generated 12345 export of N rows (default 100,000): seconds and peak memory.

Prints one JSON object. Examples:
    .venv/bin/python bench/intake.py --reports 2000 --orders 100000
    .venv/bin/python bench/intake.py --database-url postgres://…/xiuhua_bench --orders 0
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import random
import resource
import threading
import time
import tracemalloc
from pathlib import Path

CLIENTS = 4
ANSWERED_ON_CALL = 0.3  # consultations answered on the call: no case is opened for them


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=2000)
    parser.add_argument("--orders", type=int, default=100_000)
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


def _serve():
    from waitress import create_server

    from xiuhua.platform.wsgi import application

    server = create_server(application, host="127.0.0.1", port=0, threads=CLIENTS)
    threading.Thread(target=server.run, daemon=True).start()
    return server


def _token() -> str:
    from django.conf import settings
    from django.test import RequestFactory

    from xiuhua.accounts.services import issue_api_token

    return issue_api_token(RequestFactory().post("/api/v1/auth/token"), "operator", settings.DEMO_PASSWORD)[1]


def _client(port: int, token: str, bodies: list[dict], failures: list[str]) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    for body in bodies:
        connection.request("POST", "/api/v1/reports", json.dumps(body), headers)
        response = connection.getresponse()
        payload = response.read()
        if response.status != 201:
            failures.append(f"{response.status} {payload[:200]!r}")
    connection.close()


def _in_parallel(work: list, target) -> float:
    shares = [work[i::CLIENTS] for i in range(CLIENTS)]
    threads = [threading.Thread(target=target, args=(share,)) for share in shares]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


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


def http_intake(args: argparse.Namespace) -> dict:
    from django.db import connections

    server = _serve()
    port = server.effective_port
    token = _token()
    bodies = report_bodies(args.reports, args.seed)
    failures: list[str] = []
    seconds = _in_parallel(bodies, lambda share: _client(port, token, share, failures))
    server.close()
    connections.close_all()
    return {
        "reports": len(bodies),
        "seconds": round(seconds, 2),
        "per_second": round(len(bodies) / seconds, 1),
        "failures": len(failures),
        "first_failure": failures[:1],
    }


def plain_inserts(args: argparse.Namespace) -> dict:
    """The same rows without the domain: a case copied from a stored one, and its first event."""
    from django.db import connections, transaction

    from xiuhua.cases.models import Case, CaseEvent

    template = Case.objects.order_by("id").first()
    fields = {f.attname: getattr(template, f.attname) for f in Case._meta.concrete_fields if not f.primary_key}
    counter = iter(range(10**9))
    lock = threading.Lock()

    def insert(share: list) -> None:
        for _ in share:
            with lock:
                n = next(counter)
            with transaction.atomic():
                case = Case.objects.create(**{**fields, "number": f"P{n:012d}", "intake_key": None})
                CaseEvent.objects.create(case=case, action="report", to_status="reported", at=case.reported_at)
        connections.close_all()

    seconds = _in_parallel(list(range(args.reports)), insert)
    return {"rows": args.reports, "seconds": round(seconds, 2), "per_second": round(args.reports / seconds, 1)}


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
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from loop import configure, prepare  # the same throw-away database and demo city as the loop benchmark

    args = parse_args()
    configure(args)
    prepare(args)
    from django.db import connection

    out = {"database": connection.vendor, "clients": CLIENTS, "http_reports": http_intake(args)}
    out["plain_inserts"] = plain_inserts(args)
    out["overhead_factor"] = round(out["plain_inserts"]["per_second"] / out["http_reports"]["per_second"], 1)
    if args.orders:
        out["excel_import"] = excel_import(args)
    print(json.dumps(out, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
