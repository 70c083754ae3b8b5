"""Benchmark: deadline arithmetic with xiuhua.worktime.clock.WorkCalendar.

Builds a WorkCalendar from chinese-calendar for 2024–2027 (years the library does not know are left out
of the table, so they fall back to Monday–Friday, as in the seeded database; no database is used), draws
random aware starts in 2024–2027 and prints one JSON object:

  * build time of the calendar;
  * add_limit over a mix of units (working hours, working days, urgent hours, natural days) and random
    limits, and over the two working-time units only;
  * elapsed over random (start, end) pairs up to 40 days apart, mixed units and working units only;
  * one 20-working-day add_limit, timed on its own, in microseconds;
  * whether elapsed(start, add_limit(start, v, u), u) == limit_duration(v, u) on every call ("agree").

Usage: python bench/deadlines.py --calls 200000 --seed 1
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import chinese_calendar

try:
    import xiuhua  # noqa: F401
except ImportError:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import django  # noqa: E402

# Settings only, for the default work windows in xiuhua.worktime.services; no database is touched.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiuhua.platform.settings")
django.setup()

from xiuhua.worktime.choices import LimitUnit  # noqa: E402
from xiuhua.worktime.clock import SHANGHAI, WorkCalendar  # noqa: E402
from xiuhua.worktime.services import DEFAULT_WORK_WINDOWS, official_years  # noqa: E402

FIRST_YEAR, LAST_YEAR = 2024, 2027
LIMITS = {  # unit -> range of limit values, as a limit table might hold them
    LimitUnit.WORKING_HOURS: (1, 48),
    LimitUnit.WORKING_DAYS: (1, 20),
    LimitUnit.URGENT_HOURS: (1, 72),
    LimitUnit.NATURAL_DAYS: (1, 30),
}
WORKING_UNITS = (LimitUnit.WORKING_HOURS, LimitUnit.WORKING_DAYS)


def build_calendar() -> WorkCalendar:
    known = official_years()
    workdays = {}
    day = date(FIRST_YEAR, 1, 1)
    while day.year <= LAST_YEAR:
        if day.year in known:
            workdays[day] = chinese_calendar.is_workday(day)
        day += timedelta(days=1)
    return WorkCalendar(workdays=workdays, windows=DEFAULT_WORK_WINDOWS)


def random_starts(rng: random.Random, count: int) -> list[datetime]:
    """Aware starts, half in UTC and half in Asia/Shanghai, to the second."""
    origin = datetime(FIRST_YEAR, 1, 1, tzinfo=UTC)
    span = int((datetime(LAST_YEAR + 1, 1, 1, tzinfo=UTC) - origin).total_seconds())
    starts = [origin + timedelta(seconds=rng.randrange(span)) for _ in range(count)]
    return [s if i % 2 else s.astimezone(SHANGHAI) for i, s in enumerate(starts)]


def limit_calls(rng: random.Random, count: int, units) -> list[tuple[datetime, int, str]]:
    picked = [rng.choice(units) for _ in range(count)]
    return [(s, rng.randint(*LIMITS[u]), u) for s, u in zip(random_starts(rng, count), picked, strict=True)]


def elapsed_calls(rng: random.Random, count: int, units) -> list[tuple[datetime, datetime, str]]:
    ends = [timedelta(seconds=rng.randrange(40 * 86_400)) for _ in range(count)]
    return [(s, s + e, rng.choice(units)) for s, e in zip(random_starts(rng, count), ends, strict=True)]


def best_time(func, repeat: int) -> tuple[float, object]:
    best, result = math.inf, None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - start)
    return best, result


def run(args: argparse.Namespace) -> dict:
    rng = random.Random(args.seed)
    build_s, calendar = best_time(build_calendar, args.repeat)
    all_units = tuple(LIMITS)
    mixed = limit_calls(rng, args.calls, all_units)
    working = limit_calls(rng, args.calls, WORKING_UNITS)
    spans_mixed = elapsed_calls(rng, args.calls, all_units)
    spans_working = elapsed_calls(rng, args.calls, WORKING_UNITS)

    add_limit, elapsed = calendar.add_limit, calendar.elapsed
    add_s, due = best_time(lambda: [add_limit(s, v, u) for s, v, u in mixed], args.repeat)
    add_working_s, _ = best_time(lambda: [add_limit(s, v, u) for s, v, u in working], args.repeat)
    elapsed_s, _ = best_time(lambda: [elapsed(s, e, u) for s, e, u in spans_mixed], args.repeat)
    elapsed_working_s, _ = best_time(lambda: [elapsed(s, e, u) for s, e, u in spans_working], args.repeat)

    one = datetime(2026, 9, 30, 16, 0, tzinfo=SHANGHAI)
    single_s, _ = best_time(lambda: add_limit(one, 20, LimitUnit.WORKING_DAYS), 1000)

    agree = all(elapsed(s, d, u) == calendar.limit_duration(v, u) for (s, v, u), d in zip(mixed, due, strict=True))
    return {
        "calls": args.calls,
        "seed": args.seed,
        "calendar_years": f"{FIRST_YEAR}–{LAST_YEAR}",
        "calendar_table_days": len(calendar.workdays),
        "calendar_build_seconds": round(build_s, 4),
        "add_limit_mixed_units_seconds": round(add_s, 4),
        "add_limit_mixed_units_calls_per_second": round(args.calls / add_s),
        "add_limit_working_units_seconds": round(add_working_s, 4),
        "add_limit_working_units_calls_per_second": round(args.calls / add_working_s),
        "elapsed_mixed_units_seconds": round(elapsed_s, 4),
        "elapsed_mixed_units_calls_per_second": round(args.calls / elapsed_s),
        "elapsed_working_units_seconds": round(elapsed_working_s, 4),
        "elapsed_working_units_calls_per_second": round(args.calls / elapsed_working_s),
        "one_20_working_day_add_limit_microseconds": round(single_s * 1e6, 2),
        "agree": bool(agree),
        "timing": f"best of {args.repeat} over all calls; the single 20-working-day add is best of 1000",
        "environment": {
            "python": platform.python_version(),
            "django": django.get_version(),
            "chinese_calendar": chinese_calendar.__version__,
            "cpu_count": os.cpu_count(),
        },
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    if args.calls < 1:
        parser.error("--calls must be at least 1")
    print(json.dumps(run(args), ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
