"""Fixtures for the Open311 tests: the demo city, a client's API key, real JPEG bytes, and both formats parsed."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from defusedxml import ElementTree
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from xiuhua.accounts.services import create_api_key
from xiuhua.cases.tests.conftest import loop, media_in_tmp, people, spot  # noqa: F401

BASE = "/open311/v2"
XML_TYPE = "text/xml; charset=utf-8"
JSON_TYPE = "application/json; charset=utf-8"
SERVICE_CODE = "01001"  # an event class of the demo catalogue (the code is a component class too)


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 80, 40)).save(buffer, format="JPEG")
    return buffer.getvalue()


def jpeg(name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg_bytes(), content_type="image/jpeg")


def _xml_value(element) -> Any:
    children = list(element)
    if not children:
        return element.text or ""
    tags = [child.tag for child in children]
    if len(set(tags)) == 1 and (len(tags) > 1 or element.tag.endswith("s") or element.tag == "errors"):
        return [_xml_value(child) for child in children]
    return {child.tag: _xml_value(child) for child in children}


def parse(response, fmt: str) -> Any:
    """The body as Python: JSON as is; XML with list wrappers as lists and leaves as text."""
    expected = JSON_TYPE if fmt == "json" else XML_TYPE
    assert response["Content-Type"] == expected, response["Content-Type"]
    if fmt == "json":
        return json.loads(response.content)
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return _xml_value(ElementTree.fromstring(response.content))


def error_of(response, fmt: str, status: int) -> str:
    """The one error description of an Open311 error document with this status."""
    assert response.status_code == status, response.content.decode()
    body = parse(response, fmt)
    assert isinstance(body, list) and len(body) == 1, body
    assert str(body[0]["code"]) == str(status)
    return body[0]["description"]


@pytest.fixture
def api_key(demo_city) -> str:
    return create_api_key("demo-app")[1]


@pytest.fixture
def fms_form(api_key, spot) -> dict[str, str]:  # noqa: F811 (the imported fixture)
    """A report as FixMyStreet's Open311 client sends it (form fields, name split in two, attributes)."""
    return {
        "api_key": api_key,
        "jurisdiction_id": "xiuhua.local",
        "service_code": SERVICE_CODE,
        "lat": f"{spot[1]:.6f}",
        "long": f"{spot[0]:.6f}",
        "description": "标题：人行道上有暴露垃圾\n\n详情：海滨东路公交站旁堆了三天的生活垃圾，有异味。",
        "first_name": "三",
        "last_name": "张",
        "email": "zhangsan@example.com",
        "phone": "13800000000",
        "media_url": "https://fixmystreet.example.com/photo/123.0.jpeg",
        "attribute[fixmystreet_id]": "123",
        "attribute[title]": "人行道上有暴露垃圾",
        "attribute[report_url]": "https://fixmystreet.example.com/report/123",
        "attribute[closest_address]": "海滨东路 1 号",
    }


@pytest.fixture(autouse=True)
def staff_sources_published(settings):
    """These tests are about the Open311 documents and drive cases in as staff (hotline, inspector); what gets
    published at all is tested in test_publication.py with the default setting."""
    settings.XIUHUA_PUBLIC_SOURCES = ["citizen", "open311", "hotline_12345", "inspector"]


def accepted(driver, now=None, **report):
    """A case reported and accepted by the centre at `now`: the first state the public may see."""
    case = driver.report(now=now, **report)
    return driver.act(case, "accept", driver.p.operator, now=now)
