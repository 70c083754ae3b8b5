"""Password rules, history, expiry and the forced change (web and API), and hashing outside transactions."""

from datetime import timedelta

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.contrib.auth.password_validation import validate_password
from django.db import connection
from django.utils import timezone

from xiuhua.accounts.models import User
from xiuhua.accounts.tests.helpers import PASSWORD, make_user, token_response, web_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator():
    return make_user("op1")


def api_change(client, new: str, old: str = PASSWORD, username: str = "op1"):
    return client.post(
        "/api/v1/auth/password",
        {"username": username, "old_password": old, "new_password": new},
        content_type="application/json",
    )


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("Ab#1234", "至少 8 位"),  # seven characters
        ("abcdefgh123", "至少 3 类"),  # two classes
        ("ABCDEFGH!!", "至少 3 类"),
        ("xxOP1yy#2026", "不能包含用户名"),  # username in another letter case
    ],
)
def test_weak_passwords_are_refused_with_a_chinese_message(client, operator, new, message):
    response = api_change(client, new)
    assert response.status_code == 400
    assert response.json()["code"] == "weak_password"
    assert message in response.json()["detail"]
    assert User.objects.get(username="op1").check_password(PASSWORD)


def test_three_classes_of_four_are_enough(operator):
    for password in ("Abcdefg12", "abcdef#12", "ABCDEF#12", "Abcdefg#h"):
        validate_password(password, operator)  # raises if refused


def test_none_of_the_last_five_passwords_may_return(client, operator):
    passwords = [PASSWORD] + [f"Newpass#{n}x" for n in range(1, 6)]
    for old, new in zip(passwords, passwords[1:], strict=False):
        assert api_change(client, new, old=old).status_code == 200
    current = passwords[-1]
    assert api_change(client, current, old=current).status_code == 400
    for recent in passwords[1:-1]:  # the four before the current one
        response = api_change(client, recent, old=current)
        assert response.status_code == 400 and "最近 5 次" in response.json()["detail"], recent
    assert api_change(client, passwords[0], old=current).status_code == 200  # sixth back: allowed again


def test_api_token_is_refused_for_an_expired_password_until_it_is_changed(client, operator, settings):
    settings.XIUHUA_PASSWORD_MAX_AGE_DAYS = 90
    User.objects.filter(username="op1").update(password_changed_at=timezone.now() - timedelta(days=91))
    response = token_response(client, "op1")
    assert response.status_code == 403
    assert response.json()["code"] == "password_expired" and "修改密码" in response.json()["detail"]
    assert api_change(client, "Fresh#pass9").status_code == 200
    assert token_response(client, "op1", "Fresh#pass9").status_code == 200


def test_web_user_with_an_expired_password_is_sent_to_the_change_page(client, operator):
    User.objects.filter(username="op1").update(password_changed_at=timezone.now() - timedelta(days=91))
    assert web_login(client, "op1").status_code == 302
    response = client.get("/notices/")
    assert response.status_code == 302 and response.url.startswith("/password/?next=")
    page = client.get(response.url).content.decode()
    assert 'data-testid="password-forced"' in page
    changed = client.post(
        "/password/",
        {"old_password": PASSWORD, "new_password1": "Fresh#pass9", "new_password2": "Fresh#pass9", "next": "/notices/"},
    )
    assert changed.status_code == 302 and changed.url == "/notices/"
    assert client.get("/notices/").status_code == 200  # still logged in, no longer forced


def test_change_page_explains_a_refused_password(client, operator):
    web_login(client, "op1")
    response = client.post("/password/", {"old_password": PASSWORD, "new_password1": "short", "new_password2": "short"})
    assert response.status_code == 400
    assert "至少 8 位" in response.content.decode()
    wrong_old = client.post(
        "/password/", {"old_password": "nope", "new_password1": "Fresh#pass9", "new_password2": "Fresh#pass9"}
    )
    assert "原密码不正确" in wrong_old.content.decode()


def test_every_user_has_the_change_page_in_the_user_menu(client, operator):
    web_login(client, "op1")
    page = client.get("/notices/").content.decode()
    assert 'data-testid="change-password"' in page and 'href="/password/"' in page
    assert client.get("/password/").status_code == 200


def test_demo_accounts_are_exempt_from_expiry_in_demo_mode(client, settings):
    settings.DEMO_MODE = True
    make_user("demo_op", is_demo=True)
    User.objects.filter(username="demo_op").update(password_changed_at=timezone.now() - timedelta(days=400))
    assert token_response(client, "demo_op").status_code == 200
    settings.DEMO_MODE = False
    assert token_response(client, "demo_op").status_code == 403


class DepthRecordingHasher(MD5PasswordHasher):
    """MD5 as the suite uses, noting how many atomic blocks are open whenever a password is hashed."""

    depths: list[int] = []

    def encode(self, password, salt):
        self.depths.append(len(connection.atomic_blocks))
        return super().encode(password, salt)

    def verify(self, password, encoded):
        self.depths.append(len(connection.atomic_blocks))
        return super().verify(password, encoded)


def test_passwords_are_hashed_outside_any_transaction(client, operator, settings):
    settings.PASSWORD_HASHERS = [f"{__name__}.DepthRecordingHasher"]
    test_depth = len(connection.atomic_blocks)  # the test's own transaction
    DepthRecordingHasher.depths = []
    assert token_response(client, "op1").status_code == 200
    assert web_login(client, "op1").status_code == 302
    assert api_change(client, "Fresh#pass9").status_code == 200
    web_login(client, "op1", "Fresh#pass9")
    page = client.post(
        "/password/", {"old_password": "Fresh#pass9", "new_password1": "Other#pass8", "new_password2": "Other#pass8"}
    )
    assert page.status_code == 302
    assert len(DepthRecordingHasher.depths) >= 8  # every door above hashed at least once
    assert set(DepthRecordingHasher.depths) == {test_depth}


def test_htmx_requests_of_a_forced_user_load_the_change_page(client, operator):
    User.objects.filter(username="op1").update(must_change_password=True)
    web_login(client, "op1")
    response = client.get("/notices/", HTTP_HX_REQUEST="true")
    assert response.status_code == 204 and response["HX-Redirect"].startswith("/password/")
    assert client.post("/logout/").status_code == 302  # logging out still works
