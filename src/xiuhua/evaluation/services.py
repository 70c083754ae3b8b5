"""Evaluation (综合评价): the indicators of every region, department and person for a period, scored and ranked.

`evaluate` is the one entry point (web page, API, monthly report, CLI, tests). Counting happens in the database:
one grouped query per step of the loop the object type is judged on (`indicators.STEPS`), each reading the
period's rows off the index of its anchor time; rates, scores and ranks are then worked out in Python.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from xiuhua.accounts.choices import Role
from xiuhua.accounts.models import Department, User
from xiuhua.accounts.queries import division_code_filter, scope_prefixes, sees_everything, visible_departments
from xiuhua.cases.models import Case, CaseStats
from xiuhua.core.errors import DomainError, PermissionDenied
from xiuhua.evaluation import scoring
from xiuhua.evaluation.indicators import (
    AREA_STEP,
    COLUMNS,
    HOTLINE_STEP,
    INDICATORS,
    OBJECT_TYPES,
    REGION_TYPES,
    STEPS,
    Indicator,
    Step,
    counts_needed,
    step_rows,
)
from xiuhua.evaluation.models import ScoreScheme
from xiuhua.evaluation.periods import Period
from xiuhua.intake.channels.hotline.models import OrderState, WorkOrder
from xiuhua.territory.models import Division, UnitGrid

__all__ = ["OBJECT_TYPES", "Evaluation", "EvaluationRow", "evaluate", "evaluate_many"]

# Who may read evaluations: the command centre and leaders (a department sees its own figures on its workbench).
EVALUATOR_ROLES = (Role.ADMIN, Role.LEADER, Role.COMMANDER, Role.SHIFT_LEADER, Role.DISPATCHER)
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


@dataclass
class Evaluation:
    object_type: str
    period: Period
    indicators: list[Indicator]
    rows: list[EvaluationRow]
    scheme: ScoreScheme | None = None
    scheme_components: list[dict] = field(default_factory=list)


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
        previous = _evaluate_period(object_types, FigureCounter(period.previous(), user), user)
        for object_type, result in current.items():
            _compare(result.rows, {row.key: row for row in previous[object_type].rows})
    return current


def _evaluate_period(object_types, counter: FigureCounter, user: User | None) -> dict[str, Evaluation]:
    schemes = {scheme.object_type: scheme for scheme in ScoreScheme.objects.filter(object_type__in=object_types)}
    results = {}
    for object_type in object_types:
        scheme = schemes.get(object_type)
        components = scheme.components if scheme else list(scoring.default_scheme(object_type)[1])
        figures = counter.figures(object_type)
        rows = [
            EvaluationRow(key, name, with_rates(object_type, figures.get(key, {})))
            for key, name in evaluated_objects(object_type, user, extra_keys=figures.keys()).items()
        ]
        _score_and_rank(rows, components)
        rows.sort(key=lambda row: (row.rank is None, row.rank or 0, row.name))
        indicators = [INDICATORS[code] for code in COLUMNS[object_type]]
        results[object_type] = Evaluation(object_type, counter.period, indicators, rows, scheme, components)
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
    """Counts and sums per object key (as text) for one period and scope, each step of the loop in one grouped query.

    Region figures are counted once per step at the finest level — grouped by grid together with its community,
    sub-district and district, which the grid determines — and added up for whichever kind of region is asked.
    """

    def __init__(self, period: Period, user: User | None) -> None:
        self.period = period
        self.start, self.end = period.bounds()
        self.user = user
        self._region_steps: dict[str, list[dict]] = {}

    def figures(self, object_type: str) -> dict[str, dict]:
        by_step: dict[str, list[Indicator]] = defaultdict(list)
        for indicator in counts_needed(COLUMNS[object_type]):
            by_step[indicator.step].append(indicator)
        figures: dict[str, dict] = defaultdict(dict)
        for step_code, indicators in by_step.items():
            for key, values in self._step(object_type, step_code, indicators).items():
                figures[key].update(values)
        return figures

    def _step(self, object_type: str, step_code: str, indicators: list[Indicator]) -> dict[str, dict]:
        if step_code == AREA_STEP:
            return _area_figures(indicators, self.start, self.end, self.user)
        if step_code == HOTLINE_STEP:
            return _hotline_figures(object_type, self.start, self.end, self.user)
        if object_type in REGION_TYPES:
            return _add_up(self._region_rows(step_code), _REGION_FIELD[object_type])
        return _step_figures(STEPS[step_code], indicators, object_type, self.start, self.end, self.user)

    def _region_rows(self, step_code: str) -> list[dict]:
        if step_code not in self._region_steps:
            indicators = [i for i in counts_needed(COLUMNS["district"]) if i.step == step_code]
            rows = step_rows(STEPS[step_code], "district", self.start, self.end).filter(_scope(self.user))
            grouped = rows.values(*_REGION_FIELD.values()).annotate(**_aggregates(indicators))
            self._region_steps[step_code] = list(grouped.order_by())
        return self._region_steps[step_code]


_REGION_FIELD = {"district": "district", "subdistrict": "subdistrict", "community": "community", "grid": "unit_grid"}
_REGION_FIELDS = frozenset(_REGION_FIELD.values())


def _add_up(rows: list[dict], key_field: str) -> dict[str, dict]:
    totals: dict[str, dict] = {}
    for row in rows:
        sums = totals.setdefault(str(row[key_field]), defaultdict(int))
        for name, value in row.items():
            if name not in _REGION_FIELDS and value is not None:
                sums[name] += value
    return totals


def _scope(user: User | None, field_path: str = "grid_code") -> Q:
    return Q() if user is None else division_code_filter(user, field_path)


def _aggregates(indicators: list[Indicator]) -> dict:
    """Counts, and for an average its sum and count (so that grids add up to communities)."""
    aggregates = {}
    for indicator in indicators:
        if indicator.kind == "average":
            aggregates[f"{indicator.code}_sum"] = Sum(indicator.value_field, filter=indicator.condition)
            aggregates[f"{indicator.code}_n"] = Count(indicator.value_field, filter=indicator.condition)
        else:
            aggregates[indicator.code] = Count("pk", filter=indicator.condition)
    return aggregates


def _step_figures(step: Step, indicators, object_type, start, end, user) -> dict[str, dict]:
    attribution = step.attribution_for(object_type)
    if attribution is None:
        return {}
    rows = step_rows(step, object_type, start, end).filter(_scope(user))
    grouped = (
        rows.annotate(evaluated_object=attribution)
        .values("evaluated_object")
        .annotate(**_aggregates(indicators))
        .order_by()
    )
    return {str(row.pop("evaluated_object")): row for row in grouped if row["evaluated_object"] is not None}


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
    if len(districts) == 1 and (user is None or sees_everything(user)):
        figures[str(districts[0])]["answered_on_call"] = orders.filter(state=OrderState.ANSWERED).count()
    return figures


def hotline_cases(indicator: Indicator, object_type: str, key: str, start: datetime, end: datetime) -> QuerySet[Case]:
    if indicator.code != "transferred" or object_type != "district" or not key.isdigit():
        return Case.objects.none()
    return Case.objects.filter(
        district_id=int(key),
        work_order__state=OrderState.TRANSFERRED,
        work_order__received_at__gte=start,
        work_order__received_at__lt=end,
    )


def with_rates(object_type: str, counted: dict) -> Values:
    """The object's columns: counts (0 when nothing counted), averages and rates (None with nothing to divide by)."""
    values: Values = {}
    for code in COLUMNS[object_type]:
        indicator = INDICATORS[code]
        if indicator.kind == "rate":
            numerator = counted.get(indicator.numerator) or 0
            denominator = counted.get(indicator.denominator) or 0
            values[code] = numerator / denominator if denominator else None
        elif indicator.kind == "average":
            total, number = counted.get(f"{code}_sum"), counted.get(f"{code}_n")
            values[code] = round(total / number, 2) if number else None
        else:
            values[code] = counted.get(code, 0)
    return values


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


def _score_and_rank(rows: list[EvaluationRow], components: list[dict]) -> None:
    for row in rows:
        row.score = scoring.composite_score(components, row.values)
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
