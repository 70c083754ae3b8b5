"""Reading and writing base-data tables (xlsx, CSV), and the pieces every base-data import shares.

An import reads a file into `Row`s keyed by canonical field names, collects every problem as a
`RowError` (row and column as the user sees them in the file), and only when there is none writes
everything with `upsert` inside one transaction. Columns are matched by their Chinese title, their
English field name or an alias, so files exported by xiuhua, filled-in templates and hand-made
sheets all work.
"""

from __future__ import annotations

import csv
import io
import os
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any, NamedTuple

from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from xiuhua.core.audit import record_audit
from xiuhua.core.errors import DomainError, ImportRejected, RowError

Source = str | os.PathLike | bytes | IO[bytes]
Parser = Callable[[Any], Any]

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTENT_TYPES = {
    "xlsx": XLSX_CONTENT_TYPE,
    "csv": "text/csv; charset=utf-8",
    "geojson": "application/geo+json",
    "shp": "application/zip",
}
TABLE_FORMATS = ("xlsx", "csv")

# Magic numbers of files people upload by mistake, so they get a clear message instead of noise.
_BINARY_SIGNATURES = {
    b"\x89PNG": "PNG 图片",
    b"\xff\xd8\xff": "JPEG 图片",
    b"GIF8": "GIF 图片",
    b"%PDF": "PDF 文档",
    b"\x1f\x8b": "gzip 压缩文件",
    b"Rar!": "RAR 压缩文件",
    b"7z\xbc\xaf": "7z 压缩文件",
    b"\xd0\xcf\x11\xe0": "旧版 Excel（.xls）或 Word 文件",
}
_ZIP_MAGIC = b"PK\x03\x04"
_TABLE_SUFFIXES = {".xlsx", ".xlsm", ".csv"}
# Excel keeps 15 significant digits; a longer number in a cell has lost its last digits.
_EXACT_DIGITS = 15


# ---------------------------------------------------------------- errors and results


class RowErrors:
    """Collects every problem of one import; `raise_if_any` rejects the whole file."""

    def __init__(self) -> None:
        self.items: list[RowError] = []

    def add(self, row: int, column: str, message: str) -> None:
        self.items.append(RowError(row, column, message))

    def __len__(self) -> int:
        return len(self.items)

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        if self.items:
            raise ImportRejected(sorted(self.items, key=lambda e: e.row))


def reject(message: str, column: str = "") -> ImportRejected:
    """An ImportRejected for a problem of the whole file (row 0)."""
    return ImportRejected([RowError(0, column, message)])


@dataclass
class ImportResult:
    """What an import did; `warnings` are Chinese messages that did not block it."""

    label: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged

    def summary(self) -> str:
        text = f"{self.label}导入完成：新增 {self.created} 条，更新 {self.updated} 条，未变 {self.unchanged} 条"
        return text + (f"；另有 {len(self.warnings)} 条提示" if self.warnings else "")

    def add(self, counts: UpsertCounts) -> None:
        self.created += counts.created
        self.updated += counts.updated
        self.unchanged += counts.unchanged


def source_name(source: Source, filename: str | None = None) -> str:
    """The file name to record in the audit log."""
    if filename:
        return filename
    if isinstance(source, str | os.PathLike):
        return Path(source).name
    return Path(getattr(source, "name", "") or "").name


@contextmanager
def writing() -> Iterator[None]:
    """The one transaction of an import's writes; a conflict with a concurrent change rejects the file."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as exc:
        raise reject(f"写入时与他人同时进行的修改冲突，未写入任何数据，请重新导入（{exc}）") from exc


def audit_import(actor: Any, action: str, name: str, result: ImportResult) -> None:
    record_audit(
        actor,
        action,
        target=name,
        summary=result.summary(),
        created=result.created,
        updated=result.updated,
        unchanged=result.unchanged,
        warnings=len(result.warnings),
    )


class ExportFile(NamedTuple):
    """A file to download; unpacks as (content, filename, content_type)."""

    content: bytes
    filename: str
    content_type: str


# ---------------------------------------------------------------- upsert


@dataclass
class UpsertCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def _comparable(value: Any) -> Any:
    # Binary fields come back as memoryview on PostgreSQL and bytes on SQLite.
    return bytes(value) if isinstance(value, memoryview | bytearray) else value


def upsert(
    model: type[models.Model],
    key: str,
    records: Sequence[Mapping[str, Any]],
    *,
    create_defaults: Mapping[str, Any] | None = None,
    batch_size: int = 1000,
) -> UpsertCounts:
    """Create or update `model` rows matched on the unique field `key`.

    Each record maps attribute names (`community_id`, not `community`) to values; only the keys a
    record has are written, so a column missing from a file (or a blank cell the importer drops)
    leaves existing values alone, while new rows get `create_defaults`. Rows whose values are all
    equal are not touched, so re-importing an export changes nothing.
    """
    create_defaults = create_defaults or {}
    existing = model.objects.in_bulk([r[key] for r in records], field_name=key)
    auto_now = [f.attname for f in model._meta.concrete_fields if getattr(f, "auto_now", False)]
    now = timezone.now()
    to_create: list[models.Model] = []
    to_update: list[models.Model] = []
    changed_fields: set[str] = set()
    for record in records:
        obj = existing.get(record[key])
        if obj is None:
            to_create.append(model(**{**create_defaults, **record}))
            continue
        changed = {k for k, v in record.items() if _comparable(getattr(obj, k)) != v}
        if changed:
            for name in changed:
                setattr(obj, name, record[name])
            # bulk_update skips auto_now fields; bump them so caches keyed on them see the change.
            for name in auto_now:
                setattr(obj, name, now)
            changed_fields |= changed | set(auto_now)
            to_update.append(obj)
    model.objects.bulk_create(to_create, batch_size=batch_size)
    if to_update:
        model.objects.bulk_update(to_update, sorted(changed_fields), batch_size=batch_size)
    return UpsertCounts(len(to_create), len(to_update), len(records) - len(to_create) - len(to_update))


def find_duplicates(rows: Iterable[Row], column: Column, errors: RowErrors) -> None:
    """Report (and mark not ok) every row repeating an earlier row's value of `column`."""
    first: dict[Any, int] = {}
    for row in rows:
        value = row.values.get(column.field)
        if value in (None, ""):
            continue
        if value in first:
            errors.add(row.number, row.header(column), f"「{value}」与第 {first[value]} 行重复")
            row.ok = False
        else:
            first[value] = row.number


# ---------------------------------------------------------------- column specs and cell parsers


def normalize_header(name: Any) -> str:
    """Header text as matched: no spaces or required-marks, ASCII lower-case, full-width brackets."""
    text = str(name or "").replace("\ufeff", "").strip().lower()
    text = text.replace("(", "（").replace(")", "）")
    return re.sub(r"[\s*＊]", "", text)


def cell_text(value: Any) -> str:
    """A cell as text; numbers as Excel shows them, refusing numbers too long to be exact."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            if abs(value) >= 10**_EXACT_DIGITS:
                raise ValueError("数字过长，Excel 已丢失末尾几位，请把该列设为「文本」格式后重新填写")
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def as_text(value: Any, max_length: int | None = None) -> str:
    text = cell_text(value)
    if max_length is not None and len(text) > max_length:
        raise ValueError(f"长度不能超过 {max_length} 个字符（现有 {len(text)} 个）")
    return text


def text(max_length: int) -> Parser:
    return lambda value: as_text(value, max_length)


def pattern(regex: str, description: str, *, upper: bool = False) -> Parser:
    """Text matching `regex` in full; `description` says in Chinese what is expected."""
    compiled = re.compile(regex)

    def parse(value: Any) -> str:
        code = cell_text(value)
        code = code.upper() if upper else code
        if not compiled.fullmatch(code):
            raise ValueError(f"「{code}」格式不正确，应为{description}")
        return code

    return parse


def as_float(value: Any) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    try:
        return float(Decimal(cell_text(value)))
    except (InvalidOperation, ValueError):
        raise ValueError(f"「{cell_text(value)}」不是数字") from None


def number_in(low: float, high: float) -> Parser:
    def parse(value: Any) -> float:
        number = as_float(value)
        if not low <= number <= high:
            raise ValueError(f"{number} 超出范围，应在 {low} 到 {high} 之间")
        return number

    return parse


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M")


def as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raw = cell_text(value)
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"「{raw}」不是有效日期，应写作 2026-01-31")


def choice(mapping: Mapping[str, Any], description: str) -> Parser:
    """One of a fixed set of labels (matched ignoring case and spaces), mapped to stored values."""
    lookup = {normalize_header(k): v for k, v in mapping.items()}

    def parse(value: Any) -> Any:
        raw = cell_text(value)
        try:
            return lookup[normalize_header(raw)]
        except KeyError:
            raise ValueError(f"「{raw}」无效，应为{description}") from None

    return parse


YES_NO = {
    "是": True,
    "否": False,
    "true": True,
    "false": False,
    "1": True,
    "0": False,
    "yes": True,
    "no": False,
    "启用": True,
    "停用": False,
}
as_bool = choice(YES_NO, "「是」或「否」")


@dataclass(frozen=True)
class Column:
    """One column of an import file: canonical field, Chinese title, and how to read a cell.

    `parse` gets a non-empty cell (str, int, float, date or datetime) and returns the value or
    raises ValueError with a Chinese message; an empty cell gives `blank` (or an error if required).
    """

    field: str
    title: str
    required: bool = False
    parse: Parser = as_text
    blank: Any = ""
    example: Any = ""
    aliases: tuple[str, ...] = ()
    numeric: bool = False  # a number column in xlsx files; the others are formatted as text

    def names(self) -> set[str]:
        return {normalize_header(n) for n in (self.field, self.title, *self.aliases)}


# ---------------------------------------------------------------- rows


@dataclass
class Row:
    """One data row: its number as the user sees it, parsed values, unknown columns as text."""

    number: int
    values: dict[str, Any]
    extras: dict[str, str]
    headers: dict[str, str]  # field -> header text used in the file, for error messages
    ok: bool = True

    def header(self, column: Column) -> str:
        return self.headers.get(column.field, column.title)

    def has(self, *fields: str) -> bool:
        return all(f in self.values for f in fields)


class RecordParser:
    """Turns mappings of header → cell into `Row`s, collecting cell errors into `errors`."""

    def __init__(self, columns: Sequence[Column], errors: RowErrors, *, keep_extras: bool = False) -> None:
        self.columns = list(columns)
        self.errors = errors
        self.keep_extras = keep_extras
        self._by_name = {name: c for c in self.columns for name in c.names()}
        self._layouts: dict[tuple[str, ...], tuple[dict[str, Column], list[str]]] = {}

    def layout(self, headers: Sequence[str]) -> tuple[dict[str, Column], list[str]]:
        """Headers matched to columns (first header wins) and the unknown headers."""
        key = tuple(headers)
        if key not in self._layouts:
            matched: dict[str, Column] = {}
            taken: set[str] = set()
            extras = []
            for header in headers:
                column = self._by_name.get(normalize_header(header))
                if column is not None and column.field not in taken:
                    matched[header] = column
                    taken.add(column.field)
                elif column is None and normalize_header(header):
                    extras.append(header)
            self._layouts[key] = (matched, extras)
        return self._layouts[key]

    def header_problems(self, headers: Sequence[str]) -> list[RowError]:
        """Missing required columns and columns given twice, for files with one header row."""
        matched, _ = self.layout(headers)
        present = {c.field for c in matched.values()}
        problems = [
            RowError(0, c.title, f"缺少必填列「{c.title}」（也可写作 {c.field}）")
            for c in self.columns
            if c.required and c.field not in present
        ]
        seen: dict[str, str] = {}
        for header in headers:
            column = self._by_name.get(normalize_header(header))
            if column is None:
                continue
            if column.field in seen:
                problems.append(RowError(0, header, f"列「{header}」与列「{seen[column.field]}」重复"))
            else:
                seen[column.field] = header
        return problems

    def parse(self, number: int, record: Mapping[str, Any]) -> Row:
        """One row; only the columns present get a value, so absent ones leave stored data alone."""
        matched, extras = self.layout(list(record))
        row = Row(number, {}, {}, {c.field: h for h, c in matched.items()})
        for header, column in matched.items():
            self._parse_cell(row, column, header, record[header])
        for column in self.columns:
            if column.required and column.field not in row.headers:
                self._fail(row, column.title, "缺少此项")
        if self.keep_extras:
            row.extras = {h: t for h in extras if (t := _extra_text(record[h]))}
        return row

    def _parse_cell(self, row: Row, column: Column, header: str, raw: Any) -> None:
        if isinstance(raw, str):
            raw = raw.strip()
        if raw is None or raw == "":
            if column.required:
                self._fail(row, header, "不能为空")
            else:
                row.values[column.field] = column.blank
            return
        try:
            row.values[column.field] = column.parse(raw)
        except (ValueError, TypeError) as exc:
            self._fail(row, header, str(exc))

    def _fail(self, row: Row, header: str, message: str) -> None:
        row.ok = False
        self.errors.add(row.number, header, message)


def _extra_text(value: Any) -> str:
    try:
        return cell_text(value)
    except ValueError:
        return repr(value)


# ---------------------------------------------------------------- reading files


def read_source(source: Source, filename: str | None = None) -> tuple[bytes, str]:
    """The bytes and file name of a path, bytes, or an open/uploaded file."""
    if isinstance(source, bytes | bytearray):
        return bytes(source), filename or ""
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        try:
            return path.read_bytes(), filename or path.name
        except OSError as exc:
            raise reject(f"无法读取文件「{path}」：{exc.strerror or exc}") from None
    if hasattr(source, "seek"):
        source.seek(0)
    data = source.read()
    if isinstance(data, str):
        data = data.encode("utf-8")
    return data, filename or Path(getattr(source, "name", "") or "").name


def sniff_binary(data: bytes) -> str | None:
    """The kind of a known non-table binary file, from its first bytes."""
    return next((kind for magic, kind in _BINARY_SIGNATURES.items() if data.startswith(magic)), None)


def read_table(
    source: Source,
    columns: Sequence[Column],
    errors: RowErrors,
    *,
    filename: str | None = None,
    keep_extras: bool = False,
) -> list[Row]:
    """Rows of the first sheet of an xlsx file, or of a CSV file (UTF-8, UTF-8 with BOM, GBK).

    Problems of the whole file (type, encoding, missing columns, no data) raise ImportRejected at
    once; problems of cells are added to `errors` so the caller can go on checking.
    """
    data, name = read_source(source, filename)
    headers, records = _open_table(data, name)
    parser = RecordParser(columns, errors, keep_extras=keep_extras)
    problems = parser.header_problems(headers)
    if problems:
        raise ImportRejected(problems)
    rows = []
    for number, cells in records:
        if any(c is not None and str(c).strip() for c in cells):
            rows.append(parser.parse(number, dict(zip(headers, cells, strict=False))))
    if not rows:
        raise reject("文件中没有数据行（第 1 行应为列标题，数据从第 2 行开始）")
    return rows


def _open_table(data: bytes, name: str) -> tuple[list[str], Iterator[tuple[int, Sequence[Any]]]]:
    suffix = Path(name).suffix.lower()
    label = f"「{name}」" if name else ""
    if suffix and suffix not in _TABLE_SUFFIXES:
        hint = "；旧版 .xls 请在 Excel 中另存为 .xlsx" if suffix == ".xls" else ""
        raise reject(f"不支持的文件类型「{suffix}」，请上传 Excel（.xlsx）或 CSV（.csv）文件{hint}")
    if not data.strip():
        raise reject(f"文件{label}是空的")
    if data.startswith(_ZIP_MAGIC):
        return _xlsx_rows(data, label)
    if (kind := sniff_binary(data)) is not None:
        raise reject(f"文件{label}实际上是{kind}，不是 Excel（.xlsx）或 CSV 文件")
    if suffix in {".xlsx", ".xlsm"}:
        raise reject(f"文件{label}不是有效的 Excel（.xlsx）文件，可能已损坏或只是改了扩展名")
    return _csv_rows(data, label)


def open_table(data: bytes, name: str) -> tuple[list[str], Iterator[tuple[int, Sequence[Any]]]]:
    """The header row and the numbered data rows of a file, for importers that parse and write in batches."""
    return _open_table(data, name)


def _xlsx_rows(data: bytes, label: str) -> tuple[list[str], Iterator[tuple[int, Sequence[Any]]]]:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        # Read everything now: read-only workbooks keep the archive open until closed.
        all_rows = list(sheet.iter_rows(values_only=True))
        workbook.close()
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, IndexError, EOFError):
        raise reject(f"文件{label}不是有效的 Excel（.xlsx）文件，可能已损坏或只是改了扩展名") from None
    except Exception:  # openpyxl raises many kinds on malformed parts; none should become a 500
        raise reject(f"文件{label}无法作为 Excel（.xlsx）读取，请用 Excel 打开后重新保存") from None
    if not all_rows:
        raise reject(f"文件{label}的第一个工作表是空的")
    headers = [cell_text(h) for h in all_rows[0]]
    return headers, ((i, r) for i, r in enumerate(all_rows[1:], start=2))


def decode_text(data: bytes, label: str = "") -> str:
    """Text of a file saved by Excel or an editor: UTF-8 (with or without BOM), UTF-16, GBK/GB18030."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    raise reject(f"无法识别文件{label}的编码或它不是文本文件，请保存为 UTF-8 或 GBK 编码的 CSV")


def _csv_rows(data: bytes, label: str) -> tuple[list[str], Iterator[tuple[int, Sequence[Any]]]]:
    content = decode_text(data, label)
    first_line = content.split("\n", 1)[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    try:
        all_rows = list(csv.reader(io.StringIO(content, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise reject(f"文件{label}不是有效的 CSV：{exc}") from None
    if not all_rows:
        raise reject(f"文件{label}是空的")
    return [h.strip() for h in all_rows[0]], ((i, r) for i, r in enumerate(all_rows[1:], start=2))


# ---------------------------------------------------------------- writing files


def export_value(value: Any) -> Any:
    """A stored value as written to a file: dates in ISO form, booleans as 是/否, None empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if timezone.is_aware(value) else str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def write_table(
    columns: Sequence[Column], rows: Iterable[Mapping[str, Any]], fmt: str, *, extra_headers: Sequence[str] = ()
) -> bytes:
    """An xlsx or CSV file: Chinese titles, then rows keyed by field (extras keyed by header)."""
    headers = [c.title for c in columns] + list(extra_headers)
    keys = [c.field for c in columns] + list(extra_headers)
    values = ([export_value(r.get(k)) for k in keys] for r in rows)
    if fmt == "csv":
        return _write_csv(headers, values)
    if fmt == "xlsx":
        return _write_xlsx(columns, headers, values)
    raise ValueError(f"unsupported table format {fmt!r}")


def _write_csv(headers: list[str], values: Iterable[list[Any]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(values)
    # A BOM makes Excel open UTF-8 CSV with the Chinese intact.
    return buffer.getvalue().encode("utf-8-sig")


def _write_xlsx(columns: Sequence[Column], headers: list[str], values: Iterable[list[Any]]) -> bytes:
    import openpyxl
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    for i, header in enumerate(headers):
        dimension = sheet.column_dimensions[get_column_letter(i + 1)]
        dimension.width = max(10, len(header.encode("gb18030")) + 4)
        if i >= len(columns) or not columns[i].numeric:
            dimension.number_format = "@"  # text: long codes and leading zeros stay as typed
    header_cells = []
    for i, header in enumerate(headers):
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = Font(bold=True, color="C00000" if i < len(columns) and columns[i].required else None)
        header_cells.append(cell)
    sheet.append(header_cells)

    def as_data(value: Any) -> Any:
        if isinstance(value, str) and value.startswith("="):
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"  # data, not a formula to run in the reader's Excel
            return cell
        return value

    for row in values:
        sheet.append([as_data(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def table_file(
    columns: Sequence[Column],
    rows: Iterable[Mapping[str, Any]],
    fmt: str,
    basename: str,
    *,
    extra_headers: Sequence[str] = (),
) -> ExportFile:
    """An export of all rows as a downloadable file named `<basename>-<date>.<fmt>`."""
    check_format(fmt, TABLE_FORMATS)
    content = write_table(columns, rows, fmt, extra_headers=extra_headers)
    stamp = timezone.localdate().strftime("%Y%m%d")
    return ExportFile(content, f"{basename}-{stamp}.{fmt}", CONTENT_TYPES[fmt])


def template_file(columns: Sequence[Column], fmt: str, basename: str) -> ExportFile:
    """A template: the header row and one example row, named `<basename>-模板.<fmt>`."""
    check_format(fmt, TABLE_FORMATS)
    example = {c.field: c.example for c in columns}
    content = write_table(columns, [example], fmt)
    return ExportFile(content, f"{basename}-模板.{fmt}", CONTENT_TYPES[fmt])


def check_format(fmt: str, allowed: Sequence[str]) -> None:
    if fmt not in allowed:
        raise ValueError(f"不支持的格式「{fmt}」，可选：{'、'.join(allowed)}")


# ---------------------------------------------------------------- command line


class ImportCommand(BaseCommand):
    """`xiuhua import-<kind> FILE`: every error to stderr and a non-zero exit when the file is refused.

    Subclasses set `importer = staticmethod(import_<kind>)` and `help`.
    """

    importer: Callable[..., ImportResult]

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="要导入的文件")

    def run_import(self, path: Path, **options: Any) -> ImportResult:
        return type(self).importer(path)

    def handle(self, *args: Any, file: str, **options: Any) -> None:
        try:
            result = self.run_import(Path(file), **options)
        except ImportRejected as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(f"导入失败，共 {len(exc.errors)} 处错误，未写入任何数据") from exc
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(result.summary())
        for warning in result.warnings:
            self.stdout.write(f"提示：{warning}")
