"""Campaign targets at scale: the overview and the month-end snapshot against one plain COUNT per target.

1. A throw-away database gets the demo city (default 5,000 grids) and N cases (default 1,000,000) over the last
   year from `history.generate_cases` (cases and their statistics rows, shaped like a real district).
2. 10 campaigns (`--campaigns`) with 200 live targets (`--targets`) are written as rows: 4 tasks per campaign, each
   target with a case rule over event classes (one to three minor classes, or a whole major class) × an area (the
   district, a sub-district, a few communities or a dozen unit grids) × a period (the campaign year, or from the
   first of one of the last six months), counting closed or registered cases, or the rate closed / registered.
   The campaign year is the demo's (`platform.demo_campaigns.campaign_year`): its ninth month is this month.
3. Measured, each timing one warm-up then the median and worst of `--runs` runs, with SQL query counts:
   - `rebuild_all`: every target's daily tallies rebuilt from the statistics (what the worker does for a new or
     edited target), once;
   - `closing_action`: what keeping the tallies adds to one closing action (`tallies.on_stats_changed` for recent
     closed cases, as if each had just closed; rolled back);
   - live, from the tallies: `measure_targets`, `progress.overview` for the demo leader (every visible campaign,
     every target measured and rolled up) and the campaigns overview page through Django's test client;
   - the baseline: one plain `CaseStats` COUNT per target, written out here from the rule's fields (`--runs` / 5);
   - with every tally stale (counted from the statistics, as before the tallies, `--runs` / 5 runs):
     `overview_from_statistics`, and `snapshots.freeze_month` of the last complete month (its snapshots are
     deleted before each run; a past instant never reads the tallies).
   The numerators from the tallies and from the statistics are compared with the plain counts (`mismatches`).

Prints one JSON object. Examples:
    .venv/bin/python bench/campaigns.py --cases 20000                      # a smoke run on SQLite
    .venv/bin/python bench/campaigns.py --database-url postgres://…/xiuhua_bench_campaigns
    .venv/bin/python bench/campaigns.py --database-url postgres://…/xiuhua_bench_campaigns --reuse   # measure again
The goal is an overview under 500 ms on PostgreSQL at a million cases a year.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

TASKS_PER_CAMPAIGN = 4
MAJORS = ["06", "07", "09"]
MISMATCHES_SHOWN = 10


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--grids", type=int, default=5_000)
    parser.add_argument("--campaigns", type=int, default=10)
    parser.add_argument("--targets", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--reuse", action="store_true", help="measure a database this bench filled before (its cases and campaigns)"
    )
    return parser.parse_args()


# -- the campaigns


def _rule(rng: random.Random, areas: dict[str, list[str]], event_codes: list[str]) -> tuple[dict, dict]:
    """A random case rule (model fields) and how the plain count reads it."""
    from xiuhua.campaigns.choices import CaseCount

    if rng.random() < 0.3:
        major = rng.choice(MAJORS)
        classes, plain_classes = [major], {"major": major}
    else:
        classes = rng.sample(event_codes, rng.randint(1, 3))
        plain_classes = {"codes": classes}
    level = rng.choice(["district", "subdistrict", "community", "grid"])
    size = {"district": 0, "subdistrict": 1, "community": 3, "grid": 12}[level]
    picked = rng.sample(areas[level], min(size, len(areas[level])))
    rule = {"class_codes": classes, "counts": CaseCount.CLOSED}
    rule["grid_codes" if level == "grid" else "division_codes"] = picked
    kind = rng.choices(["closed", "registered", "rate"], [2, 1, 1])[0]
    if kind == "registered":
        rule["counts"] = CaseCount.REGISTERED
    elif kind == "rate":
        rule["out_of"] = CaseCount.REGISTERED
    reading = {
        **plain_classes,
        "level": level,
        "codes_in_area": picked,
        "counts": rule["counts"],
        "rate": kind == "rate",
    }
    return rule, reading


def _areas() -> dict[str, list[str]]:
    from xiuhua.territory.models import Division, UnitGrid

    def codes(level: str) -> list[str]:
        return list(Division.objects.filter(level=level).values_list("code", flat=True))

    grids = list(UnitGrid.objects.values_list("code", flat=True))
    return {"district": [], "subdistrict": codes("subdistrict"), "community": codes("community"), "grid": grids}


def build_campaigns(count: int, targets: int, today: date, seed: int) -> dict[int, dict]:
    """`count` campaigns with `targets` case-rule targets in all; returns target id → its plain-count reading."""
    from xiuhua.accounts.models import Department
    from xiuhua.campaigns.choices import Measure
    from xiuhua.campaigns.models import Campaign, CampaignTask, CaseRule, Target
    from xiuhua.catalog.models import CaseClass
    from xiuhua.platform.demo_campaigns import campaign_year
    from xiuhua.territory.models import Division

    rng = random.Random(seed)
    start, end = campaign_year(today)
    district = Division.objects.get(level="district")
    units = list(Department.objects.order_by("pk"))
    areas = _areas()
    division_ids = dict(Division.objects.values_list("code", "pk"))
    event_codes = list(
        CaseClass.objects.filter(kind="event", major_code__in=MAJORS, active=True).values_list("code", flat=True)
    )
    readings: dict[int, dict] = {}
    for c in range(count):
        campaign = Campaign.objects.create(
            code=f"BENCH{c + 1:02d}", year=today.year, name=f"基准专项行动{c + 1}", district=district,
            starts_on=start, ends_on=end,
        )  # fmt: skip
        campaign.lead_units.set([units[c % len(units)]])
        tasks = [
            CampaignTask.objects.create(
                campaign=campaign, code=str(t + 1), name=f"任务{t + 1}", responsible_unit=rng.choice(units)
            )
            for t in range(TASKS_PER_CAMPAIGN)
        ]
        for n in range(targets * (c + 1) // count - targets * c // count):
            rule, reading = _rule(rng, areas, event_codes)
            months_back = rng.choice([None, 1, 2, 3, 6])
            counts_from = _first_of_month_back(today, months_back) if months_back else start
            target = Target.objects.create(
                task=tasks[n % TASKS_PER_CAMPAIGN],
                name=f"指标{n + 1}",
                measure=Measure.CASE_RATE if rule.get("out_of") else Measure.CASE_COUNT,
                goal=Decimal(90 if rule.get("out_of") else rng.randrange(100, 20_000)),
                starts_on=counts_from,
                due_on=end,
            )
            CaseRule.objects.create(target=target, **rule)
            ids = division_ids.get  # the plain count filters the statistics' own division columns, no join
            readings[target.pk] = {**reading, "from": counts_from, "ids": [ids(c) for c in reading["codes_in_area"]]}
    return readings


def readings_of_built() -> dict[int, dict]:
    """The plain-count readings of the campaigns an earlier run built (`--reuse`), read back from their rules."""
    from xiuhua.campaigns.models import Target
    from xiuhua.territory.models import Division

    levels = dict(Division.objects.values_list("code", "level"))
    ids = dict(Division.objects.values_list("code", "pk"))
    readings = {}
    for target in Target.objects.filter(task__campaign__code__startswith="BENCH").select_related("case_rule"):
        rule = target.case_rule
        classes = rule.class_codes
        plain_classes = {"major": classes[0]} if len(classes[0]) == 2 else {"codes": classes}
        codes = rule.grid_codes or rule.division_codes
        level = "grid" if rule.grid_codes else (levels[codes[0]] if codes else "district")
        readings[target.pk] = {
            **plain_classes,
            "level": level,
            "codes_in_area": codes,
            "counts": rule.counts,
            "rate": bool(rule.out_of),
            "from": target.starts_on,
            "ids": [ids.get(code) for code in codes],
        }
    return readings


def _first_of_month_back(today: date, months: int) -> date:
    index = today.year * 12 + today.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


# -- the plain counts


def plain_count(reading: dict, now: datetime) -> int:
    """One COUNT over the case statistics for the rule's numerator, from the local start day to `now`: cases that
    reached the step in the period (for a rate: registered in the period and closed by `now`), not voided before."""
    from django.db.models import Q

    from xiuhua.cases.models import CaseStats
    from xiuhua.worktime.clock import SHANGHAI

    field = (
        "registered_at"
        if reading["rate"]
        else {"closed": "closed_at", "registered": "registered_at"}[reading["counts"]]
    )
    start = datetime.combine(reading["from"], datetime.min.time(), SHANGHAI)
    rows = CaseStats.objects.filter(**{f"{field}__gte": start, f"{field}__lt": now})
    rows = rows.filter(Q(voided_at__isnull=True) | Q(voided_at__gte=now))
    if reading["rate"]:
        rows = rows.filter(closed_at__lt=now)
    if "major" in reading:
        rows = rows.filter(case__case_class__kind="event", case__case_class__major_code=reading["major"])
    else:
        rows = rows.filter(case__case_class__code__in=reading["codes"], case__case_class__kind="event")
    level, codes = reading["level"], reading["codes_in_area"]
    if level in ("subdistrict", "community"):
        rows = rows.filter(**{f"{level}_id__in": reading["ids"]})
    elif level == "grid":
        rows = rows.filter(grid_code__in=codes)
    return rows.count()


# -- timing


def timed(function: Callable[[], object], runs: int, before: Callable[[], None] | None = None) -> dict:
    """One warm-up, then `runs` runs: median and worst milliseconds, SQL queries of the last run."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timings: list[float] = []
    for n in range(runs + 1):
        if before:
            before()
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            function()
            elapsed = (time.perf_counter() - started) * 1000
        if n:
            timings.append(elapsed)
    return {
        "median_ms": round(statistics.median(timings), 1),
        "max_ms": round(max(timings), 1),
        "queries": len(queries.captured_queries),
    }


def time_page(runs: int) -> dict:
    from django.conf import settings
    from django.http import HttpRequest
    from django.test import Client
    from django.urls import reverse

    url = reverse("web:campaigns")
    client = Client()
    client.login(request=HttpRequest(), username="leader", password=settings.DEMO_PASSWORD)
    status: list[int] = []
    result = timed(lambda: status.append(client.get(url).status_code), runs)
    return {"url": url, "status": status[-1], **result}


def _all_stale() -> None:
    from xiuhua.campaigns.models import Target

    Target.objects.update(tallied_at=None)


def tally_figures(targets: list, runs: int) -> dict:
    """The rebuild of every target's tallies, and what the tallies cost a closing action (rolled back)."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from xiuhua.campaigns.tallies import WATCHED, on_stats_changed, rebuild_stale_tallies
    from xiuhua.cases.models import CaseStats

    _all_stale()
    started = time.perf_counter()
    rebuilt = rebuild_stale_tallies(budget_seconds=None)
    out = {"rebuild_all": {"targets": rebuilt, "seconds": round(time.perf_counter() - started, 1)}}
    sample = list(CaseStats.objects.filter(closed_at__isnull=False).order_by("-closed_at")[: runs * 20])
    timings = []
    with CaptureQueriesContext(connection) as queries:
        for stats in sample:
            before = {name: getattr(stats, name) for name in WATCHED} | {"closed_at": None, "handling_on_time": None}
            with transaction.atomic():
                started = time.perf_counter()
                on_stats_changed(stats, before)
                timings.append((time.perf_counter() - started) * 1000)
                transaction.set_rollback(True)
    out["closing_action"] = {
        "actions": len(sample),
        "median_ms": round(statistics.median(timings), 2),
        "max_ms": round(max(timings), 2),
        "queries_per_action": round(len(queries.captured_queries) / max(1, len(sample)), 1),
    }
    return out


def _mismatches(readings: dict[int, dict], measured: dict, plain: dict[int, int]) -> list[dict]:
    return [
        {"target": pk, "measured": str(measured[pk].numerator), "plain": plain[pk], "rule": _printable(readings[pk])}
        for pk in readings
        if (measured[pk].numerator or 0) != plain[pk]
    ]


def measure_all(readings: dict[int, dict], runs: int) -> dict:
    """Live figures (`at` = now) from the tallies; then from the statistics (every tally stale); then the baseline."""
    from django.utils import timezone

    from xiuhua.accounts.models import User
    from xiuhua.campaigns.measures import measure_targets
    from xiuhua.campaigns.models import ProgressSnapshot, Target
    from xiuhua.campaigns.progress import overview
    from xiuhua.campaigns.snapshots import freeze_month
    from xiuhua.worktime.clock import SHANGHAI

    leader = User.objects.get(username="leader")
    now = timezone.now()
    today = now.astimezone(SHANGHAI).date()
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)

    def loaded() -> list:
        return list(Target.objects.filter(pk__in=readings).select_related("case_rule", "task__campaign"))

    out: dict = tally_figures(loaded(), runs)
    targets = loaded()
    out["measure_targets"] = timed(lambda: measure_targets(targets, timezone.now()), runs)
    out["overview"] = timed(lambda: overview(leader, today.year, timezone.now()), runs)
    out["page"] = time_page(runs)
    now = timezone.now()
    from_tallies = measure_targets(targets, now)
    plain: dict[int, int] = {}
    statistics_runs = max(1, runs // 5)
    plain_values = lambda: plain.update({pk: plain_count(r, now) for pk, r in readings.items()})  # noqa: E731
    out["plain_counts"] = timed(plain_values, statistics_runs)
    out["mismatches"] = len(_mismatches(readings, from_tallies, plain))
    _all_stale()
    targets = loaded()
    out["overview_from_statistics"] = timed(lambda: overview(leader, today.year, timezone.now()), statistics_runs)
    from_statistics = measure_targets(targets, now)
    out["mismatches_from_statistics"] = len(_mismatches(readings, from_statistics, plain))
    clear = ProgressSnapshot.objects.filter(month=last_month).delete
    out["freeze_month"] = timed(lambda: freeze_month(last_month, now), statistics_runs, before=clear)
    out["snapshots_written"] = ProgressSnapshot.objects.filter(month=last_month).count()
    out["cases_counted"] = sum(plain.values())
    out["first_mismatches"] = _mismatches(readings, from_tallies, plain)[:MISMATCHES_SHOWN]
    return out


def _printable(reading: dict) -> dict:
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in reading.items()}


def main() -> None:
    from django_setup import configure

    args = parse_args()
    configure("campaigns", args.database_url)
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone
    from history import generate_cases

    from xiuhua.cases.models import Case
    from xiuhua.platform.demo import build_demo_city

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    if args.reuse:
        readings = readings_of_built()
    else:
        build_demo_city(grids=args.grids, components=0, seed=args.seed)
        now = timezone.now()
        generate_cases(args.cases, seed=args.seed, now=now, progress=lambda n: print(f"{n} cases", file=sys.stderr))
        readings = build_campaigns(args.campaigns, args.targets, timezone.localdate(now), args.seed)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # as autovacuum soon would: bulk-loaded tables have no statistics
    generated_s = time.perf_counter() - started
    results = measure_all(readings, args.runs)
    out = {
        "database": connection.vendor,
        "cases": Case.objects.count(),
        "campaigns": args.campaigns,
        "targets": len(readings),
        "generate_seconds": round(generated_s, 1),
        **results,
    }
    print(json.dumps(out, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
