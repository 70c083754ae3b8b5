"""Chinese throughout: every page each role opens, and every error a form or the web pages' API calls give back,
shows no field names, indicator codes or English messages in zh-hans.

The scan reads the visible text of a page (scripts, styles and attributes left out) and fails on snake_case
identifiers (`class_code`, `valid_report_rate`) and English phrases of validation messages. Plain ASCII that is
genuinely shown — API, Open311, case numbers, units, grid codes — is allowed.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import HttpResponse
from django.test import Client
from django.utils import timezone

from xiuhua.accounts.models import User
from xiuhua.campaigns.choices import Measure, ReportPeriod
from xiuhua.campaigns.models import ManualEntry, ProgressReport, Target, TargetItem
from xiuhua.cases.choices import AttachmentStage
from xiuhua.cases.derivatives import build_pending_derivatives
from xiuhua.cases.models import Case, CaseAttachment
from xiuhua.evaluation.periods import previous_month
from xiuhua.intake.channels.hotline.adapter import WorkOrderInput, take_work_order
from xiuhua.intake.imports import queue_import
from xiuhua.notify.batches import Recipient, draft_batch
from xiuhua.notify.outbox import Draft
from xiuhua.notify.outbox import queue as queue_message
from xiuhua.platform.demo_history import build_demo_history
from xiuhua.reports.jobs import request_report
from xiuhua.reports.models import JobState, ReportFormat
from xiuhua.web.tests.test_shell import signed_in
from xiuhua.web.tests.url_walk import Form, account, forms_of, routes, skipped, urls
from xiuhua.worktime.clock import forget_calendar

pytestmark = pytest.mark.django_db

SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
ENGLISH = re.compile(
    r"\b(?:This field|must be|Enter a|Ensure this|is required|Invalid|not a valid|Select a valid|does not exist|"
    r"should be|Field required|Input should|out of range|Unknown|Please|Not found|Forbidden|Bad request|"
    r"Page not found|Server error|permission)\b"
)
# Untranslated interface text: two or more English words in a row ("Assigned by", "Save draft").
PHRASE = re.compile(r"\b[A-Za-z][a-z]+(?: [a-z]+)+\b")
HIDDEN = {"script", "style", "template", "noscript"}
# Attributes a person reads: a field's hint, a tooltip, what a screen reader says.
SHOWN_ATTRIBUTES = {"placeholder", "title", "aria-label", "alt"}


class VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hiding: list[str] = []  # the open elements whose text is not scanned
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        # translate="no" (HTML's own mark) is for codes shown verbatim as evidence, e.g. the audit trail's actions.
        if tag in HIDDEN or ("translate", "no") in attrs:
            self.hiding.append(tag)
        shown = {key: value for key, value in attrs if key in SHOWN_ATTRIBUTES and value}
        if tag == "input" and dict(attrs).get("type") in ("submit", "button"):
            shown["value"] = dict(attrs).get("value") or ""
        self.parts += [value.strip() for value in shown.values() if value.strip()]

    def handle_endtag(self, tag) -> None:
        if self.hiding and self.hiding[-1] == tag:
            self.hiding.pop()

    def handle_data(self, data) -> None:
        if not self.hiding and data.strip():
            self.parts.append(data.strip())


def visible_text(page: str) -> str:
    parser = VisibleText()
    parser.feed(page)
    return "\n".join(parser.parts)


def leaks(text: str) -> list[str]:
    """Field names and English messages in `text`; account names (shift_leader, dept_zhifa) are what people type."""
    from xiuhua.accounts.models import User

    usernames = set(User.objects.values_list("username", flat=True))
    return sorted({*(word for word in SNAKE.findall(text) if word not in usernames), *ENGLISH.findall(text),
                   *PHRASE.findall(text)})  # fmt: skip


def send(client: Client, method: str, url: str, data=None, *, api: bool = False) -> HttpResponse:
    if method == "get":
        return client.get(url, data or {}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    if api:
        return client.post(url, json.dumps(data or {}), content_type="application/json")
    return client.post(url, data or {}, HTTP_ACCEPT_LANGUAGE="zh-hans")


def leaks_of(response: HttpResponse, label: str) -> list[str]:
    if response.status_code >= 500:
        return [f"{label}: HTTP {response.status_code}"]
    if response.status_code in (301, 302):
        return []
    if response["Content-Type"].startswith("application/json"):
        body = response.json()
        text = body.get("detail", "") if isinstance(body, dict) else ""
        return [f"{label}: {leak}" for leak in leaks(str(text))]
    if not response["Content-Type"].startswith("text/html"):
        return []
    return [f"{label}: {leak}" for leak in leaks(visible_text(response.content.decode()))]


def scan(client: Client, method: str, url: str, data=None, *, api: bool = False) -> list[str]:
    return leaks_of(send(client, method, url, data, api=api), f"{method.upper()} {url}")


@pytest.fixture(autouse=True)
def media_in_tmp(module_media):
    """Replaces the per-test media root of the case fixtures by the module's (the shared city's file lives there)."""
    forget_calendar()
    yield
    forget_calendar()


@pytest.fixture(scope="module")
def walked_city(django_db_setup, django_db_blocker, module_media) -> tuple[object, int]:
    """The demo city, 40 days of history and one of every object the walk's routes need, built once per module.

    They are written inside a transaction held open for the module and rolled back after its last test; each test
    runs in a savepoint of it (as Django's `setUpTestData`), so no test sees another's writes."""
    from xiuhua.platform.demo import build_demo_city
    from xiuhua.territory.services import forget_grid_index

    with django_db_blocker.unblock(), transaction.atomic():
        forget_grid_index()
        forget_calendar()
        city = build_demo_city(grids=120, components=600, seed=7)
        yield city, fill_city().pk
        transaction.set_rollback(True)
        forget_grid_index()
        forget_calendar()


@pytest.fixture
def demo_city(db, walked_city):
    """This module's demo city is the shared one."""
    return walked_city[0]


@pytest.fixture
def city(db, walked_city) -> Case:
    """The newest case of the shared city, read afresh for each test."""
    return Case.objects.get(pk=walked_city[1])


def fill_city() -> Case:
    build_demo_history(40, seed=3, days=40)
    build_pending_derivatives()  # the history's photos get the thumbnails the worker would make
    # Every case gets a file and the leader a report file job, so the attachment and job routes can be filled.
    stored = default_storage.save("cases/walk.txt", ContentFile(b"walk"))
    now = timezone.now()
    CaseAttachment.objects.bulk_create(
        CaseAttachment(case=case, stage=AttachmentStage.BEFORE, file=stored, original_name="walk.txt",
                       content_type="text/plain", size=4, sha256="0" * 64, uploaded_at=now)
        for case in Case.objects.all()
    )  # fmt: skip
    job = request_report(User.objects.get(username="leader"), previous_month(now), ReportFormat.XLSX)
    # Finished by hand: building the workbook is not what this test is about and takes seconds.
    job.file, job.state, job.finished_at = stored, JobState.DONE, now
    job.save()
    # A call saved without a class, for the 待分类工单 page and its classify route.
    take_work_order(
        WorkOrderInput("12345", "WALK-AWAITING-1", "complaint", "路口有人占道经营", address="海滨路1号"),
        User.objects.get(username="operator"),
    )
    # An uploaded 12345 export waiting for the worker, for the import job's progress page.
    queue_import(b"walk", "walk.xlsx", User.objects.get(username="operator"))
    # A failed message and a batch to confirm, for the outbox's resend and batch routes.
    queue_message(Draft(channel="sms", kind="citizen_receipt", text="您反映的问题已受理", address="1380000"))
    draft_batch(User.objects.get(username="shift_leader"), kind="shop_reminder", channel="sms", title="门前三包提醒",
                text="{{ name }}：请保持门前整洁", recipients=[Recipient("老张面馆", "13800001111")])  # fmt: skip
    walk_campaign()
    return Case.objects.order_by("-reported_at").first()


def walk_campaign() -> None:
    """A public campaign with a case target, a list item, an entry awaiting review and a unit's report (its page,
    forms and public page are walked)."""
    from xiuhua.campaigns.tests.conftest import case_target, make_campaign, make_task

    campaign = make_campaign(year=timezone.localdate().year, public=True, scope_text="全县")
    task = make_task(campaign, unit="zhujian")
    case_target(task, goal=100)
    target = Target.objects.create(task=task, name="信访化解", measure=Measure.LIST_RATE, goal=90,
                                   due_on=campaign.ends_on)  # fmt: skip
    TargetItem.objects.create(target=target, code="XF-001", title="信访件")
    ManualEntry.objects.create(target=target, value=1, occurred_on=timezone.localdate(), entered_at=timezone.now())
    ProgressReport.objects.create(
        campaign=campaign, unit=task.responsible_unit, period=ReportPeriod.MONTH,
        period_start=timezone.localdate().replace(day=1), text="本月进展", submitted_at=timezone.now(),
    )  # fmt: skip


def month() -> str:
    return timezone.localdate().strftime("%Y-%m")


def extra_requests(number: str) -> dict[str, list[tuple]]:
    """(method, url, data) the walk does not make: every evaluation tab, wrong query values, the pages' API calls."""
    evaluation = [("get", "/evaluation/", {"type": kind, "period": month()}) for kind in (
        "district", "subdistrict", "community", "grid", "department", "inspector", "operator", "shift_leader",
        "dispatcher")]  # fmt: skip
    evaluation += [("get", "/evaluation/", {"period": "2026-13"}), ("get", "/evaluation/", {"type": "planets"}),
                   ("get", "/api/v1/evaluation/department", {"period": "2026-13"})]  # fmt: skip
    return {
        "operator": [("get", "/cases/", {"light": "purple"}), ("get", "/cases/", {"indicator": "nonsense"}),
                     ("get", "/cases/", {"reported_from": "yesterday"}), ("get", "/centre/intake/",
                     {"tab": "callback"}), ("post", f"/cases/{number}/public/", {"public_description": "垃" * 4001})],
        "dispatcher": [("get", "/centre/dispatch/", {"tab": "approvals"})],
        "leader": [*evaluation, ("get", "/reports/monthly/", {"period": "2026-13"})],
        "inspector": [("post", "/m/report/", {"class_code": "x", "description": "垃"})],
        "auditor": [("get", "/audit/", {"since": "soon"})],
    }  # fmt: skip


def busiest_department() -> str:
    counts = Counter(Case.objects.values_list("lead_department__short_name", flat=True))
    return f"dept_{max((name for name in counts if name), key=counts.__getitem__)}"


@dataclass
class Walk:
    """What one walk over the URL conf found: leaks, and which routes a role really opened."""

    found: list[str] = field(default_factory=list)
    opened: set[str] = field(default_factory=set)
    tried: set[str] = field(default_factory=set)
    pages: int = 0
    forms: int = 0

    def open(self, client: Client, route: str, url: str) -> HttpResponse:
        self.tried.add(route)
        response = send(client, "get", url)
        if response.status_code == 405:  # a POST-only route (an action, a save): posted empty but for its query
            response = send(client, "post", url, dict(parse_qsl(urlsplit(url).query)))
        self.found += leaks_of(response, f"GET/POST {url}")
        self.pages += response["Content-Type"].startswith("text/html")
        if opened(response):
            self.opened.add(route)
        return response

    def submit(self, client: Client, form: Form) -> None:
        for invalid in (False, True):
            self.forms += 1
            data = form.data(invalid)
            self.found += leaks_of(send(client, form.method, form.action, data), f"{form.method.upper()} "
                                   f"{form.action} {'invalid' if invalid else 'empty'} {sorted(data)}")  # fmt: skip


def opened(response: HttpResponse) -> bool:
    """Really opened: a page, a file, a redirect after a submission, or a form's error; not a refusal or a 404."""
    if response.status_code in (301, 302):
        return not response["Location"].startswith("/login/")
    return response.status_code < 400 or response.status_code in (400, 409, 413, 422)


def walk_as(walk: Walk, username: str | None) -> None:
    client = signed_in(username) if username else Client()
    client.raise_request_exception = False  # a server error is one more finding; the walk goes on
    who = account(username)
    submitted: set[tuple] = set()
    for route in routes():
        if skipped(route):
            continue
        for url in urls(route, who):
            response = walk.open(client, route, url)
            if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
                continue
            for form in forms_of(url, response.content.decode()):
                key = (form.method, urlsplit(form.action).path, tuple(name for name, *_ in form.fields))
                if key not in submitted:
                    submitted.add(key)
                    walk.submit(client, form)


def test_every_page_of_the_url_conf_and_its_form_errors_are_chinese(city, caplog):
    """Every route (path arguments from the demo data) as every demo role and a citizen, each form on each page
    sent empty and with invalid values; every route either really opened by some role or skipped with a reason."""
    walk = Walk()
    usernames = ["admin", "secadmin", "auditor", "operator", "shift_leader", "dispatcher", "inspector", "leader",
                 busiest_department(), None]  # fmt: skip
    for username in usernames:
        walk_as(walk, username)
    for username, requests in extra_requests(city.number).items():
        client = signed_in(username)
        for method, url, data in requests:
            walk.found += scan(client, method, url, data, api=url.startswith("/api/"))
    # Django's own refusals of suspicious input (an over-long redirect, …) answer with its generic 400, not ours.
    refused = [record.getMessage()[:200] for record in caplog.records if record.name.startswith("django.security")]
    never = sorted({route for route in routes() if not skipped(route)} - walk.opened)
    print(f"{len(walk.tried)} routes tried, {walk.pages} pages and {walk.forms} form submissions scanned")
    assert not walk.found, "\n".join(walk.found)
    assert not refused, refused
    assert not never, f"routes no role opened (fill their path arguments or add them to SKIPPED): {never}"


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
    assert leaks(visible_text('<div data-x="x_y">month must be in 1..12</div>')) == ["month must be in", "must be"]
    assert leaks(visible_text('<input placeholder="Search cases">')) == ["Search cases"]
    assert leaks(visible_text("<p>案卷 3304242026110001 · Open311 API · 120 米</p>")) == []
    assert leaks(visible_text('<td translate="no">privacy.confidential_contact_viewed</td><td>查看</td>')) == []


def test_a_lookup_pasted_too_long_is_refused_with_the_limits_named(city):
    response = Client().get("/public/lookup/", {"number": "2" * 5000, "code": city.lookup_code})

    assert response.status_code == 400
    assert "案卷编号最多 13 位、查询码最多 12 位" in response.content.decode()


def test_a_user_name_pasted_too_long_is_refused_with_the_limit_named(city):
    response = Client().post("/login/", {"username": "垃" * 5000, "password": "x"})

    assert response.status_code == 200 and "用户名最多 150 个字符，您输入了 5000 个" in response.content.decode()
