"""The report's Excel and PDF files, read back: sheets and cells, and the PDF's Chinese text and charts."""

import io
import re

import openpyxl
import pytest
from pypdf import PdfReader

from xiuhua.evaluation.periods import parse_period
from xiuhua.reports.excel import workbook_bytes
from xiuhua.reports.monthly import build_monthly
from xiuhua.reports.pdf import ReportFontMissing, pdf_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(october, people):
    return build_monthly(people.leader, parse_period("2026-10"), now=october)


def test_the_workbook_has_a_sheet_per_table_with_chinese_headers_and_percent_rates(report):
    book = openpyxl.load_workbook(io.BytesIO(workbook_bytes(report)))

    assert {"总体情况", "多发问题", "多发时段（按星期和小时统计上报）", "超期案卷", "12345 热线"} <= set(
        book.sheetnames
    )
    totals = {row[0]: row[1] for row in book["总体情况"].iter_rows(min_row=2, values_only=True)}
    assert totals["上报数"] == 5 and totals["结案率"] == pytest.approx(0.4)
    rate_cell = next(row[1] for row in book["总体情况"].iter_rows(min_row=2) if row[0].value == "结案率")
    assert rate_cell.number_format == "0.0%"
    classes = list(book["多发问题"].iter_rows(values_only=True))
    assert classes[0][:4] == ("小类代码", "小类", "大类", "上报数") and classes[1][0] == "01001"
    assert book["多发问题"].column_dimensions["B"].width == 24


def test_the_pdf_reads_in_chinese_and_has_its_charts(report, people):
    reader = PdfReader(io.BytesIO(pdf_bytes(report, people.leader)))
    text = "".join(page.extract_text() for page in reader.pages)

    for heading in ("月度报告", "1. 总体情况与趋势", "3. 多发问题", "4. 多发区域", "5. 多发时段", "7. 12345 热线"):
        assert heading in text
    assert "40.0%" in text and "排名：部门" in text  # the closure rate, a ranking table
    drawing_ops = b"".join(page.get_contents().get_data() for page in reader.pages)
    assert drawing_ops.count(b" re") > 7 * 24  # the heat map's cells
    assert len(re.findall(rb" l[ \n]", drawing_ops)) > 120 * 3  # the map: a polygon (≥ 4 lines) per unit grid


def test_a_missing_font_names_the_debian_package(report, people, settings):
    settings.XIUHUA_REPORT_FONT = "/nonexistent/font.ttc"
    from reportlab.pdfbase import pdfmetrics

    registered = pdfmetrics._fonts.pop("XiuhuaReportCJK", None)
    try:
        with pytest.raises(ReportFontMissing, match="fonts-wqy-zenhei"):
            pdf_bytes(report, people.leader)
    finally:
        if registered is not None:
            pdfmetrics._fonts["XiuhuaReportCJK"] = registered
