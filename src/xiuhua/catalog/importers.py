"""Import and export of the components inventory (部件普查) as xlsx or CSV, all or nothing.

Built for 100,000+ rows: every row is checked in memory (classes, departments, coordinates, the
unit grid of each point found with one vectorised lookup), then written with bulk operations.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np
from django.utils import timezone

from xiuhua.accounts.models import Department
from xiuhua.catalog.choices import STANDARD_REF, ClassKind, ComponentState
from xiuhua.catalog.models import CaseClass, Component
from xiuhua.core.tabular import (
    Column,
    ExportFile,
    ImportResult,
    Row,
    RowErrors,
    Source,
    as_date,
    as_float,
    audit_import,
    cell_text,
    choice,
    find_duplicates,
    number_in,
    pattern,
    read_table,
    source_name,
    table_file,
    template_file,
    text,
    upsert,
    writing,
)
from xiuhua.geo.crs import to_wgs84
from xiuhua.territory.models import UnitGrid
from xiuhua.territory.services import locate_grid_ids

# Stored coordinates are rounded to 1e-7° (about 1 cm): what the demo stores and what every file format
# carries exactly, so an export imported again changes nothing.
COORDINATE_DECIMALS = 7
STATE_LABELS = {
    **{state.value: state for state in ComponentState},
    "完好": ComponentState.INTACT,
    "破损": ComponentState.DAMAGED,
    "丢失": ComponentState.LOST,
    "废弃": ComponentState.DISCARDED,
    "移除": ComponentState.REMOVED,
}
STATE_TITLES = {value: title for title, value in STATE_LABELS.items() if not title.isascii()}
CRS_LABELS = {
    "wgs84": "wgs84",
    "wgs-84": "wgs84",
    "cgcs2000": "cgcs2000",
    "gcj02": "gcj02",
    "gcj-02": "gcj02",
    "bd09": "bd09",
    "bd-09": "bd09",
    "国测局": "gcj02",
    "火星坐标": "gcj02",
    "高德": "gcj02",
    "腾讯": "gcj02",
    "百度": "bd09",
}
ORIGINAL_KEYS = ("original_lng", "original_lat", "original_crs")
DEPARTMENT_FIELDS = ("supervising_department", "owning_department", "maintaining_department")


def parse_class_code(value: Any) -> str:
    # A class code typed into a number cell loses its leading zero (01002 → 1002).
    code = f"{value:05d}" if isinstance(value, int) else cell_text(value)
    if not (len(code) == 5 and code.isdigit()):
        raise ValueError(f"「{code}」格式不正确，应为 5 位数字（2 位大类 + 3 位小类）")
    return code


COLUMNS = [
    Column(
        "code",
        "部件编码",
        required=True,
        parse=pattern(r"\d{17}|\d{16}", " 17 位数字（旧标准 16 位）"),
        aliases=("部件代码", "部件标识码", "标识码", "编码"),
        example="33042401002000001",
    ),
    Column("name", "部件名称", required=True, parse=text(60), aliases=("名称",), example="污水井盖"),
    Column(
        "class_code",
        "小类代码",
        parse=parse_class_code,
        blank=None,
        aliases=("分类代码", "部件小类代码", "小类编码"),
        example="01002",
    ),
    Column("lng", "经度", required=True, parse=number_in(-180, 180), numeric=True, aliases=("x",), example=120.9412345),
    Column("lat", "纬度", required=True, parse=number_in(-90, 90), numeric=True, aliases=("y",), example=30.5212345),
    Column("crs", "坐标系", parse=choice(CRS_LABELS, "wgs84、cgcs2000、gcj02 或 bd09"), blank=None, example="wgs84"),
    Column("address", "位置", parse=text(256), aliases=("地址", "位置描述"), example="海滨路与朝阳路交叉口东南角"),
    Column("supervising_department", "主管部门", parse=text(100), blank=None, example="zhujian"),
    Column("owning_department", "权属单位", parse=text(100), blank=None, example="shuiwu"),
    Column("maintaining_department", "养护单位", parse=text(100), blank=None, example="shuiwu"),
    Column(
        "state",
        "状态",
        parse=choice(STATE_LABELS, "完好、破损、丢失、废弃或移除"),
        blank=None,
        aliases=("部件状态",),
        example="完好",
    ),
    Column(
        "survey_date", "普查日期", parse=as_date, blank=None, aliases=("初始日期", "调查日期"), example="2026-01-15"
    ),
    Column("change_date", "变更日期", parse=as_date, blank=None, example=""),
    Column("data_source", "数据来源", parse=text(30), example="实测"),
    Column("note", "备注", parse=text(2000), example=""),
    Column("original_lng", "原始经度", parse=as_float, blank=None, numeric=True),
    Column("original_lat", "原始纬度", parse=as_float, blank=None, numeric=True),
    Column("original_crs", "原始坐标系", parse=choice(CRS_LABELS, "wgs84、cgcs2000、gcj02 或 bd09"), blank=None),
    # Computed from the coordinates on import; exported so people can see it, ignored when read back.
    Column("unit_grid_code", "所在网格", parse=cell_text, blank=None),
]
COLUMN = {c.field: c for c in COLUMNS}


def import_components(source: Source, actor: Any = None, *, filename: str | None = None) -> ImportResult:
    """Create or update components from xlsx/CSV, matched on their code; extra columns go to `attributes`."""
    errors = RowErrors()
    rows = read_table(source, COLUMNS, errors, filename=filename, keep_extras=True)
    find_duplicates(rows, COLUMN["code"], errors)
    classes = _resolve_classes(rows, errors)
    departments = _resolve_departments(rows, errors)
    _convert_coordinates(rows)
    grids = _locate(rows, errors)
    errors.raise_if_any()
    carries_attributes = any(r.extras for r in rows) or _has_any_column(rows, "crs", *ORIGINAL_KEYS)
    records = [_record(r, classes, departments, grids, carries_attributes) for r in rows]
    result = ImportResult("部件")
    with writing():
        defaults = {"survey_date": timezone.localdate()}
        result.add(upsert(Component, "code", records, create_defaults=defaults, batch_size=2000))
        audit_import(actor, "catalog.components_imported", source_name(source, filename), result)
    return result


def class_code_of(component_code: str) -> str:
    """The 5-digit class in a component code: digits 7–11 of 17; legacy 16 = major + '0' + 2-digit minor."""
    if len(component_code) == 16:
        return f"{component_code[6:8]}0{component_code[8:10]}"
    return component_code[6:11]


def _resolve_classes(rows: list[Row], errors: RowErrors) -> dict[int, int]:
    """Row number → id of its active component class, which the code and the class column must agree on."""
    known: dict[str, int] = {}
    active = CaseClass.objects.filter(kind=ClassKind.COMPONENT, active=True)
    # The current standard wins when an older version still has an active class with the same code.
    for case_class in sorted(active, key=lambda c: c.standard_ref == STANDARD_REF):
        known[case_class.code] = case_class.id
    resolved = {}
    for row in rows:
        code, given = row.values.get("code"), row.values.get("class_code")
        if code is None:
            continue
        derived = class_code_of(code)
        column = row.header(COLUMN["class_code"]) if given else row.header(COLUMN["code"])
        if given and given != derived:
            errors.add(row.number, column, f"小类代码「{given}」与部件编码中的小类「{derived}」不一致")
        elif derived not in known:
            errors.add(row.number, column, f"部件小类「{derived}」不存在或已停用")
        else:
            resolved[row.number] = known[derived]
    return resolved


def _resolve_departments(rows: list[Row], errors: RowErrors) -> dict[str, int]:
    """Department ids by short code or full name; every unknown name is a row error."""
    lookup = {}
    for pk, short_name, name in Department.objects.values_list("id", "short_name", "name"):
        lookup[short_name] = lookup[name] = pk
    for row in rows:
        for field_name in DEPARTMENT_FIELDS:
            value = row.values.get(field_name)
            if value and value not in lookup:
                errors.add(
                    row.number, row.header(COLUMN[field_name]), f"单位「{value}」不存在（请填写单位代码或单位全称）"
                )
    return lookup


def _convert_coordinates(rows: list[Row]) -> None:
    """Convert GCJ-02/BD-09 rows to WGS84 in one vectorised call per system, keeping the original."""
    by_crs: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        if row.has("lng", "lat"):
            by_crs[row.values.get("crs") or "wgs84"].append(row)
    for crs, members in by_crs.items():
        lngs = np.array([r.values["lng"] for r in members])
        lats = np.array([r.values["lat"] for r in members])
        if crs in ("gcj02", "bd09"):
            for row in members:
                row.values.update(original_lng=row.values["lng"], original_lat=row.values["lat"], original_crs=crs)
            lngs, lats = to_wgs84(lngs, lats, crs)
        lngs, lats = np.round(lngs, COORDINATE_DECIMALS), np.round(lats, COORDINATE_DECIMALS)
        for row, lng, lat in zip(members, lngs.tolist(), lats.tolist(), strict=True):
            row.values["lng"], row.values["lat"] = lng, lat


def _locate(rows: list[Row], errors: RowErrors) -> dict[int, int]:
    """Row number → unit grid id; a point outside every grid is an error on its row."""
    placed = [r for r in rows if r.has("lng", "lat")]
    if not placed:
        return {}
    ids = locate_grid_ids(np.array([r.values["lng"] for r in placed]), np.array([r.values["lat"] for r in placed]))
    grids = {}
    for row, grid_id in zip(placed, ids, strict=True):
        if grid_id is None:
            errors.add(
                row.number,
                row.header(COLUMN["lng"]),
                f"坐标（{row.values['lng']}, {row.values['lat']}）不在本辖区的任何单元网格内",
            )
        else:
            grids[row.number] = grid_id
    return grids


def _has_any_column(rows: list[Row], *fields: str) -> bool:
    return bool(rows) and any(f in rows[0].headers for f in fields)


def _record(
    row: Row, classes: dict[int, int], departments: dict[str, int], grids: dict[int, int], carries_attributes: bool
) -> dict[str, Any]:
    values = row.values
    record: dict[str, Any] = {
        "code": values["code"],
        "name": values["name"],
        "case_class_id": classes[row.number],
        "lng": values["lng"],
        "lat": values["lat"],
        "unit_grid_id": grids[row.number],
    }
    for name in ("address", "change_date", "data_source", "note"):
        if name in values:
            record[name] = values[name]
    for name in DEPARTMENT_FIELDS:
        if name in values:
            record[f"{name}_id"] = departments.get(values[name]) if values[name] else None
    # A blank state or survey date keeps the stored value (a new component gets the default).
    for name in ("state", "survey_date"):
        if values.get(name) is not None:
            record[name] = values[name]
    if carries_attributes:
        record["attributes"] = {**row.extras, **{k: values[k] for k in ORIGINAL_KEYS if values.get(k) is not None}}
    return record


# ---------------------------------------------------------------- export


def export_components(fmt: str = "xlsx") -> ExportFile:
    """Every component, in the columns the importer reads; extra attributes as extra columns."""
    departments = dict(Department.objects.values_list("id", "short_name"))
    classes = dict(CaseClass.objects.filter(kind=ClassKind.COMPONENT).values_list("id", "code"))
    grids = dict(UnitGrid.objects.values_list("id", "code"))
    components = list(Component.objects.order_by("code").values())
    extra_headers = sorted({k for c in components for k in c["attributes"]} - set(ORIGINAL_KEYS))
    rows = (_export_row(c, departments, classes, grids) for c in components)
    return table_file(COLUMNS, rows, fmt, "部件", extra_headers=extra_headers)


def _export_row(
    component: dict[str, Any], departments: dict[int, str], classes: dict[int, str], grids: dict[int, str]
) -> dict[str, Any]:
    row = {**component["attributes"], **{c.field: component.get(c.field) for c in COLUMNS}}
    row.update(
        class_code=classes.get(component["case_class_id"]),
        state=STATE_TITLES.get(component["state"], component["state"]),
        unit_grid_code=grids.get(component["unit_grid_id"]),
        crs=None,  # lng/lat are WGS84; the original system, if any, is in 原始坐标系
        **{name: departments.get(component[f"{name}_id"]) for name in DEPARTMENT_FIELDS},
        **{k: component["attributes"].get(k) for k in ORIGINAL_KEYS},
    )
    return row


def component_template(fmt: str = "xlsx") -> ExportFile:
    return template_file(COLUMNS, fmt, "部件")
