"""What the evaluation page shows and how its figures open the case list behind them.

The page (`views.evaluation`) ranks one kind of object over one period with `evaluation.services.evaluate`;
every figure of the ranking links to `/cases/?indicator=…&object_type=…&object=…&period=…`, and the case list
narrows the user's visible cases to `evaluation.indicators.indicator_cases` of that figure (`DrillDown`).
A rate links its numerator and its denominator separately, so each number a user sees is a list they can open.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlencode

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiuhua.accounts.models import Department, User
from xiuhua.cases.models import Case
from xiuhua.core.errors import DomainError
from xiuhua.evaluation.indicators import INDICATORS, Indicator, formula, indicator_cases
from xiuhua.evaluation.periods import Period, PeriodError, parse_period
from xiuhua.evaluation.services import Evaluation, EvaluationRow, check_object_type
from xiuhua.territory.models import Division, UnitGrid

OBJECT_TYPE_LABELS = {
    "district": gettext_lazy("Districts"),
    "subdistrict": gettext_lazy("Sub-districts"),
    "community": gettext_lazy("Communities"),
    "grid": gettext_lazy("Unit grids"),
    "department": gettext_lazy("Departments"),
    "inspector": gettext_lazy("Inspectors"),
    "operator": gettext_lazy("Operators"),
    "shift_leader": gettext_lazy("Shift leaders"),
    "dispatcher": gettext_lazy("Dispatchers"),
}
# How the page groups the object types into its tabs.
OBJECT_GROUPS = [
    (gettext_lazy("Regions"), ("district", "subdistrict", "community", "grid")),
    (gettext_lazy("Departments"), ("department",)),
    (gettext_lazy("Staff"), ("inspector", "operator", "shift_leader", "dispatcher")),
]
DEFAULT_OBJECT_TYPE = "subdistrict"
CHART_ROWS = 20
GRADE_CSS = {"A": "success", "B": "primary", "C": "info", "D": "warning", "E": "danger"}


def indicator(code: str) -> Indicator:
    """The indicator with this code, or a `DomainError` naming it."""
    found = INDICATORS.get(code)
    if found is None:
        raise DomainError(_("There is no indicator “%(code)s”.") % {"code": code}, code="bad_filter")
    return found


def notes(evaluation: Evaluation) -> list[dict]:
    """The indicator notes: each column's name, code and how it is computed."""
    return [{"code": item.code, "label": item.label, "formula": formula(item)} for item in evaluation.indicators]


def period_or_error(text: str) -> Period:
    try:
        return parse_period(text)
    except PeriodError as error:
        raise DomainError(str(error), code="bad_period") from None


# -- links from figures to cases


def case_list_url(code: str, object_type: str, key: str, period: Period) -> str:
    query = {"indicator": code, "object_type": object_type, "object": key, "period": period.code}
    return f"{reverse('web:case_list')}?{urlencode(query)}"


class _RowLinks:
    """`case_list_url` for the figures of one row: the path and the row's part of the query made once, not per
    figure (reversing and quoting ~1,600 links was a third of the grid tab's time)."""

    def __init__(self, object_type: str, key: str, period: Period) -> None:
        tail = urlencode({"object_type": object_type, "object": key, "period": period.code})
        self.prefix, self.tail = f"{reverse('web:case_list')}?indicator=", f"&{tail}"

    def url(self, code: str) -> str:
        return f"{self.prefix}{quote(code, safe='')}{self.tail}"


def evaluation_url(object_type: str, period: Period) -> str:
    return f"{reverse('web:evaluation')}?{urlencode({'type': object_type, 'period': period.code})}"


@dataclass(frozen=True)
class Link:
    text: str
    url: str
    title: str = ""
    kind: str = "count"  # count: the list has exactly `text` cases; average: the cases averaged


@dataclass(frozen=True)
class Cell:
    """One figure of the ranking: a count or an average (one link), or a rate with its two counts linked."""

    text: str
    link: Link | None = None
    numerator: Link | None = None
    denominator: Link | None = None
    missing: bool = False

    def html(self) -> SafeString:
        """The cell's table cell (built here, not in the template: 1,250 cells a page made the template slow)."""
        if self.link:
            inner = _anchor(self.link, self.link.kind)
        elif self.numerator or self.denominator:
            numerator = _anchor(self.numerator, "count") if self.numerator else "—"
            denominator = _anchor(self.denominator, "count") if self.denominator else "—"
            inner = format_html(
                '<span class="rate">{}</span>\n            <span class="small text-body-secondary">({}/{})</span>',
                self.text,
                numerator,
                denominator,
            )
        else:
            inner = format_html('<span class="text-body-secondary">{}</span>', self.text)
        return format_html('<td class="text-end text-nowrap eval-figure">{}</td>', inner)


def _anchor(link: Link, kind: str) -> SafeString:
    return mark_safe(f'<a href="{escape(link.url)}" data-figure="{escape(kind)}">{escape(link.text)}</a>')


def _number(value: int | float | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


def rate_parts(item: Indicator, values: dict) -> tuple[int | None, int | None]:
    """A rate's numerator and denominator counts. A column set may show the denominator but not the numerator
    (e.g. 按期结案数 behind 按期结案率): it is then the rate times the denominator, exact for whole counts."""
    denominator = values.get(item.denominator)
    numerator = values.get(item.numerator)
    if numerator is None and denominator:
        rate = values.get(item.code)
        numerator = None if rate is None else round(rate * denominator)
    return numerator, denominator


def figure_cell(evaluation: Evaluation, row: EvaluationRow, item: Indicator, links: _RowLinks | None = None) -> Cell:
    """The cell of indicator `item` in `row`: rates as a percentage with links to their numerator and denominator."""
    value = row.values.get(item.code)
    links = links or _RowLinks(evaluation.object_type, row.key, evaluation.period)

    def link(code: str, shown: int | float | None) -> Link | None:
        if shown is None:
            return None
        part = INDICATORS[code]
        if not part.drillable:
            return None
        # No per-link tooltip: the column header carries the formula once (it was most of a page's bytes).
        return Link(_number(shown), links.url(code), "", part.kind)

    if item.kind == "rate":
        numerator, denominator = rate_parts(item, row.values)
        return Cell(
            "—" if value is None else f"{value * 100:.1f}%",
            numerator=link(item.numerator, numerator),
            denominator=link(item.denominator, denominator),
            missing=value is None,
        )
    if value is None:
        return Cell("—", missing=True)
    return Cell(_number(value), link=link(item.code, value))


def ranking(evaluation: Evaluation, rows: list[EvaluationRow] | None = None) -> list[dict]:
    """The rows of the ranking table (default: all of them), ready for the template."""
    table = []
    for row in evaluation.rows if rows is None else rows:
        links = _RowLinks(evaluation.object_type, row.key, evaluation.period)
        cells = [figure_cell(evaluation, row, item, links) for item in evaluation.indicators]
        table.append(
            {
                "row": row,
                "score": "—" if row.score is None else f"{row.score:.1f}",
                "grade_css": GRADE_CSS.get(row.grade, "secondary"),
                "cells": cells,
                "figures": mark_safe("".join(cell.html() for cell in cells)),
            }
        )
    return table


def sort_keys(evaluation: Evaluation) -> dict:
    """What each sortable column of the ranking sorts by (None: the row goes last either way)."""
    keys = {
        "rank": lambda row: row.rank,
        "name": lambda row: row.name,
        "score": lambda row: row.score,
        "sample": lambda row: row.sample,
    }
    for item in evaluation.indicators:
        keys[item.code] = lambda row, code=item.code: row.values.get(code)
    return keys


def chart(evaluation: Evaluation, limit: int = CHART_ROWS) -> dict:
    """The bar chart of the best `limit` scores (ECharts draws a horizontal bar chart's first row at the bottom)."""
    scored = [row for row in evaluation.rows if row.score is not None][:limit]
    scored.reverse()
    return {
        "names": [row.name for row in scored],
        "scores": [round(row.score, 1) for row in scored],
        "grades": [row.grade for row in scored],
        "label": _("Score"),
    }


# -- the case list behind one figure


@dataclass(frozen=True)
class DrillDown:
    """The cases behind one figure of the evaluation: an indicator, of one object, over one period."""

    indicator: Indicator
    object_type: str
    key: str
    name: str
    period: Period

    def narrow(self, cases: QuerySet[Case]) -> QuerySet[Case]:
        """`cases` (already the user's visible cases, filtered) cut down to the figure's cases."""
        # `&` puts the figure's condition into the same WHERE as the filters: one subquery, not one inside another.
        return cases & indicator_cases(self.indicator.code, self.object_type, self.key, self.period)

    @property
    def back_url(self) -> str:
        return evaluation_url(self.object_type, self.period)

    @property
    def formula(self) -> str:
        return formula(self.indicator)


def drill_down(code: str, object_type: str, key: str, period_text: str) -> DrillDown:
    """Read the four drill-down parameters; a `DomainError` says which one is wrong."""
    item = indicator(code)
    check_object_type(object_type)
    period = period_or_error(period_text)
    return DrillDown(item, object_type, key, object_name(object_type, key), period)


def object_name(object_type: str, key: str) -> str:
    """The name the ranking shows for an object (keys are primary keys), or the key itself when none has it."""
    if not key.isdigit():
        return key
    if object_type == "grid":
        found = UnitGrid.objects.filter(pk=int(key)).values_list("code", flat=True).first()
    elif object_type in ("district", "subdistrict", "community"):
        found = Division.objects.filter(pk=int(key)).values_list("name", flat=True).first()
    elif object_type == "department":
        found = Department.objects.filter(pk=int(key)).values_list("name", flat=True).first()
    else:
        user = User.objects.filter(pk=int(key)).first()
        found = (user.display_name or user.username) if user else None
    return found or key
