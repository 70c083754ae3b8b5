from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from xiuhua.accounts.importers import department_template, export_departments
from xiuhua.accounts.models import Department
from xiuhua.catalog.importers import component_template, export_components
from xiuhua.core.audit import record_personal_data_export
from xiuhua.core.tabular import TABLE_FORMATS, ExportFile
from xiuhua.territory.importers import (
    GEO_FORMATS,
    division_template,
    export_divisions,
    export_grids,
    grid_template,
)

# kind → (exporter, template writer, formats, the first being the default)
BASE_DATA = {
    "divisions": (export_divisions, division_template, GEO_FORMATS),
    "grids": (export_grids, grid_template, GEO_FORMATS),
    "departments": (export_departments, department_template, TABLE_FORMATS),
    "components": (export_components, component_template, TABLE_FORMATS),
}
SUFFIX_FORMATS = {".geojson": "geojson", ".json": "geojson", ".zip": "shp", ".xlsx": "xlsx", ".csv": "csv"}


def add_kind_arguments(parser) -> None:
    parser.add_argument("kind", choices=sorted(BASE_DATA), help="数据种类")
    parser.add_argument(
        "--format",
        dest="fmt",
        choices=sorted(set(SUFFIX_FORMATS.values())),
        help="文件格式：区划和网格为 geojson（默认）或 shp，单位和部件为 xlsx（默认）或 csv",
    )
    parser.add_argument("-o", "--output", help="输出文件；不写则按默认文件名保存在当前目录")


def write_base_data(command: BaseCommand, kind: str, fmt: str | None, output: str | None, template: bool) -> None:
    """Write an export or a template of `kind`; the format comes from --format, the -o suffix or the default."""
    exporter, templater, formats = BASE_DATA[kind]
    fmt = fmt or SUFFIX_FORMATS.get(Path(output).suffix.lower() if output else "") or formats[0]
    if fmt not in formats:
        raise CommandError(f"{kind} 不支持格式「{fmt}」，可选：{'、'.join(formats)}")
    exported: ExportFile = (templater if template else exporter)(fmt)
    path = Path(output or exported.filename)
    path.write_bytes(exported.content)
    if kind == "departments" and not template:
        # Contact persons and phones: a personal-data export, made by whoever runs the command.
        record_personal_data_export(None, "accounts.department", Department.objects.count(), file=str(path))
    command.stdout.write(f"已写入 {path}（{len(exported.content)} 字节）")


class Command(BaseCommand):
    help = "导出基础数据（行政区划、单元网格、单位、部件），格式与导入相同，可直接改后再导入。"

    def add_arguments(self, parser):
        add_kind_arguments(parser)

    def handle(self, *args, kind, fmt, output, **options):
        write_base_data(self, kind, fmt, output, template=False)
