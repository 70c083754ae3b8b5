"""The favicon: a real icon at /favicon.ico (what browsers, the admin and the API docs ask for) and linked from
every page of the base template, so no page logs a 404 for it."""

import re

import pytest
from django.test import Client

from xiuhua.web.tests.test_shell import signed_in

pytestmark = pytest.mark.django_db


def test_favicon_ico_is_served_to_anyone_as_an_icon(demo_city):
    response = Client().get("/favicon.ico")

    assert response.status_code == 200 and response["Content-Type"] == "image/x-icon"
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"  # the ICO header
    assert "max-age" in response["Cache-Control"]


@pytest.mark.parametrize(
    ("username", "path"),
    [("", "/login/"), ("", "/public/"), ("leader", "/dashboard/"), ("leader", "/screen/"), ("inspector", "/m/")],
)
def test_every_kind_of_page_links_icons_that_exist(demo_city, username, path):
    client = signed_in(username) if username else Client()

    html = client.get(path).content.decode()

    icons = re.findall(r'<link rel="icon" href="([^"]+)"', html)
    assert "/favicon.ico" in icons and len(icons) == 2
    for href in icons:
        assert client.get(href).status_code == 200, href
