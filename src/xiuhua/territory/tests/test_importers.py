"""Importing and exporting divisions and unit grids: GeoJSON and zipped Shapefiles, all or nothing."""

import io
import json
import zipfile

import numpy as np
import pytest
import shapefile
import shapely
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from pyproj import CRS, Transformer
from shapely import affinity

from xiuhua.accounts.models import User
from xiuhua.core.errors import ImportRejected
from xiuhua.core.models import AuditEntry
from xiuhua.territory.importers import (
    export_divisions,
    export_grids,
    grid_template,
    import_divisions,
    import_grids,
    read_features,
)
from xiuhua.territory.models import Division, UnitGrid
from xiuhua.territory.services import locate_point


@pytest.fixture
def demo_city(shared_demo_city):
    """Every test here uses the demo city and none commits: one city for the module (conftest.module_demo_city),
    each test in a savepoint of it."""
    return shared_demo_city


BASE = "/admin/territory/unitgrid/"

# New grids go well east of the demo city so they never touch its grids.
EAST = 121.30
NORTH = 30.60
STEP = 0.001  # about 100 m


def box_at(i: int, j: int = 0) -> shapely.Polygon:
    return shapely.box(EAST + i * STEP, NORTH + j * STEP, EAST + (i + 1) * STEP, NORTH + (j + 1) * STEP)


def feature(properties: dict, geometry) -> dict:
    geojson = json.loads(shapely.to_geojson(geometry)) if isinstance(geometry, shapely.Geometry) else geometry
    return {"type": "Feature", "properties": properties, "geometry": geojson}


def collection(*features: dict) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}, ensure_ascii=False).encode()


@pytest.fixture
def community(demo_city) -> Division:
    return Division.objects.filter(level="community").order_by("code").first()


def new_grids(community: Division, count: int = 3) -> bytes:
    return collection(
        *[
            feature({"code": f"{community.code}9{i:02d}", "name": f"新网格{i}", "region_class": "二类"}, box_at(i))
            for i in range(count)
        ]
    )


def rejected_errors(excinfo) -> list:
    return sorted(excinfo.value.errors, key=lambda e: e.row)


@pytest.mark.django_db
def test_good_grid_file_creates_grids_with_area_and_audit(community):
    before = UnitGrid.objects.count()
    result = import_grids(new_grids(community), filename="grids.geojson")
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    assert UnitGrid.objects.count() == before + 3
    grid = UnitGrid.objects.get(code=f"{community.code}901")
    assert grid.community == community and grid.region_class == 2 and grid.name == "新网格1"
    assert 9_000 < grid.area_m2 < 11_000  # 0.001° × 0.001° at 30.6° N
    assert grid.geometry.equals(box_at(1))
    assert AuditEntry.objects.filter(action="territory.grids_imported", target="grids.geojson").exists()


@pytest.mark.django_db
def test_imported_grids_are_found_by_point_lookup(community):
    import_grids(new_grids(community))
    from xiuhua.territory.services import forget_grid_index

    forget_grid_index()
    assert locate_point(EAST + 1.5 * STEP, NORTH + 0.5 * STEP).grid_code == f"{community.code}901"


@pytest.mark.django_db
def test_reimport_updates_changed_grids_and_leaves_the_rest(community):
    import_grids(new_grids(community))
    changed = collection(
        feature({"网格代码": f"{community.code}900", "名称": "新网格0"}, box_at(0)),
        feature({"网格代码": f"{community.code}901", "名称": "改名了"}, box_at(1, 1)),
    )
    result = import_grids(changed)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    grid = UnitGrid.objects.get(code=f"{community.code}901")
    assert grid.name == "改名了" and grid.geometry.equals(box_at(1, 1))
    assert grid.region_class == 2  # absent from the second file: kept


@pytest.mark.django_db
def test_file_with_three_bad_rows_lists_each_and_writes_nothing(community):
    before = UnitGrid.objects.count()
    data = collection(
        feature({"code": f"{community.code}900"}, box_at(0)),
        feature({"code": "33042X"}, box_at(1)),  # malformed code
        feature({"code": "999999999999901"}, box_at(2)),  # unknown community
        feature({"code": f"{community.code}903"}, box_at(3)),
        feature({"code": f"{community.code}904", "valid_from": "2026-05-01", "valid_to": "2026-01-01"}, box_at(4)),
    )
    with pytest.raises(ImportRejected) as excinfo:
        import_grids(data)
    errors = rejected_errors(excinfo)
    assert [(e.row, e.column) for e in errors] == [(2, "code"), (3, "code"), (5, "valid_to")]
    assert "格式不正确" in errors[0].message and "不存在" in errors[1].message and "早于" in errors[2].message
    assert UnitGrid.objects.count() == before
    assert "第 2 行「code」列" in excinfo.value.message


@pytest.mark.django_db
def test_overlapping_grids_are_rejected(community):
    half_over = affinity.translate(box_at(0), xoff=STEP / 2)
    data = collection(
        feature({"code": f"{community.code}900"}, box_at(0)),
        feature({"code": f"{community.code}901"}, half_over),
    )
    with pytest.raises(ImportRejected) as excinfo:
        import_grids(data)
    assert any("重叠" in e.message for e in excinfo.value.errors)
    assert not UnitGrid.objects.filter(code__startswith=f"{community.code}9").exists()


@pytest.mark.django_db
def test_grid_overlapping_a_stored_grid_is_rejected(community):
    stored = UnitGrid.objects.filter(community=community).first()
    data = collection(feature({"code": f"{community.code}900"}, stored.geometry))
    with pytest.raises(ImportRejected) as excinfo:
        import_grids(data)
    assert "重叠" in excinfo.value.errors[0].message and stored.code in excinfo.value.errors[0].message


@pytest.mark.django_db
def test_self_intersecting_polygon_is_rejected(community):
    bowtie = {
        "type": "Polygon",
        "coordinates": [
            [[EAST, NORTH], [EAST + STEP, NORTH + STEP], [EAST + STEP, NORTH], [EAST, NORTH + STEP], [EAST, NORTH]]
        ],
    }
    with pytest.raises(ImportRejected) as excinfo:
        import_grids(collection(feature({"code": f"{community.code}900"}, bowtie)))
    [error] = excinfo.value.errors
    assert error.row == 1 and error.column == "几何" and "自相交" in error.message


@pytest.mark.django_db
def test_grid_code_must_start_with_its_community(community):
    other = Division.objects.filter(level="community").exclude(pk=community.pk).first()
    data = collection(feature({"code": f"{community.code}900", "community_code": other.code}, box_at(0)))
    with pytest.raises(ImportRejected) as excinfo:
        import_grids(data)
    assert excinfo.value.errors[0].column == "community_code"
    assert "不一致" in excinfo.value.errors[0].message


@pytest.mark.django_db
def test_duplicate_codes_in_one_file_are_rejected(community):
    code = f"{community.code}900"
    with pytest.raises(ImportRejected) as excinfo:
        import_grids(collection(feature({"code": code}, box_at(0)), feature({"code": code}, box_at(1))))
    assert [(e.row, e.message) for e in excinfo.value.errors] == [(2, f"「{code}」与第 1 行重复")]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "filename"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "grids.geojson"),
        (b"code,name\n1,2\n", "grids.txt"),
        (b"PK\x03\x04 truncated zip", "grids.zip"),
        (b'{"type": "Feature"', "grids.geojson"),
    ],
)
def test_wrong_file_type_is_rejected_with_a_chinese_message(community, content, filename):
    with pytest.raises(ImportRejected) as excinfo:
        import_grids(content, filename=filename)
    [error] = excinfo.value.errors
    assert error.row == 0
    assert any(word in error.message for word in ("不支持", "不是", "损坏", "实际上是"))


@pytest.mark.django_db
def test_projected_coordinates_without_a_prj_are_rejected(community):
    metres = shapely.box(500_000, 3_380_000, 500_100, 3_380_100)
    with pytest.raises(ImportRejected) as excinfo:
        import_grids(collection(feature({"code": f"{community.code}900"}, metres)))
    assert "经纬度范围" in excinfo.value.errors[0].message


def shapefile_zip(
    records: list[tuple[dict, shapely.Polygon]], *, encoding: str = "utf-8", prj: str | None = None
) -> bytes:
    shp, shx, dbf = io.BytesIO(), io.BytesIO(), io.BytesIO()
    writer = shapefile.Writer(shp=shp, shx=shx, dbf=dbf, shapeType=shapefile.POLYGON, encoding=encoding)
    names = list(records[0][0])
    for name in names:
        writer.field(name, "C", size=50)
    for properties, polygon in records:
        writer.poly([list(shapely.orient_polygons(polygon, exterior_cw=True).exterior.coords)])
        writer.record(*[properties[n] for n in names])
    writer.close()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("网格/grids.shp", shp.getvalue())
        archive.writestr("网格/grids.shx", shx.getvalue())
        archive.writestr("网格/grids.dbf", dbf.getvalue())
        if prj:
            archive.writestr("网格/grids.prj", prj)
    return buffer.getvalue()


@pytest.mark.django_db
def test_zipped_shapefile_in_gauss_kruger_with_gbk_names_is_reprojected(community):
    # CGCS2000 / 3-degree Gauss-Kruger CM 120E, as Chinese surveying offices deliver it.
    gk = CRS.from_epsg(4549)
    to_gk = Transformer.from_crs("EPSG:4326", gk, always_xy=True)
    projected = [
        shapely.transform(box_at(i), lambda xy: np.column_stack(to_gk.transform(xy[:, 0], xy[:, 1]))) for i in range(2)
    ]
    data = shapefile_zip(
        [({"code": f"{community.code}90{i}", "名称": f"测试网格{i}"}, p) for i, p in enumerate(projected)],
        encoding="gbk",
        prj=gk.to_wkt("WKT1_ESRI"),
    )
    result = import_grids(data, filename="grids.zip")
    assert result.created == 2
    grid = UnitGrid.objects.get(code=f"{community.code}901")
    assert grid.name == "测试网格1"
    assert shapely.hausdorff_distance(grid.geometry, box_at(1)) < 1e-7


@pytest.mark.django_db
def test_zip_without_a_shapefile_is_rejected(community):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "nothing here")
    with pytest.raises(ImportRejected) as excinfo:
        import_grids(buffer.getvalue(), filename="grids.zip")
    assert "没有 .shp" in excinfo.value.errors[0].message


@pytest.mark.django_db
def test_divisions_import_with_parent_in_the_same_file(demo_city):
    district = Division.objects.get(level="district")
    town = shapely.box(EAST, NORTH, EAST + 10 * STEP, NORTH + 10 * STEP)
    village = shapely.box(EAST, NORTH, EAST + 5 * STEP, NORTH + 5 * STEP)
    data = collection(
        feature({"区划代码": f"{district.code}999", "名称": "新设镇", "层级": "镇"}, town),
        feature({"区划代码": f"{district.code}999201", "名称": "新设村"}, village),
    )
    result = import_divisions(data)
    assert result.created == 2
    created = Division.objects.get(code=f"{district.code}999201")
    assert created.level == "community" and created.parent.code == f"{district.code}999"
    assert created.parent.parent == district and created.area_m2 > 200_000


@pytest.mark.django_db
def test_division_with_missing_parent_or_wrong_level_is_rejected(demo_city):
    before = Division.objects.count()
    data = collection(
        feature({"code": "330424888001", "name": "孤儿社区"}, None),
        feature({"code": "330424001", "name": "武原街道", "level": "社区"}, None),
    )
    with pytest.raises(ImportRejected) as excinfo:
        import_divisions(data)
    errors = rejected_errors(excinfo)
    assert [(e.row, e.column) for e in errors] == [(1, "code"), (2, "level")]
    assert "330424888" in errors[0].message
    assert Division.objects.count() == before


@pytest.mark.django_db
def test_division_without_geometry_keeps_the_stored_one(demo_city):
    town = Division.objects.get(code="330424001")
    wkb = bytes(town.geometry_wkb)
    result = import_divisions(collection(feature({"code": "330424001", "name": "武原街道（新）"}, None)))
    assert result.updated == 1
    town.refresh_from_db()
    assert town.name == "武原街道（新）" and bytes(town.geometry_wkb) == wkb


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["geojson", "shp"])
def test_grid_export_round_trips(demo_city, fmt):
    exported = export_grids(fmt)
    assert exported.filename.endswith(".geojson" if fmt == "geojson" else ".zip")
    result = import_grids(exported.content, filename=exported.filename)
    assert (result.created, result.updated, result.unchanged) == (0, 0, UnitGrid.objects.count())


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["geojson", "shp"])
def test_division_export_round_trips(demo_city, fmt):
    exported = export_divisions(fmt)
    result = import_divisions(exported.content, filename=exported.filename)
    assert (result.created, result.updated, result.unchanged) == (0, 0, Division.objects.count())
    assert export_divisions(fmt).content == exported.content


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["geojson", "shp"])
def test_grid_template_reads_back_as_one_grid(community, fmt):
    template = grid_template(fmt)
    assert "模板" in template.filename
    [row] = read_features(template.content, template.filename)
    assert row.geometry.area > 0
    assert "330424001001001" in row.properties.values()


@pytest.mark.django_db
def test_filled_in_geojson_template_imports(community):
    document = json.loads(grid_template("geojson").content)
    document["features"][0]["geometry"] = json.loads(shapely.to_geojson(box_at(0)))
    document["features"][0]["properties"]["网格代码"] = f"{community.code}900"
    result = import_grids(json.dumps(document).encode(), filename="filled.geojson")
    assert result.created == 1
    assert UnitGrid.objects.get(code=f"{community.code}900").valid_from.isoformat() == "2026-01-01"


@pytest.mark.django_db
def test_cli_import_grids_exits_non_zero_on_a_bad_file(community, tmp_path, capsys):
    path = tmp_path / "bad.geojson"
    path.write_bytes(collection(feature({"code": "bad"}, box_at(0))))
    with pytest.raises(CommandError):
        call_command("import_grids", str(path))
    assert "第 1 行「code」列" in capsys.readouterr().err


@pytest.mark.django_db
def test_cli_imports_and_exports_grids(community, tmp_path, capsys):
    path = tmp_path / "grids.geojson"
    path.write_bytes(new_grids(community))
    call_command("import_grids", str(path))
    assert "新增 3 条" in capsys.readouterr().out
    out = tmp_path / "out.zip"
    call_command("export_base_data", "grids", "--format", "shp", "-o", str(out))
    assert zipfile.ZipFile(out).namelist()[0].endswith(".shp")


@pytest.mark.django_db
def test_admin_grid_import_rejects_overlaps_and_accepts_a_good_file(community, client):
    client.force_login(User.objects.create_superuser("root", password="unused-password-123"))
    before = UnitGrid.objects.count()
    overlapping = collection(
        feature({"code": f"{community.code}900"}, box_at(0)),
        feature({"code": f"{community.code}901"}, affinity.translate(box_at(0), xoff=STEP / 2)),
    )
    response = client.post(f"{BASE}import/", {"file": SimpleUploadedFile("grids.geojson", overlapping)})
    assert response.status_code == 400 and "重叠" in response.content.decode()
    assert UnitGrid.objects.count() == before
    response = client.post(f"{BASE}import/", {"file": SimpleUploadedFile("grids.geojson", new_grids(community))})
    assert response.status_code == 302 and UnitGrid.objects.count() == before + 3
    download = client.get(f"{BASE}export/?format=shp")
    assert download["Content-Type"] == "application/zip"
