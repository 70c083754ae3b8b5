"""Import and export of divisions and unit grids as GeoJSON or zipped Shapefile, all or nothing.

Row numbers in error messages are feature numbers counted from 1, i.e. the rows of the attribute
table. Properties are matched like table columns: Chinese title, English field name or alias.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

import numpy as np
import shapely
from django.db import transaction
from django.utils import timezone
from shapely.geometry.base import BaseGeometry

from xiuhua.core.tabular import (
    CONTENT_TYPES,
    Column,
    ExportFile,
    ImportResult,
    RecordParser,
    Row,
    RowErrors,
    Source,
    as_date,
    audit_import,
    check_format,
    choice,
    decode_text,
    find_duplicates,
    pattern,
    read_source,
    reject,
    sniff_binary,
    source_name,
    text,
    upsert,
    writing,
)
from xiuhua.geo.geojson import InvalidGeometry, feature_collection, geometry_from_geojson
from xiuhua.geo.validation import polygon_area_m2, validate_polygons
from xiuhua.territory.choices import CODE_LENGTH, DivisionLevel
from xiuhua.territory.models import Division, UnitGrid
from xiuhua.territory.services import current_grids, forget_grid_index

GEO_FORMATS = ("geojson", "shp")
GEOMETRY_COLUMN = "几何"
CODE_PAGES = {"936": "cp936", "65001": "utf-8", "54936": "gb18030"}  # Windows code pages in .cpg files
MAX_UNZIPPED_BYTES = 1 << 30  # a zip bomb is refused before it fills memory
LEVEL_BY_LENGTH = {length: level for level, length in CODE_LENGTH.items()}
LEVEL_ORDER = [DivisionLevel.DISTRICT, DivisionLevel.SUBDISTRICT, DivisionLevel.COMMUNITY]
LEVEL_LABELS = {
    **{level.value: level for level in DivisionLevel},
    "区": DivisionLevel.DISTRICT,
    "县": DivisionLevel.DISTRICT,
    "区县": DivisionLevel.DISTRICT,
    "区（县）": DivisionLevel.DISTRICT,
    "街道": DivisionLevel.SUBDISTRICT,
    "镇": DivisionLevel.SUBDISTRICT,
    "乡镇": DivisionLevel.SUBDISTRICT,
    "街道（镇）": DivisionLevel.SUBDISTRICT,
    "社区": DivisionLevel.COMMUNITY,
    "村": DivisionLevel.COMMUNITY,
    "社区（村）": DivisionLevel.COMMUNITY,
}
REGION_LABELS = {
    "1": 1,
    "2": 2,
    "一类": 1,
    "二类": 2,
    "一类区域": 1,
    "二类区域": 2,
    "i": 1,
    "ii": 2,
    "Ⅰ类": 1,
    "Ⅱ类": 2,
}
DIVISION_CODE = pattern(r"\d{6}|\d{9}|\d{12}", " 6、9 或 12 位数字")

DIVISION_COLUMNS = [
    Column(
        "code",
        "区划代码",
        required=True,
        parse=DIVISION_CODE,
        aliases=("代码", "编码", "行政区划代码"),
        example="330424001001",
    ),
    Column("name", "名称", required=True, parse=text(60), aliases=("区划名称",), example="城东社区"),
    Column(
        "level",
        "层级",
        parse=choice(LEVEL_LABELS, "区县、街道（镇）或社区（村）"),
        blank=None,
        aliases=("级别",),
        example="社区",
    ),
    Column(
        "parent_code",
        "上级代码",
        parse=DIVISION_CODE,
        blank=None,
        aliases=("parent", "上级区划代码"),
        example="330424001",
    ),
]
GRID_COLUMNS = [
    Column(
        "code",
        "网格代码",
        required=True,
        parse=pattern(r"[0-9A-Z]{15}", " 15 位数字或大写字母", upper=True),
        aliases=("代码", "编码", "网格编码"),
        example="330424001001001",
    ),
    Column("name", "名称", parse=text(100), aliases=("网格名称",), example="城东社区第1网格"),
    Column(
        "community_code",
        "社区代码",
        parse=pattern(r"\d{12}", " 12 位数字"),
        blank=None,
        aliases=("community", "所属社区", "所属社区代码"),
        example="330424001001",
    ),
    Column(
        "region_class",
        "区域类别",
        parse=choice(REGION_LABELS, "1、2、一类或二类"),
        blank=None,
        aliases=("region", "区域分类"),
        example="一类",
    ),
    Column("valid_from", "启用日期", parse=as_date, blank=None, aliases=("生效日期",), example="2026-01-01"),
    Column("valid_to", "停用日期", parse=as_date, blank=None, aliases=("失效日期",), example=""),
]
# Shapefile (dBASE) fields per canonical field: name of at most 10 characters (an alias above), type, size.
DIVISION_SHP_FIELDS = {
    "code": ("code", "C", 12),
    "name": ("name", "C", 60),
    "level": ("level", "C", 12),
    "parent_code": ("parent", "C", 12),
}
GRID_SHP_FIELDS = {
    "code": ("code", "C", 15),
    "name": ("name", "C", 100),
    "community_code": ("community", "C", 12),
    "region_class": ("region", "N", 1),
    "valid_from": ("valid_from", "D", 8),
    "valid_to": ("valid_to", "D", 8),
}
ShpFields = dict[str, tuple[str, str, int]]


# ---------------------------------------------------------------- reading features


@dataclass
class Feature:
    """One feature of a file: 1-based number, properties, and its lng/lat geometry or why not."""

    number: int
    properties: dict[str, Any]
    geometry: BaseGeometry | None
    problem: str = ""


def read_features(source: Source, filename: str | None = None) -> list[Feature]:
    """Features of a GeoJSON file or of a zipped Shapefile, reprojected to lng/lat when declared."""
    data, name = read_source(source, filename)
    label = f"「{name}」" if name else ""
    suffix = PurePosixPath(name.lower()).suffix
    if suffix and suffix not in {".geojson", ".json", ".zip"}:
        raise reject(f"不支持的文件类型「{suffix}」，请上传 GeoJSON（.geojson）或压缩的 Shapefile（.zip）")
    if not data.strip():
        raise reject(f"文件{label}是空的")
    if data.startswith(b"PK\x03\x04"):
        features = _shapefile_features(data, label)
    elif (kind := sniff_binary(data)) is not None:
        raise reject(f"文件{label}实际上是{kind}，请上传 GeoJSON 或压缩的 Shapefile（.zip）")
    else:
        features = _geojson_features(data, label)
    if not features:
        raise reject(f"文件{label}中没有任何要素")
    return features


def _geojson_features(data: bytes, label: str) -> list[Feature]:
    try:
        document = json.loads(decode_text(data, label))
    except json.JSONDecodeError as exc:
        raise reject(f"文件{label}不是合法的 GeoJSON：第 {exc.lineno} 行第 {exc.colno} 列附近格式错误") from None
    if isinstance(document, dict) and document.get("type") == "Feature":
        document = {"type": "FeatureCollection", "features": [document]}
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise reject(f"文件{label}不是 GeoJSON 要素集合（FeatureCollection）")
    project = _projector(_geojson_crs(document), label)
    items = document.get("features")
    if not isinstance(items, list):
        raise reject(f"文件{label}的 features 不是列表")
    return [_geojson_feature(i, item, project) for i, item in enumerate(items, start=1)]


def _geojson_crs(document: dict) -> str | None:
    # The 2008 GeoJSON "crs" member; RFC 7946 dropped it but GIS tools still write it.
    crs = document.get("crs")
    if isinstance(crs, dict) and isinstance(crs.get("properties"), dict):
        return crs["properties"].get("name")
    return None


def _geojson_feature(number: int, item: Any, project: Callable) -> Feature:
    if not isinstance(item, dict) or item.get("type") != "Feature":
        return Feature(number, {}, None, "不是 GeoJSON 要素（Feature）")
    properties = item.get("properties") or {}
    if not isinstance(properties, dict):
        return Feature(number, {}, None, "properties 不是对象")
    if item.get("geometry") is None:
        return Feature(number, properties, None)
    try:
        return Feature(number, properties, project(geometry_from_geojson(item["geometry"])))
    except InvalidGeometry as exc:
        return Feature(number, properties, None, exc.message)


def _shapefile_features(data: bytes, label: str) -> list[Feature]:
    import shapefile

    parts = _shapefile_parts(data, label)
    project = _projector(parts.get(".prj", b"").decode("latin-1") or None, label)
    # A .cpg names the encoding; without one (or with one Python does not know) GBK tables are common.
    declared = parts.get(".cpg", b"").decode("ascii", "ignore").strip()
    encodings = [CODE_PAGES.get(declared, declared)] if declared else []
    encodings += ["utf-8", "gb18030"]
    for encoding in encodings:
        try:
            reader = shapefile.Reader(
                shp=io.BytesIO(parts[".shp"]),
                dbf=io.BytesIO(parts[".dbf"]),
                shx=io.BytesIO(parts[".shx"]) if ".shx" in parts else None,
                encoding=encoding,
            )
            names = [f[0] for f in reader.fields[1:]]
            pairs = [(item.shape, list(item.record)) for item in reader.iterShapeRecords()]
            break
        except (UnicodeDecodeError, LookupError):
            continue  # GBK attribute tables are common: try the next encoding
        except Exception:  # pyshp raises bare exceptions of many kinds on broken files
            raise reject(f"压缩包{label}中的 Shapefile 已损坏，无法读取") from None
    else:
        raise reject(f"无法识别压缩包{label}中属性表（.dbf）的文字编码，请使用 UTF-8 或 GBK")
    return [
        _shapefile_feature(i, shape, dict(zip(names, record, strict=False)), project)
        for i, (shape, record) in enumerate(pairs, start=1)
    ]


def _shapefile_parts(data: bytes, label: str) -> dict[str, bytes]:
    """The .shp/.shx/.dbf/.prj/.cpg of the one shapefile in a zip, keyed by suffix."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [m for m in archive.infolist() if not m.is_dir() and "__MACOSX" not in m.filename]
        if sum(m.file_size for m in members) > MAX_UNZIPPED_BYTES:
            raise reject(f"压缩包{label}解压后超过 1 GB，请拆分后导入")
        shps = [m for m in members if m.filename.lower().endswith(".shp")]
        if len(shps) != 1:
            found = "没有 .shp 文件" if not shps else f"有 {len(shps)} 个 .shp 文件"
            raise reject(f"压缩包{label}{found}，应恰好包含一个 Shapefile（.shp、.dbf、.shx、.prj）")
        stem = shps[0].filename[:-4].lower()
        parts = {m.filename[-4:].lower(): archive.read(m) for m in members if m.filename[:-4].lower() == stem}
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError):
        raise reject(f"文件{label}不是有效的 zip 压缩包，可能已损坏") from None
    if ".dbf" not in parts:
        raise reject(f"压缩包{label}缺少属性表（.dbf）文件")
    return parts


def _shapefile_feature(number: int, shape: Any, properties: dict[str, Any], project: Callable) -> Feature:
    if shape.shapeType == 0:  # a null shape
        return Feature(number, properties, None)
    try:
        return Feature(number, properties, project(geometry_from_geojson(shape.__geo_interface__)))
    except InvalidGeometry as exc:
        return Feature(number, properties, None, exc.message)
    except Exception:  # pyshp cannot describe some broken shapes
        return Feature(number, properties, None, "几何无法读取")


def _projector(crs_text: str | None, label: str) -> Callable[[BaseGeometry], BaseGeometry]:
    """Geometry → lng/lat: identity for geographic (or undeclared) systems, pyproj otherwise."""
    if not crs_text:
        return lambda geom: geom
    from pyproj import CRS, Transformer
    from pyproj.exceptions import CRSError

    try:
        crs = CRS.from_user_input(crs_text)
    except CRSError:
        raise reject(f"无法识别文件{label}声明的坐标系（.prj 或 crs），请改用 WGS84/CGCS2000 经纬度") from None
    if crs.is_geographic:
        return lambda geom: geom  # WGS84 and CGCS2000 differ by centimetres
    transformer = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)

    def to_lnglat(xy: np.ndarray) -> np.ndarray:
        return np.column_stack(transformer.transform(xy[:, 0], xy[:, 1]))

    return lambda geom: shapely.transform(geom, to_lnglat)


# ---------------------------------------------------------------- checks shared by both kinds


@dataclass
class _Shape:
    row: Row
    code: str
    geometry: BaseGeometry | None
    group: str | None


def _parse_features(
    features: list[Feature], columns: list[Column], errors: RowErrors, *, geometry_required: bool
) -> list[tuple[Row, BaseGeometry | None]]:
    parser = RecordParser(columns, errors)
    parsed = []
    for feature in features:
        row = parser.parse(feature.number, feature.properties)
        if feature.problem:
            errors.add(row.number, GEOMETRY_COLUMN, feature.problem)
            row.ok = False
        elif feature.geometry is None and geometry_required:
            errors.add(row.number, GEOMETRY_COLUMN, "缺少几何（geometry 为空）")
            row.ok = False
        parsed.append((row, feature.geometry))
    return parsed


def _check_shapes(
    shapes: list[_Shape],
    stored: list[tuple[str, BaseGeometry, str | None]],
    errors: RowErrors,
    *,
    noun: str,
    group_name: str,
) -> tuple[dict[str, BaseGeometry], list[str]]:
    """Validate the file's polygons together with the stored ones of the same groups.

    Returns the usable geometries of the file (exteriors counter-clockwise as RFC 7946 wants, so
    a Shapefile and a GeoJSON of the same data store the same bytes) and the warnings (gaps).
    """
    by_code = {s.code: s for s in shapes}
    features = [(s.code, s.geometry, s.group) for s in shapes]
    features += [f for f in stored if f[0] not in by_code]
    result = validate_polygons(features, group_name=group_name)
    for issue in result.errors:
        shape = by_code.get(issue.key) or by_code.get(issue.other_key)
        if shape is not None:  # an old problem between stored features is not this file's fault
            errors.add(shape.row.number, GEOMETRY_COLUMN, _relabel(issue.message, noun))
    geometries = {code: shapely.orient_polygons(geom) for code, geom in result.geometries.items() if code in by_code}
    return geometries, [_relabel(w.message, noun) for w in result.warnings]


def _relabel(message: str, noun: str) -> str:
    # validate_polygons speaks of grids; divisions are checked with the same rules.
    return message if noun == "网格" else message.replace("网格", noun)


def _geometry_fields(geom: BaseGeometry) -> dict[str, Any]:
    """The stored columns of a geometry, as GeometryModel.set_geometry would set them."""
    min_lng, min_lat, max_lng, max_lat = geom.bounds
    return {
        "geometry_wkb": shapely.to_wkb(geom),
        "min_lng": min_lng,
        "min_lat": min_lat,
        "max_lng": max_lng,
        "max_lat": max_lat,
        "area_m2": round(polygon_area_m2(geom), 1),
    }


def _finish(result: ImportResult, actor: Any, action: str, name: str) -> None:
    audit_import(actor, action, name, result)
    # The point → grid index of this process is stale once the new grids are visible.
    transaction.on_commit(forget_grid_index)


# ---------------------------------------------------------------- divisions


def import_divisions(source: Source, actor: Any = None, *, filename: str | None = None) -> ImportResult:
    """Create or update divisions (matched on code) from GeoJSON or a zipped Shapefile."""
    features = read_features(source, filename)
    errors = RowErrors()
    parsed = _parse_features(features, DIVISION_COLUMNS, errors, geometry_required=False)
    rows = [row for row, _ in parsed]
    find_duplicates(rows, DIVISION_COLUMNS[0], errors)
    _check_division_hierarchy(rows, errors)
    shapes = [
        _Shape(row, row.values["code"], geom, _parent_code(row.values["code"]))
        for row, geom in parsed
        if row.ok and geom is not None
    ]
    stored = _stored_divisions({s.group for s in shapes})
    geometries, warnings = _check_shapes(shapes, stored, errors, noun="区划", group_name="上级区划")
    errors.raise_if_any()
    result = ImportResult("行政区划", warnings=warnings)
    with writing():
        for level in LEVEL_ORDER:  # parents first, so children find their ids
            records = _division_records([r for r in rows if r.values["level"] == level], geometries)
            result.add(upsert(Division, "code", records))
        _finish(result, actor, "territory.divisions_imported", source_name(source, filename))
    return result


def _parent_code(code: str) -> str | None:
    return {12: code[:9], 9: code[:6]}.get(len(code))


def _check_division_hierarchy(rows: list[Row], errors: RowErrors) -> None:
    """Level agrees with the code; the parent is the code's prefix and exists (stored or in the file)."""
    level_col, parent_col = DIVISION_COLUMNS[2], DIVISION_COLUMNS[3]
    codes = [r.values["code"] for r in rows if "code" in r.values]
    known = set(codes) | set(
        Division.objects.filter(code__in={_parent_code(c) for c in codes} - {None}).values_list("code", flat=True)
    )
    for row in rows:
        code = row.values.get("code")
        if code is None:
            continue
        level = LEVEL_BY_LENGTH[len(code)]
        if row.values.get("level") not in (None, level):
            errors.add(row.number, row.header(level_col), f"层级与 {len(code)} 位代码不符，应为{level.label}")
            row.ok = False
        row.values["level"] = level
        expected = _parent_code(code)
        given = row.values.get("parent_code")
        if given is not None and given != expected:
            wanted = f"代码前 {len(expected)} 位「{expected}」" if expected else "空（区县没有上级）"
            errors.add(row.number, row.header(parent_col), f"上级代码「{given}」不对，应为{wanted}")
            row.ok = False
        elif expected is not None and expected not in known:
            errors.add(
                row.number,
                row.header(parent_col) if given else row.header(DIVISION_COLUMNS[0]),
                f"上级区划「{expected}」不存在（数据库和本文件中都没有）",
            )
            row.ok = False


def _stored_divisions(parent_codes: set[str | None]) -> list[tuple[str, BaseGeometry, str | None]]:
    siblings = Division.objects.filter(geometry_wkb__isnull=False)
    wanted = parent_codes - {None}
    if None in parent_codes:
        siblings = siblings.filter(parent__code__in=wanted) | siblings.filter(parent__isnull=True)
    else:
        siblings = siblings.filter(parent__code__in=wanted)
    return [(d.code, d.geometry, _parent_code(d.code)) for d in siblings]


def _division_records(rows: list[Row], geometries: dict[str, BaseGeometry]) -> list[dict[str, Any]]:
    parent_codes = {_parent_code(r.values["code"]) for r in rows} - {None}
    parent_ids = dict(Division.objects.filter(code__in=parent_codes).values_list("code", "id"))
    records = []
    for row in rows:
        code = row.values["code"]
        record = {
            "code": code,
            "name": row.values["name"],
            "level": row.values["level"],
            "parent_id": parent_ids.get(_parent_code(code)),
        }
        if code in geometries:  # a feature without geometry keeps the stored one
            record.update(_geometry_fields(geometries[code]))
        records.append(record)
    return records


# ---------------------------------------------------------------- unit grids


def import_grids(source: Source, actor: Any = None, *, filename: str | None = None) -> ImportResult:
    """Create or update unit grids (matched on code) from GeoJSON or a zipped Shapefile."""
    features = read_features(source, filename)
    errors = RowErrors()
    parsed = _parse_features(features, GRID_COLUMNS, errors, geometry_required=True)
    rows = [row for row, _ in parsed]
    find_duplicates(rows, GRID_COLUMNS[0], errors)
    communities = _check_grid_communities(rows, errors)
    shapes = [_Shape(row, row.values["code"], geom, row.values["community_code"]) for row, geom in parsed if row.ok]
    stored = _stored_grids({s.group for s in shapes})
    geometries, warnings = _check_shapes(shapes, stored, errors, noun="网格", group_name="社区")
    errors.raise_if_any()
    records = [_grid_record(row, communities, geometries) for row in rows]
    result = ImportResult("单元网格", warnings=warnings)
    with writing():
        result.add(upsert(UnitGrid, "code", records, create_defaults={"valid_from": timezone.localdate()}))
        _finish(result, actor, "territory.grids_imported", source_name(source, filename))
    return result


def _check_grid_communities(rows: list[Row], errors: RowErrors) -> dict[str, int]:
    """Community of each grid: defaults to the code's first 12 digits, must match them and exist."""
    communities = dict(Division.objects.filter(level=DivisionLevel.COMMUNITY).values_list("code", "id"))
    column = GRID_COLUMNS[2]
    for row in rows:
        code = row.values.get("code")
        given = row.values.get("community_code")
        community = given or (code[:12] if code else None)
        if code and community != code[:12]:
            errors.add(
                row.number, row.header(column), f"网格代码前 12 位「{code[:12]}」与所属社区代码「{community}」不一致"
            )
            row.ok = False
        elif community and community not in communities:
            errors.add(
                row.number,
                row.header(column) if given else row.header(GRID_COLUMNS[0]),
                f"社区「{community}」不存在，请先导入行政区划",
            )
            row.ok = False
        row.values["community_code"] = community
        _check_validity(row, errors)
    return communities


def _check_validity(row: Row, errors: RowErrors) -> None:
    start, end = row.values.get("valid_from"), row.values.get("valid_to")
    if start and end and end < start:
        errors.add(row.number, row.header(GRID_COLUMNS[5]), f"停用日期 {end} 早于启用日期 {start}")
        row.ok = False


def _stored_grids(community_codes: set[str | None]) -> list[tuple[str, BaseGeometry, str | None]]:
    grids = current_grids().filter(community__code__in=community_codes - {None}, geometry_wkb__isnull=False)
    return [
        (code, shapely.from_wkb(bytes(wkb)), community)
        for code, wkb, community in grids.values_list("code", "geometry_wkb", "community__code")
    ]


def _grid_record(row: Row, communities: dict[str, int], geometries: dict[str, BaseGeometry]) -> dict[str, Any]:
    values = row.values
    record = {"code": values["code"], "community_id": communities[values["community_code"]]}
    record.update(_geometry_fields(geometries[values["code"]]))
    for name in ("name", "valid_to"):
        if name in values:
            record[name] = values[name]
    # A blank class or start date keeps the stored value (a new grid gets the default).
    for name in ("region_class", "valid_from"):
        if values.get(name) is not None:
            record[name] = values[name]
    return record


# ---------------------------------------------------------------- export


def export_divisions(fmt: str = "geojson") -> ExportFile:
    """All divisions as GeoJSON or a zipped Shapefile (lng/lat, WGS84)."""
    divisions = list(Division.objects.order_by("code"))
    parents = {d.id: d.code for d in divisions}
    items = [
        ({"code": d.code, "name": d.name, "level": d.level, "parent_code": parents.get(d.parent_id)}, d.geometry)
        for d in divisions
    ]
    return _features_file(items, fmt, _stamped("行政区划"), DIVISION_SHP_FIELDS)


def export_grids(fmt: str = "geojson") -> ExportFile:
    """All unit grids (in use or not) as GeoJSON or a zipped Shapefile (lng/lat, WGS84)."""
    grids = UnitGrid.objects.select_related("community").order_by("code")
    items = [
        (
            {
                "code": g.code,
                "name": g.name,
                "community_code": g.community.code,
                "region_class": g.region_class,
                "valid_from": g.valid_from,
                "valid_to": g.valid_to,
            },
            g.geometry,
        )
        for g in grids
    ]
    return _features_file(items, fmt, _stamped("单元网格"), GRID_SHP_FIELDS)


def division_template(fmt: str = "geojson") -> ExportFile:
    return _template(DIVISION_COLUMNS, fmt, "行政区划", DIVISION_SHP_FIELDS)


def grid_template(fmt: str = "geojson") -> ExportFile:
    return _template(GRID_COLUMNS, fmt, "单元网格", GRID_SHP_FIELDS)


def _template(columns: list[Column], fmt: str, basename: str, shp_fields: ShpFields) -> ExportFile:
    """One example feature; GeoJSON properties carry the Chinese titles to show they are accepted."""
    example = shapely.box(120.94, 30.52, 120.941, 30.521)
    if fmt == "geojson":
        items = [({c.title: c.example for c in columns}, example)]
    else:
        items = [({c.field: c.parse(c.example) if c.example else None for c in columns}, example)]
    return _features_file(items, fmt, f"{basename}-模板", shp_fields)


def _stamped(basename: str) -> str:
    return f"{basename}-{timezone.localdate():%Y%m%d}"


def _features_file(
    items: Sequence[tuple[dict[str, Any], BaseGeometry | None]], fmt: str, stem: str, shp_fields: ShpFields
) -> ExportFile:
    check_format(fmt, GEO_FORMATS)
    if fmt == "shp":
        return ExportFile(_shapefile_zip(items, stem, shp_fields), f"{stem}.zip", CONTENT_TYPES["shp"])
    # Full precision (precision=None) so that importing an export reproduces the stored bytes.
    collection = feature_collection(
        [(geom, {k: _json_value(v) for k, v in props.items()}) for props, geom in items], precision=None
    )
    content = json.dumps(collection, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return ExportFile(content, f"{stem}.geojson", CONTENT_TYPES["geojson"])


def _json_value(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _shapefile_zip(
    items: Sequence[tuple[dict[str, Any], BaseGeometry | None]], stem: str, shp_fields: ShpFields
) -> bytes:
    import shapefile
    from pyproj import CRS

    shp, shx, dbf = io.BytesIO(), io.BytesIO(), io.BytesIO()
    writer = shapefile.Writer(shp=shp, shx=shx, dbf=dbf, shapeType=shapefile.POLYGON, encoding="utf-8")
    for name, kind, size in shp_fields.values():
        writer.field(name, kind, size=size)
    for properties, geom in items:
        if geom is None:
            writer.null()
        else:
            writer.poly(_shapefile_rings(geom))
        writer.record(*[properties.get(key) for key in shp_fields])
    writer.close()
    parts = {
        ".shp": shp.getvalue(),
        ".shx": shx.getvalue(),
        ".dbf": dbf.getvalue(),
        ".prj": CRS.from_epsg(4326).to_wkt("WKT1_ESRI"),
        ".cpg": "UTF-8",
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for suffix, content in parts.items():
            archive.writestr(_fixed_time_entry(stem + suffix), content)
    return buffer.getvalue()


def _fixed_time_entry(name: str) -> zipfile.ZipInfo:
    # A fixed entry time makes the same data export to the same bytes (the file name carries the date).
    entry = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    entry.compress_type = zipfile.ZIP_DEFLATED
    entry.external_attr = 0o644 << 16
    return entry


def _shapefile_rings(geom: BaseGeometry) -> list[list[tuple[float, float]]]:
    # Shapefile rings: exteriors clockwise, holes counter-clockwise, all parts in one list.
    oriented = shapely.orient_polygons(geom, exterior_cw=True)
    polygons = getattr(oriented, "geoms", [oriented])
    return [list(ring.coords) for p in polygons for ring in (p.exterior, *p.interiors)]
