"""Evaluation speed: `evaluate(t, month)` for every object type, against a plain Python aggregation of the same rows.

1. A throw-away database gets the demo city (default 5,000 grids), the staff of a district that size (one inspector
   per 10,000 cases a year, one operator per 50,000, six shift leaders, six dispatchers) and generated case
   histories (`history.generate_cases`: cases and their statistics rows, no timelines):
   - up to 2 million cases a year (default 1,000,000): the whole year before now;
   - above that (`--cases-per-year 10000000`), or with `--window`: only the months the evaluation reads — the
     last complete month, the month before it (for the previous ranks) and the days of this month — at that
     year's density, e.g. ≈ 1.8 million rows for 10 million a year; `--days 34` only the last 34 days (the month
     evaluated and this month's days: ≈ 930,000 rows at 10 million a year; the previous month is then empty, so
     its ranks are missing but its queries still run). `generated` in the output says what was made.
2. The last complete month is evaluated for each object type: one warm-up, then the median and worst of `--runs`
   runs, with the SQL query count and the rows ranked.
3. The same month is aggregated in plain Python: one `.values_list` fetch of every CaseStats row with a stage
   time in the month, counted per step, object and indicator by the rules of `evaluation.indicators` written
   out again here; every figure the engine shows is compared with it (`mismatches` lists the first few).
4. Memory: the growth of the process's peak RSS (`resource.getrusage`) over all evaluations; with `--tracemalloc`
   also the peak of Python allocations per object type (slower).

Prints one JSON object. Examples:
    .venv/bin/python bench/evaluation.py
    .venv/bin/python bench/evaluation.py --database-url postgres://…/xiuhua_bench_eval
    .venv/bin/python bench/evaluation.py --cases-per-year 10000000 --database-url postgres://…
The goal is under a second for a month at a million cases a year on PostgreSQL.
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import statistics
import sys
import time
import tracemalloc
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

FULL_YEAR_UP_TO = 2_000_000
MISMATCHES_SHOWN = 10


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases-per-year", type=int, default=1_000_000)
    parser.add_argument("--window", action="store_true", help="generate only the months evaluated, at any size")
    parser.add_argument(
        "--days", type=int, default=0, help="generate only the last N days at the year's density (e.g. 34: the month)"
    )
    parser.add_argument("--grids", type=int, default=5_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--tracemalloc", action="store_true", help="also trace Python allocations per object type")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the slowest query (PostgreSQL)")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure the cases already in --database-url (a kept earlier run's database), after migrating it",
    )
    return parser.parse_args()


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


# -- generating


def generate(args: argparse.Namespace, now: datetime, period) -> dict:
    from history import add_staff, generate_cases

    per_year = args.cases_per_year
    add_staff(
        inspectors=max(per_year // 10_000 - 1, 0),
        operators=max(per_year // 50_000 - 1, 0),
        shift_leaders=5,
        dispatchers=5,
    )
    window = args.window or per_year > FULL_YEAR_UP_TO
    if args.days:
        days = args.days
    elif window:
        first = datetime.combine(period.previous().first_day, datetime.min.time(), tzinfo=UTC) - timedelta(hours=8)
        days = math.ceil((now - first) / timedelta(days=1))
    else:
        days = 365
    count = round(per_year * days / 365)
    started = time.perf_counter()
    generate_cases(count, seed=args.seed, now=now, days=days, progress=_progress)
    return {
        "cases_per_year": per_year,
        "what": f"the last {days} days only" if args.days else "the months evaluated only" if window else "the year",
        "days": days,
        "cases": count,
        "seconds": round(time.perf_counter() - started, 1),
    }


def _progress(done: int) -> None:
    if done % 100_000 == 0:
        print(f"{done} cases", file=sys.stderr, flush=True)


# -- the engine


def time_engine(period, runs: int, trace: bool) -> tuple[dict, dict]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from xiuhua.evaluation.services import OBJECT_TYPES, evaluate

    timings, results = {}, {}
    for object_type in OBJECT_TYPES:
        evaluate(object_type, period)  # warm-up
        runs_ms = []
        for _ in range(runs):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                result = evaluate(object_type, period)
                runs_ms.append((time.perf_counter() - started) * 1000)
        entry = {
            "median_ms": round(statistics.median(runs_ms), 1),
            "max_ms": round(max(runs_ms), 1),
            "queries": len(queries.captured_queries),
            "sql_ms": round(sum(float(q["time"]) for q in queries.captured_queries) * 1000, 1),
            "rows": len(result.rows),
            "slowest_query_ms": round(max(float(q["time"]) for q in queries.captured_queries) * 1000, 1)
            if queries.captured_queries
            else 0,
        }
        if trace:
            tracemalloc.start()
            evaluate(object_type, period)
            entry["python_peak_mb"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
            tracemalloc.stop()
        timings[object_type] = entry
        results[object_type] = (result, queries.captured_queries)
    return timings, results


def time_all_at_once(period, runs: int) -> dict:
    """`evaluate_many` over every object type (the regions share their grouped queries)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from xiuhua.evaluation.services import OBJECT_TYPES, evaluate_many

    runs_ms = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            evaluate_many(OBJECT_TYPES, period)
            runs_ms.append((time.perf_counter() - started) * 1000)
    return {
        "median_ms": round(statistics.median(runs_ms), 1),
        "max_ms": round(max(runs_ms), 1),
        "queries": len(queries.captured_queries),
        "sql_ms": round(sum(float(q["time"]) for q in queries.captured_queries) * 1000, 1),
    }


def explain_slowest(results: dict) -> dict:
    """EXPLAIN (ANALYZE, BUFFERS) of the slowest SQL of the slowest object type, summarised."""
    from django.db import connection

    object_type, (_, queries) = max(
        results.items(), key=lambda item: max((float(q["time"]) for q in item[1][1]), default=0)
    )
    slowest = max(queries, key=lambda q: float(q["time"]))
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + slowest["sql"])
        plan = [row[0] for row in cursor.fetchall()]
    return {"object_type": object_type, "ms": round(float(slowest["time"]) * 1000, 1), "sql": slowest["sql"][:2000],
            "plan": plan[:60]}  # fmt: skip


# -- the same figures in plain Python

FIELDS = (
    "case_id", "source", "status", "district_id", "subdistrict_id", "community_id",
    "unit_grid_id", "lead_department_id", "assigned_inspector_id",
    "reported_at", "reported_by_id", "accepted_at", "accepted_by_id", "accept_on_time",
    "verify_sent_at", "verified_at", "verified_by_id", "verify_on_time",
    "registered_at", "registered_by_id", "register_on_time", "first_dispatched_at", "dispatched_by_id",
    "dispatch_on_time", "accurate_dispatch", "reported_back_at", "handled_by_department_id", "handling_on_time",
    "handling_overdue", "check_sent_at", "checked_at", "checked_by_id", "check_on_time", "closed_at", "closed_by_id",
    "close_on_time", "voided_at", "callback_at", "callback_by_id", "satisfaction", "satisfaction_score",
    "rework_count", "return_count", "extension_count", "suspension_count", "self_handled",
)  # fmt: skip
ANCHORS = {
    "report": "reported_at",
    "accept": "accepted_at",
    "verify": "verify_sent_at",
    "register": "registered_at",
    "handle": "first_dispatched_at",
    "check": "check_sent_at",
    "close": "closed_at",
    "void": "voided_at",
    "callback": "callback_at",
}


def _department(r: dict):
    return r["handled_by_department_id"] or r["lead_department_id"]


REGIONS = {
    "district": lambda r: r["district_id"],
    "subdistrict": lambda r: r["subdistrict_id"],
    "community": lambda r: r["community_id"],
    "grid": lambda r: r["unit_grid_id"],
}
# step -> object type -> who or what a row counts for (regions for every step)
ATTRIBUTION = {
    "report": {"inspector": lambda r: r["reported_by_id"] if r["source"] == "inspector" else None},
    "accept": {"operator": lambda r: r["accepted_by_id"]},
    "verify": {"inspector": lambda r: r["verified_by_id"] or r["assigned_inspector_id"]},
    "register": {
        "shift_leader": lambda r: r["registered_by_id"],
        "dispatcher": lambda r: r["dispatched_by_id"],
        "department": _department,
    },
    "handle": {"department": _department, "dispatcher": lambda r: r["dispatched_by_id"]},
    "check": {"inspector": lambda r: r["checked_by_id"] or r["assigned_inspector_id"]},
    "close": {"shift_leader": lambda r: r["closed_by_id"]},
    "void": {},
    "callback": {"operator": lambda r: r["callback_by_id"], "department": _department},
}


def _python_rules() -> dict:
    """code -> (step, predicate over a row) for every count the engine computes from CaseStats."""
    from xiuhua.cases.choices import Satisfaction, Source
    from xiuhua.cases.department_queue import LEAD_OPEN, REPORTED_BACK

    public = {Source.CITIZEN, Source.HOTLINE_12345, Source.HOTLINE_12319, Source.OPEN311, Source.MEDIA}
    satisfied = {Satisfaction.VERY_SATISFIED, Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED}
    with_department = {s for s in LEAD_OPEN if s not in REPORTED_BACK}

    def due(r):
        return r["voided_at"] is None

    def closed(r):
        return due(r) and r["closed_at"] is not None

    return {
        "report": ("report", lambda r: True),
        "valid_report": ("report", lambda r: r["registered_at"] is not None or r["self_handled"]),
        "public_report": ("report", lambda r: r["source"] in public),
        "self_handled": ("report", lambda r: r["self_handled"]),
        "accept": ("accept", lambda r: True),
        "accept_on_time": ("accept", lambda r: r["accept_on_time"] is True),
        "need_verify": ("verify", lambda r: True),
        "verify": ("verify", lambda r: r["verified_at"] is not None),
        "verify_on_time": ("verify", lambda r: r["verify_on_time"] is True),
        "register": ("register", lambda r: True),
        "register_on_time": ("register", lambda r: r["register_on_time"] is True),
        "accurate_register": ("register", due),
        "need_dispatch": ("register", lambda r: not r["self_handled"]),
        "dispatch": ("register", lambda r: r["first_dispatched_at"] is not None),
        "dispatch_on_time": ("register", lambda r: r["dispatch_on_time"] is True),
        "accurate_dispatch": ("register", lambda r: r["accurate_dispatch"] is True),
        "need_handle": ("handle", due),
        "handled": ("handle", lambda r: due(r) and r["reported_back_at"] is not None),
        "handled_on_time": ("handle", lambda r: due(r) and r["handling_on_time"] is True),
        "handled_late": ("handle", lambda r: due(r) and r["handling_on_time"] is False),
        "overdue_unhandled": (
            "handle",
            lambda r: due(r) and r["handling_overdue"] and r["status"] in with_department,
        ),
        "extended": ("handle", lambda r: due(r) and r["extension_count"] > 0),
        "returned": ("handle", lambda r: r["return_count"] > 0),
        "suspended": ("handle", lambda r: due(r) and r["suspension_count"] > 0),
        "need_check": ("check", lambda r: True),
        "check": ("check", lambda r: r["checked_at"] is not None),
        "check_on_time": ("check", lambda r: r["check_on_time"] is True),
        "need_close": ("register", due),
        "closed": ("register", closed),
        "closed_on_time": ("register", lambda r: closed(r) and r["handling_on_time"] is True),
        "reworked": ("register", lambda r: closed(r) and r["rework_count"] > 0),
        "closing": ("close", lambda r: True),
        "closing_on_time": ("close", lambda r: r["close_on_time"] is True),
        "void": ("void", lambda r: True),
        "callback": ("callback", lambda r: True),
        "satisfied": ("callback", lambda r: r["satisfaction"] in satisfied),
    }


def python_figures(period) -> tuple[dict, float, int]:
    """object type -> key -> code -> value, from one fetch of the month's rows; with its time and row count."""
    from django.db.models import Q

    from xiuhua.cases.models import CaseStats
    from xiuhua.evaluation.services import OBJECT_TYPES

    started = time.perf_counter()
    start, end = period.bounds()
    window = Q()
    for anchor in ANCHORS.values():
        window |= Q(**{f"{anchor}__gte": start, f"{anchor}__lt": end})
    rows = [dict(zip(FIELDS, values, strict=True)) for values in CaseStats.objects.filter(window).values_list(*FIELDS)]
    rules = _python_rules()
    by_step: dict[str, list] = defaultdict(list)
    for code, (step, predicate) in rules.items():
        by_step[step].append((code, predicate))
    counts = {t: defaultdict(lambda: defaultdict(int)) for t in OBJECT_TYPES}
    scores = {t: defaultdict(list) for t in OBJECT_TYPES}
    for r in rows:
        for step, anchor in ANCHORS.items():
            moment = r[anchor]
            if moment is None or not start <= moment < end:
                continue
            met = [code for code, predicate in by_step[step] if predicate(r)]
            for object_type in OBJECT_TYPES:
                who = REGIONS.get(object_type) or ATTRIBUTION[step].get(object_type)
                key = who(r) if who else None
                if key is None:
                    continue
                figures = counts[object_type][str(key)]
                for code in met:
                    figures[code] += 1
                if step == "callback" and r["satisfaction_score"] is not None:
                    scores[object_type][str(key)].append(r["satisfaction_score"])
    for object_type, keys in scores.items():
        for key, values in keys.items():
            counts[object_type][key]["satisfaction_score"] = sum(values) / len(values)
    return counts, (time.perf_counter() - started) * 1000, len(rows)


def compare(results: dict, figures: dict) -> tuple[int, int, list, list]:
    """Every count, rate and average of the engine's rows against the Python figures."""
    from xiuhua.evaluation.indicators import INDICATORS

    rules = _python_rules()
    compared, mismatches, skipped = 0, [], set()
    for object_type, (result, _) in results.items():
        mine = figures[object_type]
        for row in result.rows:
            expected = mine.get(str(row.key), {})
            for code, value in row.values.items():
                item = INDICATORS[code]
                parts = (item.numerator, item.denominator) if item.kind == "rate" else (code,)
                if any(part not in rules and part != "satisfaction_score" for part in parts):
                    skipped.add(code)  # the inspector's patrol area and hotline orders: not re-derived here
                    continue
                if item.kind == "rate":
                    denominator = expected.get(item.denominator, 0)
                    want = expected.get(item.numerator, 0) / denominator if denominator else None
                elif item.kind == "average":
                    want = expected.get(code)
                else:
                    want = expected.get(code, 0)
                compared += 1
                same = (value is None and want is None) or (
                    value is not None and want is not None and math.isclose(value, want, abs_tol=1e-9)
                )
                if not same:
                    mismatches.append({"type": object_type, "key": row.key, "code": code, "engine": value,
                                       "python": want})  # fmt: skip
        shown = {str(row.key) for row in result.rows}
        for key, values in mine.items():
            if key not in shown and any(values.values()):
                mismatches.append({"type": object_type, "key": key, "missing_from_engine": True})
    return compared, len(mismatches), mismatches[:MISMATCHES_SHOWN], sorted(skipped)


def main() -> None:
    from django_setup import configure

    args = parse_args()
    configure("evaluation", args.database_url)
    from django.core.management import call_command
    from django.db import connection

    from xiuhua.cases.models import Case
    from xiuhua.evaluation.periods import previous_month
    from xiuhua.platform.demo import build_demo_city

    call_command("migrate", verbosity=0)
    now = datetime.now(UTC)
    period = previous_month(now)
    if args.reuse and Case.objects.exists():
        generated = {"what": "reused an earlier run's database", "cases": Case.objects.count()}
    else:
        build_demo_city(grids=args.grids, components=0, seed=args.seed)
        generated = generate(args, now, period)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    rss_before = peak_rss_mb()
    started = time.perf_counter()
    timings, results = time_engine(period, args.runs, args.tracemalloc)
    all_at_once = time_all_at_once(period, args.runs)
    rss_after = peak_rss_mb()
    figures, python_ms, python_rows = python_figures(period)
    compared, mismatch_count, mismatches, skipped = compare(results, figures)
    out = {
        "database": connection.vendor,
        "period": period.code,
        "grids": args.grids,
        "generated": generated,
        "engine": {
            "total_median_ms": round(sum(t["median_ms"] for t in timings.values()), 1),
            "per_type": timings,
            "all_types_in_one_evaluate_many": all_at_once,
            "wall_seconds_all_runs": round(time.perf_counter() - started, 1),
            "peak_rss_growth_mb": round(rss_after - rss_before, 1),
        },
        "python": {"ms": round(python_ms, 1), "rows_fetched": python_rows, "peak_rss_mb": round(peak_rss_mb(), 1)},
        "check": {
            "figures_compared": compared,
            "mismatches": mismatch_count,
            "first": mismatches,
            "not_compared": skipped,
        },  # fmt: skip
    }
    if args.explain and connection.vendor == "postgresql":
        out["slowest_query"] = explain_slowest(results)
    print(json.dumps(out, ensure_ascii=False, indent=2, default=str))


if __name__ == "__main__":
    main()
