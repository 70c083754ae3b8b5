"""Benchmark: cases driven round the whole closed loop through the action layer.

Each case is reported by the operator (hotline), accepted, registered, dispatched, taken in hand,
reported back with a photo, sent for check, checked with a photo, closed and called back: 10 actions,
each one `apply_action` (or `report_by_staff`) in its own transaction with its event, statistics, timers
and notices, exactly as the API runs them. Prints one JSON object: actions per second overall and per
action, and deadline computations per second on the same calendar.

The database is `--database-url` (default: a fresh SQLite file in a temporary folder, WAL as in
production); it is migrated and given a small demo city if it has none. For PostgreSQL pass e.g.
postgres://xiuhua_ci:xiuhua_ci@127.0.0.1:5432/xiuhua_bench (the database must exist; it is reused).

Usage: python bench/loop.py --cases 10000 [--database-url URL]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from collections import defaultdict
from datetime import UTC, timedelta
from pathlib import Path


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
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


def _phone_jpeg() -> bytes:
    """A real JPEG of a phone photo's typical size (1600×1200), as decoding and the public copy cost time too."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.effect_noise((1600, 1200), 40).convert("RGB").save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


JPEG = _phone_jpeg()


def drive(args: argparse.Namespace) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection

    from xiuhua.accounts.models import User
    from xiuhua.cases.workflow import apply_action
    from xiuhua.intake.channels.staff.adapter import report_by_staff
    from xiuhua.intake.services import ReportInput
    from xiuhua.territory.models import UnitGrid

    def photo() -> SimpleUploadedFile:
        return SimpleUploadedFile("p.jpg", JPEG, content_type="image/jpeg")

    users = {
        u.username: u
        for u in User.objects.filter(username__in=["operator", "shift_leader", "dispatcher", "inspector", "dept_zhifa"])
    }
    rng = random.Random(args.seed)
    # On the demo inspector's beat: an inspector checks only the cases in the grids they patrol.
    beat = UnitGrid.objects.filter(community__code__in=users["inspector"].scope_division_codes)
    points = [g.geometry.representative_point() for g in beat[:200]]
    loop = [
        ("accept", "operator", {}, False),
        ("register", "shift_leader", {}, False),
        ("dispatch", "dispatcher", {"department": "zhifa"}, False),
        ("handle", "dept_zhifa", {}, False),
        ("report_back", "dept_zhifa", {"note": "已处置"}, True),
        ("check", "operator", {}, False),
        ("check", "inspector", {"result": True}, True),
        ("close", "shift_leader", {}, False),
        ("callback", "operator", {"satisfaction": "satisfied"}, False),
    ]
    spent: dict[str, float] = defaultdict(float)
    started = time.perf_counter()
    for _ in range(args.cases):
        point = rng.choice(points)
        data = ReportInput(
            class_code="01001",
            kind="event",
            description="暴露垃圾",
            lng=point.x,
            lat=point.y,
            source="hotline_12345",
            reporter_phone="13800000000",
        )
        t0 = time.perf_counter()
        case = report_by_staff(users["operator"], data).case
        spent["report"] += time.perf_counter() - t0
        for action, who, params, with_photo in loop:
            t0 = time.perf_counter()
            apply_action(case.number, action, users[who], params, files=[photo()] if with_photo else None)
            spent[f"{action}{'_result' if action == 'check' and who == 'inspector' else ''}"] += (
                time.perf_counter() - t0
            )
    seconds = time.perf_counter() - started
    actions = args.cases * (len(loop) + 1)
    return {
        "database": connection.vendor,
        "cases": args.cases,
        "actions": actions,
        "seconds": round(seconds, 2),
        "actions_per_second": round(actions / seconds, 1),
        "cases_per_second": round(args.cases / seconds, 2),
        "mean_ms_per_action": {k: round(v / args.cases * 1000, 2) for k, v in spent.items()},
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
