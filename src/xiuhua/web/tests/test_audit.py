"""Security events become audit rows (who, what, when, from where, result); the auditor reads them at /audit/."""

from __future__ import annotations

import io
from datetime import timedelta

import openpyxl
import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.utils import timezone

from xiuhua.accounts.choices import Role
from xiuhua.accounts.models import Department, User
from xiuhua.core import signals
from xiuhua.core.audit import record_audit
from xiuhua.core.models import AuditEntry

pytestmark = pytest.mark.django_db
PASSWORD = "Audit-Trail-2026"
ADDRESS = "10.20.30.40"


def make_user(username: str, role: str = Role.OPERATOR, **extra) -> User:
    return User.objects.create_user(username, password=PASSWORD, role=role, **extra)


def signed_in(user: User) -> Client:
    client = Client(REMOTE_ADDR=ADDRESS)
    assert client.post("/login/", {"username": user.username, "password": PASSWORD}).status_code == 302
    return client


def last(action: str) -> AuditEntry:
    return AuditEntry.objects.filter(action=action).latest("id")


def test_web_login_and_logout_are_audited_with_address_and_result():
    user = make_user("zhang")
    client = signed_in(user)
    client.post("/logout/")
    login, logout = last("auth.login"), last("auth.logout")
    assert (login.actor_username, login.ip, login.result) == ("zhang", ADDRESS, "success")
    assert (logout.actor_username, logout.ip, logout.result) == ("zhang", ADDRESS, "success")


def test_failed_web_login_is_audited_as_a_failure_with_the_name_tried():
    make_user("zhang")
    Client(REMOTE_ADDR=ADDRESS).post("/login/", {"username": "zhang", "password": "wrong"})
    failed = last("auth.login_failed")
    assert (failed.target, failed.actor_username, failed.ip, failed.result) == ("zhang", "zhang", ADDRESS, "failure")
    assert "wrong" not in str(failed.details)


def test_failed_api_token_login_is_audited_as_a_failure():
    make_user("zhang")
    response = Client(REMOTE_ADDR=ADDRESS).post(
        "/api/v1/auth/token", {"username": "zhang", "password": "wrong"}, content_type="application/json"
    )
    assert response.status_code in (400, 401, 403)
    failed = last("auth.login_failed")
    assert (failed.target, failed.ip, failed.result) == ("zhang", ADDRESS, "failure")


def test_a_lockout_is_audited_as_a_failure_with_the_locked_address():
    # The receiver django-axes' user_locked_out signal is connected to (when axes is installed).
    signals.locked_out("axes", request=None, username="zhang", ip_address="10.9.9.9")
    locked = last("auth.locked_out")
    assert (locked.target, locked.ip, locked.result) == ("zhang", "10.9.9.9", "failure")


def test_a_role_or_scope_change_through_any_door_is_audited():
    user = make_user("li")
    user.role = Role.SHIFT_LEADER
    user.scope_division_codes = ["330424001"]
    user.save()
    change = last("accounts.permissions_changed")
    assert change.target == "li"
    assert change.details["role"] == {"from": "operator", "to": "shift_leader"}
    assert change.details["scope_division_codes"] == {"from": [], "to": ["330424001"]}


def test_saving_a_user_without_a_permission_change_writes_no_change_row():
    user = make_user("li")
    user.first_name = "小李"
    user.save()
    assert not AuditEntry.objects.filter(action="accounts.permissions_changed").exists()


def test_a_role_change_in_the_admin_is_audited_with_the_administrator_and_address():
    admin = make_user("root", role=Role.SYSADMIN, is_staff=True, is_superuser=True)
    target = make_user("wang")
    client = signed_in(admin)
    form = {
        "username": "wang",
        "role": Role.DISPATCHER,
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "08:00:00",
        "initial-date_joined_0": "2026-01-01",
        "initial-date_joined_1": "08:00:00",
        "api_tokens-TOTAL_FORMS": "0",
        "api_tokens-INITIAL_FORMS": "0",
    }
    response = client.post(f"/admin/accounts/user/{target.pk}/change/", form)
    target.refresh_from_db()
    assert target.role == Role.DISPATCHER, response.content.decode()[:3000]
    change = last("accounts.permissions_changed")
    assert (change.actor_username, change.ip, change.target) == ("root", ADDRESS, "wang")
    admin_row = last("admin.changed")
    assert admin_row.actor_username == "root" and admin_row.target == f"accounts.user:{target.pk}"


def test_every_admin_log_entry_becomes_an_audit_row_including_bulk_ones():
    admin = make_user("root", role=Role.SYSADMIN, is_staff=True, is_superuser=True)
    departments = [Department.objects.create(name=f"部门{i}", short_name=f"d{i}") for i in range(2)]
    LogEntry.objects.log_actions(admin.pk, departments, CHANGE, change_message="批量修改")
    rows = AuditEntry.objects.filter(action="admin.changed", actor_username="root")
    model = ContentType.objects.get_for_model(Department).model
    assert sorted(rows.values_list("target", flat=True)) == sorted(f"accounts.{model}:{d.pk}" for d in departments)


def test_exporting_departments_in_the_admin_is_a_personal_data_export():
    admin = make_user("root", role=Role.SYSADMIN, is_staff=True, is_superuser=True)
    Department.objects.create(name="城管执法局", short_name="zhifa", contact_person="王伟", contact_phone="13800001111")
    response = signed_in(admin).get("/admin/accounts/department/export/?format=xlsx")
    assert response.status_code == 200
    export = last("privacy.personal_data_exported")
    assert (export.actor_username, export.target, export.details["rows"]) == ("root", "accounts.Department", 1)


# -- the /audit/ page


@pytest.fixture
def auditor() -> User:
    return make_user("shenji", role=Role.AUDITOR)


@pytest.fixture
def trail() -> None:
    record_audit(None, "auth.login_failed", target="zhao", username="zhao", ip="192.168.1.5", result="failure")
    record_audit(None, "catalog.loaded", target="GB/T 30428", ip="10.0.0.1")
    old = AuditEntry.objects.create(action="demo.loaded", target="海盐县", at=timezone.now() - timedelta(days=30))
    return old


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.AUDITOR])
def test_the_audit_page_is_forbidden_to_every_role_but_the_auditor(role):
    user = make_user(f"u_{role}", role=role, is_staff=role == Role.SYSADMIN, is_superuser=role == Role.SYSADMIN)
    assert signed_in(user).get("/audit/").status_code == 403


def test_the_auditor_sees_the_trail_newest_first_with_a_menu_entry(auditor, trail):
    page = signed_in(auditor).get("/audit/")
    html = page.content.decode()
    assert page.status_code == 200 and 'href="/audit/"' in html
    assert html.index("10.0.0.1") < html.index("192.168.1.5") < html.index("demo.loaded")


def test_the_auditor_lands_on_the_audit_page_after_login(auditor):
    client = Client()
    response = client.post("/login/", {"username": "shenji", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/audit/"


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ({"result": "failure"}, "zhao", "GB/T 30428"),
        ({"ip": "10.0."}, "GB/T 30428", "zhao"),
        ({"actor": "zha"}, "192.168.1.5", "GB/T 30428"),
        ({"action": "catalog"}, "GB/T 30428", "zhao"),
        ({"target": "海盐"}, "demo.loaded", "GB/T 30428"),
    ],
)
def test_the_audit_page_filters(auditor, trail, query, shown, hidden):
    html = signed_in(auditor).get("/audit/", query).content.decode()
    assert shown in html and hidden not in html


def test_the_audit_page_filters_by_shanghai_dates(auditor, trail):
    day = timezone.localdate(trail.at).isoformat()
    html = signed_in(auditor).get("/audit/", {"date_from": day, "date_to": day}).content.decode()
    assert "demo.loaded" in html and "GB/T 30428" not in html


def test_a_bad_date_is_a_400_with_the_form_error(auditor, trail):
    assert signed_in(auditor).get("/audit/", {"date_from": "2026-13-45"}).status_code == 400


def test_the_audit_page_pages(auditor):
    AuditEntry.objects.bulk_create([AuditEntry(action="test.many", target=f"第{i}条") for i in range(30)])
    client = signed_in(auditor)
    first, second = client.get("/audit/", {"action": "test.many"}), client.get("/audit/?action=test.many&page=2")
    assert "第29条" in first.content.decode() and "第0条" not in first.content.decode()
    assert "第0条" in second.content.decode()


def test_the_excel_export_holds_the_filtered_rows_and_is_itself_audited(auditor, trail):
    response = signed_in(auditor).get("/audit/", {"result": "failure", "export": "xlsx"})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:6] == ("时间", "操作人", "操作", "对象", "结果", "来源地址")
    assert [r[2] for r in rows[1:]] == ["auth.login_failed"]
    export = last("audit.exported")
    assert export.actor_username == "shenji" and export.details["rows"] == 1
    assert export.details["filters"] == {"result": "failure"} and export.ip == "10.20.30.40"


def test_the_audit_page_has_no_inline_script(auditor, trail):
    html = signed_in(auditor).get("/audit/").content.decode()
    assert "<script>" not in html and " onclick=" not in html
