"""Production settings with XIUHUA_HTTPS=1 pass Django's deployment checks, and the headers say so."""

import base64
import os
import secrets
import subprocess
import sys

import pytest
from django.test import Client

PRODUCTION = {
    "XIUHUA_DEMO_MODE": "0",
    "XIUHUA_SECRET_KEY": secrets.token_urlsafe(64),
    "XIUHUA_DATA_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
    "XIUHUA_HTTPS": "1",
    "XIUHUA_ALLOWED_HOSTS": "xiuhua.example.gov.cn",
    "DJANGO_SETTINGS_MODULE": "xiuhua.platform.settings",
}


def production_env(tmp_path, **overrides: str) -> dict[str, str]:
    env = {**os.environ, **PRODUCTION, "XIUHUA_VAR_DIR": str(tmp_path), **overrides}
    env.pop("XIUHUA_DEBUG", None)
    # The browser tests set this for Playwright's sync API in the test process; a server never has it.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = production_env(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_without_https_the_same_check_names_the_missing_protections(tmp_path):
    env = production_env(tmp_path, XIUHUA_HTTPS="0")
    result = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0 and "security.W004" in result.stderr + result.stdout  # HSTS


@pytest.mark.django_db
def test_every_page_carries_a_csp_without_inline_script():
    response = Client().get("/login/")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert "object-src 'none'" in policy and "frame-ancestors 'self'" in policy
