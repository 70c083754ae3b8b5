"""Reading and writing base-data tables: xlsx and CSV in the encodings Chinese offices use."""

import io
import zipfile
from datetime import date

import openpyxl
import pytest

from xiuhua.core.errors import ImportRejected
from xiuhua.core.tabular import (
    Column,
    RowErrors,
    as_date,
    number_in,
    pattern,
    read_table,
    template_file,
    text,
    upsert,
    write_table,
)

COLUMNS = [
    Column("code", "代码", required=True, parse=pattern(r"\d{6}", " 6 位数字"), example="330424"),
    Column("name", "名称", required=True, parse=text(10), example="海盐县"),
    Column("lng", "经度", parse=number_in(-180, 180), blank=None, numeric=True, example=120.94),
    Column("since", "日期", parse=as_date, blank=None, example="2026-01-31"),
]


def xlsx(*rows) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def read(content: bytes, filename: str, **kwargs):
    errors = RowErrors()
    rows = read_table(content, COLUMNS, errors, filename=filename, **kwargs)
    return rows, errors


def test_xlsx_columns_match_by_chinese_title_or_english_name_in_any_order():
    content = xlsx(["name", "代码", "日期", "经度"], ["海盐县", "330424", date(2026, 1, 31), 120.5])
    [row], errors = read(content, "a.xlsx")
    assert not errors
    assert row.number == 2
    assert row.values == {"code": "330424", "name": "海盐县", "lng": 120.5, "since": date(2026, 1, 31)}


def test_numbers_typed_into_code_cells_read_as_text():
    [row], errors = read(xlsx(["代码", "名称"], [330424, "海盐县"]), "a.xlsx")
    assert not errors and row.values["code"] == "330424"


def test_long_number_that_excel_rounded_is_an_error_on_its_cell():
    errors = RowErrors()
    columns = [Column("code", "部件编码", required=True)]
    read_table(xlsx(["部件编码"], [3.304240100200123e16]), columns, errors, filename="a.xlsx")
    [error] = errors.items
    assert (error.row, error.column) == (2, "部件编码") and "文本" in error.message


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_in_utf8_with_or_without_bom_and_in_gbk(encoding):
    content = "代码,名称,日期\n330424,海盐县,2026/1/31\n".encode(encoding)
    [row], errors = read(content, "a.csv")
    assert not errors
    assert row.values == {"code": "330424", "name": "海盐县", "since": date(2026, 1, 31)}


def test_every_bad_cell_is_listed_with_row_and_column():
    content = "代码,名称,经度\n33042,海盐县,120\n330424,,120\n330424,海盐县,999\n".encode()
    rows, errors = read(content, "a.csv")
    assert [(e.row, e.column) for e in errors.items] == [(2, "代码"), (3, "名称"), (4, "经度")]
    assert [r.ok for r in rows] == [False, False, False]
    with pytest.raises(ImportRejected) as excinfo:
        errors.raise_if_any()
    assert "第 4 行「经度」列" in excinfo.value.message


def test_missing_required_column_is_rejected_at_once():
    with pytest.raises(ImportRejected) as excinfo:
        read("代码,经度\n330424,120\n".encode(), "a.csv")
    [error] = excinfo.value.errors
    assert error.row == 0 and "缺少必填列「名称」" in error.message


def test_unknown_columns_are_kept_as_extras_when_asked():
    [row], _ = read("代码,名称,材质\n330424,海盐县,铸铁\n".encode(), "a.csv", keep_extras=True)
    assert row.extras == {"材质": "铸铁"}


def broken_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "filename", "words"),
    [
        (b"code,name\n1,2\n", "data.txt", "不支持的文件类型「.txt」"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "photo.xlsx", "PNG 图片"),
        (b"PK\x03\x04\x14\x00garbage", "broken.xlsx", "不是有效的 Excel"),
        (broken_zip(), "renamed.xlsx", "不是有效的 Excel"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old.csv", "旧版 Excel"),
        (b"", "empty.csv", "是空的"),
        ("代码,名称\n".encode(), "header.csv", "没有数据行"),
        (b"\x00\x01\x02\xff\xfe\x00", "random.csv", "编码"),
    ],
)
def test_wrong_or_broken_files_are_rejected_with_one_chinese_message(content, filename, words):
    with pytest.raises(ImportRejected) as excinfo:
        read(content, filename)
    [error] = excinfo.value.errors
    assert error.row == 0 and words in error.message


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_written_table_reads_back_the_same(fmt):
    rows = [{"code": "001234", "name": "=1+1", "lng": 120.1234567, "since": date(2026, 2, 1), "备注": "x"}]
    content = write_table(COLUMNS, rows, fmt, extra_headers=["备注"])
    [row], errors = read(content, f"a.{fmt}", keep_extras=True)
    assert not errors
    # Leading zeros survive, and a formula-looking value stays text.
    assert row.values == {"code": "001234", "name": "=1+1", "lng": 120.1234567, "since": date(2026, 2, 1)}
    assert row.extras == {"备注": "x"}


def test_xlsx_template_has_titles_and_an_example_row_that_reads_back():
    template = template_file(COLUMNS, "xlsx", "测试")
    assert template.filename == "测试-模板.xlsx"
    sheet = openpyxl.load_workbook(io.BytesIO(template.content)).active
    assert [c.value for c in sheet[1]] == ["代码", "名称", "经度", "日期"]
    [row], errors = read(template.content, template.filename)
    assert not errors and row.values["code"] == "330424"


@pytest.mark.django_db
def test_upsert_creates_updates_and_leaves_equal_rows_alone():
    from xiuhua.accounts.models import Department

    Department.objects.create(name="甲", short_name="a", kind="professional")
    Department.objects.create(name="乙", short_name="b", kind="professional")
    counts = upsert(
        Department,
        "short_name",
        [
            {"short_name": "a", "name": "甲"},
            {"short_name": "b", "name": "乙二"},
            {"short_name": "c", "name": "丙"},
        ],
        create_defaults={"kind": "company"},
    )
    assert (counts.created, counts.updated, counts.unchanged) == (1, 1, 1)
    assert Department.objects.get(short_name="b").name == "乙二"
    assert Department.objects.get(short_name="c").kind == "company"
