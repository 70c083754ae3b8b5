"""Chinese throughout: every page each role opens, and every error a form or the web pages' API calls give back,
shows no field names, indicator codes or English messages in zh-hans.

The scan reads the visible text of a page (scripts, styles and attributes left out) and fails on snake_case
identifiers (`class_code`, `valid_report_rate`) and English phrases of validation messages. Plain ASCII that is
genuinely shown — API, Open311, case numbers, units, grid codes — is allowed.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.utils import timezone

from xiuhua.cases.models import Case
from xiuhua.platform.demo_history import build_demo_history
from xiuhua.web.tests.test_shell import signed_in

pytestmark = pytest.mark.django_db

SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
ENGLISH = re.compile(
    r"\b(?:This field|must be|Enter a|Ensure this|is required|Invalid|not a valid|Select a valid|does not exist|"
    r"should be|Field required|Input should|out of range|Unknown|Please|Not found|Forbidden|Bad request|"
    r"Page not found|Server error|permission)\b"
)
HIDDEN = {"script", "style", "template", "noscript"}


class VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hidden = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.hidden += tag in HIDDEN

    def handle_endtag(self, tag) -> None:
        self.hidden -= tag in HIDDEN and self.hidden > 0

    def handle_data(self, data) -> None:
        if not self.hidden and data.strip():
            self.parts.append(data.strip())


def visible_text(page: str) -> str:
    parser = VisibleText()
    parser.feed(page)
    return "\n".join(parser.parts)


def leaks(text: str) -> list[str]:
    """Field names and English messages in `text`; account names (shift_leader, dept_zhifa) are what people type."""
    from xiuhua.accounts.models import User

    usernames = set(User.objects.values_list("username", flat=True))
    return sorted({*(word for word in SNAKE.findall(text) if word not in usernames), *ENGLISH.findall(text)})


def scan(client: Client, method: str, url: str, data=None, *, api: bool = False) -> list[str]:
    if method == "get":
        response = client.get(url, data or {}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    elif api:
        response = client.post(url, json.dumps(data or {}), content_type="application/json")
    else:
        response = client.post(url, data or {}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code < 500, (url, response.status_code)
    if response.status_code in (301, 302):
        return []
    if response["Content-Type"].startswith("application/json"):
        body = response.json()
        text = body.get("detail", "") if isinstance(body, dict) else ""
        return [f"{url}: {leak}" for leak in leaks(str(text))]
    if not response["Content-Type"].startswith("text/html"):
        return []
    return [f"{method.upper()} {url}: {leak}" for leak in leaks(visible_text(response.content.decode()))]


@pytest.fixture
def city(demo_city):
    build_demo_history(40, seed=3, days=40)
    return Case.objects.order_by("-reported_at").first()


def month() -> str:
    return timezone.localdate().strftime("%Y-%m")


def staff_pages(number: str) -> dict[str, list[tuple]]:
    """(method, url, data) each role opens or submits, errors included."""
    case_pages = [("get", f"/cases/{number}/", None), ("get", "/cases/", None), ("get", "/notices/", None),
                  ("get", "/map/", None), ("get", "/password/", None), ("post", "/password/", {}),
                  ("get", "/cases/", {"light": "purple"}), ("get", "/cases/", {"indicator": "nonsense"}),
                  ("get", "/cases/", {"reported_from": "yesterday"})]  # fmt: skip
    evaluation = [("get", "/evaluation/", {"type": kind, "period": month()}) for kind in (
        "district", "subdistrict", "community", "grid", "department", "inspector", "operator", "shift_leader",
        "dispatcher")]  # fmt: skip
    evaluation += [("get", "/evaluation/", {"period": "2026-13"}), ("get", "/evaluation/", {"type": "planets"}),
                   ("get", "/api/v1/evaluation/department", {"period": "2026-13"})]  # fmt: skip
    return {
        "operator": [*case_pages, ("get", "/centre/intake/", None), ("get", "/centre/intake/", {"tab": "callback"}),
                     ("post", f"/cases/{number}/act/accept/", {}), ("post", f"/cases/{number}/public/",
                     {"public_description": "垃" * 4001})],  # fmt: skip
        "shift_leader": [*case_pages, ("get", "/centre/intake/", None), *evaluation],
        "dispatcher": [*case_pages, ("get", "/centre/dispatch/", None), ("get", "/centre/dispatch/",
                       {"tab": "approvals"}), ("post", f"/cases/{number}/act/dispatch/", {})],  # fmt: skip
        "leader": [*case_pages, ("get", "/dashboard/", None), ("get", "/screen/", None), *evaluation,
                   ("get", "/reports/monthly/", None), ("get", "/reports/monthly/", {"period": "2026-13"})],
        "dept_zhifa": [*case_pages, ("get", "/department/", None), ("get", "/department/figures/", None)],
        "inspector": [("get", "/m/", None), ("get", "/m/report/", None), ("get", "/m/me/", None),
                      ("post", "/m/report/", {}), ("post", "/m/report/", {"class_code": "x", "description": "垃"})],
        "admin": [*case_pages, ("get", "/audit/", None), ("get", "/audit/", {"since": "soon"})],
    }  # fmt: skip


@pytest.mark.parametrize("username", ["operator", "shift_leader", "dispatcher", "leader", "dept_zhifa", "inspector",
                                      "admin"])  # fmt: skip
def test_every_page_and_form_error_of_a_role_is_chinese(city, username):
    client = signed_in(username)
    found = []
    for method, url, data in staff_pages(city.number)[username]:
        found += scan(client, method, url, data, api=url.startswith("/api/"))
    assert not found, "\n".join(found)


def test_the_citizens_pages_and_their_errors_are_chinese(city, spot):
    client = Client()
    found = []
    for method, url, data in [
        ("get", "/public/", None),
        ("get", "/public/lookup/", None),
        ("get", "/public/lookup/", {"number": city.number, "code": "WRONG"}),
        ("get", f"/public/cases/{city.number}/", {"code": city.lookup_code}),
        ("post", "/public/", {}),
        ("post", "/public/", {"class_code": "99999", "description": "垃圾", "lng": "abc"}),
        ("post", "/public/", {"class_code": "06010", "description": "垃" * 4001, "lng": spot[0], "lat": spot[1]}),
        ("post", f"/public/cases/{city.number}/rate/?code={city.lookup_code}", {"code": city.lookup_code}),
        ("get", "/login/", None),
        ("post", "/login/", {"username": "nobody", "password": "x"}),
    ]:
        found += scan(client, method, url, data)
    for body in ({}, {"class_code": "x"}, {"description": "垃圾", "lng": "东经", "lat": 30}):
        found += scan(client, "post", "/api/v1/public/reports", body, api=True)
    assert not found, "\n".join(found)


@pytest.mark.django_db
def test_the_scan_catches_a_field_name_and_an_english_message():
    assert leaks(visible_text("<p>class_code：缺少此参数</p><script>var a_b = 1</script>")) == ["class_code"]
    assert leaks(visible_text('<div title="x_y">month must be in 1..12</div>')) == ["must be"]
    assert leaks(visible_text("<p>案卷 3304242026110001 · Open311 API · 120 米</p>")) == []
