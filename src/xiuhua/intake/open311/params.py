"""Reading Open311 parameters as real clients send them.

An empty parameter is the same as an absent one; a POST's parameters may come in the form body or in the query
string (`api_key`, `jurisdiction_id`); dates must carry a time zone. Every refusal names the parameter.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.http import HttpRequest
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import strip_tags

from xiuhua.accounts.models import ApiKey
from xiuhua.accounts.services import client_for_api_key
from xiuhua.core.errors import DomainError, NotFound, PermissionDenied

MAX_SPAN = timedelta(days=90)
MAX_PAGE_SIZE = 1000
# `attribute[CODE]=v` and `attribute[CODE][]=v1&attribute[CODE][]=v2`
_ATTRIBUTE = re.compile(r"^attribute\[([^\]]+)\](\[\])?$")
# An unencoded "+" in a query string arrives as a space: "2026-11-01T00:00:00 08:00".
_SPACE_FOR_PLUS = re.compile(r" (\d{2}:?\d{2})$")
_HTML_TAG = re.compile(r"<\s*/?\s*[A-Za-z!][^>]*>")
_HAN = re.compile(r"[\u3400-\u9fff·]+")


class BadParam(DomainError):
    def __init__(self, message: str) -> None:
        super().__init__(message, code="bad_param")


class Params:
    """The parameters of one request: the form body first, then the query string."""

    def __init__(self, request: HttpRequest) -> None:
        self.request = request

    def get(self, name: str) -> str:
        for source in (self.request.POST, self.request.GET):
            value = (source.get(name) or "").strip()
            if value:
                return value
        return ""

    def required(self, name: str) -> str:
        value = self.get(name)
        if not value:
            raise BadParam(f"缺少必填参数 {name}")
        return value

    def attributes(self) -> dict[str, str | list[str]]:
        found: dict[str, str | list[str]] = {}
        for key, values in self.request.POST.lists():
            if match := _ATTRIBUTE.match(key):
                code, is_list = match.groups()
                found[code] = values if is_list else values[-1]
        return found


def our_jurisdiction() -> str:
    return settings.XIUHUA_OPEN311_JURISDICTION


def check_jurisdiction(params: Params) -> None:
    """A `jurisdiction_id` is optional here (one jurisdiction), but one that is not ours is not found."""
    given = params.get("jurisdiction_id")
    if given and given.lower() != our_jurisdiction().lower():
        raise NotFound(f"未知的 jurisdiction_id「{given}」，本平台为 {our_jurisdiction()}")


def known_client(params: Params) -> ApiKey | None:
    """The active client whose key came with the request, if any."""
    key = params.get("api_key")
    return client_for_api_key(key) if key else None


def require_client(params: Params, client: ApiKey | None) -> ApiKey:
    if client is not None:
        return client
    if not params.get("api_key"):
        raise PermissionDenied("缺少 api_key，无法处理该请求")
    raise PermissionDenied("api_key 无效或已停用，无法处理该请求")


def limited_text(params: Params, name: str, limit: int) -> str:
    value = params.get(name)
    if len(value) > limit:
        raise BadParam(f"{name} 最长 {limit} 个字符，收到 {len(value)} 个")
    return value


def plain_text(params: Params, name: str, limit: int) -> str:
    """Free text without HTML: tags a client let through are removed, the words kept."""
    value = limited_text(params, name, limit)
    return strip_tags(value).strip() if _HTML_TAG.search(value) else value


def email(params: Params) -> str:
    value = limited_text(params, "email", 254)
    try:
        if value:
            validate_email(value)
    except ValidationError as exc:
        raise BadParam(f"email 格式不正确：「{value}」") from exc
    return value


def url(params: Params, name: str) -> str:
    value = limited_text(params, name, 500)
    try:
        if value:
            URLValidator(schemes=["http", "https"])(value)
    except ValidationError as exc:
        raise BadParam(f"{name} 应为 http(s) 网址：「{value}」") from exc
    return value


def person_name(params: Params) -> str:
    """first_name + last_name as the name is written: 张 + 三 → 张三, Ada + Lovelace → Ada Lovelace."""
    first, last = limited_text(params, "first_name", 50), limited_text(params, "last_name", 50)
    if _HAN.fullmatch(first + last):
        return last + first
    return " ".join(part for part in (first, last) if part)


def aware_datetime(name: str, value: str) -> datetime | None:
    """A W3C datetime with its zone (Z or ±hh:mm); None for an empty value."""
    if not value:
        return None
    value = _SPACE_FOR_PLUS.sub(r"+\1", value.strip())
    try:
        parsed = parse_datetime(value)
    except ValueError:
        parsed = None
    if parsed is None:
        raise BadParam(f"{name} 不是合法的时间：「{value}」，应如 2026-11-01T08:00:00+08:00")
    if timezone.is_naive(parsed):
        raise BadParam(f"{name} 必须带时区（如 +08:00 或 Z）：「{value}」")
    return parsed


def comma_list(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


def number(name: str, value: str) -> float | None:
    if not value:
        return None
    try:
        parsed = float(value)
    except ValueError:
        parsed = math.nan
    if not math.isfinite(parsed):
        raise BadParam(f"{name} 应为数字（WGS84 十进制度），收到「{value}」")
    return parsed


def positive_int(name: str, value: str, default: int, maximum: int | None = None) -> int:
    if not value:
        return default
    if not value.isdigit() or int(value) < 1:
        raise BadParam(f"{name} 应为正整数，收到「{value}」")
    return min(int(value), maximum) if maximum else int(value)


@dataclass(frozen=True)
class Window:
    start: datetime | None
    end: datetime | None


def window(params: Params, start_name: str, end_name: str) -> Window:
    """A time window of at most 90 days; an absent end lies 90 days after the start and vice versa."""
    start = aware_datetime(start_name, params.get(start_name))
    end = aware_datetime(end_name, params.get(end_name))
    if start and end:
        if end < start:
            raise BadParam(f"{end_name} 早于 {start_name}")
        if end - start > MAX_SPAN:
            raise BadParam(f"{start_name} 到 {end_name} 最多相隔 90 天")
    return Window(start, end)


def bounded(span: Window, now: datetime) -> Window:
    """The window filled in to 90 days: the last 90 days when neither end is given."""
    if span.start and span.end:
        return span
    if span.start:
        return Window(span.start, span.start + MAX_SPAN)
    end = span.end or now
    return Window(end - MAX_SPAN, end)
