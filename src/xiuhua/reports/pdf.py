"""The monthly report as a PDF (reportlab): headings, the tables of `reports.tables` and vector charts.

Chinese text needs a TrueType font with glyf outlines embedded in the file; the CFF-based Noto CJK fonts do not
work with reportlab. The default is WenQuanYi Zen Hei (Debian package fonts-wqy-zenhei), set by
`XIUHUA_REPORT_FONT`; a missing font is a clear error naming the package.
"""

from __future__ import annotations

import io
from pathlib import Path

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, TableStyle
from reportlab.platypus import Table as PdfTable

from xiuhua.accounts.models import User
from xiuhua.accounts.queries import division_code_filter
from xiuhua.reports import charts
from xiuhua.reports.excel import report_title
from xiuhua.reports.tables import Table, report_tables
from xiuhua.territory.models import UnitGrid

FONT = "XiuhuaReportCJK"
FONT_PACKAGE = "fonts-wqy-zenhei"
# Tables too wide for a page are shown as a chart only (the Excel file has them).
CHART_ONLY = {"hours"}


class ReportFontMissing(RuntimeError):
    """The CJK TrueType font for PDF reports is not installed."""


def register_font() -> str:
    """Register the CJK font with reportlab once; its name."""
    if FONT in pdfmetrics.getRegisteredFontNames():
        return FONT
    path = Path(settings.XIUHUA_REPORT_FONT)
    if not path.is_file():
        raise ReportFontMissing(
            _(
                "The PDF report needs the Chinese TrueType font %(path)s: install the Debian package %(package)s "
                "(apt-get install %(package)s) or set XIUHUA_REPORT_FONT to another TrueType (glyf) CJK font."
            )
            % {"path": path, "package": FONT_PACKAGE}
        )
    pdfmetrics.registerFont(TTFont(FONT, str(path), subfontIndex=0))
    return FONT


def scope_grids(user: User) -> list[tuple[str, bytes]]:
    """The unit grids in use inside the user's scope, as (code, WKB)."""
    grids = UnitGrid.objects.filter(Q(valid_to__isnull=True), division_code_filter(user, "code"))
    return [(code, bytes(wkb)) for code, wkb in grids.exclude(geometry_wkb=None).values_list("code", "geometry_wkb")]


def pdf_bytes(report: dict, user: User) -> bytes:
    font = register_font()
    title = ParagraphStyle("title", fontName=font, fontSize=18, leading=24, spaceAfter=6)
    heading = ParagraphStyle(
        "heading", fontName=font, fontSize=13, leading=18, spaceBefore=10, spaceAfter=4, keepWithNext=1
    )
    body = ParagraphStyle("body", fontName=font, fontSize=9, leading=13)
    tables = {table.key: table for table in report_tables(report)}
    story = [
        Paragraph(report_title(report), title),
        Paragraph(
            f"{_('Period')}：{report['first_day']} — {report['last_day']}　{_('Generated at')}："
            f"{report['generated_at']}",
            body,
        ),
    ]

    def section(name: str, *keys: str, chart=None) -> None:
        story.append(Paragraph(name, heading))
        if chart is not None:
            story.append(chart)
        for key in keys:
            if key in tables:
                story.extend(table_flowables(tables[key], font, heading=len(keys) > 1))

    section(_("1. Totals and trend"), "totals", "sources", "trend", chart=charts.trend_chart(report, font))
    story.append(Paragraph(_("2. Rankings"), heading))
    for object_type, ranking in report["rankings"]["objects"].items():
        top = [r for r in ranking["rows"] if r["score"] is not None][:10]
        table = tables[f"ranking_{object_type}"]
        story.append(Paragraph(table.title, _caption(font)))
        story.append(charts.bar_chart([r["name"] for r in top], [r["score"] for r in top], font))
        story.extend(table_flowables(table, font, heading=False))
    classes = report["classes"]
    section(
        _("3. Frequent problems"),
        "classes",
        chart=charts.bar_chart([c["name"] for c in classes], [c["count"] for c in classes], font),
    )
    grid_map = charts.grid_map(scope_grids(user), report["areas"]["per_grid"])
    section(_("4. Frequent areas"), "grids", "communities", chart=grid_map)
    section(_("5. Frequent hours"), chart=charts.heat_map(report["hours"]["matrix"], font))
    section(_("6. Overdue and reworked cases"), "overdue_counts", "overdue_cases")
    section(_("7. 12345 hotline"), "hotline")
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=report_title(report),
        author="xiuhua",
    )
    document.build(story)
    return buffer.getvalue()


def _caption(font: str) -> ParagraphStyle:
    """A table's or chart's title, kept on the page of what it names."""
    return ParagraphStyle("caption", fontName=font, fontSize=10, leading=16, keepWithNext=1)


def table_flowables(table: Table, font: str, *, heading: bool) -> list:
    if table.key in CHART_ONLY:
        return []
    parts = []
    if heading:
        parts.append(Paragraph(table.title, _caption(font)))
    rows = [[column.label for column in table.columns]]
    rows += table.text_rows()
    if not table.rows:
        rows.append([_("None")] + [""] * (len(table.columns) - 1))
    widths = [column.width * 2.1 * mm for column in table.columns]
    scale = min(1.0, 180 * mm / sum(widths))
    pdf_table = PdfTable(rows, colWidths=[w * scale for w in widths], repeatRows=1)
    pdf_table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), font, 8),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DDEBF7")),
                ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#999999")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    parts += [pdf_table, Spacer(1, 4 * mm)]
    return parts
