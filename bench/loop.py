"""Benchmark: cases driven round the whole closed loop over HTTP, beside a floor action, in the same run.

Each case is reported by the operator (hotline, `POST /api/v1/reports`), then accepted, registered, dispatched,
taken in hand, reported back with a photo, sent for check, checked with a photo, closed and called back: 9 actions,
each `POST /api/v1/cases/<number>/actions/<action>` as the user whose job it is (operator, shift leader,
dispatcher, the department, the inspector), over real HTTP to waitress in this process, with the project's whole
middleware stack and `bench/measure.py`'s measuring middleware outermost. `--clients` keep-alive clients (default
4) drive their own cases at the same time. The photos are phone JPEGs with EXIF (`bench/phone_photos.py`,
`--photo 3mp` by default, `12mp`, or `none`) sent as multipart.

Then the floor (`bench/floor.py`) takes as many cases round the same loop on the same server: a floor report
(case + first event in one transaction) and, for each action, a plain row lock + UPDATE + event INSERT, with the
same photos stored and linked.

Prints one JSON object: for the whole loop (requests per second, and per case: statements, CPU, the steps'
median server times added up) and for each step (statements, CPU app/database, server and client p50/p95), the
real figure beside its floor; and deadline computations per second on the same calendar.

The database is `--database-url` (default: a fresh SQLite file in a temporary folder, WAL as in
production); it is migrated and given a small demo city if it has none. For PostgreSQL pass e.g.
postgres://xiuhua_ci:xiuhua_ci@127.0.0.1:5432/xh_bench (the database must exist; it is reused).

Usage: .venv/bin/python bench/loop.py --cases 100 [--photo 12mp] [--database-url URL]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from datetime import UTC, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # measure, floor, phone_photos

# (step label, action in the URL, who, parameters, with a photo)
LOOP = [
    ("accept", "accept", "operator", {}, False),
    ("register", "register", "shift_leader", {}, False),
    ("dispatch", "dispatch", "dispatcher", {"department": "zhifa"}, False),
    ("handle", "handle", "dept_zhifa", {}, False),
    ("report_back", "report_back", "dept_zhifa", {"note": "已处置"}, True),
    ("check", "check", "operator", {}, False),
    ("check_result", "check", "inspector", {"result": True}, True),
    ("close", "close", "shift_leader", {}, False),
    ("callback", "callback", "operator", {"satisfaction": "satisfied"}, False),
]
STEPS = ["report"] + [step for step, *_ in LOOP]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100, help="cases round the loop, real and floor each")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--photo", choices=["3mp", "12mp", "none"], default="3mp")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--grids", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--deadline-calls", type=int, default=100_000)
    return parser.parse_args()


def configure(args: argparse.Namespace) -> Path:
    workdir = Path(tempfile.mkdtemp(prefix="xiuhua-bench-loop-"))
    os.environ["XIUHUA_VAR_DIR"] = str(workdir)
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiuhua.platform.settings")
    os.environ.setdefault("XIUHUA_LOG_LEVEL", "WARNING")
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
    from xiuhua.territory.models import UnitGrid

    call_command("migrate", verbosity=0)
    if not UnitGrid.objects.exists():
        build_demo_city(grids=args.grids, components=0, seed=args.seed)


def _reports(args: argparse.Namespace) -> list[dict]:
    """Hotline reports on the demo inspector's beat (an inspector checks only the cases in the grids they patrol)."""
    from xiuhua.accounts.models import User
    from xiuhua.territory.models import UnitGrid

    inspector = User.objects.get(username="inspector")
    beat = UnitGrid.objects.filter(community__code__in=inspector.scope_division_codes)
    points = [g.geometry.representative_point() for g in beat[:200]]
    rng = random.Random(args.seed)
    reports = []
    for i in range(args.cases):
        point = rng.choice(points)
        reports.append(
            {
                "class_code": "01001",
                "kind": "event",
                "description": f"暴露垃圾 第 {i} 处",
                "lng": point.x,
                "lat": point.y,
                "source": "hotline_12345",
                "reporter_phone": "13800000000",
            }
        )
    return reports


def _round(args: argparse.Namespace, port: int, floor: bool, tokens: dict, photos: list, warm: bool = False) -> dict:
    """Every case of `_reports` round the loop (real endpoints, or the floor's); rate over all requests.

    `warm`: one case per client, under labels that are not reported (first-request imports, each server thread's
    database connection)."""
    from measure import Request, run_clients

    prefix = ("warm-up " if warm else "") + ("floor_" if floor else "")

    def work(client, reports, failures) -> None:
        for report in reports:
            path = "/bench/floor/reports" if floor else "/api/v1/reports"
            made = client.send(Request(f"{prefix}report", path, tokens["operator"], report), failures)
            if not made:
                continue
            for step, action, who, params, with_photo in LOOP:
                where = f"/bench/floor/cases/{made['number']}/actions/{step if floor else action}"
                path = where if floor else f"/api/v1/cases/{made['number']}/actions/{action}"
                request = Request(f"{prefix}{step}", path, tokens[who], params, photos if with_photo else [])
                if not client.send(request, failures):
                    break

    reports = _reports(args)
    shares = (
        [[r] for r in reports[: args.clients]] if warm else [reports[i :: args.clients] for i in range(args.clients)]
    )
    seconds, failures = run_clients(port, shares, work)
    requests = args.cases * len(STEPS)
    return {
        "per_second": round(requests / seconds, 1),
        "seconds": round(seconds, 2),
        "failures": len(failures),
        "first_failure": failures[:1],
    }


def _per_case(steps: dict, key: str) -> float:
    return round(sum(s.get(key) or 0 for s in steps.values()), 1)


def drive(args: argparse.Namespace) -> dict:
    from django.db import connection
    from measure import serve, side_by_side, summary, token
    from phone_photos import phone_photo

    photos = [] if args.photo == "none" else [(f"IMG_{args.photo}.jpg", phone_photo(args.photo).data)]
    server = serve(args.clients)
    tokens = {who: token(who) for who in {who for _, _, who, _, _ in LOOP} | {"operator"}}
    for floor in (False, True):  # the real loop first: the floor copies the first case it made
        _round(args, server.effective_port, floor, tokens, photos, warm=True)
    real = _round(args, server.effective_port, False, tokens, photos)
    floor = _round(args, server.effective_port, True, tokens, photos)
    real_steps = {step: summary(step) for step in STEPS}
    floor_steps = {step: summary(f"floor_{step}") for step in STEPS}
    for side, steps in ((real, real_steps), (floor, floor_steps)):
        side["statements"] = _per_case(steps, "statements")  # per case round the loop
        side["cpu_ms"] = _per_case(steps, "cpu_ms")
        side["app_cpu_ms"] = _per_case(steps, "app_cpu_ms")
        side["db_cpu_ms"] = _per_case(steps, "db_cpu_ms")
        side["server_p50_ms_sum"] = _per_case(steps, "server_p50_ms")  # the steps' medians added up
    return {
        "database": connection.vendor,
        "cases": args.cases,
        "clients": args.clients,
        "requests_per_case": len(STEPS),
        "photo": phone_photo(args.photo).describe() if photos else None,
        "loop": side_by_side(real, floor),
        "steps": {step: side_by_side(real_steps[step], floor_steps[step]) for step in STEPS},
    }


def deadlines(calls: int, seed: int) -> dict:
    from datetime import datetime

    from xiuhua.worktime.clock import current_calendar

    calendar = current_calendar()
    rng = random.Random(seed)
    base = datetime(2026, 1, 1, tzinfo=UTC)
    units = ["working_hours", "working_days", "urgent_hours", "natural_days"]
    starts = [
        (base + timedelta(minutes=rng.randrange(365 * 24 * 60)), rng.randint(1, 20), rng.choice(units))
        for _ in range(calls)
    ]
    t0 = time.perf_counter()
    for start, value, unit in starts:
        calendar.add_limit(start, value, unit)
    seconds = time.perf_counter() - t0
    return {
        "deadline_calls": calls,
        "deadline_seconds": round(seconds, 3),
        "deadlines_per_second": round(calls / seconds),
    }


def main() -> None:
    args = parse_args()
    workdir = configure(args)
    prepare(args)
    result = {**drive(args), **deadlines(args.deadline_calls, args.seed)}
    result["workdir"] = str(workdir)
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
