"""The monthly report as an Excel workbook: a cover sheet, then one sheet per table with Chinese headers."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from xiuhua.reports.tables import Table, report_tables

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
RATE_FORMAT = "0.0%"
MAX_SHEET_TITLE = 31


def report_title(report: dict) -> str:
    return _("Monthly report %(period)s — %(scope)s") % {"period": report["period"], "scope": report["scope"]}


def workbook_bytes(report: dict) -> bytes:
    facts = [
        [_("Period"), f"{report['first_day']} — {report['last_day']}"],
        [_("Generated at"), report["generated_at"]],
    ]
    return book_bytes(pgettext("report", "Report"), report_title(report), facts, report_tables(report))


def book_bytes(cover_name: str, title: str, facts: list[list], tables: list[Table]) -> bytes:
    """A workbook: a cover sheet (the title, then label–value rows), then one sheet per table."""
    book = Workbook()
    cover = book.active
    cover.title = cover_name
    cover.append([title])
    cover["A1"].font = Font(bold=True, size=14)
    for row in facts:
        cover.append(row)
    cover.column_dimensions["A"].width = 16
    cover.column_dimensions["B"].width = 40
    for table in tables:
        _sheet(book, table)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sheet(book: Workbook, table: Table) -> None:
    sheet = book.create_sheet(_sheet_title(table.title))
    sheet.append([column.label for column in table.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
    for r, row in enumerate(table.rows):
        sheet.append(row)
        for c, cell in enumerate(sheet[sheet.max_row]):
            if table.is_rate(r, c):
                cell.number_format = RATE_FORMAT
    for c, column in enumerate(table.columns, start=1):
        sheet.column_dimensions[get_column_letter(c)].width = column.width
    sheet.freeze_panes = "A2"


def _sheet_title(title: str) -> str:
    for forbidden in "[]:*?/\\":
        title = title.replace(forbidden, " ")
    return title[:MAX_SHEET_TITLE]
