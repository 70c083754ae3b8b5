"""Request bodies for the JSON API: the same fields as JSON or as a form (multipart when files come along)."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest
from ninja.errors import ValidationError
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from xiuhua.core.errors import DomainError
from xiuhua.core.strict_json import NotJson, request_json


def _form_value(field: str, values: list[str], model: type[BaseModel]) -> Any:
    annotation = str(model.model_fields[field].annotation)
    return values if "list" in annotation and len(values) > 1 else values[0]


def read_body(request: HttpRequest, model: type[BaseModel]) -> tuple[BaseModel, dict[str, list]]:
    """The body as `model` plus uploaded files by field name, from JSON or a form."""
    if request.content_type == "application/json":
        try:
            raw = request_json(request) if request.body else {}
        except NotJson:
            raise DomainError("请求体不是合法的 JSON", code="invalid_json") from None
        if not isinstance(raw, dict):
            raise DomainError("请求体应为 JSON 对象", code="invalid_json")
        files: dict[str, list] = {}
    else:
        raw = {k: _form_value(k, v, model) for k, v in request.POST.lists() if k in model.model_fields}
        unknown = [k for k in request.POST if k not in model.model_fields]
        raw.update({k: request.POST[k] for k in unknown})  # let the model refuse them by name
        files = {name: request.FILES.getlist(name) for name in request.FILES}
    if "\\u0000" in json.dumps(raw):  # PostgreSQL text cannot hold NUL
        raise DomainError("请求中含有空字符（\\0），无法保存", code="invalid_text")
    try:
        return model.model_validate(raw), files
    except PydanticValidationError as exc:
        raise ValidationError([{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]) from None


def body_doc(model: type[BaseModel], file_fields: dict[str, str]) -> dict:
    schema = model.model_json_schema()
    form = json.loads(json.dumps(schema))
    for name, description in file_fields.items():
        form["properties"][name] = {
            "type": "array",
            "items": {"type": "string", "format": "binary"},
            "description": description,
        }
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": schema}, "multipart/form-data": {"schema": form}},
        }
    }
