"""The indicators of evaluation (考核指标): every definition in one place, with the formula users see.

Each count is a rule over the per-case statistics rows (`cases.CaseStats`), never over the timeline, and each
belongs to a **step**: the stage time that puts a case in a period (its *anchor*) and, per object type, who or
what the case counts for (its *attribution*). The counting rules (reference/standards.md §6.2–6.3):

- **Volumes count when the work was done.** 受理数 counts cases accepted in the period, 立案数 cases registered in
  it, 作废数 cases voided in it, 回访数 callbacks made in it; 按时 means the stage's own limit was met.
- **Due figures count when the work became due, and what happened to those cases since.** 应核实/应核查 are the
  verify and check tasks sent in the period (核实数/按期核实数: of those, done / done in time). 应派遣 and
  应结案 are the cases registered in the period (voided ones are not 应结案). 应处置 are the cases first
  dispatched in the period and not voided; of those, 处置数 were reported back, 按期处置 by the deadline in
  force (extensions included), 超期处置 after it, and 超期未处置 passed their limit and are still with the
  department. So figures of a recent period still move while its cases are open: the monthly report freezes them.
- **有效上报** is a report that was registered (including ones voided later, as the implementations in §6.3
  count 立案 + 作废) or that the inspector handled on the spot; merged duplicates and declined reports are not.
- **准确派遣**: dispatched to one department only; a case sent to a second department was dispatched wrongly.
- **返工** is counted when the case closes: a closed case that went back for another handling round (a failed
  check or a reopening) at least once.
- **漏报** (inspectors): a problem from the public (citizen, hotline, Open311, media) registered in the period in
  the inspector's patrol area (their data scope); 漏报率 divides by all cases registered in that area.
- **Departments** answer for the cases they reported back last, or hold now (the lead unit); a case returned
  and dispatched elsewhere counts for the unit that took it.
- **满意率** counts 非常满意, 满意 and 基本满意 among the callbacks; 满意度 is the mean satisfaction score.
- **12345 figures** come from the hotline work orders received in the period: 当即办理 (answered on the call) and
  转办 (transferred to a case). Answered orders have no place, so they count for the district only when the
  installation has one district.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy

from xiuhua.cases.choices import Satisfaction, Source
from xiuhua.cases.department_queue import LEAD_OPEN, REPORTED_BACK
from xiuhua.cases.models import Case, CaseStats

REGION_TYPES = ("district", "subdistrict", "community", "grid")
ROLE_TYPES = ("inspector", "operator", "shift_leader", "dispatcher")
OBJECT_TYPES = (*REGION_TYPES, "department", *ROLE_TYPES)

PUBLIC_SOURCES = (Source.CITIZEN, Source.HOTLINE_12345, Source.HOTLINE_12319, Source.OPEN311, Source.MEDIA)
SATISFIED = (Satisfaction.VERY_SATISFIED, Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED)
# Still with the department: not yet reported back, not finished.
WITH_DEPARTMENT = tuple(status for status in LEAD_OPEN if status not in REPORTED_BACK)

# What a case counts for, per object type, as an expression over a CaseStats row.
_REGION_ATTRIBUTION = {
    "district": F("district"),
    "subdistrict": F("subdistrict"),
    "community": F("community"),
    "grid": F("unit_grid"),
}
_DEPARTMENT = Coalesce("handled_by_department", "lead_department")


@dataclass(frozen=True)
class Step:
    """Where a family of counts is anchored in time and whom it counts for."""

    code: str
    anchor: str  # the CaseStats time field that places a case in a period
    attribution: dict  # object type -> expression (regions are added for every step)
    # Rows a role is judged on (e.g. an inspector only for reports they made in the street).
    role_filter: dict = field(default_factory=dict)

    def attribution_for(self, object_type: str):
        if object_type in _REGION_ATTRIBUTION:
            return _REGION_ATTRIBUTION[object_type]
        return self.attribution.get(object_type)

    def window(self, start: datetime, end: datetime) -> Q:
        return Q(**{f"{self.anchor}__gte": start, f"{self.anchor}__lt": end})


STEPS = {
    step.code: step
    for step in (
        Step(
            "report",
            "reported_at",
            {"inspector": F("reported_by")},
            {"inspector": Q(source=Source.INSPECTOR)},
        ),
        Step("accept", "accepted_at", {"operator": F("accepted_by")}),
        Step("verify", "verify_sent_at", {"inspector": Coalesce("verified_by", "assigned_inspector")}),
        Step(
            "register",
            "registered_at",
            {
                "shift_leader": F("registered_by"),
                "dispatcher": F("dispatched_by"),
                "department": _DEPARTMENT,
            },
        ),
        Step("handle", "first_dispatched_at", {"department": _DEPARTMENT, "dispatcher": F("dispatched_by")}),
        Step("check", "check_sent_at", {"inspector": Coalesce("checked_by", "assigned_inspector")}),
        Step("close", "closed_at", {"shift_leader": F("closed_by")}),
        Step("void", "voided_at", {}),
        Step("callback", "callback_at", {"operator": F("callback_by"), "department": _DEPARTMENT}),
    )
}
# Special steps computed outside the CaseStats grouping (see `services`).
AREA_STEP = "area"  # an inspector's patrol area: cases registered in the grids of their data scope
HOTLINE_STEP = "hotline"  # hotline work orders received in the period
PATROL_STEP = "patrol"  # an inspector's shifts on duty begun in the period (patrol app)


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str | Promise
    formula: str | Promise
    kind: str  # count | rate | average | sum (a total of a measure, such as hours or kilometres)
    step: str = ""
    condition: Q | None = None  # counts: rows of the step's window that count (None: all of them)
    numerator: str = ""  # rates
    denominator: str = ""
    value_field: str = ""  # averages: the CaseStats field averaged over the rows of `condition`
    higher_is_better: bool = True

    @property
    def drillable(self) -> bool:
        """Whether the figure has a list of cases behind it (answered hotline orders have none)."""
        return self.kind not in ("rate", "sum") and self.code != "answered_on_call"


def _count(code, label, formula, step, condition=None, *, higher_is_better=True) -> Indicator:
    return Indicator(code, label, formula, "count", step, condition, higher_is_better=higher_is_better)


def _rate(code, label, numerator, denominator, *, higher_is_better=True) -> Indicator:
    formula = pgettext_lazy("indicator", "%(numerator)s ÷ %(denominator)s")  # filled in below, once every count exists
    return Indicator(code, label, formula, "rate", numerator=numerator, denominator=denominator,
                     higher_is_better=higher_is_better)  # fmt: skip


_HANDLE_DUE = Q(voided_at__isnull=True)
_CLOSE_DUE = Q(voided_at__isnull=True)
_CLOSED = _CLOSE_DUE & Q(closed_at__isnull=False)

_DEFINITIONS = [
    # Reports (上报)
    _count(
        "report",
        pgettext_lazy("indicator", "Reports"),
        pgettext_lazy("indicator", "Cases reported in the period"),
        "report",
    ),
    _count(
        "valid_report",
        pgettext_lazy("indicator", "Valid reports"),
        pgettext_lazy(
            "indicator", "Reports in the period that were registered (voided later included) or handled on the spot"
        ),
        "report",
        Q(registered_at__isnull=False) | Q(self_handled=True),
    ),
    _rate("valid_report_rate", pgettext_lazy("indicator", "Valid report rate"), "valid_report", "report"),
    _count(
        "public_report",
        pgettext_lazy("indicator", "Public reports"),
        pgettext_lazy("indicator", "Reports in the period from citizens, hotlines, Open311 apps and the media"),
        "report",
        Q(source__in=PUBLIC_SOURCES),
    ),
    _count(
        "self_handled",
        pgettext_lazy("indicator", "Self-handled"),
        pgettext_lazy("indicator", "Reports in the period the inspector handled on the spot"),
        "report",
        Q(self_handled=True),
    ),  # fmt: skip
    # Accept (受理)
    _count(
        "accept",
        pgettext_lazy("indicator", "Accepted"),
        pgettext_lazy("indicator", "Cases accepted in the period"),
        "accept",
    ),
    _count(
        "accept_on_time",
        pgettext_lazy("indicator", "Accepted on time"),
        pgettext_lazy("indicator", "Accepted in the period within the accept limit"),
        "accept",
        Q(accept_on_time=True),
    ),  # fmt: skip
    _rate("accept_on_time_rate", pgettext_lazy("indicator", "On-time accept rate"), "accept_on_time", "accept"),
    # Verify (核实)
    _count(
        "need_verify",
        pgettext_lazy("indicator", "Verifications due"),
        pgettext_lazy("indicator", "Verify tasks sent in the period"),
        "verify",
    ),
    _count(
        "verify",
        pgettext_lazy("indicator", "Verified"),
        pgettext_lazy("indicator", "Verify tasks sent in the period that were done"),
        "verify",
        Q(verified_at__isnull=False),
    ),  # fmt: skip
    _count(
        "verify_on_time",
        pgettext_lazy("indicator", "Verified on time"),
        pgettext_lazy("indicator", "Verify tasks sent in the period done within the limit"),
        "verify",
        Q(verify_on_time=True),
    ),  # fmt: skip
    _rate("verify_on_time_rate", pgettext_lazy("indicator", "On-time verify rate"), "verify_on_time", "need_verify"),
    # Register (立案)
    _count(
        "register",
        pgettext_lazy("indicator", "Registered"),
        pgettext_lazy("indicator", "Cases registered in the period"),
        "register",
    ),
    _count(
        "register_on_time",
        pgettext_lazy("indicator", "Registered on time"),
        pgettext_lazy("indicator", "Registered in the period within the register limit"),
        "register",
        Q(register_on_time=True),
    ),  # fmt: skip
    _rate("register_on_time_rate", pgettext_lazy("indicator", "On-time register rate"), "register_on_time", "register"),
    _count(
        "accurate_register",
        pgettext_lazy("indicator", "Accurately registered"),
        pgettext_lazy("indicator", "Registered in the period and not voided since"),
        "register",
        Q(voided_at__isnull=True),
    ),  # fmt: skip
    _rate(
        "accurate_register_rate", pgettext_lazy("indicator", "Accurate register rate"), "accurate_register", "register"
    ),
    # Dispatch (派遣)
    _count(
        "need_dispatch",
        pgettext_lazy("indicator", "Dispatches due"),
        pgettext_lazy("indicator", "Cases registered in the period (each is to be dispatched)"),
        "register",
        Q(self_handled=False),
    ),  # fmt: skip
    _count(
        "dispatch",
        pgettext_lazy("indicator", "Dispatched"),
        pgettext_lazy("indicator", "Cases registered in the period that were dispatched"),
        "register",
        Q(first_dispatched_at__isnull=False),
    ),  # fmt: skip
    _count(
        "dispatch_on_time",
        pgettext_lazy("indicator", "Dispatched on time"),
        pgettext_lazy("indicator", "Dispatched within the dispatch limit"),
        "register",
        Q(dispatch_on_time=True),
    ),  # fmt: skip
    _rate(
        "dispatch_on_time_rate",
        pgettext_lazy("indicator", "On-time dispatch rate"),
        "dispatch_on_time",
        "need_dispatch",
    ),
    _count(
        "accurate_dispatch",
        pgettext_lazy("indicator", "Accurately dispatched"),
        pgettext_lazy("indicator", "Dispatched to one department only, never re-sent"),
        "register",
        Q(accurate_dispatch=True),
    ),  # fmt: skip
    _rate(
        "accurate_dispatch_rate",
        pgettext_lazy("indicator", "Accurate dispatch rate"),
        "accurate_dispatch",
        "need_dispatch",
    ),
    # Handle (处置)
    _count(
        "need_handle",
        pgettext_lazy("indicator", "Handling due"),
        pgettext_lazy("indicator", "Cases first dispatched in the period and not voided"),
        "handle",
        _HANDLE_DUE,
    ),  # fmt: skip
    _count(
        "handled",
        pgettext_lazy("indicator", "Handled"),
        pgettext_lazy("indicator", "Of the handling due, cases reported back"),
        "handle",
        _HANDLE_DUE & Q(reported_back_at__isnull=False),
    ),  # fmt: skip
    _rate("handle_rate", pgettext_lazy("indicator", "Handling rate"), "handled", "need_handle"),
    _count(
        "handled_on_time",
        pgettext_lazy("indicator", "Handled on time"),
        pgettext_lazy("indicator", "Of the handling due, reported back by the deadline in force"),
        "handle",
        _HANDLE_DUE & Q(handling_on_time=True),
    ),  # fmt: skip
    _rate("handle_on_time_rate", pgettext_lazy("indicator", "On-time handling rate"), "handled_on_time", "need_handle"),
    _count(
        "handled_late",
        pgettext_lazy("indicator", "Handled late"),
        pgettext_lazy("indicator", "Of the handling due, reported back after the deadline"),
        "handle",
        _HANDLE_DUE & Q(handling_on_time=False),
        higher_is_better=False,
    ),  # fmt: skip
    _count(
        "overdue_unhandled",
        pgettext_lazy("indicator", "Overdue, not handled"),
        pgettext_lazy("indicator", "Of the handling due, past the limit and still with the department"),
        "handle",
        _HANDLE_DUE & Q(handling_overdue=True, status__in=WITH_DEPARTMENT),
        higher_is_better=False,
    ),
    _rate(
        "overdue_unhandled_rate",
        pgettext_lazy("indicator", "Overdue unhandled rate"),
        "overdue_unhandled",
        "need_handle",
        higher_is_better=False,
    ),  # fmt: skip
    _count(
        "extended",
        pgettext_lazy("indicator", "Extended"),
        pgettext_lazy("indicator", "Of the handling due, cases given an extension"),
        "handle",
        _HANDLE_DUE & Q(extension_count__gt=0),
        higher_is_better=False,
    ),  # fmt: skip
    _rate(
        "extension_rate",
        pgettext_lazy("indicator", "Extension rate"),
        "extended",
        "need_handle",
        higher_is_better=False,
    ),
    _count(
        "returned",
        pgettext_lazy("indicator", "Returned"),
        pgettext_lazy("indicator", "Cases first dispatched in the period that were returned as wrongly sent"),
        "handle",
        Q(return_count__gt=0),
        higher_is_better=False,
    ),  # fmt: skip
    _count(
        "suspended",
        pgettext_lazy("indicator", "Suspended"),
        pgettext_lazy("indicator", "Of the handling due, cases suspended at least once"),
        "handle",
        _HANDLE_DUE & Q(suspension_count__gt=0),
        higher_is_better=False,
    ),  # fmt: skip
    # Check (核查)
    _count(
        "need_check",
        pgettext_lazy("indicator", "Checks due"),
        pgettext_lazy("indicator", "Check tasks sent in the period"),
        "check",
    ),
    _count(
        "check",
        pgettext_lazy("indicator", "Checked"),
        pgettext_lazy("indicator", "Check tasks sent in the period that were done"),
        "check",
        Q(checked_at__isnull=False),
    ),  # fmt: skip
    _count(
        "check_on_time",
        pgettext_lazy("indicator", "Checked on time"),
        pgettext_lazy("indicator", "Check tasks sent in the period done within the limit"),
        "check",
        Q(check_on_time=True),
    ),  # fmt: skip
    _rate("check_on_time_rate", pgettext_lazy("indicator", "On-time check rate"), "check_on_time", "need_check"),
    # Close (结案)
    _count(
        "need_close",
        pgettext_lazy("indicator", "Closing due"),
        pgettext_lazy("indicator", "Cases registered in the period and not voided"),
        "register",
        _CLOSE_DUE,
    ),  # fmt: skip
    _count(
        "closed",
        pgettext_lazy("indicator", "Closed"),
        pgettext_lazy("indicator", "Of the closing due, cases closed"),
        "register",
        _CLOSED,
    ),
    _rate("close_rate", pgettext_lazy("indicator", "Closure rate"), "closed", "need_close"),
    _count(
        "closed_on_time",
        pgettext_lazy("indicator", "Closed on time"),
        pgettext_lazy("indicator", "Of the closing due, closed and handled within the limit"),
        "register",
        _CLOSED & Q(handling_on_time=True),
    ),  # fmt: skip
    _rate("close_on_time_rate", pgettext_lazy("indicator", "On-time closure rate"), "closed_on_time", "need_close"),
    _count(
        "reworked",
        pgettext_lazy("indicator", "Reworked"),
        pgettext_lazy("indicator", "Of the closing due, closed after at least one more handling round"),
        "register",
        _CLOSED & Q(rework_count__gt=0),
        higher_is_better=False,
    ),  # fmt: skip
    _rate("rework_rate", pgettext_lazy("indicator", "Rework rate"), "reworked", "need_close", higher_is_better=False),
    _count(
        "closing",
        pgettext_lazy("indicator", "Closures"),
        pgettext_lazy("indicator", "Cases closed in the period"),
        "close",
    ),
    _count(
        "closing_on_time",
        pgettext_lazy("indicator", "Closures on time"),
        pgettext_lazy("indicator", "Cases closed in the period within the close limit"),
        "close",
        Q(close_on_time=True),
    ),  # fmt: skip
    _rate("closing_on_time_rate", pgettext_lazy("indicator", "On-time closing rate"), "closing_on_time", "closing"),
    _count(
        "void",
        pgettext_lazy("indicator", "Voided"),
        pgettext_lazy("indicator", "Cases voided in the period"),
        "void",
        higher_is_better=False,
    ),
    # Callback (回访) and satisfaction
    _count(
        "callback",
        pgettext_lazy("indicator", "Callbacks"),
        pgettext_lazy("indicator", "Callbacks made in the period"),
        "callback",
    ),
    _count(
        "satisfied",
        pgettext_lazy("indicator", "Satisfied"),
        pgettext_lazy("indicator", "Callbacks in the period rated very satisfied, satisfied or basically satisfied"),
        "callback",
        Q(satisfaction__in=SATISFIED),
    ),  # fmt: skip
    _rate("satisfaction_rate", pgettext_lazy("indicator", "Satisfaction rate"), "satisfied", "callback"),
    Indicator(
        "satisfaction_score",
        pgettext_lazy("indicator", "Satisfaction score"),
        pgettext_lazy("indicator", "Mean satisfaction score of the callbacks made in the period"),
        "average",
        "callback",
        Q(satisfaction_score__isnull=False),
        value_field="satisfaction_score",
    ),
    # An inspector's patrol area
    _count(
        "area_register",
        pgettext_lazy("indicator", "Registered in the area"),
        pgettext_lazy("indicator", "Cases registered in the period in the inspector's area"),
        AREA_STEP,
    ),  # fmt: skip
    _count(
        "missed_report",
        pgettext_lazy("indicator", "Missed reports"),
        pgettext_lazy("indicator", "Public reports registered in the period in the inspector's area"),
        AREA_STEP,
        Q(source__in=PUBLIC_SOURCES),
        higher_is_better=False,
    ),
    _rate(
        "missed_report_rate",
        pgettext_lazy("indicator", "Missed report rate"),
        "missed_report",
        "area_register",
        higher_is_better=False,
    ),
    # An inspector's patrol (在岗时长, 巡查里程): from the shifts on duty, not from cases
    Indicator(
        "on_duty_hours",
        pgettext_lazy("indicator", "On-duty hours"),
        pgettext_lazy("indicator", "Hours on duty of the shifts begun in the period (上岗 to 下岗)"),
        "sum",
        PATROL_STEP,
    ),
    Indicator(
        "patrol_km",
        pgettext_lazy("indicator", "Patrol distance (km)"),
        pgettext_lazy(
            "indicator",
            "Distance walked along the tracks of the shifts begun in the period, without GPS jitter or jumps",
        ),
        "sum",
        PATROL_STEP,
    ),
    # 12345 hotline
    _count(
        "answered_on_call",
        pgettext_lazy("indicator", "Answered on the call"),
        pgettext_lazy("indicator", "Hotline orders received in the period and answered on the call"),
        HOTLINE_STEP,
    ),  # fmt: skip
    _count(
        "transferred",
        pgettext_lazy("indicator", "Transferred"),
        pgettext_lazy("indicator", "Hotline orders received in the period and transferred to a case"),
        HOTLINE_STEP,
    ),  # fmt: skip
]
INDICATORS: dict[str, Indicator] = {indicator.code: indicator for indicator in _DEFINITIONS}


def formula(indicator: Indicator) -> str:
    """The definition shown to users: a rate spells out its numerator and denominator."""
    if indicator.kind == "rate":
        return str(indicator.formula) % {
            "numerator": INDICATORS[indicator.numerator].label,
            "denominator": INDICATORS[indicator.denominator].label,
        }
    return str(indicator.formula)


_REGION_COLUMNS = (
    "report", "valid_report", "valid_report_rate", "public_report", "register", "register_on_time_rate",
    "need_handle", "handled", "handle_rate", "handled_on_time", "handle_on_time_rate", "overdue_unhandled",
    "need_close", "closed", "close_rate", "close_on_time_rate", "reworked", "rework_rate", "returned", "extended",
    "suspended", "void", "callback", "satisfaction_rate", "satisfaction_score",
)  # fmt: skip
# The indicators shown for each object type, in column order.
COLUMNS: dict[str, tuple[str, ...]] = {
    "district": (*_REGION_COLUMNS, "answered_on_call", "transferred"),
    "subdistrict": _REGION_COLUMNS,
    "community": _REGION_COLUMNS,
    "grid": _REGION_COLUMNS,
    "department": (
        "need_handle", "handled", "handle_rate", "handled_on_time", "handle_on_time_rate", "handled_late",
        "overdue_unhandled", "overdue_unhandled_rate", "extended", "extension_rate", "suspended",
        "need_close", "closed", "close_rate", "reworked", "rework_rate", "callback", "satisfaction_rate",
        "satisfaction_score",
    ),
    "inspector": (
        "report", "valid_report", "valid_report_rate", "self_handled", "area_register", "missed_report",
        "missed_report_rate", "need_verify", "verify", "verify_on_time", "verify_on_time_rate", "need_check",
        "check", "check_on_time", "check_on_time_rate", "on_duty_hours", "patrol_km",
    ),
    "operator": ("accept", "accept_on_time", "accept_on_time_rate", "callback", "satisfied", "satisfaction_rate"),
    "shift_leader": (
        "register", "register_on_time", "register_on_time_rate", "accurate_register", "accurate_register_rate",
        "closing", "closing_on_time", "closing_on_time_rate",
    ),
    "dispatcher": (
        "need_dispatch", "dispatch", "dispatch_on_time", "dispatch_on_time_rate", "accurate_dispatch",
        "accurate_dispatch_rate", "returned",
    ),
}  # fmt: skip


# The sample of each object type (样本量): the count of cases its score rests on. Below the minimum sample
# (settings.XIUHUA_EVALUATION_MIN_SAMPLE) an object gets 样本不足 instead of a score, grade and rank.
SAMPLE: dict[str, str] = {
    "district": "register",
    "subdistrict": "register",
    "community": "register",
    "grid": "register",
    "department": "need_handle",
    "inspector": "report",
    "operator": "accept",
    "shift_leader": "register",
    "dispatcher": "need_dispatch",
}


def counts_needed(codes: tuple[str, ...]) -> list[Indicator]:
    """The counts and averages behind a set of columns (a rate needs its numerator and denominator)."""
    needed: dict[str, Indicator] = {}
    for code in codes:
        indicator = INDICATORS[code]
        parts = (indicator.numerator, indicator.denominator) if indicator.kind == "rate" else (code,)
        for part in parts:
            needed[part] = INDICATORS[part]
    return list(needed.values())


def step_rows(step: Step, object_type: str, start: datetime, end: datetime) -> QuerySet[CaseStats]:
    """The CaseStats rows of a step's window in the period, restricted to what the object type is judged on."""
    rows = CaseStats.objects.filter(step.window(start, end))
    if object_type in step.role_filter:
        rows = rows.filter(step.role_filter[object_type])
    return rows


def indicator_cases(code: str, object_type: str, key: str, period) -> QuerySet[Case]:
    """The cases behind one figure: what a drill-down link lists. A rate lists its numerator's cases."""
    from xiuhua.evaluation import services  # the area and hotline rules live with the evaluation

    indicator = INDICATORS[code]
    if indicator.kind == "rate":
        indicator = INDICATORS[indicator.numerator]
    start, end = period.bounds()
    if indicator.step == AREA_STEP:
        return services.area_cases(indicator, key, start, end)
    if indicator.step == HOTLINE_STEP:
        return services.hotline_cases(indicator, object_type, key, start, end)
    step = STEPS[indicator.step]
    attribution = step.attribution_for(object_type)
    if attribution is None:
        return Case.objects.none()
    rows = step_rows(step, object_type, start, end).annotate(evaluated_object=attribution)
    rows = rows.filter(evaluated_object=key)
    if indicator.condition is not None:
        rows = rows.filter(indicator.condition)
    return Case.objects.filter(pk__in=rows.values("case_id"))
