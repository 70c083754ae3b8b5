"""Tokens, data scopes, departments, and the API's own documentation."""

import pytest
from django.conf import settings

from xiuhua.accounts.choices import Role
from xiuhua.accounts.models import Department, User
from xiuhua.accounts.queries import division_code_filter, sees_division_code, sees_everything
from xiuhua.territory.models import UnitGrid

pytestmark = pytest.mark.django_db

PASSWORD = "scoped-pass-2026"


@pytest.fixture
def auth(api_token) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token}"}


def make_user(username: str, *, role: str = Role.DISPATCHER, scope: list[str] | None = None) -> User:
    user = User(username=username, role=role, scope_division_codes=scope or [])
    user.set_password(PASSWORD)
    user.save()
    return user


def login(client, username: str, password: str = PASSWORD):
    return client.post(
        "/api/v1/auth/token", {"username": username, "password": password}, content_type="application/json"
    )


# --- tokens -------------------------------------------------------------------------------------------


def test_token_opens_the_api(client, demo_city):
    response = login(client, "operator", settings.DEMO_PASSWORD)
    assert response.status_code == 200
    body = response.json()
    assert (body["username"], body["role"]) == ("operator", "operator")
    listed = client.get("/api/v1/departments", HTTP_AUTHORIZATION=f"Bearer {body['token']}")
    assert listed.status_code == 200 and listed.json()


def test_wrong_password_is_refused_with_401(client, demo_city):
    response = login(client, "operator", "not-the-password")
    assert response.status_code == 401
    assert response.json()["detail"] == "用户名或密码错误，或账号已停用"
    assert login(client, "nobody", "whatever").status_code == 401


def test_deactivated_user_token_stops_working(client, demo_city):
    make_user("leaving")
    token = login(client, "leaving").json()["token"]
    header = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert client.get("/api/v1/departments", **header).status_code == 200
    User.objects.filter(username="leaving").update(is_active=False)
    refused = client.get("/api/v1/departments", **header)
    assert refused.status_code == 401
    assert refused.json()["detail"] == "未登录或令牌无效，请先获取令牌"


def test_login_without_password_field_is_a_chinese_422(client, demo_city):
    response = client.post("/api/v1/auth/token", {"username": "operator"}, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"] == "请求参数不正确：password：缺少此参数"


# --- the permission helper ----------------------------------------------------------------------------


def test_division_code_filter_limits_to_scope_prefixes(demo_city):
    admin = User.objects.get(username="admin")
    scoped = make_user("two_towns", scope=["330424001", "330424002"])
    nobody = make_user("no_scope", role=Role.LEADER)
    assert sees_everything(admin) and not sees_everything(nobody) and not sees_everything(scoped)
    assert not UnitGrid.objects.filter(division_code_filter(nobody, "community__code")).exists()
    grids = UnitGrid.objects.all()
    assert grids.filter(division_code_filter(admin, "community__code")).count() == grids.count()
    mine = grids.filter(division_code_filter(scoped, "community__code"))
    assert mine.count() == grids.filter(community__code__regex=r"^33042400[12]").count()
    assert {code[:9] for code in mine.values_list("code", flat=True)} == {"330424001", "330424002"}
    assert sees_division_code(scoped, "330424002003") and not sees_division_code(scoped, "330424101001")


def test_sysadmin_role_is_limited_by_its_scope_only_the_superuser_is_not(demo_city):
    admin = make_user("scoped_admin", role=Role.SYSADMIN, scope=["330424001"])
    assert not sees_everything(admin) and sees_division_code(admin, "330424001002")
    assert not sees_division_code(admin, "330424101001")
    assert sees_everything(User.objects.get(username="admin")), "the installation superuser"


# --- departments --------------------------------------------------------------------------------------


def test_departments_list_kinds_and_labels(client, auth):
    departments = client.get("/api/v1/departments", **auth).json()
    assert {d["short_name"] for d in departments} == set(Department.objects.values_list("short_name", flat=True))
    zhifa = next(d for d in departments if d["short_name"] == "zhifa")
    assert (zhifa["name"], zhifa["kind"], zhifa["kind_label"]) == ("海盐县综合行政执法局", "professional", "专业部门")
    wuyuan = next(d for d in departments if d["short_name"] == "wuyuan")
    assert (wuyuan["kind"], wuyuan["division_code"]) == ("subdistrict", "330424001")
    towns = client.get("/api/v1/departments?kind=subdistrict", **auth).json()
    assert towns and {d["kind"] for d in towns} == {"subdistrict"}


def test_scoped_user_sees_own_subdistrict_and_professional_departments(client, demo_city):
    make_user("wuyuan_dispatcher", scope=["330424001001"])
    token = login(client, "wuyuan_dispatcher").json()["token"]
    departments = client.get("/api/v1/departments", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    towns = {d["short_name"] for d in departments if d["kind"] == "subdistrict"}
    assert towns == {"wuyuan"}, "a community-scoped user sees the sub-district containing it, no other"
    assert "zhifa" in {d["short_name"] for d in departments}


def test_inactive_departments_are_hidden_by_default(client, auth):
    Department.objects.filter(short_name="dianxin").update(active=False)
    assert "dianxin" not in {d["short_name"] for d in client.get("/api/v1/departments", **auth).json()}
    hidden = client.get("/api/v1/departments?active=false", **auth).json()
    assert [d["short_name"] for d in hidden] == ["dianxin"]


# --- documentation ------------------------------------------------------------------------------------


def test_openapi_document_lists_every_endpoint_with_a_summary(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    operations = {(method.upper(), path): op for path, ops in spec["paths"].items() for method, op in ops.items()}
    expected = {
        ("POST", "/api/v1/auth/token"),
        ("GET", "/api/v1/divisions"),
        ("GET", "/api/v1/divisions/{code}"),
        ("GET", "/api/v1/grids"),
        ("GET", "/api/v1/grids/locate"),
        ("GET", "/api/v1/grids/{code}"),
        ("GET", "/api/v1/classes"),
        ("GET", "/api/v1/classes/{code}"),
        ("GET", "/api/v1/departments"),
        ("GET", "/api/v1/components"),
        ("GET", "/api/v1/components/{code}"),
    }
    assert expected <= set(operations)
    assert all(op.get("summary") for op in operations.values())
    component_params = {p["name"] for p in operations[("GET", "/api/v1/components")]["parameters"]}
    assert {"bbox", "class", "grid", "state", "department", "limit", "offset"} <= component_params
    assert "404" in operations[("GET", "/api/v1/grids/{code}")]["responses"]


def test_docs_page_renders(client, db):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert b"openapi.json" in response.content
