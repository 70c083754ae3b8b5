"""Refuse input no endpoint can use before any view sees it: one place instead of a check in every view.

NaN/Infinity (in JSON, or as a query or form value), JSON nested deeper than a few dozen levels, NUL bytes
and invalid UTF-8 in the path, the query or the body get HTTP 400 with a Chinese message:
`{"detail": …, "code": "bad_input"}` under /api/, a GeoReport v2 error document under /open311/ (what
Open311 clients read), a short error page elsewhere. A refused
report to an intake channel is kept in the intake log as text, like any other refused report.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from html import escape
from urllib.parse import unquote_to_bytes

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError

from xiuhua.core.context import request_address
from xiuhua.core.strict_json import BadInput, NotJson, check_text, decode_utf8, is_non_finite_word, request_json
from xiuhua.intake.channels.citizen.adapter import client_fingerprint
from xiuhua.intake.log import record_rejection
from xiuhua.intake.open311.render import errors as open311_errors

_OPEN311_FORMAT = re.compile(r"\.([A-Za-z0-9]+)$")
BODY_METHODS = {"POST", "PUT", "PATCH"}
# Fields whose value is free text a person typed or a secret: "nan" there is a word, not a number.
FREE_TEXT_FIELDS = frozenset({"username", "password", "old_password", "new_password1", "new_password2", "q"})
# The intake doors whose refusals the operator reads in the intake log (POST path → channel).
INTAKE_CHANNELS = {
    "/api/v1/public/reports": "citizen",
    "/api/v1/reports": "staff",
    "/api/v1/hotline/orders": "hotline",
    "/api/v1/assignments": "leader",
    "/api/v1/alerts": "alerts",
}
LOGGED_TEXT = 4000
_BROKEN_UTF8 = re.compile(r"%[89A-Fa-f][0-9A-Fa-f]")


class BadInputMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            check_request(request)
        except BadInput as exc:
            _log_refused_report(request, exc)
            return refusal(request, exc.message)
        return self.get_response(request)


def check_request(request: HttpRequest) -> None:
    """Raise BadInput when the path, query or body holds something no endpoint can use."""
    # Django has already decoded the path and re-escaped the bytes that were not UTF-8 as %XX (the raw
    # environ value is overwritten), so a high-byte escape left in the path is the mark of broken UTF-8.
    if _BROKEN_UTF8.search(request.path_info):
        raise BadInput("地址不是合法的 UTF-8 编码")
    check_text(request.path_info, "地址")
    _check_pairs(request.META.get("QUERY_STRING", ""), "查询参数")
    if request.method in BODY_METHODS:
        _check_body(request)


def _check_pairs(encoded: str, where: str) -> None:
    """Check an application/x-www-form-urlencoded string without Django's lenient decoding."""
    for pair in encoded.split("&"):
        if not pair:
            continue
        key, _sep, value = pair.partition("=")
        key_text = decode_utf8(unquote_to_bytes(key.replace("+", " ")), where)
        value_text = decode_utf8(unquote_to_bytes(value.replace("+", " ")), where)
        check_text(key_text + value_text, where)
        if key_text not in FREE_TEXT_FIELDS and is_non_finite_word(value_text):
            raise BadInput(f"{where}「{key_text[:40]}」应为有限数字，不能是 {value_text[:20]}")


def _check_body(request: HttpRequest) -> None:
    content_type = request.content_type or ""
    if content_type == "application/json" or content_type.endswith("+json"):
        # Ordinary malformed JSON passes: the endpoint names the problem in its own words.
        with contextlib.suppress(NotJson):
            request_json(request)
    elif content_type == "application/x-www-form-urlencoded":
        _check_pairs(request.body.decode("latin-1"), "表单")
    elif content_type == "multipart/form-data":
        try:
            fields = request.POST
        except MultiPartParserError:
            return  # the view reports the broken upload
        for key, values in fields.lists():
            for value in values:
                check_text(key + value, "表单")
                if key not in FREE_TEXT_FIELDS and is_non_finite_word(value):
                    raise BadInput(f"表单「{key[:40]}」应为有限数字，不能是 {value[:20]}")


def refusal(request: HttpRequest, message: str) -> HttpResponse:
    path = request.path_info
    if path.startswith("/open311/"):
        # Open311 clients read GeoReport v2 error documents, in the format the path asks for.
        fmt = _OPEN311_FORMAT.search(path)
        return open311_errors(fmt.group(1).lower() if fmt else "json", 400, [message])
    if path.startswith("/api/"):
        return JsonResponse(
            {"detail": message, "code": "bad_input"},
            status=400,
            content_type="application/json; charset=utf-8",
            json_dumps_params={"ensure_ascii": False},
        )
    page = (
        '<!doctype html><html lang="zh-Hans"><head><meta charset="utf-8"><title>请求无法处理</title></head>'
        f'<body><h1>请求无法处理（400）</h1><p>{escape(message)}</p><p><a href="/">返回首页</a></p></body></html>'
    )
    return HttpResponse(page, status=400, content_type="text/html; charset=utf-8")


def _log_refused_report(request: HttpRequest, exc: BadInput) -> None:
    """A refused report stays in the intake log; its body is kept as text, since JSON cannot hold NaN."""
    if request.method != "POST":
        return
    path = request.path_info
    channel = INTAKE_CHANNELS.get(path.rstrip("/")) or ("open311" if path.startswith("/open311/v2/requests") else "")
    if not channel:
        return
    try:
        raw = request.body[:LOGGED_TEXT].decode("utf-8", errors="replace")
    except Exception:  # noqa: BLE001 - a multipart body already read by the check: log what is known
        raw = ""
    address = request_address(request)
    # As the channels label their own refusals: a citizen by a fingerprint (no address is stored), others by address.
    client = f"citizen:{client_fingerprint(address, request.headers.get('X-Client-Id', ''))[:12]}"
    client = client if channel == "citizen" else address
    record_rejection(channel, client, exc, {"text": raw, "query": request.META.get("QUERY_STRING", "")})
