"""Browser tests: Playwright driving the machine's Chromium (Debian package `chromium`) against a live server.

Playwright never downloads a browser here: it launches `XIUHUA_CHROMIUM` (default /usr/bin/chromium). Every test
saves a screenshot under `var/test-output/screenshots/` (`XIUHUA_TEST_OUTPUT` to change) for people to look at.
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections

# Playwright's sync API runs an event loop in this thread; the live server's ORM calls are in other threads, but
# Django's async-safety check also trips on the test's own ORM calls made while that loop exists.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("XIUHUA_CHROMIUM", "/usr/bin/chromium")
OUTPUT = Path(os.environ.get("XIUHUA_TEST_OUTPUT", settings.PROJECT_DIR / "var" / "test-output")) / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


@pytest.fixture(scope="session")
def serialized_database(django_db_setup, django_db_blocker):
    """The test database's contents as serialized at its creation (the migrations' data), read before Playwright.

    Django keeps them on the connection object, which is context-local: once Playwright's sync API runs its event
    loop in this thread, `connections["default"]` is a new object without them, and a serialized rollback would
    silently restore nothing (empty catalogue, empty calendar) whenever the database was set up first.
    """
    from django.db import connections

    return getattr(connections["default"], "_test_serialized_contents", None)


@pytest.fixture(scope="session")
def browser(serialized_database):
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"找不到 Chromium：{CHROMIUM}（Debian 软件包 chromium；make test 以 root 运行时会自动安装）")
    # Django keeps connections in an asgiref Local, which in a thread with a running event loop (Playwright's)
    # switches to other storage: ORM calls would get fresh connection objects without the test database's
    # serialized contents, and data flushed by one live-server test would not come back for the next.
    # The loop's storage is given this thread's connections, so both see the same ones.
    thread_connections = {alias: connections[alias] for alias in connections}
    with sync_playwright() as playwright:
        for alias, connection in thread_connections.items():
            connections[alias] = connection
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _context(browser, request, **options):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **options)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    OUTPUT.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^\w.-]+", "_", request.node.name)
    page.screenshot(path=str(OUTPUT / f"{name}.png"), full_page=True)
    context.close()


@pytest.fixture
def _serialized_contents_on_this_connection(browser, serialized_database):
    from django.db import connections

    connection = connections["default"]
    if serialized_database is not None and not hasattr(connection, "_test_serialized_contents"):
        connection._test_serialized_contents = serialized_database


@pytest.fixture
def server(_serialized_contents_on_this_connection, django_db_serialized_rollback, live_server):
    """The live server; its tests commit for real, so the migrations' data (catalogue, calendar) is restored after.

    Like a served web process, it makes the thumbnails of the photos it takes in just after commit."""
    from xiuhua.cases.derivatives import start_builder_thread, wake_builder

    stop = threading.Event()
    builder = start_builder_thread(stop)
    yield live_server
    stop.set()
    wake_builder()
    builder.join(30)


@pytest.fixture
def page(browser, request, server, demo_city):
    """A desktop browser tab (1440×900) on a live server with the demo city."""
    yield from _context(browser, request, viewport={"width": 1440, "height": 900})


@pytest.fixture
def phone(browser, request, server, demo_city):
    """A phone-sized tab (390×844, touch), as an inspector's or a citizen's phone."""
    yield from _context(browser, request, **PHONE)


@pytest.fixture
def log_in(server):
    """log_in(page, "operator") signs in through the login form and lands on that role's workbench."""

    def sign_in(page, username: str, next_path: str = "") -> None:
        page.goto(f"{server.url}/login/{'?next=' + next_path if next_path else ''}")
        page.fill("#id_username", username)
        page.fill("#id_password", settings.DEMO_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(re.compile(r"^(?!.*/login/).*$"))

    return sign_in
