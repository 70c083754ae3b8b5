"""Open311 GeoReport v2 endpoints, with the common extensions (page/page_size, updated_after/updated_before,
extensions=true notes, media upload, mySociety servicerequestupdates).

Plain Django views: the format comes from the suffix (.xml or .json), errors are Open311 error documents
(404 not found, 403 api_key, 400 anything else), and every refused POST is written to the intake log.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from xiuhua.accounts.models import ApiKey
from xiuhua.core.context import request_address
from xiuhua.core.errors import DomainError, NotFound
from xiuhua.intake.log import rejections_logged, request_payload
from xiuhua.intake.open311 import present, queries, render
from xiuhua.intake.open311.adapter import submit_request
from xiuhua.intake.open311.params import (
    MAX_PAGE_SIZE,
    BadParam,
    Params,
    Window,
    aware_datetime,
    bounded,
    check_jurisdiction,
    comma_list,
    known_client,
    positive_int,
    require_client,
    window,
)
from xiuhua.intake.open311.updates import post_update

CHANNEL = "open311"
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-23T00:00:00+08:00"  # when this interface last changed
STATUSES = {"open", "closed"}
TRUE = {"true", "1", "yes"}
MAX_PAGE = 100_000  # a page number past every case (and inside the database's integers)


@dataclass(frozen=True)
class Call:
    """One Open311 call: the request, its format, its parameters, and its client where the method needs one."""

    request: HttpRequest
    fmt: str
    params: Params
    client: ApiKey | None


def _status(exc: DomainError) -> int:
    return exc.status_code if exc.status_code in (403, 404) else 400


def _logged_payload(request: HttpRequest) -> dict[str, Any]:
    """What came in, for the intake log, without the client's key."""
    payload = request_payload(request)
    payload.get("form", {}).pop("api_key", None)
    payload["query"] = {name: value for name, value in request.GET.items() if name != "api_key"}
    return payload


@contextmanager
def _refusals_logged(request: HttpRequest, client: ApiKey | None) -> Iterator[None]:
    label = client.name if client else request_address(request)
    with rejections_logged(CHANNEL, label, _logged_payload(request)):
        yield


def _run(view: Callable[..., HttpResponse], request: HttpRequest, fmt: str, keyed: bool, kwargs: dict) -> HttpResponse:
    params = Params(request)
    client = known_client(params) if keyed else None
    guard = _refusals_logged(request, client) if request.method == "POST" else nullcontext()
    with guard:
        check_jurisdiction(params)
        call = Call(request, fmt, params, require_client(params, client) if keyed else None)
        return view(call, **kwargs)


def endpoint(*methods: str, keyed: tuple[str, ...] = ("POST",)) -> Callable:
    """An Open311 view taking `fmt` from the URL; `keyed` are the methods that need an api_key."""

    def wrap(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @csrf_exempt
        @wraps(view)
        def run(request: HttpRequest, fmt: str, **kwargs: Any) -> HttpResponse:
            if fmt not in render.FORMATS:
                return render.errors("xml", 404, [f"不支持的格式「.{fmt}」，请用 .xml 或 .json"])
            if request.method not in methods:
                response = render.errors(fmt, 400, [f"{request.method} 不适用于此资源，可用 {'、'.join(methods)}"])
                response["Allow"] = ", ".join(methods)
                return response
            try:
                return _run(view, request, fmt, request.method in keyed, kwargs)
            except DomainError as exc:
                return render.errors(fmt, _status(exc), [exc.message])

        return run

    return wrap


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("open311:discovery", kwargs={"fmt": "xml"}).rsplit("/", 1)[0] + "/")


@endpoint("GET")
def discovery(call: Call) -> HttpResponse:
    contact = settings.XIUHUA_OPEN311_CONTACT
    endpoint_doc = {
        "specification": SPECIFICATION,
        "url": _base_url(call.request),
        "changeset": CHANGESET,
        "type": "production",
        "formats": [mime.split(";")[0] for mime in render.FORMATS.values()],
    }
    document = {
        "changeset": CHANGESET,
        "contact": contact,
        "key_service": f"提交请求需要 api_key，由平台管理员签发（xiuhua apikey create 应用名）。联系：{contact}",
        "endpoints": [endpoint_doc],
    }
    return render.document(call.fmt, "discovery", document)


@endpoint("GET")
def services(call: Call) -> HttpResponse:
    found = [present.service(case_class) for case_class in queries.event_classes()]
    return render.document(call.fmt, "services", found)


@endpoint("GET")
def service_definition(call: Call, code: str) -> HttpResponse:
    definition = present.service_definition(queries.event_class(code))
    return render.document(call.fmt, "service_definition", definition)


def _extensions(params: Params) -> bool:
    return params.get("extensions").lower() in TRUE


def _page(items: QuerySet, params: Params) -> QuerySet:
    page = positive_int("page", params.get("page"), 1, MAX_PAGE)
    size = positive_int("page_size", params.get("page_size"), MAX_PAGE_SIZE, MAX_PAGE_SIZE)
    return items[(page - 1) * size : page * size]


def _statuses(params: Params) -> list[str]:
    statuses = comma_list(params.get("status").lower())
    if unknown := sorted(set(statuses) - STATUSES):
        raise BadParam(f"status 只能是 open、closed（可逗号分隔），收到「{'、'.join(unknown)}」")
    return statuses


def request_filter(params: Params) -> queries.RequestFilter:
    """The GET requests filter; with no date at all, the last 90 days (and page_size, at most 1000, of them)."""
    if ids := comma_list(params.get("service_request_id")):
        return queries.RequestFilter(ids=ids[:MAX_PAGE_SIZE])
    requested = window(params, "start_date", "end_date")
    updated = Window(
        aware_datetime("updated_after", params.get("updated_after")),
        aware_datetime("updated_before", params.get("updated_before")),
    )
    if requested.start or requested.end or not (updated.start or updated.end):
        requested = bounded(requested, timezone.now())
    return queries.RequestFilter(
        service_codes=comma_list(params.get("service_code")),
        statuses=_statuses(params),
        requested_from=requested.start,
        requested_to=requested.end,
        updated_from=updated.start,
        updated_to=updated.end,
    )


def _list_requests(call: Call) -> HttpResponse:
    extensions = _extensions(call.params)
    cases = queries.filtered(queries.public_cases(with_timeline=extensions), request_filter(call.params))
    found = [present.service_request(case, call.request, extensions) for case in _page(cases, call.params)]
    return render.document(call.fmt, "service_requests", found)


def _create_request(call: Call) -> HttpResponse:
    files = call.request.FILES.getlist("media") + call.request.FILES.getlist("media[]")
    accepted = submit_request(
        call.params, call.client, files, idempotency_key=call.request.headers.get("Idempotency-Key")
    )
    number = accepted.case.number
    reply = {
        "service_request_id": number,
        "service_notice": f"数字城管指挥中心已收到您的反映，案卷号 {number}，可凭此号查询处理进度",
        "account_id": call.params.get("account_id"),
    }
    return render.document(call.fmt, "service_requests", [reply], 201 if accepted.created else 200)


@endpoint("GET", "POST")
def service_requests(call: Call) -> HttpResponse:
    return _create_request(call) if call.request.method == "POST" else _list_requests(call)


@endpoint("GET")
def service_request(call: Call, number: str) -> HttpResponse:
    extensions = _extensions(call.params)
    found = [present.service_request(case, call.request, extensions) for case in queries.cases_numbered(number)]
    return render.document(call.fmt, "service_requests", found)


@endpoint("GET")
def token(call: Call, token: str) -> HttpResponse:
    """Cases are created while the POST waits, so it answers with service_request_id and hands out no token."""
    raise NotFound(f"未知的 token「{token}」：本平台提交时直接返回 service_request_id，不签发 token")


def _list_updates(call: Call) -> HttpResponse:
    span = bounded(window(call.params, "start_date", "end_date"), timezone.now())
    events = _page(queries.public_events(span.start, span.end), call.params)
    found = [present.request_update(event, call.request) for event in events]
    return render.document(call.fmt, "service_request_updates", found)


def _create_update(call: Call) -> HttpResponse:
    update = post_update(call.params, call.client)
    return render.document(call.fmt, "service_request_updates", [{"update_id": str(update.pk)}])


@endpoint("GET", "POST", keyed=("GET", "POST"))
def service_request_updates(call: Call) -> HttpResponse:
    return _create_update(call) if call.request.method == "POST" else _list_updates(call)


def media(request: HttpRequest, attachment_id: int) -> HttpResponse:
    """The public copy of a case's photo as reported ("before"); other attachments are not public."""
    try:
        photo = queries.public_photo(attachment_id)
        return FileResponse(photo.public_file.open("rb"), content_type=photo.public_content_type)
    except NotFound as exc:
        return render.errors("xml", 404, [exc.message])
    except OSError:
        return render.errors("xml", 404, ["照片文件已不存在"])
