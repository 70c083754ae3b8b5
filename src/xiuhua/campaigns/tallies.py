"""Daily tallies of case-measured targets, kept by the workflow, so a live figure sums days instead of a year of cases.

Counting 200 targets over a million cases took tens of seconds: each distinct window is a grouped scan of up to a
year of statistics rows. A target whose rule can be decided from one statistics row — every count and rate target
without a drawn polygon — keeps one `TargetTally` row per local day instead:
- `counted`: the rule's cases that reached the counted step that day (a rate: the denominator's step);
- `reached`: for a rate, how many of those reached the numerator's step before the target's due end.

Every workflow action that changes a case's step times, void time or facts (class, community, grid, channel)
applies, in its own transaction, the difference between the case's contributions before and after
(`on_stats_changed`). Editing a target's rule or dates, a campaign's start, or tagging a case marks the tallies
stale (`tallied_at` null); the worker rebuilds them from the statistics (`rebuild_stale_tallies`), and until then
the target is counted from the statistics directly.

The figures are the measures' own: a window ends at min(now, due end); a case voided before that end does not
count. Because the end is either now (nothing later has happened yet) or the due end, counting up to the due end
is the same thing — so the tallies hold for any live instant. A figure as of a past instant (a month-end
snapshot) does not read them.

On PostgreSQL a rebuild and the actions touching the same target serialise on an advisory lock per target
(shared for actions, exclusive for the rebuild): an action's change is either in the rebuilt rows or applied
after them, never lost or counted twice. SQLite has one writer at a time anyway.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from time import monotonic
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from xiuhua.campaigns.choices import Measure, TaggedCases
from xiuhua.campaigns.models import CampaignCase, Target, TargetTally
from xiuhua.campaigns.rules import (
    STEP_FIELDS,
    Window,
    class_matches,
    local_day,
    local_midnight,
    reached_by,
    rule_of,
    rule_rows,
    step_filter,
)
from xiuhua.cases.models import CaseStats
from xiuhua.catalog.models import CaseClass
from xiuhua.core import refcache
from xiuhua.territory.models import Division
from xiuhua.worktime.clock import SHANGHAI

TALLIED_MEASURES = (Measure.CASE_COUNT, Measure.CASE_RATE)
LOCK_CLASS = 7316  # first key of the advisory locks: "campaign tallies"; the second is the target id
# A measurement asked as of an instant this close to now is live: the overview asks as of its request's start.
LIVE_SLACK = timedelta(minutes=1)
REBUILD_BUDGET_SECONDS = 20.0  # per worker run; see rebuild_stale_tallies
FACT_FIELDS = ("case_class_id", "community_id", "grid_code", "source", "voided_at")


def _steps_of_fields() -> dict[str, tuple[str, ...]]:
    """Each statistics field a step reads (its time or its flag) → the steps whose counts a change of it can move."""
    touched: dict[str, list[str]] = defaultdict(list)
    for step, fields in STEP_FIELDS.items():
        for name in filter(None, fields):
            touched[name].append(step)
    return {name: tuple(steps) for name, steps in touched.items()}


STEP_OF_FIELD = _steps_of_fields()
WATCHED = (*FACT_FIELDS, *STEP_OF_FIELD)


def tallied_kind() -> Q:
    """Targets kept in tallies: counts and rates whose rule has no drawn polygon."""
    return Q(measure__in=TALLIED_MEASURES) & Q(case_rule__area_geojson="")


def is_live(at: datetime) -> bool:
    return at >= timezone.now() - LIVE_SLACK


# -- a target's rule, read from one statistics row


@dataclass(frozen=True)
class TallySpec:
    target_id: int
    campaign_id: int
    start: datetime
    end: datetime  # the due end
    step: str  # the counted step; a rate's denominator step
    reached_step: str | None  # a rate's numerator step
    class_codes: tuple[str, ...]
    division_codes: tuple[str, ...]
    grid_codes: tuple[str, ...]
    sources: frozenset[str]
    tagged: str

    @classmethod
    def of(cls, target: Target) -> TallySpec:
        rule, campaign = target.case_rule, target.task.campaign
        return _spec_of_row(
            (target.pk, campaign.pk, target.measure, target.starts_on, campaign.starts_on, target.due_on, rule.counts,
             rule.out_of, rule.class_codes, rule.division_codes, rule.grid_codes, rule.sources, rule.tagged)
        )  # fmt: skip


@dataclass(frozen=True)
class CaseState:
    """What the tallies read of a case: its statistics values, its class and community, its campaign tags."""

    values: dict[str, Any]
    case_class: tuple[str, str, str] | None  # kind, code, major code
    community_code: str
    tagged_campaigns: frozenset[int]

    def step_time(self, step: str) -> datetime | None:
        """When the case reached the step (`rules.STEP_FIELDS`: its time, and its flag when it has one)."""
        field, flag = STEP_FIELDS[step]
        if flag and self.values.get(flag) is not True:
            return None
        return self.values.get(field)


def _class_matches(codes: tuple[str, ...], case_class: tuple[str, str, str] | None) -> bool:
    if not codes:
        return True
    return case_class is not None and class_matches(codes, *case_class)


def matches(spec: TallySpec, state: CaseState) -> bool:
    """`rules.rule_rows` for one case: the rule's own conditions, and/or the case tagged to the campaign."""
    tagged = spec.campaign_id in state.tagged_campaigns
    if spec.tagged == TaggedCases.ONLY:
        return tagged
    community, grid = state.community_code, str(state.values.get("grid_code") or "")
    own = (
        _class_matches(spec.class_codes, state.case_class)
        and (not spec.division_codes or bool(community) and community.startswith(spec.division_codes))
        and (not spec.grid_codes or grid.startswith(spec.grid_codes))
        and (not spec.sources or state.values.get("source") in spec.sources)
    )
    return own or (spec.tagged == TaggedCases.ALSO and tagged)


def contribution(spec: TallySpec, state: CaseState) -> tuple[date, int, int] | None:
    """(day, counted, reached) the case adds to the target's tallies, None when it adds nothing."""
    moment = state.step_time(spec.step)
    if moment is None or not spec.start <= moment < spec.end:
        return None
    voided = state.values.get("voided_at")
    if voided is not None and voided < spec.end:
        return None
    if not matches(spec, state):
        return None
    reached = 0
    if spec.reached_step:
        done = state.step_time(spec.reached_step)
        reached = int(done is not None and done < spec.end)
    return local_day(moment), 1, reached


# -- the workflow's side: the difference an action makes

SPEC_FIELDS = (
    "pk", "task__campaign_id", "measure", "starts_on", "task__campaign__starts_on", "due_on", "case_rule__counts",
    "case_rule__out_of", "case_rule__class_codes", "case_rule__division_codes", "case_rule__grid_codes",
    "case_rule__sources", "case_rule__tagged",
)  # fmt: skip


def _spec_of_row(row: tuple) -> TallySpec:
    """A spec from a row of SPEC_FIELDS (the memo reads rows, not model instances: an action pays for each)."""
    field = dict(zip(SPEC_FIELDS, row, strict=True))
    counts, out_of = field["case_rule__counts"], field["case_rule__out_of"]
    rate = field["measure"] == Measure.CASE_RATE
    return TallySpec(
        target_id=field["pk"],
        campaign_id=field["task__campaign_id"],
        start=local_midnight(field["starts_on"] or field["task__campaign__starts_on"]),
        end=local_midnight(field["due_on"] + timedelta(days=1)),
        step=(out_of or counts) if rate else counts,
        reached_step=counts if rate else None,
        class_codes=tuple(str(code) for code in field["case_rule__class_codes"]),
        division_codes=tuple(str(code).strip() for code in field["case_rule__division_codes"]),
        grid_codes=tuple(str(code).strip() for code in field["case_rule__grid_codes"]),
        sources=frozenset(field["case_rule__sources"]),
        tagged=field["case_rule__tagged"],
    )


def _all_specs() -> list[TallySpec]:
    """Every tallied target's rule, memoised per reference generation (a target, rule or campaign saved resets it).

    Whether a target's tallies are current is read from the database after the lock, never from the memo."""

    def load() -> list[TallySpec]:
        rows = Target.objects.filter(tallied_kind()).order_by("pk").values_list(*SPEC_FIELDS)
        return [_spec_of_row(row) for row in rows]

    return refcache.memo("campaigns.tally_specs", load)


def _class_facts() -> dict[int, tuple[str, str, str]]:
    def load() -> dict[int, tuple[str, str, str]]:
        rows = CaseClass.objects.values_list("pk", "kind", "code", "major_code")
        return {pk: (kind, code, major) for pk, kind, code, major in rows}

    return refcache.memo("campaigns.class_facts", load)


def _changed_steps(before: dict[str, Any], after: dict[str, Any]) -> set[str] | None:
    """The steps whose counts the change can move; None: all of them (a fact or the void time changed)."""
    if any(before.get(name) != after.get(name) for name in FACT_FIELDS):
        return None
    steps: set[str] = set()
    for name, touched in STEP_OF_FIELD.items():
        if before.get(name) != after.get(name):
            steps.update(touched)
    return steps


def _lock_shared(target_ids: list[int]) -> None:
    if connection.vendor == "postgresql" and target_ids:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock_shared(%s, t.id) FROM unnest(%s::int[]) AS t(id) ORDER BY t.id",
                [LOCK_CLASS, sorted(target_ids)],
            )


def _lock_exclusive(target_id: int) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_CLASS, target_id])


def _states(case_id: int, before: dict, after: dict, specs: list[TallySpec]) -> tuple[CaseState, CaseState]:
    classes = _class_facts()
    communities: dict[int, str] = {}
    if any(s.division_codes for s in specs):
        community_ids = {v for v in (before.get("community_id"), after.get("community_id")) if v}
        communities = dict(Division.objects.filter(pk__in=community_ids).values_list("pk", "code"))
    tags: frozenset[int] = frozenset()
    campaign_ids = {s.campaign_id for s in specs if s.tagged != TaggedCases.IGNORE}
    if campaign_ids:
        rows = CampaignCase.objects.filter(case_id=case_id, campaign_id__in=campaign_ids)
        tags = frozenset(rows.values_list("campaign_id", flat=True))

    def state(values: dict) -> CaseState:
        community = communities.get(values.get("community_id"), "")
        return CaseState(values, classes.get(values.get("case_class_id")), community, tags)

    return state(before), state(after)


def _differences(specs: list[TallySpec], old: CaseState, new: CaseState) -> dict[tuple[int, date], list[int]]:
    deltas: dict[tuple[int, date], list[int]] = defaultdict(lambda: [0, 0])
    for spec in specs:
        for state, sign in ((old, -1), (new, 1)):
            added = contribution(spec, state)
            if added:
                day, counted, reached = added
                deltas[(spec.target_id, day)][0] += sign * counted
                deltas[(spec.target_id, day)][1] += sign * reached
    return {key: value for key, value in deltas.items() if value != [0, 0]}


def _apply(deltas: dict[tuple[int, date], list[int]]) -> None:
    """Add the differences in one statement; rows in key order, so two actions never wait on each other in a ring."""
    table = TargetTally._meta.db_table
    rows = sorted(deltas.items())
    values = ", ".join(["(%s, %s, %s, %s)"] * len(rows))
    params = [item for (target_id, day), (counted, reached) in rows for item in (target_id, day, counted, reached)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (target_id, day, counted, reached) VALUES {values} "
            f"ON CONFLICT (target_id, day) DO UPDATE SET counted = {table}.counted + excluded.counted, "
            f"reached = {table}.reached + excluded.reached",
            params,
        )


def on_stats_changed(stats: CaseStats, before: dict[str, Any] | None) -> None:
    """The workflow wrote a statistics row: move the tallies of the targets the change concerns."""
    after = {name: getattr(stats, name) for name in WATCHED}
    if before is None:  # nothing was noted: the difference is unknown, so the tallies that could move are rebuilt
        mark_stale(Target.objects.filter(tallied_kind()))
        return
    old = {name: before.get(name) for name in WATCHED}
    steps = _changed_steps(old, after)
    if steps is not None and not steps:
        return
    specs = [s for s in _all_specs() if steps is None or s.step in steps or s.reached_step in steps]
    if not specs:
        return
    deltas = _differences(specs, *_states(stats.case_id, old, after, specs))
    if not deltas:
        return
    # Only the targets the action moves: a rebuild of one of them waits for this transaction (PostgreSQL), and
    # one that is stale is left to its rebuild, which will see this action's change.
    moved = sorted({target_id for target_id, _day in deltas})
    _lock_shared(moved)
    current = set(Target.objects.filter(pk__in=moved, tallied_at__isnull=False).values_list("pk", flat=True))
    deltas = {key: value for key, value in deltas.items() if key[0] in current}
    if deltas:
        _apply(deltas)


# -- stale tallies and their rebuild


def mark_stale(targets: QuerySet[Target]) -> int:
    """Their rule, dates or tagged cases changed: count them from the statistics until the worker rebuilds them."""
    return targets.filter(tallied_at__isnull=False).update(tallied_at=None)


def mark_campaign_stale(campaign_id: int, tagged_only: bool = False) -> int:
    targets = Target.objects.filter(task__campaign_id=campaign_id)
    if tagged_only:
        targets = targets.exclude(case_rule__tagged=TaggedCases.IGNORE)
    return mark_stale(targets)


def _day_rows(target: Target) -> list[TargetTally]:
    """The target's tallies counted from the statistics: its window up to the due end, per local day."""
    spec = TallySpec.of(target)
    window = Window(spec.start, max(spec.start, spec.end))
    rows = rule_rows(target.case_rule, spec.campaign_id).filter(step_filter(spec.step, window))
    annotations = {"counted": Count("pk")}
    if spec.reached_step:
        annotations["reached"] = Count("pk", filter=reached_by(spec.reached_step, spec.end))
    field = STEP_FIELDS[spec.step][0]
    per_day = rows.annotate(day=TruncDate(field, tzinfo=SHANGHAI)).values("day").annotate(**annotations).order_by()
    return [
        TargetTally(target=target, day=row["day"], counted=row["counted"], reached=row.get("reached", 0))
        for row in per_day
    ]


def rebuild_tallies(target_id: int, now: datetime | None = None) -> bool:
    """Recount one target's tallies from the statistics; False when it is gone or not kept in tallies."""
    with transaction.atomic():
        _lock_exclusive(target_id)
        target = (
            Target.objects.filter(tallied_kind(), pk=target_id)
            .select_for_update(of=("self",))
            .select_related("case_rule", "task__campaign")
            .first()
        )
        if target is None:
            return False
        TargetTally.objects.filter(target=target).delete()
        TargetTally.objects.bulk_create(_day_rows(target), batch_size=1000)
        Target.objects.filter(pk=target_id).update(tallied_at=now or timezone.now())
    return True


def rebuild_stale_tallies(now: datetime | None = None, budget_seconds: float | None = REBUILD_BUDGET_SECONDS) -> int:
    """The worker's job: rebuild stale tallies (new targets, changed rules or dates), oldest targets first.

    A rebuild is one grouped query over the target's window — about a second at a million cases a year — so a run
    stops once `budget_seconds` are spent and leaves the rest to the next minute, keeping the worker's other jobs
    (deadline timers) on time after a task table of 200 targets is imported. None: no limit (the demo, tests)."""
    started = monotonic()
    stale = list(
        Target.objects.filter(tallied_kind(), tallied_at__isnull=True).order_by("pk").values_list("pk", flat=True)
    )
    rebuilt = 0
    for target_id in stale:
        if budget_seconds is not None and monotonic() - started > budget_seconds:
            break
        rebuilt += rebuild_tallies(target_id, now)
    return rebuilt


# -- live figures read from the tallies


def tallied(targets: list[Target], at: datetime) -> list[Target]:
    """The targets whose figures as of `at` are read from their tallies: current ones, and only for a live `at`
    (the others, and every figure of a past instant, are counted from the statistics)."""
    if not is_live(at):
        return []
    return [t for t in targets if t.tallied_at is not None and t.measure in TALLIED_MEASURES and not _drawn(t)]


def _drawn(target: Target) -> bool:
    return bool(rule_of(target).area_geojson.strip())


def totals(target_ids: list[int]) -> dict[int, tuple[int, int]]:
    """(counted, reached) summed over every day, by target id (0, 0 for a target with no rows)."""
    sums = (
        TargetTally.objects.filter(target_id__in=target_ids)
        .values("target_id")
        .annotate(counted=Sum("counted"), reached=Sum("reached"))
        .order_by()
    )
    found = {row["target_id"]: (row["counted"] or 0, row["reached"] or 0) for row in sums}
    return {pk: found.get(pk, (0, 0)) for pk in target_ids}


def days_reaching(needed: dict[int, int]) -> dict[int, date | None]:
    """For each target id: the local day its running count first reached the number given (None: never)."""
    running: dict[int, int] = defaultdict(int)
    result: dict[int, date | None] = dict.fromkeys(needed)
    rows = TargetTally.objects.filter(target_id__in=list(needed), counted__gt=0).order_by("target_id", "day")
    for target_id, day, counted in rows.values_list("target_id", "day", "counted"):
        if result[target_id] is not None:
            continue
        running[target_id] += counted
        if running[target_id] >= needed[target_id]:
            result[target_id] = day
    return result
