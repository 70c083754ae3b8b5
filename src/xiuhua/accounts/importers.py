"""Import and export of departments (handling units) as xlsx or CSV, all or nothing, upsert by short code."""

from __future__ import annotations

import re
from typing import Any

from xiuhua.accounts.choices import DepartmentKind
from xiuhua.accounts.models import Department
from xiuhua.core.tabular import (
    Column,
    ExportFile,
    ImportResult,
    Row,
    RowErrors,
    Source,
    as_bool,
    audit_import,
    choice,
    find_duplicates,
    pattern,
    read_table,
    source_name,
    table_file,
    template_file,
    text,
    upsert,
    writing,
)

# GB 32100-2015: 18 characters from this alphabet (no I, O, S, V, Z), the last a weighted check (mod 31).
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
USCC_PATTERN = re.compile(r"[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}")
SHORT_NAME_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,31}")

KIND_LABELS = {
    **{kind.value: kind for kind in DepartmentKind},
    "专业部门": DepartmentKind.PROFESSIONAL,
    "职能部门": DepartmentKind.PROFESSIONAL,
    "街道（镇）": DepartmentKind.SUBDISTRICT,
    "街道": DepartmentKind.SUBDISTRICT,
    "镇": DepartmentKind.SUBDISTRICT,
    "乡镇": DepartmentKind.SUBDISTRICT,
    "街镇": DepartmentKind.SUBDISTRICT,
    "企业": DepartmentKind.COMPANY,
    "公司": DepartmentKind.COMPANY,
}
KIND_TITLES = {
    DepartmentKind.PROFESSIONAL: "专业部门",
    DepartmentKind.SUBDISTRICT: "街道（镇）",
    DepartmentKind.COMPANY: "企业",
}


def uscc_check_character(first17: str) -> str:
    """The 18th character of a unified social credit code (GB 32100-2015)."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def parse_uscc(value: Any) -> str:
    code = str(value).strip().upper()
    if len(code) != 18 or not USCC_PATTERN.fullmatch(code):
        raise ValueError(f"「{code}」不是 18 位统一社会信用代码（数字和大写字母，不含 I、O、S、V、Z）")
    expected = uscc_check_character(code[:17])
    if code[17] != expected:
        raise ValueError(f"「{code}」校验位不正确（按 GB 32100 应为 {expected}），请核对")
    return code


def parse_short_name(value: Any) -> str:
    code = str(value).strip().lower()
    if not SHORT_NAME_PATTERN.fullmatch(code):
        raise ValueError(f"「{code}」无效，应为小写字母开头的字母、数字或下划线，最多 32 个字符")
    return code


COLUMNS = [
    Column(
        "name",
        "单位名称",
        required=True,
        parse=text(100),
        aliases=("名称", "全称", "部门名称"),
        example="海盐县综合行政执法局",
    ),
    Column(
        "short_name", "单位代码", required=True, parse=parse_short_name, aliases=("short_code", "简码"), example="zhifa"
    ),
    Column("short_label", "简称", parse=text(30), aliases=("单位简称",), example="综合执法局"),
    Column(
        "kind",
        "类型",
        required=True,
        parse=choice(KIND_LABELS, "专业部门、街道（镇）或企业"),
        aliases=("单位类型",),
        example="专业部门",
    ),
    Column(
        "credit_code", "统一社会信用代码", parse=parse_uscc, aliases=("信用代码", "uscc"), example="11330424MB1234567N"
    ),
    Column(
        "division_code",
        "行政区划代码",
        parse=pattern(r"\d{6}|\d{9}|\d{12}", " 6、9 或 12 位数字"),
        aliases=("区划代码",),
        example="330424",
    ),
    Column("contact_person", "联系人", parse=text(50), example="王伟"),
    Column("contact_phone", "联系电话", parse=text(30), aliases=("电话",), example="0573-86012345"),
    Column("address", "地址", parse=text(200), aliases=("单位地址",), example="海盐县武原街道某路 1 号"),
    Column("active", "是否启用", parse=as_bool, blank=None, aliases=("启用",), example="是"),
]
COLUMN = {c.field: c for c in COLUMNS}


def import_departments(source: Source, actor: Any = None, *, filename: str | None = None) -> ImportResult:
    """Create or update departments from xlsx/CSV, matched on their short code (单位代码)."""
    errors = RowErrors()
    rows = read_table(source, COLUMNS, errors, filename=filename)
    find_duplicates(rows, COLUMN["short_name"], errors)
    find_duplicates(rows, COLUMN["name"], errors)
    _check_names_free(rows, errors)
    errors.raise_if_any()
    records = [_record(row) for row in rows]
    result = ImportResult("单位")
    with writing():
        result.add(upsert(Department, "short_name", records))
        audit_import(actor, "accounts.departments_imported", source_name(source, filename), result)
    return result


def _check_names_free(rows: list[Row], errors: RowErrors) -> None:
    """A name already used by another department (another short code) would break its uniqueness."""
    owners = dict(
        Department.objects.filter(name__in=[r.values.get("name") for r in rows]).values_list("name", "short_name")
    )
    for row in rows:
        owner = owners.get(row.values.get("name"))
        if owner and row.values.get("short_name") and owner != row.values["short_name"]:
            message = f"名称「{row.values['name']}」已被单位代码「{owner}」使用"
            errors.add(row.number, row.header(COLUMN["name"]), message)


def _record(row: Row) -> dict[str, Any]:
    # A blank 是否启用 keeps the stored flag (new departments are active).
    return {k: v for k, v in row.values.items() if not (k == "active" and v is None)}


def _export_row(department: Department) -> dict[str, Any]:
    row = {c.field: getattr(department, c.field) for c in COLUMNS}
    row["kind"] = KIND_TITLES.get(department.kind, department.kind)
    return row


def export_departments(fmt: str = "xlsx") -> ExportFile:
    """Every department, in the columns the importer reads."""
    rows = (_export_row(d) for d in Department.objects.order_by("kind", "short_name"))
    return table_file(COLUMNS, rows, fmt, "单位")


def department_template(fmt: str = "xlsx") -> ExportFile:
    return template_file(COLUMNS, fmt, "单位")
