import pytest

pytestmark = pytest.mark.django_db

ADMIN_PAGES = [
    "territory/division",
    "territory/unitgrid",
    "territory/road",
    "territory/streetaddress",
    "territory/dutygrid",
    "territory/gridchief",
    "catalog/caseclass",
    "catalog/registercondition",
    "catalog/component",
    "accounts/department",
    "accounts/user",
    "accounts/apikey",
    "worktime/workday",
    "worktime/workwindow",
    "core/auditentry",
    "cases/case",
    "cases/stagelimit",
    "notify/notice",
    "routing/routingrule",
    "intake/duplicatewindow",
]


@pytest.fixture
def admin_session(demo_city, client, settings):
    assert client.login(username="admin", password=settings.DEMO_PASSWORD)
    return client


@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_admin_list_pages_render_in_chinese(admin_session, page):
    response = admin_session.get(f"/admin/{page}/")
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "zh-hans"
    assert "绣花" in response.content.decode()


def test_unit_grid_page_shows_its_outline(admin_session):
    from xiuhua.territory.models import UnitGrid

    grid = UnitGrid.objects.first()
    page = admin_session.get(f"/admin/territory/unitgrid/{grid.pk}/change/").content.decode()
    assert "<svg" in page and grid.code in page


def test_class_page_says_register_conditions_are_local_settings(admin_session):
    from xiuhua.catalog.models import CaseClass

    case_class = CaseClass.objects.get(kind="event", code="06010")
    page = admin_session.get(f"/admin/catalog/caseclass/{case_class.pk}/change/").content.decode()
    assert "暴露垃圾0.5平方米以上" in page


def test_audit_log_cannot_be_edited(admin_session):
    from xiuhua.core.models import AuditEntry

    entry = AuditEntry.objects.first()
    assert admin_session.get("/admin/core/auditentry/add/").status_code == 403
    assert admin_session.post(f"/admin/core/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


BASE_DATA_DOWNLOADS = [
    ("territory/division", "geojson", "application/geo+json"),
    ("territory/unitgrid", "shp", "application/zip"),
    ("catalog/component", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("accounts/department", "csv", "text/csv"),
]


@pytest.mark.parametrize(("page", "fmt", "content_type"), BASE_DATA_DOWNLOADS)
def test_base_data_lists_offer_import_export_and_template(admin_session, page, fmt, content_type):
    listing = admin_session.get(f"/admin/{page}/").content.decode()
    assert f'href="/admin/{page}/import/"' in listing
    template = admin_session.get(f"/admin/{page}/template/?format={fmt}")
    assert template.status_code == 200
    assert template.headers["Content-Type"].startswith(content_type)
    assert admin_session.get(f"/admin/{page}/import/").status_code == 200


def test_api_docs_are_served_without_a_cdn(client):
    page = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui" in page
    assert "cdn." not in page


def test_openapi_schema_documents_case_actions_with_json_and_multipart_bodies(client):
    schema = client.get("/api/v1/openapi.json").json()
    body = schema["paths"]["/api/v1/cases/{number}/actions/{action}"]["post"]["requestBody"]["content"]
    assert {"application/json", "multipart/form-data"} <= set(body)
    assert "photos" in body["multipart/form-data"]["schema"]["properties"]
    assert "/api/v1/me/tasks" in schema["paths"] and "/api/v1/reports" in schema["paths"]
