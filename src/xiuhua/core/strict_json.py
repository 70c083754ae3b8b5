"""Strict reading of untrusted input: JSON without NaN/Infinity, bounded nesting, no NUL, valid UTF-8.

Python's json accepts `NaN`, `Infinity` and `-Infinity` (and turns `1e999` into infinity); a float that is
not finite breaks coordinates, arithmetic and the PostgreSQL JSON column. PostgreSQL text cannot hold NUL.
Every body, query and path goes through these checks before any view sees it (see
`xiuhua.platform.middleware.BadInputMiddleware`), and the API's JSON parser uses `loads_strict` too.
"""

from __future__ import annotations

import json
import math
from typing import Any

from xiuhua.core.errors import DomainError

MAX_JSON_DEPTH = 32
# Query and form values that Python's float() reads as a non-finite number.
NON_FINITE_WORDS = frozenset({"nan", "+nan", "-nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"})


class BadInput(DomainError):
    """Input no endpoint can use (NaN, deep nesting, NUL, broken UTF-8): always 400, code `bad_input`."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="bad_input")


class NotJson(ValueError):
    """Plain malformed JSON: left to the endpoint, which names its own error."""


def _no_constant(name: str) -> Any:
    raise BadInput(f"JSON 中不能有 {name}：数值必须是有限数字")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise BadInput(f"JSON 中的数值 {text[:20]} 超出范围：数值必须是有限数字")
    return value


def check_text(text: str, where: str) -> str:
    if "\x00" in text:
        raise BadInput(f"{where}含有空字符（\\0），无法处理")
    return text


def decode_utf8(data: bytes, where: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise BadInput(f"{where}不是合法的 UTF-8 编码") from None


def _check_tree(value: Any, depth: int = 0) -> None:
    if depth > MAX_JSON_DEPTH:
        raise BadInput(f"JSON 嵌套过深（最多 {MAX_JSON_DEPTH} 层）")
    if isinstance(value, str):
        check_text(value, "JSON 文本")
    elif isinstance(value, dict):
        for key, item in value.items():
            check_text(key, "JSON 字段名")
            _check_tree(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check_tree(item, depth + 1)


def loads_strict(data: bytes | str) -> Any:
    """Parse JSON refusing NaN/Infinity, numbers beyond float range, deep nesting, NUL and broken UTF-8.

    Raises `BadInput` for those and `NotJson` for ordinary malformed JSON.
    """
    text = decode_utf8(data, "请求体") if isinstance(data, bytes) else data
    try:
        value = json.loads(text, parse_constant=_no_constant, parse_float=_finite_float)
    except RecursionError:
        raise BadInput(f"JSON 嵌套过深（最多 {MAX_JSON_DEPTH} 层）") from None
    except ValueError as exc:
        raise NotJson(str(exc)) from None
    _check_tree(value)
    return value


def is_non_finite_word(value: str) -> bool:
    return value.strip().lower() in NON_FINITE_WORDS


def request_json(request: Any) -> Any:
    """`loads_strict` of the request's body, parsed once per request.

    The bad-input middleware, the API's parser, `read_body` and the intake log all read the same body; the result
    (or the refusal) is kept on the request so a report's JSON is parsed once, not three times.
    """
    memo = request.__dict__.get("_strict_json")
    if memo is None:
        try:
            memo = (loads_strict(request.body), None)
        except (BadInput, NotJson) as exc:
            memo = (None, exc)
        request._strict_json = memo
    value, error = memo
    if error is not None:
        raise error
    return value
