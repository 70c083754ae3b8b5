"""Login lockout (django-axes) on the three doors: API token, web login, admin login; unlocking; cool-off."""

import time
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext

from xiuhua.accounts.choices import Role
from xiuhua.accounts.tests.helpers import PASSWORD, make_user, token_response, web_login
from xiuhua.core.context import request_address as client_address
from xiuhua.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator():
    return make_user("op1")


def fail_five_times(login) -> list[int]:
    return [login("wrong-password").status_code for _ in range(5)]


def cool_off_passes() -> None:
    """The failures were 16 minutes ago (the lock lasts 15)."""
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=16))


def test_api_token_locks_after_five_failures_and_the_right_password_then_fails(client, operator):
    statuses = fail_five_times(lambda pw: token_response(client, "op1", pw))
    assert statuses == [401, 401, 401, 401, 429]
    response = token_response(client, "op1")
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "locked"
    assert "锁定至" in body["detail"] and "北京时间" in body["detail"]


def test_api_lock_is_per_account_and_address(client, operator):
    make_user("op2")
    fail_five_times(lambda pw: token_response(client, "op1", pw))
    assert token_response(client, "op1", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert token_response(client, "op2").status_code == 200


def test_api_lock_ends_after_the_cool_off(client, operator):
    fail_five_times(lambda pw: token_response(client, "op1", pw))
    cool_off_passes()
    assert token_response(client, "op1").status_code == 200


def test_unlock_command_lifts_the_lock_and_is_audited(client, operator, capsys):
    fail_five_times(lambda pw: token_response(client, "op1", pw))
    call_command("unlock", "op1", "--ip", "127.0.0.1")
    assert "已解除 op1" in capsys.readouterr().out
    assert token_response(client, "op1").status_code == 200
    assert AuditEntry.objects.filter(action="accounts.unlocked", target="op1").exists()


def test_web_login_locks_with_a_readable_page(client, operator):
    statuses = fail_five_times(lambda pw: web_login(client, "op1", pw))
    assert statuses == [200, 200, 200, 200, 429]
    response = web_login(client, "op1")
    assert response.status_code == 429
    page = response.content.decode()
    assert "锁定至" in page and 'data-testid="locked"' in page
    assert client.get("/cases/").status_code == 302  # not logged in


def test_web_login_works_after_the_cool_off(client, operator):
    fail_five_times(lambda pw: web_login(client, "op1", pw))
    cool_off_passes()
    assert web_login(client, "op1").status_code == 302
    assert client.get("/notices/").status_code == 200


def test_admin_login_locks_and_a_secadmin_unlocks_it_in_the_admin(client, operator):
    make_user("boss", role=Role.SYSADMIN, is_staff=True)
    fail_five_times(lambda pw: web_login(client, "boss", pw, path="/admin/login/"))
    response = web_login(client, "boss", path="/admin/login/")
    assert response.status_code == 429 and "锁定至" in response.content.decode()

    security = Client()
    make_user("sec1", role=Role.SECADMIN, is_staff=True)
    assert security.login(username="sec1", password=PASSWORD)
    listing = security.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200 and "boss" in listing.content.decode()
    attempt = AccessAttempt.objects.get(username="boss")
    done = security.post(
        "/admin/axes/accessattempt/", {"action": "unlock", "_selected_action": [attempt.pk]}, follow=True
    )
    assert done.status_code == 200
    assert not AccessAttempt.objects.filter(username="boss").exists()
    assert AuditEntry.objects.filter(action="accounts.unlocked", target="boss", actor__username="sec1").exists()
    assert web_login(client, "boss", path="/admin/login/").status_code == 302


def test_a_sysadmin_cannot_see_or_lift_lockouts(client):
    make_user("boss", role=Role.SYSADMIN, is_staff=True)
    assert client.login(username="boss", password=PASSWORD)
    assert client.get("/admin/axes/accessattempt/").status_code == 403


def test_forwarded_for_counts_only_behind_a_trusted_proxy(rf, settings):
    request = rf.get("/", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert client_address(request) == "203.0.113.7"
    settings.XIUHUA_TRUSTED_PROXIES = ["203.0.113.7"]
    assert client_address(request) == "198.51.100.1"
    spoofed = rf.get("/", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="1.1.1.1, 198.51.100.1")
    assert client_address(spoofed) == "198.51.100.1"  # the client's own hop, not what it claimed before it


def test_a_successful_api_login_forgets_earlier_failures(client, operator):
    for _ in range(4):
        token_response(client, "op1", "wrong-password")
    assert token_response(client, "op1").status_code == 200
    assert [token_response(client, "op1", "wrong-password").status_code for _ in range(4)] == [401] * 4


def writes_of(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].split()[0].upper() in {"INSERT", "UPDATE", "DELETE"}]


def test_tries_while_locked_write_one_audit_row_a_minute_and_nothing_else(client, operator):
    cache.clear()
    fail_five_times(lambda pw: token_response(client, "op1", pw))
    rows = AuditEntry.objects.filter(target="op1")
    assert rows.filter(action="auth.login_failed").count() == 5  # the one that starts the lock too
    assert rows.filter(action="auth.locked_out", ip="127.0.0.1").count() == 1
    with CaptureQueriesContext(connection) as queries:
        assert token_response(client, "op1").status_code == 429
        assert web_login(client, "op1").status_code == 429
    writes = writes_of(queries)
    assert len(writes) == 1 and "core_auditentry" in writes[0]
    assert AuditEntry.objects.filter(action="auth.login_refused_locked", target="op1").count() == 1
    with CaptureQueriesContext(connection) as queries:
        assert [token_response(client, "op1").status_code for _ in range(3)] == [429, 429, 429]
    assert writes_of(queries) == []


def test_a_locked_try_is_answered_after_the_configured_pause(client, operator, settings):
    fail_five_times(lambda pw: token_response(client, "op1", pw))
    settings.XIUHUA_LOCKED_ANSWER_DELAY = 0.3
    started = time.monotonic()
    assert token_response(client, "op1").status_code == 429
    assert time.monotonic() - started >= 0.3


def test_failures_older_than_the_lock_do_not_count(client, operator):
    fail_five_times(lambda pw: token_response(client, "op1", pw))
    cool_off_passes()
    assert token_response(client, "op1", "wrong-password").status_code == 401  # counting starts again
    assert AccessAttempt.objects.get(username="op1").failures_since_start == 1


def test_password_change_endpoint_is_a_door_too(client, operator):
    def change(old: str):
        body = {"username": "op1", "old_password": old, "new_password": "Fresh#pass9"}
        return client.post("/api/v1/auth/password", body, content_type="application/json")

    assert [change("wrong-password").status_code for _ in range(5)] == [401, 401, 401, 401, 429]
    response = change(PASSWORD)
    assert response.status_code == 429 and response.json()["code"] == "locked"
