"""The catalogue read API: classes with register conditions, components (paginated, scoped)."""

import pytest

from xiuhua.accounts.choices import Role
from xiuhua.accounts.models import User
from xiuhua.catalog.models import CaseClass, Component, RegisterCondition

pytestmark = pytest.mark.django_db

WUYUAN = "330424001"
PASSWORD = "scoped-pass-2026"


@pytest.fixture
def auth(api_token) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token}"}


def token_for(client, username: str, *, scope: list[str]) -> dict[str, str]:
    user = User(username=username, role=Role.INSPECTOR, scope_division_codes=scope)
    user.set_password(PASSWORD)
    user.save()
    response = client.post(
        "/api/v1/auth/token", {"username": username, "password": PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    return {"HTTP_AUTHORIZATION": f"Bearer {response.json()['token']}"}


# --- classes ------------------------------------------------------------------------------------------


def test_class_list_includes_register_conditions(client, auth):
    response = client.get("/api/v1/classes?kind=component&major=01", **auth)
    assert response.status_code == 200
    classes = response.json()
    assert {c["code"] for c in classes} == set(
        CaseClass.objects.filter(kind="component", major_code="01", active=True).values_list("code", flat=True)
    )
    cover = next(c for c in classes if c["code"] == "01001")
    assert (cover["name"], cover["kind"], cover["kind_label"]) == ("供水井盖", "component", "部件")
    assert cover["major_name"] == "市政公用设施"
    stored = RegisterCondition.objects.filter(case_class__kind="component", case_class__code="01001", active=True)
    assert [c["description"] for c in cover["register_conditions"]] == [c.description for c in stored]
    first = cover["register_conditions"][0]
    condition = stored[0]
    assert first["urgency"] == condition.urgency
    assert first["urgency_label"] in ("一般", "紧急")
    assert first["handling_limit"]["value"] == condition.handling_limit_value
    assert first["handling_limit"]["unit"] == condition.handling_limit_unit
    assert first["handling_limit"]["label"].startswith(str(condition.handling_limit_value))
    assert first["close_condition"] == condition.close_condition
    if condition.default_department:
        assert first["default_department"]["short_name"] == condition.default_department.short_name


def test_event_class_names_its_default_department(client, auth):
    classes = client.get("/api/v1/classes?kind=event&major=06", **auth).json()
    assert classes and all(c["kind"] == "event" and c["major_code"] == "06" for c in classes)
    departments = {
        c["default_department"]["short_name"]
        for cls in classes
        for c in cls["register_conditions"]
        if c["default_department"]
    }
    assert departments, "the demo city routes 市容环境 events to some department"


def test_class_search_matches_name_and_code(client, auth):
    by_name = client.get("/api/v1/classes?q=井盖", **auth).json()
    assert by_name and all("井盖" in c["name"] or "井盖" in c["major_name"] for c in by_name)
    by_code = client.get("/api/v1/classes?q=01001", **auth).json()
    assert {(c["kind"], c["code"]) for c in by_code} == {("component", "01001"), ("event", "01001")}


def test_inactive_classes_are_listed_only_when_asked(client, auth):
    CaseClass.objects.filter(kind="event", code="06001").update(active=False)
    active = {c["code"] for c in client.get("/api/v1/classes?kind=event", **auth).json()}
    inactive = {c["code"] for c in client.get("/api/v1/classes?kind=event&active=false", **auth).json()}
    assert "06001" not in active
    assert inactive == {"06001"}


def test_class_detail_needs_kind_when_code_is_shared(client, auth):
    ambiguous = client.get("/api/v1/classes/01001", **auth)
    assert ambiguous.status_code == 400
    assert "kind=component 或 kind=event" in ambiguous.json()["detail"]
    component = client.get("/api/v1/classes/01001?kind=component", **auth).json()
    event = client.get("/api/v1/classes/01001?kind=event", **auth).json()
    assert (component["kind"], component["name"]) == ("component", "供水井盖")
    assert event["kind"] == "event"
    assert component["register_conditions"]
    only_event = client.get("/api/v1/classes/06001", **auth)
    assert only_event.status_code == 200
    assert only_event.json()["kind"] == "event"


def test_unknown_class_code_is_404(client, auth):
    response = client.get("/api/v1/classes/99999", **auth)
    assert response.status_code == 404
    assert response.json()["detail"] == "未找到分类「99999」"
    response = client.get("/api/v1/classes/06999?kind=event", **auth)
    assert response.json()["detail"] == "未找到事件小类「06999」"
    response = client.get("/api/v1/classes/12", **auth)
    assert response.status_code == 400
    assert "应为 5 位数字" in response.json()["detail"]


# --- components ---------------------------------------------------------------------------------------


def test_components_are_paginated_with_count(client, auth):
    total = Component.objects.count()
    first = client.get("/api/v1/components?limit=50", **auth).json()
    second = client.get("/api/v1/components?limit=50&offset=50", **auth).json()
    assert first["count"] == second["count"] == total == 600
    assert len(first["items"]) == len(second["items"]) == 50
    codes = [c["code"] for c in first["items"] + second["items"]]
    assert codes == list(Component.objects.order_by("code").values_list("code", flat=True)[:100])
    last = client.get(f"/api/v1/components?limit=50&offset={total - 10}", **auth).json()
    assert len(last["items"]) == 10


def test_component_page_size_is_limited(client, auth):
    response = client.get("/api/v1/components?limit=5000", **auth)
    assert response.status_code == 422
    assert response.json()["detail"] == "请求参数不正确：limit：不能大于 1000"


def test_components_filter_by_class_grid_state_and_department(client, auth):
    sample = Component.objects.select_related("unit_grid", "maintaining_department").order_by("code")[0]
    by_class = client.get(f"/api/v1/components?class={sample.case_class.code}&limit=1000", **auth).json()
    assert by_class["count"] == Component.objects.filter(case_class__code=sample.case_class.code).count()
    assert {c["class_code"] for c in by_class["items"]} == {sample.case_class.code}

    by_grid = client.get(f"/api/v1/components?grid={sample.unit_grid.code}", **auth).json()
    assert sample.code in {c["code"] for c in by_grid["items"]}
    assert {c["grid_code"] for c in by_grid["items"]} == {sample.unit_grid.code}

    damaged = client.get("/api/v1/components?state=damaged&limit=1000", **auth).json()
    assert damaged["count"] == Component.objects.filter(state="damaged").count() > 0
    assert {c["state_label"] for c in damaged["items"]} == {"破损"}

    short = sample.maintaining_department.short_name
    by_department = client.get(f"/api/v1/components?department={short}&limit=1000", **auth).json()
    assert by_department["count"] > 0
    for item in by_department["items"]:
        owners = [item["maintaining_department"], item["owning_department"], item["supervising_department"]]
        assert short in {o["short_name"] for o in owners if o}


def test_components_bbox_keeps_points_inside(client, auth):
    points = list(Component.objects.order_by("lng").values_list("lng", "lat"))
    min_lng, max_lng = points[100][0], points[300][0]
    lats = sorted(lat for _lng, lat in points)
    min_lat, max_lat = lats[0], lats[-1]
    bbox = f"{min_lng},{min_lat},{max_lng},{max_lat}"
    body = client.get(f"/api/v1/components?bbox={bbox}&limit=1000", **auth).json()
    assert body["count"] == 201
    assert all(min_lng <= c["lng"] <= max_lng for c in body["items"])
    bad = client.get("/api/v1/components?bbox=120,30", **auth)
    assert bad.status_code == 400
    assert bad.json()["detail"].startswith("bbox 应为 minLng,minLat,maxLng,maxLat 四个数")


def test_bad_component_filters_are_refused_in_chinese(client, auth):
    response = client.get("/api/v1/components?state=broken", **auth)
    assert response.status_code == 422
    assert response.json()["detail"].startswith("请求参数不正确：state：应为以下之一：intact, damaged")
    response = client.get("/api/v1/components?grid=xyz", **auth)
    assert response.status_code == 400
    assert "单元网格编码「xyz」格式不正确" in response.json()["detail"]


def test_component_detail_and_unknown_code(client, auth):
    component = Component.objects.select_related("unit_grid__community__parent").order_by("code")[5]
    body = client.get(f"/api/v1/components/{component.code}", **auth).json()
    assert body["code"] == component.code
    assert body["class_name"] == component.case_class.name
    assert (body["lng"], body["lat"]) == (component.lng, component.lat)
    assert body["grid_code"] == component.unit_grid.code
    assert body["community_code"] == component.unit_grid.community.code
    assert body["subdistrict_name"] == component.unit_grid.community.parent.name
    assert body["survey_date"] == component.survey_date.isoformat()
    missing = client.get("/api/v1/components/33042401001999999", **auth)
    assert missing.status_code == 404
    assert missing.json()["detail"] == "未找到部件「33042401001999999」"


def test_scoped_user_sees_only_components_in_scope(client, demo_city):
    scoped = token_for(client, "wuyuan_inspector", scope=[WUYUAN])
    body = client.get("/api/v1/components?limit=1000", **scoped).json()
    expected = Component.objects.filter(unit_grid__community__code__startswith=WUYUAN)
    assert body["count"] == expected.count()
    assert 0 < body["count"] < Component.objects.count()
    assert {c["code"] for c in body["items"]} == set(expected.values_list("code", flat=True))
    outside = Component.objects.exclude(unit_grid__community__code__startswith=WUYUAN).first()
    assert client.get(f"/api/v1/components/{outside.code}", **scoped).status_code == 404
    assert client.get("/api/v1/classes?kind=component", **scoped).json(), "the catalogue is the same for everyone"
