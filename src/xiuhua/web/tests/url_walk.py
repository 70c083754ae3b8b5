"""Walk the URL conf for the zh-hans page scan: every route, its path arguments filled from the demo data, opened
as each demo account, and every form on each page submitted empty and with invalid values.

A route is either walked or listed in SKIPPED with the reason; a route the walk never really opens (every role got
a refusal, a 404 or a 405) is reported, so a new page cannot slip past the scan unseen.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit

from django.urls import URLPattern, URLResolver, get_resolver

from xiuhua.accounts.models import User
from xiuhua.campaigns.models import ManualEntry, ProgressReport, TargetItem
from xiuhua.cases.models import Case, CaseAttachment
from xiuhua.cases.queries import visible_cases
from xiuhua.cases.workflow import allowed_actions
from xiuhua.intake.channels.hotline.adapter import awaiting_class
from xiuhua.intake.channels.hotline.models import WorkOrder
from xiuhua.intake.models import ImportJob
from xiuhua.notify.models import Message, MessageBatch
from xiuhua.reports.models import ReportJob

# Route prefixes (as written in the URL conf) that are not Chinese pages of ours, and why.
SKIPPED = {
    "admin/": "Django's admin site for system administrators, translated by Django itself",
    "api/v1/": "the JSON API; the error details the pages' calls get back are scanned by the explicit requests",
    "open311/v2/": "Open311 GeoReport v2, a standard interface for other systems, English by specification",
    "i18n/": "the language switch: it only sets the language and redirects",
    "logout/": "signs the walking client out; the page it redirects to is the login page, scanned",
    "favicon.ico": "an icon, not a page",
    "m/sw.js": "the phone's service worker script, not a page",
}
# Form targets never submitted by the walk (they would sign out or switch the language of the walking client).
NOT_SUBMITTED = ("/logout/", "/i18n/")
PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")
TOO_LONG = "垃" * 5001


def routes() -> Iterator[str]:
    """Every route of the URL conf as its pattern text, e.g. `cases/<str:number>/act/<str:action>/`."""

    def walk(patterns, prefix: str) -> Iterator[str]:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern):
                yield route

    yield from walk(get_resolver().url_patterns, "")


def skipped(route: str) -> bool:
    return any(route.startswith(prefix) for prefix in SKIPPED)


@dataclass
class Account:
    """One demo account (None: a citizen without one) and the demo data its path arguments are filled from."""

    username: str | None
    case: Case | None = None
    actions: list[str] = field(default_factory=list)
    attachment: CaseAttachment | None = None
    job: ReportJob | None = None
    order: WorkOrder | None = None  # a call waiting for its class (待分类工单)
    import_job: ImportJob | None = None  # an uploaded 12345 export of this user's


def account(username: str | None) -> Account:
    if username is None:
        return Account(None, case=Case.objects.order_by("-reported_at").first())
    user = User.objects.get(username=username)
    cases = list(visible_cases(user).order_by("-reported_at")[:60])
    # The case with the most actions open to this user: its page shows the most forms.
    ranked = sorted(cases, key=lambda case: -len(allowed_actions(case, user)))
    case = ranked[0] if ranked else None
    # A photo with its thumbnail first, so the thumbnail route is filled too.
    attachment = CaseAttachment.objects.filter(case__in=cases).order_by("thumbnail", "pk").last()
    job = ReportJob.objects.filter(user=user).first()
    order = awaiting_class(user).first()
    import_job = ImportJob.objects.filter(created_by=user).defer("content").first()
    return Account(username, case, allowed_actions(case, user) if case else [], attachment, job, order, import_job)


def urls(route: str, who: Account) -> list[str]:
    """The route's URLs for this account: path arguments filled, one URL per open action; [] if nothing fits."""
    values: dict[str, list[str]] = {}
    if who.case is not None:
        values["number"] = [who.case.number]
        values["action"] = who.actions or ["accept"]
    if who.attachment is not None and "attachment_id" in route:
        values["number"] = [who.attachment.case.number]
        values["attachment_id"] = [str(who.attachment.pk)]
    if who.job is not None:
        values["job_id"] = [str(who.job.pk)]
    if who.import_job is not None and route.startswith("centre/calls/import/"):
        values["pk"] = [str(who.import_job.pk)]
    if who.order is not None:
        values["hotline"], values["order_number"] = [who.order.hotline], [who.order.order_number]
    # The outbox's failed message and batch (the walk's city has one of each).
    if message := Message.objects.filter(status="failed").order_by("pk").first():
        values["message_id"] = [str(message.pk)]
    if batch := MessageBatch.objects.order_by("pk").first():
        values["batch_id"] = [str(batch.pk)]
    values.update(campaign_values())
    filled = ["/" + route]
    for name in PARAMETER.findall(route):
        if name not in values:
            return []
        filled = [PARAMETER.sub(value, url, count=1) for url in filled for value in values[name]]
    if who.case is not None and route.startswith("public/") and "<" in route:
        filled = [f"{url}?{urlencode({'code': who.case.lookup_code})}" for url in filled]
    return filled


def campaign_values() -> dict[str, list[str]]:
    """The walk's campaign (专项行动) and its list item, entry and report (the walk's city has one of each)."""
    values: dict[str, list[str]] = {}
    if item := TargetItem.objects.select_related("target__task").order_by("pk").first():
        values["item_id"] = [str(item.pk)]
        values["target_id"] = [str(item.target_id)]
        values["campaign_id"] = [str(item.target.task.campaign_id)]
    if entry := ManualEntry.objects.order_by("pk").first():
        values["entry_id"] = [str(entry.pk)]
    if report := ProgressReport.objects.order_by("pk").first():
        values["report_id"] = [str(report.pk)]
    return values


@dataclass
class Form:
    method: str
    action: str
    fields: list[tuple[str, str, str]] = field(default_factory=list)  # name, kind (input type or tag), value

    def data(self, invalid: bool) -> dict[str, list[str]]:
        """Empty: only what the page filled in itself (hidden fields). Invalid: every field a person fills, wrong."""
        data: dict[str, list[str]] = {}
        for name, kind, value in self.fields:
            if kind in ("hidden", "submit", "checkbox", "radio"):
                if kind != "submit" or invalid:
                    data.setdefault(name, []).append(value)
            elif invalid and kind != "file":
                data[name] = [bad_value(kind)]
        return data


def bad_value(kind: str) -> str:
    if kind == "select":
        return "nonsense"
    if kind in ("number", "range"):
        return "abc"
    if kind in ("date", "datetime-local", "month", "time", "week"):
        return "yesterday"
    return TOO_LONG


class Forms(HTMLParser):
    """The forms of a page: POST forms (`method="post"` or htmx `hx-post`) and GET forms."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url
        self.forms: list[Form] = []
        self.current: Form | None = None

    def handle_starttag(self, tag, attrs) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form":
            post = a.get("method", "").lower() == "post" or "hx-post" in a
            target = a.get("hx-post") or a.get("action") or a.get("hx-get") or self.url
            self.current = Form("post" if post else "get", urljoin(self.url, target))
            self.forms.append(self.current)
        elif self.current is None or not a.get("name"):
            return
        elif tag == "input":
            self.current.fields.append((a["name"], a.get("type", "text").lower(), a.get("value", "")))
        elif tag == "button" and a.get("type", "submit") == "submit":
            self.current.fields.append((a["name"], "submit", a.get("value", "")))
        elif tag in ("textarea", "select"):
            self.current.fields.append((a["name"], tag, ""))

    def handle_endtag(self, tag) -> None:
        if tag == "form":
            self.current = None


def forms_of(url: str, page: str) -> list[Form]:
    parser = Forms(url)
    parser.feed(page)
    return [form for form in parser.forms if not urlsplit(form.action).path.startswith(NOT_SUBMITTED)]
