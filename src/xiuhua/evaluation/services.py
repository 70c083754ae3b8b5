"""Evaluation (综合评价): the indicators of every region, department and person for a period, scored and ranked.

`evaluate` is the one entry point (web page, API, monthly report, CLI, tests). Counting happens in the database:
one grouped query per step of the loop the object type is judged on (`indicators.STEPS`), each reading the
period's rows off the index of its anchor time; rates, scores and ranks are then worked out in Python.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from xiuhua.accounts.choices import Role
from xiuhua.accounts.models import Department, User
from xiuhua.accounts.queries import (
    division_code_filter,
    scope_prefixes,
    sees_everything,
    sees_whole_district,
    visible_departments,
)
from xiuhua.cases.models import Case, CaseStats
from xiuhua.core.errors import DomainError, PermissionDenied
from xiuhua.evaluation import scoring
from xiuhua.evaluation.indicators import (
    AREA_STEP,
    COLUMNS,
    HOTLINE_STEP,
    INDICATORS,
    OBJECT_TYPES,
    PATROL_STEP,
    REGION_TYPES,
    SAMPLE,
    STEPS,
    Indicator,
    counts_needed,
    step_rows,
)
from xiuhua.evaluation.models import ScoreScheme
from xiuhua.evaluation.periods import Period
from xiuhua.intake.channels.hotline.models import OrderState, WorkOrder
from xiuhua.patrol.services import inspector_figures
from xiuhua.territory.models import Division, UnitGrid

__all__ = ["OBJECT_TYPES", "Evaluation", "EvaluationRow", "evaluate", "evaluate_many"]

# Who may read evaluations: the command centre and leaders (a department sees its own figures on its workbench).
EVALUATOR_ROLES = (Role.SYSADMIN, Role.LEADER, Role.COMMANDER, Role.SHIFT_LEADER, Role.DISPATCHER)
ROLE_OF_TYPE = {
    "inspector": Role.INSPECTOR,
    "operator": Role.OPERATOR,
    "shift_leader": Role.SHIFT_LEADER,
    "dispatcher": Role.DISPATCHER,
}
Values = dict[str, int | float | None]


@dataclass
class EvaluationRow:
    key: str
    name: str
    values: Values
    score: float | None = None
    grade: str = ""
    rank: int | None = None
    previous_score: float | None = None
    previous_rank: int | None = None
    rank_change: int | None = None  # positive: moved up since the previous period
    sample: int = 0  # the cases the score rests on (indicators.SAMPLE)
    insufficient: bool = False  # 样本不足: fewer than the minimum sample, so no score, grade or rank


@dataclass
class Evaluation:
    object_type: str
    period: Period
    indicators: list[Indicator]
    rows: list[EvaluationRow]
    scheme: ScoreScheme | None = None
    scheme_components: list[dict] = field(default_factory=list)
    min_sample: int = 0

    @property
    def sample_indicator(self) -> Indicator:
        return INDICATORS[SAMPLE[self.object_type]]


def evaluate(object_type: str, period: Period, *, user: User | None = None, compare: bool = True) -> Evaluation:
    """Indicators, score, grade and rank of every object of a type for a period, within `user`'s data scope.

    With `compare`, each row also carries its score and rank in the previous period and the change.
    """
    return evaluate_many([object_type], period, user=user, compare=compare)[object_type]


def evaluate_many(
    object_types: list[str] | tuple[str, ...], period: Period, *, user: User | None = None, compare: bool = True
) -> dict[str, Evaluation]:
    """`evaluate` for several object types at once: the four kinds of region share one query per step."""
    for object_type in object_types:
        check_object_type(object_type)
    if user is not None:
        check_may_evaluate(user)
    current = _evaluate_period(object_types, FigureCounter(period, user), user)
    if compare:
        # The objects in scope are the same in both periods: the previous one adds only those with figures.
        known = {object_type: {row.key: row.name for row in result.rows} for object_type, result in current.items()}
        previous = _evaluate_period(
            object_types, FigureCounter(period.previous(), user), user, score_only=True, known=known
        )
        for object_type, result in current.items():
            _compare(result.rows, {row.key: row for row in previous[object_type].rows})
    return current


def _evaluate_period(
    object_types, counter: FigureCounter, user: User | None, *, score_only: bool = False, known: dict | None = None
) -> dict[str, Evaluation]:
    """Each type's rows, scored and ranked; `score_only` counts just what the score needs (for a previous period).

    `known` gives each type's objects (key → name) when already read, e.g. for the current period."""
    schemes = {scheme.object_type: scheme for scheme in ScoreScheme.objects.filter(object_type__in=object_types)}
    results = {}
    for object_type in object_types:
        scheme = schemes.get(object_type)
        components = scheme.components if scheme else list(scoring.default_scheme(object_type)[1])
        scored = (*(component["indicator"] for component in components), SAMPLE[object_type])
        codes = scored if score_only else (*COLUMNS[object_type], *(c for c in scored if c not in COLUMNS[object_type]))
        figures = counter.figures(object_type, codes)
        if known and object_type in known:
            objects = known[object_type]
            if missing := [key for key in figures if key not in objects]:
                objects = {**objects, **_names(object_type, missing)}
        else:
            objects = evaluated_objects(object_type, user, extra_keys=figures.keys())
        rows = [EvaluationRow(key, name, with_rates(codes, figures.get(key, {}))) for key, name in objects.items()]
        _score_and_rank(rows, components, SAMPLE[object_type], min_sample())
        rows.sort(key=lambda row: (row.rank is None, row.rank or 0, row.name))
        indicators = [INDICATORS[code] for code in COLUMNS[object_type]]
        results[object_type] = Evaluation(
            object_type, counter.period, indicators, rows, scheme, components, min_sample()
        )
    return results


def check_object_type(object_type: str) -> None:
    if object_type not in OBJECT_TYPES:
        raise DomainError(
            _("Unknown object type “%(type)s”; use one of %(types)s.")
            % {"type": object_type, "types": ", ".join(OBJECT_TYPES)},
            code="unknown_object_type",
        )


def check_may_evaluate(user: User) -> None:
    if not (user.is_superuser or user.role in EVALUATOR_ROLES):
        raise PermissionDenied(_("Evaluations are for the command centre and leaders."))


# -- counting


class FigureCounter:
    """Counts and sums per object key (as text) for one period and scope: one grouped query per step of the loop.

    (One query over the union of several steps' windows, each count filtered to its own, measured slower on
    PostgreSQL than a query per step read off the step's anchor index.) Region figures are counted once at the
    finest level — grouped by grid together with its community, sub-district and district, which the grid
    determines — and added up for whichever kind of region is asked.
    """

    def __init__(self, period: Period, user: User | None) -> None:
        self.period = period
        self.start, self.end = period.bounds()
        self.user = user
        self._region_rows: dict[frozenset, list[dict]] = {}

    def figures(self, object_type: str, codes: tuple[str, ...] | None = None) -> dict[str, dict]:
        """The counts behind `codes` (default: every column of the type) per object key."""
        figures: dict[str, dict] = defaultdict(dict)
        for part in self._parts(object_type, counts_needed(codes or COLUMNS[object_type])):
            for key, values in part.items():
                figures[key].update(values)
        return figures

    def _parts(self, object_type: str, needed: list[Indicator]):
        by_attribution: dict = {}
        for indicator in needed:
            if indicator.step in (AREA_STEP, HOTLINE_STEP, PATROL_STEP):
                continue
            attribution = STEPS[indicator.step].attribution_for(object_type)
            if attribution is not None:
                by_attribution.setdefault((attribution, indicator.step), []).append(indicator)
        if area := [i for i in needed if i.step == AREA_STEP]:
            yield _area_figures(area, self.start, self.end, self.user)
        if any(i.step == HOTLINE_STEP for i in needed):
            yield _hotline_figures(object_type, self.start, self.end, self.user)
        if any(i.step == PATROL_STEP for i in needed):
            yield _patrol_figures(object_type, self.start, self.end, self.user)
        if object_type in REGION_TYPES and by_attribution:
            steps = {step: indicators for (_attribution, step), indicators in by_attribution.items()}
            yield _add_up(self._grid_rows_once(steps), _REGION_FIELD[object_type])
            return
        for (attribution, _step), indicators in by_attribution.items():
            yield self._grouped(object_type, attribution, indicators)

    def _grid_rows_once(self, steps: dict[str, list[Indicator]]) -> list[dict]:
        """Every step's grid counts from one scan of the period's rows (any step's anchor in the period).

        Each count keeps to its own step's window in its FILTER. For regions (a few thousand grids, every step)
        one pass over the month's rows measured several times faster on PostgreSQL than a pass per step.
        """
        memo = frozenset((step, indicator.code) for step, indicators in steps.items() for indicator in indicators)
        if memo not in self._region_rows:
            window, aggregates = Q(pk__in=[]), {}
            for step, indicators in steps.items():
                inside = STEPS[step].window(self.start, self.end)
                window |= inside
                aggregates |= self._aggregates(indicators, inside)
            rows = CaseStats.objects.filter(window).filter(_scope(self.user)).values(*_REGION_FIELD.values())
            self._region_rows[memo] = list(rows.annotate(**aggregates).order_by())
        return self._region_rows[memo]

    def _grid_rows(self, indicators: list[Indicator]) -> list[dict]:
        memo = frozenset(indicator.code for indicator in indicators)
        if memo not in self._region_rows:
            rows = self._rows("grid", indicators).values(*_REGION_FIELD.values())
            self._region_rows[memo] = list(rows.annotate(**self._aggregates(indicators)).order_by())
        return self._region_rows[memo]

    def _grouped(self, object_type: str, attribution, indicators: list[Indicator]) -> dict[str, dict]:
        rows = self._rows(object_type, indicators).annotate(evaluated_object=attribution).values("evaluated_object")
        grouped = rows.annotate(**self._aggregates(indicators)).order_by()
        return {str(row.pop("evaluated_object")): row for row in grouped if row["evaluated_object"] is not None}

    def _rows(self, object_type: str, indicators: list[Indicator]) -> QuerySet[CaseStats]:
        """The rows of the indicators' step (they share one) in the period, within the scope."""
        step = STEPS[indicators[0].step]
        return step_rows(step, object_type, self.start, self.end).filter(_scope(self.user))

    @staticmethod
    def _aggregates(indicators: list[Indicator], window: Q | None = None) -> dict:
        """Counts, and for an average its sum and count (so that grids add up to communities)."""
        aggregates = {}
        for indicator in indicators:
            only = indicator.condition
            if window is not None:
                only = window if only is None else window & only
            if indicator.kind == "average":
                aggregates[f"{indicator.code}_sum"] = Sum(indicator.value_field, filter=only)
                aggregates[f"{indicator.code}_n"] = Count(indicator.value_field, filter=only)
            else:
                aggregates[indicator.code] = Count("pk", filter=only)
        return aggregates


_REGION_FIELD = {"district": "district", "subdistrict": "subdistrict", "community": "community", "grid": "unit_grid"}
_REGION_FIELDS = frozenset(_REGION_FIELD.values())


def _add_up(rows: list[dict], key_field: str) -> dict[str, dict]:
    """Grid rows summed per region of one level (a hot loop: 5,000 grids × every step × four levels)."""
    if not rows:
        return {}
    names = [name for name in rows[0] if name not in _REGION_FIELDS]
    totals: dict[object, dict] = {}
    for row in rows:
        key = row[key_field]
        sums = totals.get(key)
        if sums is None:
            totals[key] = sums = dict.fromkeys(names, 0)
        for name in names:
            if value := row[name]:
                sums[name] += value
    return {str(key): sums for key, sums in totals.items()}


def _scope(user: User | None, field_path: str = "grid_code") -> Q:
    return Q() if user is None else division_code_filter(user, field_path)


def _area_figures(indicators, start, end, user) -> dict[str, dict]:
    """An inspector's area is their data scope: the grid counts of the period summed over each inspector's prefixes."""
    areas = {str(inspector.pk): scope_prefixes(inspector) for inspector in _role_users("inspector")}
    by_prefix: dict[str, list[str]] = defaultdict(list)
    for key, prefixes in areas.items():
        for prefix in prefixes:
            by_prefix[prefix].append(key)
    if not by_prefix:
        return {}
    lengths = sorted({len(prefix) for prefix in by_prefix})
    rows = CaseStats.objects.filter(STEPS["register"].window(start, end)).filter(_scope(user))
    grouped = (
        rows.values("grid_code")
        .annotate(**{indicator.code: Count("pk", filter=indicator.condition) for indicator in indicators})
        .order_by()
    )
    figures: dict[str, dict] = {key: dict.fromkeys((i.code for i in indicators), 0) for key in areas if areas[key]}
    for row in grouped:
        code = row.pop("grid_code")
        inspectors = {key for length in lengths for key in by_prefix.get(code[:length], ())}
        for key in inspectors:
            for name, count in row.items():
                figures[key][name] += count
    return figures


def area_cases(indicator: Indicator, key: str, start: datetime, end: datetime) -> QuerySet[Case]:
    inspector = User.objects.filter(pk=int(key) if key.isdigit() else None, role=Role.INSPECTOR).first()
    prefixes = scope_prefixes(inspector) if inspector else []
    if not prefixes:
        return Case.objects.none()
    in_area = Q(pk__in=[])
    for prefix in prefixes:
        in_area |= Q(grid_code__startswith=prefix)
    rows = CaseStats.objects.filter(STEPS["register"].window(start, end)).filter(in_area)
    if indicator.condition is not None:
        rows = rows.filter(indicator.condition)
    return Case.objects.filter(pk__in=rows.values("case_id"))


def _hotline_figures(object_type: str, start: datetime, end: datetime, user: User | None) -> dict[str, dict]:
    if object_type != "district":
        return {}
    orders = WorkOrder.objects.filter(received_at__gte=start, received_at__lt=end)
    transferred = (
        orders.filter(state=OrderState.TRANSFERRED, case__isnull=False)
        .filter(_scope(user, "case__grid_code"))
        .values("case__district")
        .annotate(count=Count("pk"))
        .order_by()
    )
    figures: dict[str, dict] = defaultdict(lambda: {"answered_on_call": 0, "transferred": 0})
    for row in transferred:
        figures[str(row["case__district"])]["transferred"] = row["count"]
    districts = list(Division.objects.filter(level="district").values_list("pk", flat=True)[:2])
    if len(districts) == 1 and (user is None or sees_whole_district(user)):
        figures[str(districts[0])]["answered_on_call"] = orders.filter(state=OrderState.ANSWERED).count()
    return figures


def _patrol_figures(object_type: str, start: datetime, end: datetime, user: User | None) -> dict[str, dict]:
    """在岗时长 and 巡查里程 of the inspectors in the user's scope (a track is no case: no grid to scope it by)."""
    if object_type != "inspector":
        return {}
    shown = None if user is None else {person.pk for person in _role_users("inspector", user)}
    return {str(pk): values for pk, values in inspector_figures(start, end).items() if shown is None or pk in shown}


def hotline_cases(indicator: Indicator, object_type: str, key: str, start: datetime, end: datetime) -> QuerySet[Case]:
    if indicator.code != "transferred" or object_type != "district" or not key.isdigit():
        return Case.objects.none()
    return Case.objects.filter(
        district_id=int(key),
        work_order__state=OrderState.TRANSFERRED,
        work_order__received_at__gte=start,
        work_order__received_at__lt=end,
    )


def with_rates(codes: tuple[str, ...], counted: dict) -> Values:
    """Counts (0 when nothing counted), averages and rates (None with nothing to divide by) of `codes`."""
    values: Values = {}
    for code, kind, first, second in _plan(codes):
        if kind == "rate":
            numerator = counted.get(first) or 0
            denominator = counted.get(second) or 0
            values[code] = numerator / denominator if denominator else None
        elif kind == "average":
            total, number = counted.get(first), counted.get(second)
            values[code] = round(total / number, 2) if number else None
        else:
            values[code] = counted.get(code, 0)
    return values


@lru_cache(maxsize=64)
def _plan(codes: tuple[str, ...]) -> tuple[tuple[str, str, str, str], ...]:
    """What `with_rates` reads for each code, looked up once per set of codes (it runs for every object)."""
    plan = []
    for code in codes:
        indicator = INDICATORS[code]
        if indicator.kind == "rate":
            plan.append((code, "rate", indicator.numerator, indicator.denominator))
        elif indicator.kind == "average":
            plan.append((code, "average", f"{code}_sum", f"{code}_n"))
        else:
            plan.append((code, indicator.kind, code, ""))
    return tuple(plan)


# -- the objects evaluated


def evaluated_objects(object_type: str, user: User | None, extra_keys=()) -> dict[str, str]:
    """Key → display name of every object of the type in the user's scope, plus any that has figures."""
    if object_type in REGION_TYPES:
        objects = _regions(object_type, user)
    elif object_type == "department":
        departments = visible_departments(user) if user is not None else _all_active_departments()
        objects = {str(pk): name for pk, name in departments.values_list("pk", "name")}
    else:
        objects = {str(person.pk): str(person) for person in _role_users(object_type, user)}
    missing = [key for key in extra_keys if key not in objects]
    if missing:
        objects.update(_names(object_type, missing))
    return objects


def _regions(object_type: str, user: User | None) -> dict[str, str]:
    if object_type == "grid":
        grids = UnitGrid.objects.filter(valid_to__isnull=True).filter(_scope(user, "code"))
        return {str(pk): f"{code} {name}".strip() for pk, code, name in grids.values_list("pk", "code", "name")}
    divisions = Division.objects.filter(level=object_type).filter(_scope(user, "code"))
    return {str(pk): name for pk, name in divisions.order_by("code").values_list("pk", "name")}


def _all_active_departments() -> QuerySet[Department]:
    return Department.objects.filter(active=True)


def _role_users(object_type: str, user: User | None = None) -> list[User]:
    people = User.objects.filter(role=ROLE_OF_TYPE[object_type], is_active=True).order_by("username")
    if user is not None and not sees_everything(user):
        # A scoped leader sees the people working inside their scope; others appear when they have figures.
        return [person for person in people if _inside(scope_prefixes(person), scope_prefixes(user))]
    return list(people)


def _inside(prefixes: list[str], within: list[str]) -> bool:
    return bool(prefixes) and all(any(p.startswith(w) for w in within) for p in prefixes)


def _names(object_type: str, keys: list[str]) -> dict[str, str]:
    ids = [int(key) for key in keys if key.isdigit()]
    if object_type == "grid":
        return {str(pk): code for pk, code in UnitGrid.objects.filter(pk__in=ids).values_list("pk", "code")}
    if object_type in REGION_TYPES:
        return {str(pk): name for pk, name in Division.objects.filter(pk__in=ids).values_list("pk", "name")}
    if object_type == "department":
        return {str(pk): name for pk, name in Department.objects.filter(pk__in=ids).values_list("pk", "name")}
    return {str(person.pk): str(person) for person in User.objects.filter(pk__in=ids)}


# -- scores and ranks


def min_sample() -> int:
    """The fewest cases an object's score may rest on (settings.XIUHUA_EVALUATION_MIN_SAMPLE, at least 1)."""
    return max(int(settings.XIUHUA_EVALUATION_MIN_SAMPLE), 1)


def _score_and_rank(rows: list[EvaluationRow], components: list[dict], sample_code: str, minimum: int) -> None:
    for row in rows:
        row.sample = int(row.values.get(sample_code) or 0)
        row.insufficient = row.sample < minimum
        # 样本不足: a score on one or two cases says nothing, so it is neither shown, graded nor ranked.
        row.score = None if row.insufficient else scoring.composite_score(components, row.values)
        row.grade = scoring.grade(row.score)
    ranks = scoring.competition_ranks({row.key: row.score for row in rows})
    for row in rows:
        row.rank = ranks.get(row.key)


def _compare(rows: list[EvaluationRow], previous: dict[str, EvaluationRow]) -> None:
    for row in rows:
        before = previous.get(row.key)
        if before is None:
            continue
        row.previous_score, row.previous_rank = before.score, before.rank
        if row.rank is not None and before.rank is not None:
            row.rank_change = before.rank - row.rank
