"""The report's data laid out as titled tables, once, for every output (the Excel sheets and the PDF's tables)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from xiuhua.reports.rankings import object_label

RATE = "rate"
TEXT = "text"
NUMBER = "number"


@dataclass
class Column:
    label: str
    kind: str = NUMBER
    width: int = 12


@dataclass
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[list] = field(default_factory=list)
    rate_rows: list[int] = field(default_factory=list)  # rows of a two-column table whose value is a rate

    def is_rate(self, row: int, column: int) -> bool:
        return self.columns[column].kind == RATE or (column > 0 and row in self.rate_rows)

    def text_rows(self) -> list[list[str]]:
        """The rows as shown on a page: rates as percentages, missing values as a dash."""
        return [
            [cell_text(value, self.is_rate(r, c)) for c, value in enumerate(row)] for r, row in enumerate(self.rows)
        ]


def cell_text(value: object, rate: bool) -> str:
    if value is None:
        return "—"
    if rate:
        return f"{value * 100:.1f}%"
    return str(value)


def weekday_names() -> list[str]:
    return [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]


def figure_labels() -> dict[str, tuple[str, str]]:
    """The monthly figures: key → (label, kind)."""
    return {
        "reported": (pgettext("report", "Reports"), NUMBER),
        "registered": (pgettext("report", "Registered"), NUMBER),
        "dispatched": (pgettext("report", "Dispatched"), NUMBER),
        "reported_back": (pgettext("report", "Reported back"), NUMBER),
        "closed": (pgettext("report", "Closed"), NUMBER),
        "voided": (pgettext("report", "Voided"), NUMBER),
        "on_time_rate": (_("On-time handling rate"), RATE),
        "closure_rate": (_("Closure rate"), RATE),
    }


def report_tables(report: dict) -> list[Table]:
    tables = [_totals(report), _sources(report), _trend(report)]
    tables += _rankings(report)
    tables += [_classes(report), *_areas(report), _hours(report), *_overdue(report), _hotline(report)]
    return tables


def _figures(key: str, title: str, rows: list[list], rate_rows: list[int] | None = None) -> Table:
    """A two-column table of named figures."""
    return Table(key, title, [Column(_("Figure"), TEXT, 28), Column(_("Value"))], rows, rate_rows or [])


def _totals(report: dict) -> Table:
    labels = figure_labels()
    rows = [[label, report["totals"][key]] for key, (label, _kind) in labels.items()]
    return _figures(
        "totals", _("Totals"), rows, [i for i, (_label, kind) in enumerate(labels.values()) if kind == RATE]
    )


def _sources(report: dict) -> Table:
    rows = [[row["label"], row["count"]] for row in report["totals"]["by_source"]]
    return Table(
        "sources", _("Reports by source"), [Column(_("Source"), TEXT, 24), Column(pgettext("report", "Reports"))], rows
    )


def _trend(report: dict) -> Table:
    labels = figure_labels()
    columns = [Column(_("Month"), TEXT)] + [Column(label, kind) for label, kind in labels.values()]
    rows = [[row["period"], *(row[key] for key in labels)] for row in report["trend"]]
    return Table("trend", _("Trend of the last seven months"), columns, rows)


def _rankings(report: dict) -> list[Table]:
    columns = [
        Column(_("Rank"), NUMBER, 8),
        Column(pgettext("report", "Name"), TEXT, 28),
        Column(_("Score"), NUMBER, 10),
        Column(_("Grade"), TEXT, 8),
        Column(_("Previous rank"), NUMBER, 10),
        Column(_("Rank change"), NUMBER, 10),
        Column(_("Sample"), NUMBER, 8),
    ]
    tables = []
    for object_type, ranking in report["rankings"]["objects"].items():
        rows = [
            [r["rank"], r["name"], r["score"], _grade_text(r), r["previous_rank"], r["rank_change"], r.get("sample")]
            for r in ranking["rows"]
        ]
        tables.append(Table(f"ranking_{object_type}", _("Ranking: %s") % object_label(object_type), columns, rows))
    return tables


def _grade_text(row: dict) -> str:
    """The grade, or 样本不足 where the object had too few cases to be scored (reports frozen before: no key)."""
    return _("Insufficient sample") if row.get("insufficient") else row["grade"]


def _classes(report: dict) -> Table:
    columns = [
        Column(_("Class code"), TEXT, 10),
        Column(pgettext("report", "Class"), TEXT, 24),
        Column(_("Major class"), TEXT, 16),
        Column(pgettext("report", "Reports"), NUMBER, 10),
        Column(_("Previous month"), NUMBER, 10),
        Column(pgettext("report", "Change"), NUMBER, 10),
    ]
    rows = [[c["code"], c["name"], c["major_name"], c["count"], c["previous"], c["change"]] for c in report["classes"]]
    return Table("classes", _("Frequent problems"), columns, rows)


def _areas(report: dict) -> list[Table]:
    areas = report["areas"]
    grids = Table(
        "grids",
        _("Frequent unit grids"),
        [
            Column(_("Grid code"), TEXT, 18),
            Column(_("Grid"), TEXT, 20),
            Column(_("Community"), TEXT, 20),
            Column(pgettext("report", "Reports")),
        ],
        [[g["code"], g["name"], g["community"], g["count"]] for g in areas["grids"]],
    )
    communities = Table(
        "communities",
        _("Frequent communities"),
        [
            Column(_("Community code"), TEXT, 16),
            Column(_("Community"), TEXT, 24),
            Column(pgettext("report", "Reports")),
        ],
        [[c["code"], c["name"], c["count"]] for c in areas["communities"]],
    )
    return [grids, communities]


def _hours(report: dict) -> Table:
    columns = [Column(_("Weekday"), TEXT, 8)] + [Column(f"{hour}", NUMBER, 5) for hour in range(24)]
    rows = [[name, *counts] for name, counts in zip(weekday_names(), report["hours"]["matrix"], strict=True)]
    return Table("hours", _("Frequent hours (reports by weekday and hour)"), columns, rows)


def _overdue(report: dict) -> list[Table]:
    overdue = report["overdue"]
    counts = _figures(
        "overdue_counts",
        _("Overdue and reworked"),
        [
            [_("Handled after the deadline"), overdue["handled_late"]],
            [_("Open past the deadline"), overdue["open_overdue"]],
            [_("Reworked"), overdue["reworked"]],
        ],
    )
    cases = Table(
        "overdue_cases",
        _("Overdue cases"),
        [
            Column(_("Case number"), TEXT, 16),
            Column(pgettext("report", "Class"), TEXT, 20),
            Column(pgettext("report", "Department"), TEXT, 24),
            Column(_("Deadline"), TEXT, 18),
            Column(_("Hours overdue"), NUMBER, 10),
        ],
        [[c["number"], c["class"], c["department"], c["deadline"], c["overdue_hours"]] for c in overdue["cases"]],
    )
    return [counts, cases]


def _hotline(report: dict) -> Table:
    h = report["hotline"]
    rows = [
        [_("Cases from 12345 (as in the source table)"), h.get("cases_from_12345", 0)],
        [_("Work orders received through the hotline interface"), h["orders"]],
        [_("Answered on the call"), h["answered"]],
        [_("Transferred to a case"), h["transferred"]],
        [_("Transferred cases closed"), h["transferred_closed"]],
        [_("Closed within the limit"), h["transferred_closed_on_time"]],
        [_("On-time closure rate"), h["on_time_closure_rate"]],
        [_("Callbacks"), h["callbacks"]],
        [_("Satisfaction rate"), h["satisfaction_rate"]],
        [_("Average satisfaction score"), h["average_score"]],
    ] + [[s["label"], s["count"]] for s in h["satisfaction"]]
    return _figures("hotline", _("12345 hotline"), rows, rate_rows=[6, 8])
