"""Open311 documents in XML and JSON from one Python value.

The JSON is the value itself (lists at the root stay arrays, even of one element); the XML is the mechanical
mapping GeoReport v2 uses: a root element, one child per list item, one element per field, and a list field
wraps its items in the singular of its name (`notes` → `note`, `formats` → `format`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any
from xml.etree import ElementTree

from django.http import HttpResponse

FORMATS = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'
# Plural list fields whose items are not named by dropping the final "s".
SINGULAR = {
    "service_requests": "request",
    "service_request_updates": "request_update",
    "attributes": "attribute",
    "media_urls": "media_url",
}
# Characters XML 1.0 cannot carry at all, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def singular(name: str) -> str:
    return SINGULAR.get(name) or (name[:-1] if name.endswith("s") else name)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))


def _fill(element: ElementTree.Element, value: Any) -> None:
    if isinstance(value, Mapping):
        for key, item in value.items():
            _fill(ElementTree.SubElement(element, key), item)
    elif isinstance(value, list | tuple):
        for item in value:
            _fill(ElementTree.SubElement(element, singular(element.tag)), item)
    else:
        element.text = _text(value)


def to_xml(root: str, value: Any) -> str:
    element = ElementTree.Element(root)
    _fill(element, value)
    return XML_DECLARATION + ElementTree.tostring(element, encoding="unicode")


def to_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def document(fmt: str, root: str, value: Any, status: int = 200) -> HttpResponse:
    """The response for `value` in format `fmt` ("xml" or "json"); `root` names the XML root element."""
    body = to_json(value) if fmt == "json" else to_xml(root, value)
    response = HttpResponse(body.encode("utf-8"), status=status, content_type=FORMATS[fmt])
    response["Access-Control-Allow-Origin"] = "*"
    return response


def errors(fmt: str, status: int, descriptions: list[str]) -> HttpResponse:
    """The Open311 error document: a list of {code, description}, with the HTTP status as the code."""
    fmt = fmt if fmt in FORMATS else "xml"
    return document(fmt, "errors", [{"code": status, "description": d} for d in descriptions], status)
