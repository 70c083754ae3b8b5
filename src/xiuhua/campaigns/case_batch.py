"""Case-rule counts of many targets at once, for the overview and the month-end freeze.

Counting each of 200 targets with its own query over a million cases costs 200 scans. Most rules filter only
by class, division and channel, so the targets that count the same step over the same window share one grouped
query: the window's cases counted per (class, community, channel), and each rule sums the cells it matches in
Python. Rules with unit grids or a drawn polygon, and rules over tagged cases only, are counted one by one; a
rule that also takes tagged cases adds, with one small query, its tagged cases that it does not match itself.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q
from django.db.models.functions import TruncDate

from xiuhua.campaigns.choices import TaggedCases
from xiuhua.campaigns.models import CampaignCase, CaseRule, Target
from xiuhua.campaigns.rules import (
    STEP_FIELDS,
    Window,
    class_matches,
    matching_filter,
    reached_by,
    step_filter,
)
from xiuhua.cases.models import CaseStats
from xiuhua.catalog.models import CaseClass
from xiuhua.territory.models import Division
from xiuhua.worktime.clock import SHANGHAI

CellKey = tuple[int, int, str]  # class id, community id, channel


@dataclass(frozen=True)
class Counted:
    """The cases of a rule in the window (`total`) and, for a rate, how many of them reached the counted step."""

    total: int
    reached: int | None


@dataclass(frozen=True)
class Query:
    """One target's question: the step in the window, and for a rate the step reached by the window's end."""

    target: Target
    step: str
    window: Window
    reached_step: str | None


def batchable(rule: CaseRule) -> bool:
    return not rule.grid_codes and not rule.area_geojson.strip() and rule.tagged != TaggedCases.ONLY


def _cells(
    step: str, window: Window, reached_step: str | None, class_ids: set[int] | None
) -> dict[CellKey, tuple[int, int]]:
    """The window's cases per (class, community, channel); only the classes some rule asks for, when all name some."""
    annotations = {"n": Count("pk")}
    if reached_step:
        annotations["reached"] = Count("pk", filter=reached_by(reached_step, window.end))
    rows = CaseStats.objects.filter(step_filter(step, window))
    if class_ids is not None:
        rows = rows.filter(case_class_id__in=sorted(class_ids))
    rows = rows.values("case_class_id", "community_id", "source").annotate(**annotations).order_by()
    return {
        (row["case_class_id"], row["community_id"], row["source"]): (row["n"], row.get("reached", 0)) for row in rows
    }


def _class_ids(codes: list[str], classes: list[tuple[int, str, str, str]]) -> set[int]:
    """`rules.class_filter` over the catalogue already in memory: (id, kind, code, major code) rows."""
    return {pk for pk, kind, code, major in classes if class_matches(codes, kind, code, major)}


class _Matcher:
    """A rule's class, division and channel conditions, applied to a cell's key in Python."""

    def __init__(self, rule: CaseRule, community_codes: dict[int, str], classes: list[tuple]) -> None:
        self.class_ids = _class_ids(rule.class_codes, classes) if rule.class_codes else None
        self.prefixes = tuple(str(code).strip() for code in rule.division_codes)
        self.sources = set(rule.sources) if rule.sources else None
        self.community_codes = community_codes

    def __call__(self, key: CellKey) -> bool:
        class_id, community_id, source = key
        if self.class_ids is not None and class_id not in self.class_ids:
            return False
        if self.prefixes and not self.community_codes.get(community_id, "").startswith(self.prefixes):
            return False
        return self.sources is None or source in self.sources


def _tagged_extra(query: Query, tagged_campaigns: set[int]) -> tuple[int, int]:
    """Tagged cases the rule does not match itself (ALSO only), in the window: (total, reached)."""
    rule = query.target.case_rule
    campaign_id = query.target.task.campaign_id
    if rule.tagged != TaggedCases.ALSO or campaign_id not in tagged_campaigns:
        return 0, 0
    tagged = Q(case_id__in=CampaignCase.objects.filter(campaign_id=campaign_id).values("case_id"))
    rows = CaseStats.objects.filter(tagged & step_filter(query.step, query.window)).exclude(matching_filter(rule))
    annotations = {"n": Count("pk")}
    if query.reached_step:
        annotations["reached"] = Count("pk", filter=reached_by(query.reached_step, query.window.end))
    counted = rows.aggregate(**annotations)
    return counted["n"], counted.get("reached") or 0


def count_many(queries: list[Query]) -> dict[int, Counted]:
    """Counts by target id for batchable rules: one grouped query per distinct (step, window, reached step)."""
    groups: dict[tuple, list[Query]] = defaultdict(list)
    for query in queries:
        groups[(query.step, query.window, query.reached_step)].append(query)
    communities = dict(Division.objects.filter(level="community").values_list("pk", "code"))
    classes = list(CaseClass.objects.values_list("pk", "kind", "code", "major_code"))
    campaign_ids = {q.target.task.campaign_id for q in queries}
    tagged_campaigns = set(
        CampaignCase.objects.filter(campaign_id__in=campaign_ids).values_list("campaign_id", flat=True).distinct()
    )
    result: dict[int, Counted] = {}
    for (step, window, reached_step), members in groups.items():
        matchers = [_Matcher(query.target.case_rule, communities, classes) for query in members]
        wanted = None if any(m.class_ids is None for m in matchers) else set().union(*(m.class_ids for m in matchers))
        cells = _cells(step, window, reached_step, wanted)
        for query, matches in zip(members, matchers, strict=True):
            total = reached = 0
            for key, (n, done) in cells.items():
                if matches(key):
                    total, reached = total + n, reached + done
            extra_total, extra_reached = _tagged_extra(query, tagged_campaigns)
            result[query.target.pk] = Counted(total + extra_total, reached + extra_reached if reached_step else None)
    return result


def first_days(wanted: list[tuple[Query, int]]) -> dict[int, date | None]:
    """For each (query, n): the local day its n-th counted case reached the step, by target id (None: never).

    One query per (step, window) counts the cases per class and local day — and per community or channel only
    when a rule asks for them — so the day a goal was met needs no scan of each target's cases in time order.
    Tagged cases are not in these cells: targets that also take tagged cases are answered one by one elsewhere.
    """
    groups: dict[tuple, list[tuple[Query, int]]] = defaultdict(list)
    for query, needed in wanted:
        groups[(query.step, query.window)].append((query, needed))
    communities = dict(Division.objects.filter(level="community").values_list("pk", "code"))
    classes = list(CaseClass.objects.values_list("pk", "kind", "code", "major_code"))
    result: dict[int, date | None] = {}
    for (step, window), members in groups.items():
        matchers = [_Matcher(query.target.case_rule, communities, classes) for query, _ in members]
        days = _day_cells(step, window, matchers)
        for (query, needed), matches in zip(members, matchers, strict=True):
            per_day: dict[date, int] = defaultdict(int)
            for (key, day), n in days.items():
                if matches(key):
                    per_day[day] += n
            result[query.target.pk] = _day_of(per_day, needed)
    return result


def _day_cells(step: str, window: Window, matchers: list[_Matcher]) -> dict[tuple[CellKey, date], int]:
    by_community = any(m.prefixes for m in matchers)
    by_source = any(m.sources is not None for m in matchers)
    rows = CaseStats.objects.filter(step_filter(step, window))
    if all(m.class_ids is not None for m in matchers):
        rows = rows.filter(case_class_id__in=sorted(set().union(*(m.class_ids for m in matchers))))
    keys = ["case_class_id"] + ["community_id"] * by_community + ["source"] * by_source
    time_field = STEP_FIELDS[step][0]
    grouped = rows.annotate(day=TruncDate(time_field, tzinfo=SHANGHAI)).values(*keys, "day").annotate(n=Count("pk"))
    return {
        ((row["case_class_id"], row.get("community_id"), row.get("source")), row["day"]): row["n"]
        for row in grouped.order_by()
    }


def _day_of(per_day: dict[date, int], needed: int) -> date | None:
    running = 0
    for day in sorted(per_day):
        running += per_day[day]
        if running >= needed:
            return day
    return None
