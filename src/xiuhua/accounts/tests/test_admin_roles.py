"""Separation of duties (三员分立) in the admin: what sysadmin, secadmin, auditor and the superuser may do there."""

import pytest
from django.test import Client

from xiuhua.accounts.choices import Role
from xiuhua.accounts.models import ApiToken, User
from xiuhua.accounts.tests.helpers import PASSWORD, make_user, token_response

pytestmark = pytest.mark.django_db


def admin_client(username: str, role: str, **fields) -> Client:
    make_user(username, role=role, is_staff=True, **fields)
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


@pytest.fixture
def sysadmin() -> Client:
    return admin_client("sys1", Role.SYSADMIN)


@pytest.fixture
def secadmin() -> Client:
    return admin_client("sec1", Role.SECADMIN)


@pytest.mark.parametrize(
    ("page", "status"),
    [
        ("accounts/user", 200),
        ("accounts/department", 200),
        ("territory/unitgrid", 200),
        ("catalog/caseclass", 200),
        ("accounts/apikey", 403),
        ("accounts/apitoken", 403),
        ("axes/accessattempt", 403),
        ("core/auditentry", 403),
    ],
)
def test_sysadmin_manages_accounts_and_base_data_but_not_security(sysadmin, page, status):
    assert sysadmin.get(f"/admin/{page}/").status_code == status


@pytest.mark.parametrize(
    ("page", "status"),
    [
        ("axes/accessattempt", 200),
        ("accounts/apikey", 200),
        ("accounts/apitoken", 200),
        ("accounts/user", 200),  # to look people up; read-only, below
        ("territory/unitgrid", 403),
        ("catalog/caseclass", 403),
        ("core/auditentry", 403),
    ],
)
def test_secadmin_manages_security_only(secadmin, page, status):
    assert secadmin.get(f"/admin/{page}/").status_code == status


def test_secadmin_cannot_change_accounts(secadmin):
    user = make_user("op1")
    assert secadmin.post(f"/admin/accounts/user/{user.pk}/change/", {"username": "op1x"}).status_code == 403
    assert secadmin.get("/admin/accounts/user/add/").status_code == 403


def test_auditor_is_kept_out_of_the_admin():
    auditor = admin_client("aud1", Role.AUDITOR)
    response = auditor.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response.url


def test_sysadmin_cannot_edit_a_secadmin_or_auditor_account(sysadmin):
    for role in (Role.SECADMIN, Role.AUDITOR):
        guarded = make_user(f"g_{role}", role=role, is_staff=True)
        assert sysadmin.post(f"/admin/accounts/user/{guarded.pk}/change/", {"username": "x"}).status_code == 403
        assert sysadmin.post(f"/admin/accounts/user/{guarded.pk}/password/", {}).status_code == 403


def test_sysadmin_cannot_give_the_guarded_roles_or_change_their_own(sysadmin):
    add_page = sysadmin.get("/admin/accounts/user/add/").content.decode()
    assert 'value="sysadmin"' in add_page
    assert 'value="secadmin"' not in add_page and 'value="auditor"' not in add_page
    me = User.objects.get(username="sys1")
    own_page = sysadmin.get(f"/admin/accounts/user/{me.pk}/change/").content.decode()
    assert 'name="role"' not in own_page and 'name="is_superuser"' not in own_page


def test_an_account_an_administrator_creates_must_change_its_password(sysadmin, client):
    response = sysadmin.post(
        "/admin/accounts/user/add/",
        {
            "username": "newbie",
            "password1": "Start#pass1",
            "password2": "Start#pass1",
            "usable_password": "true",
            "display_name": "新人",
            "role": Role.OPERATOR,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert User.objects.get(username="newbie").must_change_password
    assert token_response(client, "newbie", "Start#pass1").json()["code"] == "password_expired"


def test_an_administrator_reset_forces_a_change_and_ends_tokens(sysadmin, client):
    user = make_user("op1")
    token_response(client, "op1")
    response = sysadmin.post(
        f"/admin/accounts/user/{user.pk}/password/",
        {"password1": "Reset#pass1", "password2": "Reset#pass1", "usable_password": "true"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.must_change_password
    assert not ApiToken.objects.filter(user=user).exists()
    assert token_response(client, "op1", "Reset#pass1").json()["code"] == "password_expired"


def test_admin_refuses_a_weak_password(sysadmin):
    user = make_user("op1")
    response = sysadmin.post(
        f"/admin/accounts/user/{user.pk}/password/",
        {"password1": "op1op1op1", "password2": "op1op1op1", "usable_password": "true"},
    )
    assert response.status_code == 200
    assert "不能包含用户名" in response.content.decode()


def test_superuser_sees_the_installation_only_warning():
    root = admin_client("root", Role.SYSADMIN, is_superuser=True)
    assert 'data-testid="superuser-warning"' in root.get("/admin/").content.decode()
    sysadmin = admin_client("sys2", Role.SYSADMIN)
    assert 'data-testid="superuser-warning"' not in sysadmin.get("/admin/").content.decode()


def test_demo_has_a_secadmin_and_an_auditor_who_are_not_superusers(demo_city):
    secadmin = User.objects.get(username="secadmin")
    auditor = User.objects.get(username="auditor")
    assert (secadmin.role, secadmin.is_staff, secadmin.is_superuser) == (Role.SECADMIN, True, False)
    assert (auditor.role, auditor.is_superuser) == (Role.AUDITOR, False)


def test_secadmin_reads_the_security_policy_and_a_sysadmin_cannot(secadmin, sysadmin):
    page = secadmin.get("/admin/security-policy/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "XIUHUA_LOCKOUT_MINUTES" in text and "15 分钟" in text and "至少 3 类" in text
    assert sysadmin.get("/admin/security-policy/").status_code == 403
