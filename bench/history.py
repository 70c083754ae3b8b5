"""A generator of realistic case histories at scale, for the page and evaluation benchmarks.

Playing a million cases through the workflow would take hours, so this writes the rows the workflow would have
left — `Case` and its `CaseStats`, consistent with each other — with bulk inserts. The shape follows real
district figures: classes weighted as in `platform/demo_texts.py` (rubbish, vending, ads and parking dominate),
more reports in office hours and on working days, every grid used but some far more than others, about 95 % of
last year's cases closed and the recent ones open at every stage, ~8 % handled late, ~5 % reworked, ~3 % returned,
~4 % extended. The work is spread over every inspector, operator, shift leader and dispatcher in the database
(`add_staff` adds more, as many as a district of that size employs), each inspector patrolling their own share of
the grids, so per-person rankings have something to rank. No timelines (`CaseEvent`) or timers are written: a
page reads one case's events at a time, so benchmarks play a few cases through the real workflow for that; the
sweep is not measured here.

Usage from a benchmark, after Django is set up and the demo city exists:
    from history import generate_cases
    generate_cases(1_000_000, seed=1)               # a year of cases, reported over the 365 days before now
    generate_cases(166_000, seed=1, days=61)        # the same density over the last two months only
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import accumulate

BATCH = 5_000
DISTRICT_CODE = "330424"  # the demo district (xiuhua.platform.demo_data.DISTRICT)
OPEN_SHARE_RECENT = 0.35  # of the last two weeks' cases, still open somewhere in the loop
OPEN_STATES = ("reported", "accepted", "registered", "dispatched", "handling", "handled", "checking", "checked")


@dataclass(frozen=True)
class World:
    classes: list  # (CaseClass id, weight)
    grids: list  # (grid id, code, community id, subdistrict id, district id, lng, lat)
    departments: list[int]
    operators: list[int]
    shift_leaders: list[int]
    dispatchers: list[int]
    inspectors: list[int]  # the inspector of grid i is inspectors[i % len(inspectors)]
    district_code: str


def _world(rng: random.Random) -> World:
    from xiuhua.accounts.models import Department, User
    from xiuhua.catalog.models import CaseClass
    from xiuhua.platform.demo_texts import TEXT_CLASSES
    from xiuhua.territory.models import UnitGrid

    weights = {(tc.kind, tc.code): tc.weight for tc in TEXT_CLASSES}
    classes = [
        (pk, weights.get((kind, code), 1))
        for pk, kind, code in CaseClass.objects.filter(active=True).values_list("pk", "kind", "code")
    ]
    grids = []
    for grid in UnitGrid.objects.select_related("community__parent__parent"):
        point = grid.geometry.representative_point()
        community = grid.community
        subdistrict = community.parent
        grids.append((grid.pk, grid.code, community.pk, subdistrict.pk, subdistrict.parent_id, point.x, point.y))
    # A few grids (markets, stations, old neighbourhoods) get most reports: a Zipf-like weight per grid.
    rng.shuffle(grids)
    departments = list(Department.objects.filter(active=True).values_list("pk", flat=True))

    def users(role: str) -> list[int]:
        return list(User.objects.filter(role=role, is_active=True).order_by("pk").values_list("pk", flat=True))

    return World(
        classes=classes,
        grids=grids,
        departments=departments,
        operators=users("operator"),
        shift_leaders=users("shift_leader"),
        dispatchers=users("dispatcher"),
        inspectors=users("inspector"),
        district_code=grids[0][1][:6],
    )


def add_staff(*, inspectors: int = 0, operators: int = 0, shift_leaders: int = 0, dispatchers: int = 0) -> None:
    """Create more command-centre staff (unusable passwords), e.g. the ~100 inspectors of a million-case district."""
    from xiuhua.accounts.models import User

    wanted = {"inspector": inspectors, "operator": operators, "shift_leader": shift_leaders, "dispatcher": dispatchers}
    User.objects.bulk_create(
        [
            # An empty scope is nothing: bench staff work on the whole demo district.
            User(
                username=f"bench_{role}_{n:04d}",
                display_name=f"{role} {n}",
                role=role,
                password="!",
                scope_division_codes=[DISTRICT_CODE],
            )
            for role, count in wanted.items()
            for n in range(1, count + 1)
        ],
        batch_size=BATCH,
    )


def _moment(rng: random.Random, start: datetime, days: int) -> datetime:
    """A report time: mostly 08:00–18:00 Shanghai (00:00–10:00 UTC), fewer at weekends."""
    while True:
        day = start + timedelta(days=rng.randrange(days))
        if day.weekday() >= 5 and rng.random() < 0.5:
            continue
        hour = rng.choices(
            range(24), weights=[1, 1, 1, 1, 1, 1, 2, 4, 9, 10, 9, 8, 6, 8, 9, 9, 8, 6, 4, 3, 2, 2, 1, 1]
        )[0]
        local = day.replace(hour=hour, minute=rng.randrange(60), second=rng.randrange(60))
        return (local - timedelta(hours=8)).replace(tzinfo=UTC)


def _case_rows(world: World, count: int, now: datetime, days: int, rng: random.Random, daily: dict[str, int]):
    from xiuhua.cases.models import Case, CaseStats

    start = (now - timedelta(days=days)).replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)
    class_ids = [pk for pk, _w in world.classes]
    # Cumulative weights once, not per draw: `choices` with plain weights sums all 5,000 grid weights every time.
    class_weights = list(accumulate(w for _pk, w in world.classes))
    grid_weights = list(accumulate(1 / (rank + 1) ** 0.6 for rank in range(len(world.grids))))
    grid_numbers = range(len(world.grids))
    moments = sorted(_moment(rng, start, days) for _ in range(count))
    for reported in moments:
        grid_number = rng.choices(grid_numbers, cum_weights=grid_weights)[0]
        grid = world.grids[grid_number]
        inspector = world.inspectors[grid_number % len(world.inspectors)]
        day_key = (reported + timedelta(hours=8)).strftime("%Y%m%d")
        daily[day_key] = daily.get(day_key, 0) + 1
        status = _status(reported, now, rng)
        case = Case(
            number=f"{day_key}{daily[day_key]:05d}",
            district_code=world.district_code,
            source=rng.choices(["inspector", "hotline_12345", "citizen", "video"], [60, 25, 10, 5])[0],
            case_class_id=rng.choices(class_ids, cum_weights=class_weights)[0],
            description="批量生成的历史案卷",
            lng=grid[5] + rng.uniform(-0.0004, 0.0004),
            lat=grid[6] + rng.uniform(-0.0004, 0.0004),
            original_lng=grid[5],
            original_lat=grid[6],
            unit_grid_id=grid[0],
            grid_code=grid[1],
            community_id=grid[2],
            subdistrict_id=grid[3],
            district_id=grid[4],
            reporter_id=inspector,
            status=status,
            reported_at=reported,
            lookup_code="BENCH",
        )
        stats = CaseStats(reported_at=reported, reported_by_id=inspector)
        _fill_clocks(case, stats, world, inspector, now, rng)
        stats.take_case_facts(case)
        yield case, stats


def _status(reported: datetime, now: datetime, rng: random.Random) -> str:
    age = now - reported
    if age < timedelta(days=14) and rng.random() < OPEN_SHARE_RECENT * (1 - age / timedelta(days=14)) * 2:
        return rng.choice(OPEN_STATES)
    return rng.choices(["closed", "declined", "voided"], [95, 4, 1])[0]


def _fill_clocks(case, stats, world: World, inspector: int, now: datetime, rng: random.Random) -> None:
    """Times and flags for each step the case has passed, in order, none after `now`."""
    t = case.reported_at
    order = ("reported",) + OPEN_STATES[1:] + ("closed",)
    reached = order.index(case.status) if case.status in order else len(order) - 1
    late = rng.random() < 0.08

    def step(minutes: float) -> datetime:
        nonlocal t
        t = min(t + timedelta(minutes=rng.expovariate(1 / minutes)), now)
        return t

    operator, shift_leader = rng.choice(world.operators), rng.choice(world.shift_leaders)
    if case.status == "declined":
        stats.declined_at = step(20)
        case.closed_at = stats.declined_at
        return
    if reached >= 1:
        stats.accepted_at, stats.accepted_by_id, stats.accept_on_time = step(8), operator, rng.random() > 0.03
    if reached >= 2:
        stats.registered_at, stats.register_on_time = step(15), rng.random() > 0.03
        stats.registered_by_id = shift_leader
    if case.status == "voided":
        stats.voided_at = step(600)
        case.closed_at = stats.voided_at
        return
    limit = timedelta(hours=rng.choice([2, 4, 24, 72]))
    if reached >= 3:
        department = rng.choice(world.departments)
        case.lead_department_id = department
        stats.dispatched_at = stats.first_dispatched_at = step(20)
        dispatcher = rng.choice(world.dispatchers)
        stats.dispatched_by_id, stats.dispatch_on_time, stats.dispatch_count = dispatcher, rng.random() > 0.02, 1
        stats.dispatched_department_ids = [department]
        stats.accurate_dispatch = rng.random() > 0.03
        stats.return_count = int(rng.random() < 0.03)
        stats.extension_count = int(rng.random() < 0.04)
        case.handling_deadline = stats.handling_deadline = stats.dispatched_at + limit
        case.handling_allowance = limit
    if reached >= 4:
        stats.handling_started_at = step(30)
    if reached >= 5:
        back = stats.dispatched_at + limit * (rng.uniform(1.05, 2.5) if late else rng.uniform(0.1, 0.95))
        stats.reported_back_at = t = min(back, now)
        stats.handled_by_department_id = case.lead_department_id
        stats.handling_on_time = stats.reported_back_at <= case.handling_deadline
        stats.handling_overdue = not stats.handling_on_time
        stats.rework_count = int(rng.random() < 0.05)
    if reached >= 7:
        stats.checked_at, stats.checked_by_id, stats.check_on_time = step(90), inspector, rng.random() > 0.04
    if case.status == "closed":
        stats.closed_at = case.closed_at = step(30)
        stats.closed_by_id, stats.close_on_time = shift_leader, rng.random() > 0.02
        if case.source in ("hotline_12345", "citizen") and rng.random() < 0.9:
            stats.callback_at, stats.callback_by_id = step(600), operator
            stats.satisfaction = rng.choices(["very_satisfied", "satisfied", "dissatisfied"], [60, 35, 5])[0]
        else:
            case.callback_due = case.source in ("hotline_12345", "citizen")
    _running_limits(case, stats, now)


def _running_limits(case, stats, now: datetime) -> None:
    """Open cases carry the deadlines the lights and queues read."""
    if case.status in ("dispatched", "handling"):
        case.handling_running_since = stats.dispatched_at
        case.handling_warning_at = case.handling_deadline - (case.handling_deadline - stats.dispatched_at) / 5
        case.stage = "handle"
    elif case.status in ("reported", "accepted", "registered", "handled", "checking", "checked"):
        case.stage = {"reported": "accept", "accepted": "register", "registered": "dispatch"}.get(case.status, "check")
        case.stage_started_at = max(case.reported_at, now - timedelta(hours=3))
        case.stage_deadline = case.stage_started_at + timedelta(hours=2)
        case.stage_warning_at = case.stage_started_at + timedelta(hours=1, minutes=36)


def generate_cases(count: int, *, seed: int = 1, now: datetime | None = None, days: int = 365, progress=None) -> None:
    """Insert `count` cases with their statistics, reported over the `days` days (default a year) before `now`."""
    from django.db import transaction

    from xiuhua.cases.models import Case, CaseStats

    rng = random.Random(seed)
    now = now or datetime.now(UTC)
    world = _world(rng)
    batch: list = []
    done = 0

    def flush() -> None:
        nonlocal done
        with transaction.atomic():
            cases = Case.objects.bulk_create([c for c, _s in batch], batch_size=BATCH)
            for case, (_c, stats) in zip(cases, batch, strict=True):
                stats.case_id = case.pk
            CaseStats.objects.bulk_create([s for _c, s in batch], batch_size=BATCH)
        done += len(batch)
        batch.clear()
        if progress:
            progress(done)

    daily: dict[str, int] = {}
    for row in _case_rows(world, count, now, days, rng, daily):
        batch.append(row)
        if len(batch) >= BATCH:
            flush()
    if batch:
        flush()
    _continue_numbering(world.district_code, daily)


def _continue_numbering(district_code: str, daily: dict[str, int]) -> None:
    """Later reports on a generated day are numbered after the generated ones, as the sequence would have."""
    from datetime import date

    from xiuhua.cases.models import CaseNumberSequence

    CaseNumberSequence.objects.bulk_create(
        [
            CaseNumberSequence(district_code=district_code, day=date(int(k[:4]), int(k[4:6]), int(k[6:])), last=n)
            for k, n in daily.items()
        ],
        batch_size=BATCH,
    )
