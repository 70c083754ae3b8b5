"""The XML/JSON mapping itself."""

from __future__ import annotations

from defusedxml import ElementTree

from xiuhua.intake.open311.render import document, errors, to_xml


def test_lists_wrap_their_items_in_the_singular():
    xml = to_xml("service_requests", [{"notes": [{"type": "submitted"}], "media_urls": ["u"], "ok": True}])

    root = ElementTree.fromstring(xml.encode("utf-8"))
    assert root.find("request/notes/note/type").text == "submitted"
    assert root.find("request/media_urls/media_url").text == "u"
    assert root.find("request/ok").text == "true"


def test_characters_xml_cannot_carry_are_dropped_and_the_rest_escaped():
    xml = to_xml("errors", [{"code": 400, "description": "a\x01b <c> & d"}])

    assert ElementTree.fromstring(xml.encode("utf-8")).find("error/description").text == "ab <c> & d"


def test_json_keeps_a_single_item_list_an_array():
    response = document("json", "service_requests", [{"service_request_id": "1"}])

    assert response.content == b'[{"service_request_id":"1"}]'
    assert response["Content-Type"] == "application/json; charset=utf-8"


def test_an_error_for_an_unknown_format_is_xml():
    response = errors("csv", 404, ["不支持"])

    assert response.status_code == 404 and response["Content-Type"] == "text/xml; charset=utf-8"
