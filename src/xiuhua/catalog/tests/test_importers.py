"""Importing and exporting the components inventory: codes, classes, owners, coordinates, grids."""

import io
import time

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from xiuhua.catalog.importers import (
    class_code_of,
    component_template,
    export_components,
    import_components,
)
from xiuhua.catalog.models import Component
from xiuhua.core.errors import ImportRejected
from xiuhua.geo.crs import wgs84_to_gcj02
from xiuhua.territory.models import UnitGrid

HEADER = ["部件编码", "部件名称", "小类代码", "经度", "纬度", "主管部门", "状态", "普查日期", "材质"]


def workbook(*rows, header=HEADER) -> bytes:
    book = openpyxl.Workbook()
    book.active.append(header)
    for row in rows:
        book.active.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def grid(demo_city) -> UnitGrid:
    return UnitGrid.objects.order_by("code").first()


def inside(grid: UnitGrid, k: int = 0) -> tuple[float, float]:
    """A point well inside `grid`, distinct for each k."""
    return (
        round(grid.min_lng + (grid.max_lng - grid.min_lng) * (0.2 + 0.01 * k), 7),
        round(grid.min_lat + (grid.max_lat - grid.min_lat) * 0.5, 7),
    )


def test_class_code_is_read_from_17_and_legacy_16_digit_codes():
    assert class_code_of("33042401002000001") == "01002"
    assert class_code_of("3304240102000001") == "01002"  # 6 division + 01 major + 02 minor + 6 sequence


@pytest.mark.django_db
def test_good_file_creates_components_in_their_grids(grid):
    lng, lat = inside(grid)
    content = workbook(
        ["33042401002900001", "污水井盖", "01002", lng, lat, "zhujian", "破损", "2026-01-05", "铸铁"],
        ["3304240102900002", "污水井盖", "", lng, lat, "海盐县住房和城乡建设局", "", "", ""],
    )
    result = import_components(content, filename="parts.xlsx")
    assert result.created == 2
    component = Component.objects.get(code="33042401002900001")
    assert component.unit_grid == grid and component.case_class.code == "01002"
    assert component.state == "damaged" and component.supervising_department.short_name == "zhujian"
    assert component.attributes == {"材质": "铸铁"}
    legacy = Component.objects.get(code="3304240102900002")
    assert legacy.case_class.code == "01002" and legacy.state == "intact" and legacy.attributes == {}


@pytest.mark.django_db
def test_gcj02_coordinates_are_converted_and_the_original_kept(grid):
    lng, lat = inside(grid)
    gcj_lng, gcj_lat = wgs84_to_gcj02(lng, lat)
    content = f"部件编码,部件名称,经度,纬度,坐标系\n33042401002900001,污水井盖,{gcj_lng},{gcj_lat},GCJ-02\n"
    import_components(content.encode(), filename="parts.csv")
    component = Component.objects.get(code="33042401002900001")
    assert abs(component.lng - lng) < 1e-6 and abs(component.lat - lat) < 1e-6
    assert component.attributes == {"original_lng": gcj_lng, "original_lat": gcj_lat, "original_crs": "gcj02"}


@pytest.mark.django_db
def test_reimport_updates_only_changed_components(grid):
    lng, lat = inside(grid)
    rows = [
        [f"330424010029000{i:02d}", "污水井盖", "01002", lng, lat, "zhujian", "完好", "2026-01-05", ""]
        for i in range(3)
    ]
    import_components(workbook(*rows))
    rows[1][1] = "污水井盖（改）"
    result = import_components(workbook(*rows))
    assert (result.created, result.updated, result.unchanged) == (0, 1, 2)
    assert Component.objects.get(code="33042401002900001").name == "污水井盖（改）"


@pytest.mark.django_db
def test_file_with_three_bad_rows_lists_each_and_writes_nothing(grid):
    before = Component.objects.count()
    lng, lat = inside(grid)
    content = workbook(
        ["33042401002900001", "污水井盖", "01002", lng, lat, "zhujian", "完好", "", ""],
        ["33042401002900002", "污水井盖", "01001", lng, lat, "", "", "", ""],  # class disagrees with code
        ["33042401002900003", "污水井盖", "", lng, lat, "nobody", "", "", ""],  # unknown department
        ["33042401002900004", "污水井盖", "", 121.9, 31.9, "", "", "", ""],  # outside the territory
    )
    with pytest.raises(ImportRejected) as excinfo:
        import_components(content, filename="parts.xlsx")
    errors = excinfo.value.errors
    assert [(e.row, e.column) for e in errors] == [(3, "小类代码"), (4, "主管部门"), (5, "经度")]
    assert "不一致" in errors[0].message and "nobody" in errors[1].message
    assert "不在本辖区" in errors[2].message
    assert Component.objects.count() == before


@pytest.mark.django_db
def test_point_outside_the_territory_is_rejected(grid):
    content = "部件编码,部件名称,经度,纬度\n33042401002900001,污水井盖,100.0,20.0\n".encode()
    with pytest.raises(ImportRejected) as excinfo:
        import_components(content, filename="parts.csv")
    assert excinfo.value.errors[0].row == 2 and "不在本辖区" in excinfo.value.errors[0].message


@pytest.mark.django_db
def test_unknown_or_event_class_is_rejected(grid):
    lng, lat = inside(grid)
    content = f"部件编码,部件名称,经度,纬度\n33042499999900001,无名部件,{lng},{lat}\n".encode()
    with pytest.raises(ImportRejected) as excinfo:
        import_components(content, filename="parts.csv")
    assert "99999" in excinfo.value.errors[0].message and excinfo.value.errors[0].column == "部件编码"


@pytest.mark.django_db
def test_wrong_file_type_is_rejected_in_chinese(grid):
    with pytest.raises(ImportRejected) as excinfo:
        import_components(b"hello", filename="parts.txt")
    assert "不支持的文件类型" in excinfo.value.message


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_round_trips(demo_city, fmt):
    first = Component.objects.first()
    first.attributes = {"材质": "铸铁", "original_lng": 120.5, "original_lat": 30.5, "original_crs": "gcj02"}
    first.save()
    exported = export_components(fmt)
    result = import_components(exported.content, filename=exported.filename)
    assert (result.created, result.updated, result.unchanged) == (0, 0, Component.objects.count())


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_template_example_row_imports(demo_city, fmt):
    template = component_template(fmt)
    result = import_components(template.content, filename=template.filename)
    assert result.total == 1  # the example code may already be in the demo city
    assert Component.objects.get(code="33042401002000001").name == "污水井盖"


@pytest.mark.django_db
def test_cli_exits_non_zero_on_a_bad_file(grid, tmp_path, capsys):
    path = tmp_path / "parts.csv"
    path.write_text("部件编码,部件名称,经度,纬度\n123,井盖,120.9,30.5\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_components", str(path))
    assert "第 2 行「部件编码」列" in capsys.readouterr().err


@pytest.mark.django_db
def test_hundred_thousand_rows_import_in_reasonable_time(grid):
    grids = list(UnitGrid.objects.all())
    lines = ["部件编码,部件名称,小类代码,经度,纬度,主管部门,状态,普查日期,材质"]
    for i in range(100_000):
        lng, lat = inside(grids[i % len(grids)], i % 50)
        lines.append(f"330424010029{i:05d},污水井盖,01002,{lng},{lat},zhujian,完好,2026-01-05,铸铁")
    content = "\n".join(lines).encode()
    started = time.perf_counter()
    result = import_components(content, filename="big.csv")
    elapsed = time.perf_counter() - started
    assert result.created == 100_000
    assert elapsed < 120, f"100k rows took {elapsed:.1f} s"
