"""The intake log: every payload a channel refuses is kept with the reason, for the operator to look at."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest
from django.utils import timezone
from ninja.errors import ValidationError

from xiuhua.core.errors import DomainError
from xiuhua.core.strict_json import BadInput, NotJson, request_json
from xiuhua.intake.models import RejectedReport

MAX_LOGGED_TEXT = 4000


def _loggable(value: Any) -> Any:
    if isinstance(value, UploadedFile):
        return {"file": value.name, "size": value.size}
    if isinstance(value, Mapping):
        return {str(k): _loggable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_loggable(v) for v in value]
    if isinstance(value, str):
        return value.replace("\x00", "\\0")[:MAX_LOGGED_TEXT]
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)[:MAX_LOGGED_TEXT]


def _reason(exc: Exception) -> tuple[str, str]:
    if isinstance(exc, DomainError):
        return exc.code, exc.message
    fields = [".".join(str(p) for p in e.get("loc", ()) if p != "body") for e in getattr(exc, "errors", [])]
    return "invalid_field", "字段不合格：" + "、".join(f for f in fields if f)


def record_rejection(channel: str, client: str, exc: Exception, payload: Any) -> RejectedReport:
    code, message = _reason(exc)
    payload = _loggable(payload)
    if len(json.dumps(payload, ensure_ascii=False)) > 4 * MAX_LOGGED_TEXT:
        payload = {"truncated": json.dumps(payload, ensure_ascii=False)[: 4 * MAX_LOGGED_TEXT]}
    return RejectedReport.objects.create(
        channel=channel,
        received_at=timezone.now(),
        client=client[:200],
        error_code=code[:40],
        message=message,
        payload=payload if isinstance(payload, dict) else {"value": payload},
    )


@contextmanager
def rejections_logged(channel: str, client: str, payload: Any) -> Iterator[None]:
    """Run a channel's intake; when it refuses the payload, log it (outside the failed transaction) and re-raise."""
    try:
        yield
    except (DomainError, ValidationError) as exc:
        record_rejection(channel, client, exc, payload)
        raise


def request_payload(request: HttpRequest) -> dict[str, Any]:
    """What a client sent, for the log: the JSON body or the form fields, and the names and sizes of files."""
    if request.content_type == "application/json":
        try:
            body = request_json(request) if request.body else {}
        except (NotJson, BadInput):
            # Kept as text: a JSON column cannot hold NaN, and the operator should see what came in.
            return {"text": request.body[:MAX_LOGGED_TEXT].decode("utf-8", errors="replace")}
        return {"json": body}
    form = {k: v if len(v) > 1 else v[0] for k, v in request.POST.lists()}
    return {"form": form, "files": dict(request.FILES.lists())}
