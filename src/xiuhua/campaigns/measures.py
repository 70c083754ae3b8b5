"""How a target's value is measured: one registered `TargetMeasure` per `Target.measure` key.

Every measure answers the same three questions for a target at an instant: its `Measurement` (value, numerator,
denominator, the day the goal was first reached), a batch of those, and the cases behind the numerator (the
drill-down). Nothing is stored: values are computed from live data when asked, bounded by the instant, so a
month-end snapshot can ask "as of the month's last instant". Later apps (the ledgers' "ledger_rule") register
their own measure here without touching the others.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_CEILING, Decimal

from django.db.models import QuerySet
from django.utils import timezone

from xiuhua.campaigns import tallies
from xiuhua.campaigns.case_batch import Counted, Query, batchable, count_many, first_days
from xiuhua.campaigns.choices import Comparator, Measure, TaggedCases
from xiuhua.campaigns.models import CampaignCase, CaseRule, Target
from xiuhua.campaigns.rules import (
    STEP_FIELDS,
    Window,
    local_day,
    local_midnight,
    reached_by,
    rule_of,
    rule_rows,
    step_filter,
    target_start,
)
from xiuhua.cases.models import Case, CaseStats
from xiuhua.core.errors import DomainError

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Measurement:
    value: Decimal | None  # count, or percent 0–100 for rates, or periods met for recurrence, …
    numerator: Decimal | None  # e.g. cases closed; items resolved; periods met
    denominator: Decimal | None  # e.g. cases registered; items in the list; periods elapsed
    met_on: date | None  # local day the goal was first reached, when the measure can tell
    detail: dict = field(default_factory=dict)  # measure-specific, JSON-able


def percent(numerator: int | Decimal, denominator: int | Decimal) -> Decimal | None:
    """numerator / denominator in percent (4 decimals kept; pages round), None without a denominator."""
    if not denominator:
        return None
    return (Decimal(numerator) * HUNDRED / Decimal(denominator)).quantize(Decimal("0.0001"))


class TargetMeasure:
    """One way of measuring; subclasses implement `measure` and, where cases stand behind the figure, `cases`."""

    def measure(self, target: Target, at: datetime) -> Measurement:
        raise NotImplementedError

    def measure_many(self, targets: list[Target], at: datetime) -> dict[int, Measurement]:
        """Batched form; measures that can group their queries override it."""
        return {target.pk: self.measure(target, at) for target in targets}

    def cases(self, target: Target, at: datetime) -> QuerySet[Case]:
        """The cases behind the numerator (none for measures not made of cases)."""
        return Case.objects.none()


_REGISTRY: dict[str, TargetMeasure] = {}


def register_measure(key: str, measure: TargetMeasure) -> None:
    _REGISTRY[key] = measure


def measure_keys() -> set[str]:
    """The measures registered (the choices' keys, and any a later app adds)."""
    return set(_REGISTRY)


def measure_for(key: str) -> TargetMeasure:
    try:
        return _REGISTRY[key]
    except KeyError:
        raise DomainError(f"未知的目标计量方式「{key}」", code="unknown_measure") from None


def measure_target(target: Target, at: datetime | None = None) -> Measurement:
    # Through the batched form, so a live figure reads the target's tallies like the overview does.
    return measure_for(target.measure).measure_many([target], at or timezone.now())[target.pk]


def measure_targets(targets: Iterable[Target], at: datetime | None = None) -> dict[int, Measurement]:
    """Measurements by target id, each measure asked once for all its targets."""
    at = at or timezone.now()
    by_measure: dict[str, list[Target]] = {}
    for target in targets:
        by_measure.setdefault(target.measure, []).append(target)
    result: dict[int, Measurement] = {}
    for key, group in by_measure.items():
        try:
            result.update(measure_for(key).measure_many(group, at))
        except DomainError:
            # One target set up wrongly (in the admin: a case measure without its rule) must not blank the overview.
            result.update({target.pk: _measured_or_unknown(target, at) for target in group})
    return result


def _measured_or_unknown(target: Target, at: datetime) -> Measurement:
    try:
        return measure_for(target.measure).measure(target, at)
    except DomainError as error:
        return Measurement(None, None, None, None, {"error": error.message})


def drill_down_cases(target: Target, at: datetime | None = None) -> QuerySet[Case]:
    """The cases the numerator counts, for the case list (their number equals the figure's numerator)."""
    return measure_for(target.measure).cases(target, at or timezone.now())


def goal_reached(target: Target, value: Decimal | None) -> bool:
    if value is None:
        return False
    if target.comparator == Comparator.AT_MOST:
        return value <= target.goal
    return value >= target.goal


def _tagged_campaigns(targets: list[Target]) -> set[int]:
    campaign_ids = {t.task.campaign_id for t in targets}
    return set(CampaignCase.objects.filter(campaign_id__in=campaign_ids).values_list("campaign_id", flat=True))


def _batched(
    targets: list[Target], at: datetime, steps: Callable[[CaseRule], tuple[str, str | None]]
) -> tuple[dict[int, Counted], list[Target]]:
    """Counts of the targets whose rules can share grouped queries, and the targets left to count one by one."""
    queries, rest = [], []
    for target in targets:
        rule = rule_of(target)
        if batchable(rule):
            step, reached_step = steps(rule)
            queries.append(Query(target, step, Window.of(target, at), reached_step))
        else:
            rest.append(target)
    return count_many(queries), rest


class CaseCountMeasure(TargetMeasure):
    """Cases of the rule that reached the counted step in the window, plus the baseline done before counting."""

    @staticmethod
    def _rows(target: Target, window: Window) -> QuerySet[CaseStats]:
        rule = rule_of(target)
        return rule_rows(rule, target.task.campaign_id).filter(step_filter(rule.counts, window))

    def measure(self, target: Target, at: datetime) -> Measurement:
        window = Window.of(target, at)
        count = self._rows(target, window).count()
        needed = self._needed(target, count)
        met_on = self._day_reached(self._rows(target, window), target.case_rule.counts, needed) if needed else None
        return self._measurement(target, count, met_on)

    def measure_many(self, targets: list[Target], at: datetime) -> dict[int, Measurement]:
        result, targets = self._from_tallies(targets, at)
        result.update(self._from_statistics(targets, at))
        return result

    def _from_tallies(self, targets: list[Target], at: datetime) -> tuple[dict[int, Measurement], list[Target]]:
        """Live figures of the targets whose daily tallies are current; the targets left to count."""
        kept = tallies.tallied(targets, at)
        counts = {pk: counted for pk, (counted, _reached) in tallies.totals([t.pk for t in kept]).items()}
        needs = {t.pk: self._needed(t, counts[t.pk]) for t in kept}
        met_on = tallies.days_reaching({pk: n for pk, n in needs.items() if n})
        result = {t.pk: self._measurement(t, counts[t.pk], met_on.get(t.pk)) for t in kept}
        return result, [t for t in targets if t.pk not in result]

    def _from_statistics(self, targets: list[Target], at: datetime) -> dict[int, Measurement]:
        counted, rest = _batched(targets, at, lambda rule: (rule.counts, None))
        batched = [t for t in targets if t.pk in counted]
        needs = {t.pk: self._needed(t, counted[t.pk].total) for t in batched}
        tagged = _tagged_campaigns(batched)
        by_days, one_by_one = [], []
        for target in (t for t in batched if needs[t.pk]):
            also_tagged = target.case_rule.tagged == TaggedCases.ALSO and target.task.campaign_id in tagged
            (one_by_one if also_tagged else by_days).append(target)
        met_on = first_days([(Query(t, t.case_rule.counts, Window.of(t, at), None), needs[t.pk]) for t in by_days])
        for target in one_by_one:
            rows = self._rows(target, Window.of(target, at))
            met_on[target.pk] = self._day_reached(rows, target.case_rule.counts, needs[target.pk])
        result = {t.pk: self._measurement(t, counted[t.pk].total, met_on.get(t.pk)) for t in batched}
        result.update({t.pk: self.measure(t, at) for t in rest})
        return result

    @staticmethod
    def _needed(target: Target, count: int) -> int | None:
        """The how-many-th counted case met the goal, when it is met ("at least" targets only)."""
        baseline = target.baseline or Decimal(0)
        if target.comparator != Comparator.AT_LEAST or count + baseline < target.goal:
            return None
        needed = int(Decimal(target.goal - baseline).to_integral_value(rounding=ROUND_CEILING))
        return needed if needed > 0 else None

    @staticmethod
    def _measurement(target: Target, count: int, met_on: date | None) -> Measurement:
        baseline = target.baseline or Decimal(0)
        return Measurement(Decimal(count) + baseline, Decimal(count), None, met_on, {"baseline": str(baseline)})

    @staticmethod
    def _day_reached(rows: QuerySet[CaseStats], step: str, needed: int) -> date | None:
        """The local day the `needed`-th counted case reached the step (the goal was met that day)."""
        time_field = STEP_FIELDS[step][0]
        ordered = rows.order_by(time_field, "case_id").values_list(time_field, flat=True)
        moment = next(iter(ordered[needed - 1 : needed]), None)
        return local_day(moment) if moment else None

    def cases(self, target: Target, at: datetime) -> QuerySet[Case]:
        return Case.objects.filter(pk__in=self._rows(target, Window.of(target, at)).values("case_id"))


class CaseRateMeasure(TargetMeasure):
    """Of the rule's cases that reached `out_of` in the window, the percent that reached `counts` by its end."""

    def _rows(self, target: Target, at: datetime) -> tuple[QuerySet[CaseStats], QuerySet[CaseStats]]:
        rule, window = rule_of(target), Window.of(target, at)
        denominator = rule_rows(rule, target.task.campaign_id).filter(step_filter(rule.out_of or rule.counts, window))
        return denominator, denominator.filter(reached_by(rule.counts, window.end))

    def measure(self, target: Target, at: datetime) -> Measurement:
        denominator_rows, numerator_rows = self._rows(target, at)
        return self._measurement(numerator_rows.count(), denominator_rows.count())

    def measure_many(self, targets: list[Target], at: datetime) -> dict[int, Measurement]:
        kept = tallies.tallied(targets, at)
        result = {
            pk: self._measurement(reached, counted)
            for pk, (counted, reached) in tallies.totals([t.pk for t in kept]).items()
        }
        counted, rest = _batched(
            [t for t in targets if t.pk not in result], at, lambda rule: (rule.out_of or rule.counts, rule.counts)
        )
        result.update({pk: self._measurement(c.reached or 0, c.total) for pk, c in counted.items()})
        result.update({t.pk: self.measure(t, at) for t in rest})
        return result

    @staticmethod
    def _measurement(numerator: int, denominator: int) -> Measurement:
        return Measurement(percent(numerator, denominator), Decimal(numerator), Decimal(denominator), None, {})

    def cases(self, target: Target, at: datetime) -> QuerySet[Case]:
        return Case.objects.filter(pk__in=self._rows(target, at)[1].values("case_id"))


class CaseTrendMeasure(TargetMeasure):
    """Percent change of the rule's cases per day in the target's window against its baseline period.

    The baseline is `Target.baseline` when given (the count over the baseline period, or over a period as long as
    the target's when no baseline dates are set), else the rule's count over [baseline_from, baseline_to]. Per day,
    so that three months of this year compare fairly with a whole last year.
    """

    def measure(self, target: Target, at: datetime) -> Measurement:
        rule, window = rule_of(target), Window.of(target, at)
        rows = rule_rows(rule, target.task.campaign_id)
        count = rows.filter(step_filter(rule.counts, window)).count()
        base_count, base_days = self._baseline(target, rows, rule.counts)
        days = Decimal(max(1, (local_day(window.end - timedelta(microseconds=1)) - target_start(target)).days + 1))
        value = None
        if base_count and base_days:
            value = ((Decimal(count) / days) / (base_count / base_days) - 1) * HUNDRED
            value = value.quantize(Decimal("0.0001"))
        detail = {"days": int(days), "baseline_days": int(base_days)}
        return Measurement(value, Decimal(count), base_count, None, detail)

    @staticmethod
    def _baseline(target: Target, rows, step: str) -> tuple[Decimal, Decimal]:
        if target.baseline_from and target.baseline_to:
            days = Decimal((target.baseline_to - target.baseline_from).days + 1)
        else:
            days = Decimal((target.due_on - target_start(target)).days + 1)
        if target.baseline is not None:
            return Decimal(target.baseline), days
        if not (target.baseline_from and target.baseline_to):
            return Decimal(0), days
        window = Window(local_midnight(target.baseline_from), local_midnight(target.baseline_to + timedelta(days=1)))
        return Decimal(rows.filter(step_filter(step, window)).count()), days

    def cases(self, target: Target, at: datetime) -> QuerySet[Case]:
        rule, window = rule_of(target), Window.of(target, at)
        rows = rule_rows(rule, target.task.campaign_id).filter(step_filter(rule.counts, window))
        return Case.objects.filter(pk__in=rows.values("case_id"))


register_measure(Measure.CASE_COUNT, CaseCountMeasure())
register_measure(Measure.CASE_TREND, CaseTrendMeasure())
register_measure(Measure.CASE_RATE, CaseRateMeasure())
