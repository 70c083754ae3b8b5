"""Benchmark: the monthly report (figures per section, and each file format) for a busy month.

Builds a demo city, writes `--cases` cases spread over the year before now with `history.generate_cases`
(1,200,000 gives a month of ~100,000 cases), then times, best of `--repeat` after one warm-up, the report for the
previous month for an unscoped leader: each section of `reports.monthly.build_monthly`, and writing the Excel and
PDF files. Prints one JSON object with the times in milliseconds.

The database is `--database-url` (default: a fresh SQLite file in a temporary folder). For PostgreSQL pass
e.g. postgres://xiuhua_ci:xiuhua_ci@127.0.0.1:5432/xiuhua_report_bench (an empty database; it is filled).

Usage: python bench/reports.py --cases 1200000 [--database-url URL]
"""

from __future__ import annotations

import argparse
import json
import time

import django_setup


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_200_000)
    parser.add_argument("--grids", type=int, default=2000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args()


def timed_sections(user, period) -> tuple[dict, dict[str, float]]:
    from xiuhua.reports.monthly import build_monthly

    times: dict[str, float] = {}
    last = time.perf_counter()

    def progress(_percent: int, section: str) -> None:
        nonlocal last
        now = time.perf_counter()
        times[section] = (now - last) * 1000
        last = now

    started = time.perf_counter()
    report = build_monthly(user, period, progress=progress)
    times["all sections"] = (time.perf_counter() - started) * 1000
    return report, times


def main() -> None:
    args = parse_args()
    django_setup.configure("reports", args.database_url)
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone
    from history import generate_cases

    from xiuhua.accounts.models import User
    from xiuhua.cases.models import Case
    from xiuhua.evaluation.periods import previous_month
    from xiuhua.platform.demo import build_demo_city
    from xiuhua.reports.excel import workbook_bytes
    from xiuhua.reports.pdf import pdf_bytes

    call_command("migrate", verbosity=0)
    build_demo_city(grids=args.grids, components=0, seed=args.seed)
    started = time.perf_counter()
    generate_cases(args.cases, seed=args.seed)
    generated = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    leader = User.objects.get(username="leader")
    period = previous_month(timezone.now())
    start, end = period.bounds()
    month_cases = Case.objects.filter(reported_at__gte=start, reported_at__lt=end).count()

    best: dict[str, float] = {}
    report: dict = {}
    for _run in range(args.repeat + 1):
        report, times = timed_sections(leader, period)
        for label, render in (("xlsx", workbook_bytes), ("pdf", lambda r: pdf_bytes(r, leader))):
            began = time.perf_counter()
            size = len(render(report))
            times[f"file {label}"] = (time.perf_counter() - began) * 1000
            times[f"file {label} bytes"] = size
        if _run:  # the first run warms caches up
            best = {k: min(v, best.get(k, v)) for k, v in times.items()}
    print(
        json.dumps(
            {
                "database": connection.vendor,
                "cases": args.cases,
                "generated_seconds": round(generated, 1),
                "period": period.code,
                "cases_in_month": month_cases,
                "ms": {k: round(v, 1) for k, v in best.items()},
            },
            ensure_ascii=False,
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
