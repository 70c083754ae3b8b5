"""Tokens and sessions: revocation on password change and logout, token lifetime, web idle timeout."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from xiuhua.accounts.models import ApiToken
from xiuhua.accounts.tests.helpers import PASSWORD, make_user, token_response, web_login
from xiuhua.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator():
    return make_user("op1")


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def can_call_api(client, token: str) -> bool:
    return client.get("/api/v1/departments", **bearer(token)).status_code == 200


def test_logout_ends_the_calling_token_only(client, operator):
    first = token_response(client, "op1").json()["token"]
    second = token_response(client, "op1").json()["token"]
    response = client.post("/api/v1/auth/logout", **bearer(first))
    assert response.status_code == 200
    assert not can_call_api(client, first)
    assert can_call_api(client, second)
    assert AuditEntry.objects.filter(action="accounts.token_revoked", target="op1").exists()


def test_changing_the_password_on_the_page_ends_every_api_token(client, operator):
    token = token_response(client, "op1").json()["token"]
    web_login(client, "op1")
    client.post(
        "/password/", {"old_password": PASSWORD, "new_password1": "Fresh#pass9", "new_password2": "Fresh#pass9"}
    )
    assert not can_call_api(client, token)
    assert AuditEntry.objects.filter(action="accounts.password_changed", target="op1").exists()
    assert AuditEntry.objects.filter(action="accounts.token_revoked", target="op1").exists()


def test_changing_the_password_ends_other_web_sessions_but_not_this_one(client, operator):
    other = Client()
    web_login(other, "op1")
    web_login(client, "op1")
    client.post(
        "/password/", {"old_password": PASSWORD, "new_password1": "Fresh#pass9", "new_password2": "Fresh#pass9"}
    )
    assert client.get("/notices/").status_code == 200
    assert other.get("/notices/").status_code == 302


def test_tokens_live_seven_days_by_default(client, operator, settings):
    assert settings.XIUHUA_TOKEN_TTL_DAYS == 7
    token = token_response(client, "op1").json()["token"]
    row = ApiToken.objects.get(user=operator)
    assert abs(row.expires_at - (timezone.now() + timedelta(days=7))) < timedelta(minutes=1)
    ApiToken.objects.filter(pk=row.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert not can_call_api(client, token)


def test_web_session_ends_after_thirty_idle_minutes_but_not_while_used(client, operator, settings, monkeypatch):
    assert settings.XIUHUA_SESSION_IDLE_MINUTES == 30
    start = timezone.now()

    def at(minutes: int) -> int:
        monkeypatch.setattr(timezone, "now", lambda: start + timedelta(minutes=minutes))
        return client.get("/notices/").status_code

    web_login(client, "op1")
    assert at(1) == 200
    assert at(25) == 200  # 24 idle minutes
    assert at(50) == 200  # 25 idle minutes: the request at 25 renewed the session
    assert at(81) == 302  # 31 idle minutes: logged out
