"""The territory read API: divisions, unit grids as GeoJSON, point → grid lookup, data scopes."""

import pytest
import shapely

from xiuhua.accounts.choices import Role
from xiuhua.accounts.models import User
from xiuhua.geo.crs import wgs84_to_bd09, wgs84_to_gcj02
from xiuhua.territory.models import Division, UnitGrid

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_city(shared_demo_city):
    """Every test here uses the demo city and none commits: one city for the module (conftest.module_demo_city),
    each test in a savepoint of it."""
    return shared_demo_city


WUYUAN = "330424001"
PASSWORD = "scoped-pass-2026"


@pytest.fixture
def auth(api_token) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token}"}


def token_for(client, username: str, *, role: str = Role.INSPECTOR, scope: list[str] | None = None) -> dict[str, str]:
    """Create a user with a data scope and log in through the API; returns the auth header."""
    user = User(username=username, role=role, scope_division_codes=scope or [])
    user.set_password(PASSWORD)
    user.save()
    response = client.post(
        "/api/v1/auth/token", {"username": username, "password": PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    return {"HTTP_AUTHORIZATION": f"Bearer {response.json()['token']}"}


def inner_point(grid: UnitGrid) -> tuple[float, float]:
    point = grid.geometry.representative_point()
    return point.x, point.y


# --- authentication -----------------------------------------------------------------------------------


@pytest.mark.parametrize("header", [None, "Bearer not-a-real-token", "Token abc"])
def test_request_without_token_is_refused(client, demo_city, header):
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    response = client.get("/api/v1/grids", **extra)
    assert response.status_code == 401
    assert response.json()["detail"] == "未登录或令牌无效，请先获取令牌"


# --- divisions ----------------------------------------------------------------------------------------


def test_division_list_filters_by_level_and_parent(client, auth):
    response = client.get("/api/v1/divisions?level=subdistrict", **auth)
    assert response.status_code == 200
    towns = response.json()
    assert {t["code"] for t in towns} == set(
        Division.objects.filter(level="subdistrict").values_list("code", flat=True)
    )
    wuyuan = next(t for t in towns if t["code"] == WUYUAN)
    assert wuyuan["name"] == "武原街道"
    assert wuyuan["parent_code"] == "330424"
    assert wuyuan["parent_name"] == "海盐县"
    assert wuyuan["area_m2"] > 0
    assert len(wuyuan["bbox"]) == 4

    children = client.get(f"/api/v1/divisions?parent={WUYUAN}", **auth).json()
    assert children, "武原街道 has communities in the demo city"
    assert all(c["level"] == "community" and c["parent_code"] == WUYUAN for c in children)
    assert all(len(c["code"]) == 12 and c["code"].startswith(WUYUAN) for c in children)


def test_division_detail_has_boundary_geojson(client, auth):
    response = client.get(f"/api/v1/divisions/{WUYUAN}", **auth)
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "武原街道"
    boundary = shapely.geometry.shape(body["boundary"])
    stored = Division.objects.get(code=WUYUAN).geometry
    assert boundary.hausdorff_distance(stored) < 1e-6  # rounded to 7 decimals (~1 cm)


def test_division_boundary_is_simplified_when_asked(client, auth):
    community = Division.objects.filter(level="community").order_by("code").first()
    full = client.get(f"/api/v1/divisions/{community.code}", **auth).json()["boundary"]
    simple = client.get(f"/api/v1/divisions/{community.code}?simplify=2", **auth).json()["boundary"]
    vertices = lambda g: len(shapely.get_coordinates(shapely.geometry.shape(g)))  # noqa: E731
    assert vertices(simple) < vertices(full)
    assert shapely.geometry.shape(simple).equals(shapely.geometry.shape(full))


def test_unknown_division_is_404_and_bad_level_is_422(client, auth):
    response = client.get("/api/v1/divisions/330424999", **auth)
    assert response.status_code == 404
    assert response.json()["detail"] == "未找到行政区划「330424999」"
    response = client.get("/api/v1/divisions?level=province", **auth)
    assert response.status_code == 422
    assert "level" in response.json()["detail"] and "subdistrict" in response.json()["detail"]


# --- unit grids ---------------------------------------------------------------------------------------


def test_grids_bbox_returns_only_grids_inside(client, auth):
    grids = list(UnitGrid.objects.order_by("code"))
    a, b = grids[3], grids[40]
    (x1, y1), (x2, y2) = inner_point(a), inner_point(b)
    box = (min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2))
    response = client.get("/api/v1/grids?bbox=" + ",".join(f"{v:.7f}" for v in box), **auth)
    assert response.status_code == 200
    body = response.json()
    assert body["type"] == "FeatureCollection"
    expected = {g.code for g in grids if g.geometry.intersects(shapely.box(*box))}
    returned = {f["properties"]["code"] for f in body["features"]}
    assert returned == expected
    assert a.code in returned and b.code in returned
    assert len(returned) < len(grids)
    assert body["truncated"] is False
    assert body["count"] == len(returned)


def test_grid_features_carry_properties_and_geometry(client, auth):
    grid = UnitGrid.objects.select_related("community").order_by("code").first()
    body = client.get(f"/api/v1/grids?community={grid.community.code}", **auth).json()
    feature = next(f for f in body["features"] if f["id"] == grid.code)
    assert feature["properties"] == {
        "code": grid.code,
        "name": grid.name,
        "community_code": grid.community.code,
        "community_name": grid.community.name,
        "region_class": grid.region_class,
        "region_class_label": "一类区域" if grid.region_class == 1 else "二类区域",
        "area_m2": grid.area_m2,
    }
    assert feature["geometry"]["type"] == "Polygon"
    assert shapely.geometry.shape(feature["geometry"]).equals_exact(grid.geometry, 1e-6)
    assert {f["properties"]["community_code"] for f in body["features"]} == {grid.community.code}


def test_grid_list_is_capped_with_truncated_flag(client, auth):
    total = UnitGrid.objects.count()
    capped = client.get("/api/v1/grids?limit=10", **auth).json()
    assert len(capped["features"]) == 10
    assert capped["truncated"] is True
    everything = client.get(f"/api/v1/grids?limit={total}", **auth).json()
    assert len(everything["features"]) == total
    assert everything["truncated"] is False


def test_retired_grids_are_not_drawn(client, auth):
    grid = UnitGrid.objects.order_by("code").first()
    UnitGrid.objects.filter(pk=grid.pk).update(valid_to="2025-01-01")
    codes = {f["id"] for f in client.get("/api/v1/grids?limit=1000", **auth).json()["features"]}
    assert grid.code not in codes
    detail = client.get(f"/api/v1/grids/{grid.code}", **auth).json()
    assert detail["valid_to"] == "2025-01-01"


@pytest.mark.parametrize(
    "bbox, fragment",
    [
        ("1,2,3", "bbox 应为 minLng,minLat,maxLng,maxLat 四个数"),
        ("a,b,c,d", "bbox 应为 minLng,minLat,maxLng,maxLat 四个数"),
        ("120.95,30.51,120.93,30.53", "最小经纬度不能大于最大经纬度"),
        ("110,20,125,35", "bbox 范围过大"),
        ("120,30,200,31", "超出经纬度范围"),
    ],
)
def test_malformed_bbox_is_a_400_with_chinese_detail(client, auth, bbox, fragment):
    response = client.get(f"/api/v1/grids?bbox={bbox}", **auth)
    assert response.status_code == 400
    assert fragment in response.json()["detail"]


def test_simplify_out_of_range_is_refused_in_chinese(client, auth):
    response = client.get("/api/v1/grids?simplify=-1", **auth)
    assert response.status_code == 422
    assert response.json()["detail"] == "请求参数不正确：simplify：不能小于 0"


def test_grid_detail_names_its_divisions(client, auth):
    grid = UnitGrid.objects.select_related("community__parent__parent").order_by("code")[7]
    response = client.get(f"/api/v1/grids/{grid.code}", **auth)
    assert response.status_code == 200
    body = response.json()
    assert body["code"] == grid.code
    assert body["community_name"] == grid.community.name
    assert body["subdistrict_code"] == grid.community.parent.code
    assert (body["district_code"], body["district_name"]) == ("330424", "海盐县")
    assert body["valid_to"] is None
    assert shapely.Point(body["inner_point"]).within(grid.geometry)
    assert shapely.geometry.shape(body["geometry"]).equals_exact(grid.geometry, 1e-6)


def test_unknown_grid_is_404_and_malformed_code_400(client, auth):
    response = client.get("/api/v1/grids/330424999999999", **auth)
    assert response.status_code == 404
    assert response.json()["detail"] == "未找到单元网格「330424999999999」"
    response = client.get("/api/v1/grids/abc", **auth)
    assert response.status_code == 400
    assert "单元网格编码「abc」格式不正确" in response.json()["detail"]


# --- locate -------------------------------------------------------------------------------------------


def test_locate_wgs84_point_names_grid_and_divisions(client, auth):
    grid = UnitGrid.objects.select_related("community__parent").order_by("code")[12]
    lng, lat = inner_point(grid)
    response = client.get(f"/api/v1/grids/locate?lng={lng}&lat={lat}", **auth)
    assert response.status_code == 200
    body = response.json()
    assert body["grid_code"] == grid.code
    assert (body["community_code"], body["community_name"]) == (grid.community.code, grid.community.name)
    assert (body["subdistrict_code"], body["subdistrict_name"]) == (
        grid.community.parent.code,
        grid.community.parent.name,
    )
    assert (body["district_code"], body["district_name"]) == ("330424", "海盐县")
    assert body["original"] == {"lng": lng, "lat": lat, "crs": "wgs84"}


@pytest.mark.parametrize("crs, convert", [("gcj02", wgs84_to_gcj02), ("bd09", wgs84_to_bd09)])
def test_locate_gcj02_point_returns_same_grid_as_wgs84_point(client, auth, crs, convert):
    grid = UnitGrid.objects.order_by("code")[20]
    lng, lat = inner_point(grid)
    phone_lng, phone_lat = convert(lng, lat)
    assert abs(phone_lng - lng) > 1e-4, "the conversion really moves the point"
    from_wgs = client.get(f"/api/v1/grids/locate?lng={lng}&lat={lat}", **auth).json()
    from_phone = client.get(f"/api/v1/grids/locate?lng={phone_lng}&lat={phone_lat}&crs={crs}", **auth).json()
    assert from_phone["grid_code"] == from_wgs["grid_code"] == grid.code
    assert abs(from_phone["lng"] - lng) < 1e-6 and abs(from_phone["lat"] - lat) < 1e-6
    assert from_phone["original"] == {"lng": phone_lng, "lat": phone_lat, "crs": crs}


def test_point_outside_territory_is_refused_with_message(client, auth):
    response = client.get("/api/v1/grids/locate?lng=121.47&lat=31.23", **auth)
    assert response.status_code == 400
    assert response.json()["detail"] == "坐标（121.470000, 31.230000）不在本辖区的任何单元网格内"
    assert response.json()["code"] == "outside_territory"


def test_unknown_crs_and_bad_numbers_are_refused_in_chinese(client, auth):
    response = client.get("/api/v1/grids/locate?lng=120.94&lat=30.52&crs=epsg3857", **auth)
    assert response.status_code == 400
    assert "不支持的坐标系" in response.json()["detail"]
    response = client.get("/api/v1/grids/locate?lng=abc&lat=30.52", **auth)
    assert response.status_code == 422
    assert response.json()["detail"] == "请求参数不正确：经度：应为数字"
    response = client.get("/api/v1/grids/locate?lat=30.52", **auth)
    assert response.json()["detail"] == "请求参数不正确：经度：缺少此参数"
    response = client.get("/api/v1/grids/locate?lng=190&lat=30.52", **auth)
    assert response.status_code == 400
    assert "经纬度超出范围" in response.json()["detail"]


# --- data scope ---------------------------------------------------------------------------------------


def test_user_scoped_to_one_subdistrict_sees_only_its_grids(client, demo_city):
    scoped = token_for(client, "wuyuan_inspector", scope=[WUYUAN])
    body = client.get("/api/v1/grids?limit=1000", **scoped).json()
    codes = {f["id"] for f in body["features"]}
    expected = set(UnitGrid.objects.filter(community__code__startswith=WUYUAN).values_list("code", flat=True))
    assert codes == expected
    assert 0 < len(codes) < UnitGrid.objects.count()

    divisions = {d["code"] for d in client.get("/api/v1/divisions", **scoped).json()}
    assert WUYUAN in divisions and "330424" not in divisions
    assert all(code.startswith(WUYUAN) for code in divisions)

    other = UnitGrid.objects.exclude(community__code__startswith=WUYUAN).select_related("community__parent").first()
    assert client.get(f"/api/v1/grids/{other.code}", **scoped).status_code == 404
    assert client.get(f"/api/v1/divisions/{other.community.code}", **scoped).status_code == 404
    lng, lat = inner_point(other)
    refused = client.get(f"/api/v1/grids/locate?lng={lng}&lat={lat}", **scoped)
    assert refused.status_code == 403
    assert refused.json()["detail"] == (
        f"该坐标位于{other.community.parent.name}{other.community.name}，不在您的数据范围内"
    )
    own = UnitGrid.objects.filter(community__code__startswith=WUYUAN).first()
    assert client.get("/api/v1/grids/locate?lng={}&lat={}".format(*inner_point(own)), **scoped).status_code == 200


def test_user_with_empty_scope_sees_no_grid_and_the_district_scope_sees_all(client, demo_city):
    nobody = token_for(client, "unscoped_leader", role=Role.LEADER, scope=[])
    assert client.get("/api/v1/grids?limit=1000", **nobody).json()["features"] == []
    district = token_for(client, "district_leader", role=Role.LEADER, scope=["330424"])
    body = client.get("/api/v1/grids?limit=1000", **district).json()
    assert len(body["features"]) == UnitGrid.objects.count()
