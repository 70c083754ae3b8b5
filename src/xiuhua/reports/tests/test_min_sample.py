"""The monthly report ranks only objects with enough cases: the others say 样本不足 in the JSON, Excel and PDF."""

import io

import openpyxl
import pytest
from pypdf import PdfReader

from xiuhua.evaluation.periods import parse_period
from xiuhua.reports.excel import workbook_bytes
from xiuhua.reports.monthly import build_monthly
from xiuhua.reports.pdf import pdf_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(october, people):
    return build_monthly(people.leader, parse_period("2026-10"), now=october)


def test_a_department_with_a_handful_of_cases_is_not_ranked(report, people):
    rows = report["rankings"]["objects"]["department"]["rows"]
    zhifa = next(row for row in rows if row["name"] == people.department("zhifa").name)
    assert zhifa["insufficient"] is True and 0 < zhifa["sample"] < 5
    assert (zhifa["rank"], zhifa["score"], zhifa["grade"]) == (None, None, "")


def test_the_workbook_ranking_sheet_says_insufficient_sample_with_the_sample(report, people):
    book = openpyxl.load_workbook(io.BytesIO(workbook_bytes(report)))
    sheet = next(
        book[name] for name in book.sheetnames if people.department("zhifa").name in str(list(book[name].values))
    )
    header, *rows = list(sheet.iter_rows(values_only=True))
    assert header[3] == "等级" and header[-1] == "样本量"
    zhifa = next(row for row in rows if row[1] == people.department("zhifa").name)
    assert zhifa[0] is None and zhifa[2] is None and zhifa[3] == "样本不足" and 0 < zhifa[-1] < 5


def test_the_pdf_says_insufficient_sample(report, people):
    reader = PdfReader(io.BytesIO(pdf_bytes(report, people.leader)))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "样本不足" in text and "样本量" in text
