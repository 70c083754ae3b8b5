"""Accounts for identity tests: made directly, so the tests need no demo city."""

from __future__ import annotations

from xiuhua.accounts.choices import Role
from xiuhua.accounts.models import User

PASSWORD = "Xiuhua#2026a"


def make_user(username: str, *, role: str = Role.OPERATOR, password: str = PASSWORD, **fields) -> User:
    user = User(username=username, role=role, **fields)
    user.set_password(password)
    user.save()
    return user


def token_response(client, username: str, password: str = PASSWORD, **extra):
    return client.post(
        "/api/v1/auth/token", {"username": username, "password": password}, content_type="application/json", **extra
    )


def web_login(client, username: str, password: str = PASSWORD, path: str = "/login/", **extra):
    return client.post(path, {"username": username, "password": password}, **extra)
