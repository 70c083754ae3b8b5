"""Ledgers at scale: importing N street-front shops against a plain bulk insert of the same rows, and the shops'
map layer at N shops.

1. A throw-away database gets the demo city (`--grids`, default 500) and N shop rows (default 100,000) as a CSV
   file in memory: each at a grid's representative point (a few metres apart), a restaurant or other trade, a
   contact phone, and a party with a valid unified social credit code (one party per 4 shops).
2. Measured in one run, each with its seconds and Python peak memory (tracemalloc, which slows both alike):
   - `bulk_insert`: the baseline, the same rows parsed with `csv` and written with `Shop.objects.bulk_create`
     (grid fields looked up once per grid, no parties, no checks, no history), then deleted;
   - `import`: `ledgers.importers.import_ledger` of the file (every cell checked, every point located, parties
     found or created by identity, a change per record, all or nothing);
   - `reimport`: the same file again (every row unchanged: the upsert's read side);
   - `layer`: `GET /api/v1/ledgers/shop/layer.geojson` through the test client (server time), the whole district
     and a bounding box of a twentieth of it.

Prints one JSON object. Examples:
    .venv/bin/python bench/ledgers.py --shops 2000                        # a smoke run on SQLite
    .venv/bin/python bench/ledgers.py --database-url postgres://…/xiuhua_bench_ledgers
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

PARTY_EVERY = 4
HEADERS = ["台账编号", "名称", "类型", "道路", "联系人", "联系电话", "经度", "纬度", "当事人类型", "当事人名称",
           "证件类型", "证件号码"]  # fmt: skip


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shops", type=int, default=100_000)
    parser.add_argument("--grids", type=int, default=500)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args()


def credit_code(n: int) -> str:
    from xiuhua.ledgers.identity import CREDIT_CODE_CHARS, credit_code_check

    digits, body = n, ""
    for _ in range(9):
        digits, rest = divmod(digits, 31)
        body += CREDIT_CODE_CHARS[rest]
    first17 = "91330424" + body
    return first17 + credit_code_check(first17)


def shop_file(count: int) -> bytes:
    """The CSV of `count` shops spread over the grids' representative points."""
    from xiuhua.territory.services import current_grids

    points = [g.geometry.representative_point() for g in current_grids().order_by("code")]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    for n in range(count):
        point = points[n % len(points)]
        jitter = (n // len(points)) % 50 * 1e-6
        party = n // PARTY_EVERY
        writer.writerow([f"SP{n:07d}", f"商铺{n}", "餐饮" if n % 3 == 0 else "其他", "海滨东路", "陈小明",
                         f"138{n:08d}", f"{point.x + jitter:.7f}", f"{point.y:.7f}", "单位", f"某某商行{party}",
                         "统一社会信用代码", credit_code(party)])  # fmt: skip
    return buffer.getvalue().encode("utf-8")


def traced(work: Callable[[], Any]) -> tuple[Any, dict]:
    tracemalloc.start()
    started = time.perf_counter()
    result = work()
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return result, {"seconds": round(seconds, 3), "peak_mb": round(peak / 1048576, 1)}


def bulk_insert(content: bytes) -> int:
    """The baseline: the rows as plain `Shop`s in batches, grid fields from one lookup per grid."""
    import numpy as np

    from xiuhua.ledgers.models import Shop
    from xiuhua.territory.models import UnitGrid
    from xiuhua.territory.services import locate_grid_ids

    rows = list(csv.reader(io.StringIO(content.decode("utf-8"))))[1:]
    grid_ids = locate_grid_ids(np.array([float(r[6]) for r in rows]), np.array([float(r[7]) for r in rows]))
    grids = {
        g[0]: g
        for g in UnitGrid.objects.values_list(
            "id", "code", "community_id", "community__parent_id", "community__parent__parent_id"
        )
    }
    shops = []
    for row, grid_id in zip(rows, grid_ids, strict=True):
        _, code, community, subdistrict, district = grids[grid_id]
        shops.append(Shop(code=row[0], name=row[1], kind="restaurant", road=row[3], contact_name=row[4],
                          contact_phone=row[5], lng=float(row[6]), lat=float(row[7]), unit_grid_id=grid_id,
                          grid_code=code, community_id=community, subdistrict_id=subdistrict,
                          district_id=district))  # fmt: skip
    Shop.objects.bulk_create(shops, batch_size=2000)
    return len(shops)


def layer_timing(client: Any, token: str, bbox: str = "") -> dict:
    query = f"?bbox={bbox}" if bbox else ""
    started = time.perf_counter()
    response = client.get(f"/api/v1/ledgers/shop/layer.geojson{query}", HTTP_AUTHORIZATION=f"Bearer {token}")
    seconds = time.perf_counter() - started
    features = len(json.loads(response.content)["features"]) if response.status_code == 200 else None
    return {"status": response.status_code, "seconds": round(seconds, 3), "features": features,
            "mb": round(len(response.content) / 1048576, 2)}  # fmt: skip


def main() -> None:
    from django_setup import configure

    args = parse_args()
    configure("ledgers", args.database_url)
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from xiuhua.accounts.models import User
    from xiuhua.ledgers.importers import import_ledger
    from xiuhua.ledgers.models import LedgerChange, Shop, Subject
    from xiuhua.platform.demo import build_demo_city
    from xiuhua.territory.models import Division

    call_command("migrate", verbosity=0)
    build_demo_city(grids=args.grids, components=0, seed=args.seed)
    leader = User.objects.get(username="leader")
    content = shop_file(args.shops)
    count, baseline = traced(lambda: bulk_insert(content))
    Shop.objects.all().delete()
    result, imported = traced(lambda: import_ledger(leader, "shop", content, filename="shops.csv"))
    again, reimported = traced(lambda: import_ledger(leader, "shop", content, filename="shops.csv"))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    client = Client()
    token = client.post("/api/v1/auth/token", {"username": "leader", "password": settings.DEMO_PASSWORD},
                        content_type="application/json").json()["token"]  # fmt: skip
    west, south, east, north = Division.objects.get(level="district").geometry.bounds
    part = f"{west},{south},{west + (east - west) / 5},{south + (north - south) / 4}"
    layer_timing(client, token)  # warm-up: the territory index, the token
    out = {
        "database": connection.vendor,
        "shops": args.shops,
        "grids": args.grids,
        "bulk_insert": {**baseline, "rows": count},
        "import": {**imported, "created": result.created, "parties": Subject.objects.count()},
        "reimport": {**reimported, "unchanged": again.unchanged},
        "import_vs_bulk_insert": round(imported["seconds"] / max(baseline["seconds"], 1e-9), 1),
        "changes": LedgerChange.objects.count(),
        "layer_district": layer_timing(client, token),
        "layer_bbox_twentieth": layer_timing(client, token, part),
    }
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
