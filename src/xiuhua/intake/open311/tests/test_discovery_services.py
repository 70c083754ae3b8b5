"""Discovery, services and service definitions, in both formats."""

from __future__ import annotations

import pytest

from xiuhua.catalog.models import CaseClass
from xiuhua.intake.open311.tests.conftest import BASE, SERVICE_CODE, error_of, parse

FORMATS = ["xml", "json"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_discovery_lists_one_production_endpoint_with_both_formats(client, demo_city, fmt):
    response = client.get(f"{BASE}/discovery.{fmt}")

    assert response.status_code == 200
    body = parse(response, fmt)
    assert body["changeset"].startswith("2026-") and body["contact"] and body["key_service"]
    [endpoint] = body["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2/"
    assert endpoint["type"] == "production"
    assert endpoint["formats"] == ["text/xml", "application/json"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_services_are_the_active_event_classes(client, demo_city, fmt):
    CaseClass.objects.filter(kind="event", code="01002").update(active=False)

    body = parse(client.get(f"{BASE}/services.{fmt}"), fmt)

    codes = [s["service_code"] for s in body]
    expected = CaseClass.objects.filter(kind="event", active=True).order_by("code")
    assert codes == list(expected.values_list("code", flat=True))
    assert "01002" not in codes
    garbage = next(s for s in body if s["service_code"] == SERVICE_CODE)
    event = CaseClass.objects.get(kind="event", code=SERVICE_CODE)
    assert garbage["service_name"] == event.name
    assert garbage["group"] == event.major_name
    assert garbage["keywords"] == f"{event.major_name},{event.name}"
    assert garbage["type"] == "realtime"
    assert garbage["metadata"] in (False, "false")
    assert garbage["description"]


def test_a_code_with_only_an_active_component_class_is_no_service(client, demo_city):
    CaseClass.objects.filter(kind="event", code="01002").update(active=False)
    assert CaseClass.objects.filter(kind="component", code="01002", active=True).exists()

    body = parse(client.get(f"{BASE}/services.json"), "json")

    assert "01002" not in {s["service_code"] for s in body}
    assert "01002" in error_of(client.get(f"{BASE}/services/01002.json"), "json", 404)


def test_services_xml_answers_xml_whatever_the_client_accepts(client, demo_city):
    response = client.get(f"{BASE}/services.xml", HTTP_ACCEPT="application/json")

    assert len(parse(response, "xml")) > 10


@pytest.mark.parametrize("fmt", FORMATS)
def test_service_definition_of_a_known_code(client, demo_city, fmt):
    body = parse(client.get(f"{BASE}/services/{SERVICE_CODE}.{fmt}"), fmt)

    assert body["service_code"] == SERVICE_CODE
    assert body["attributes"] in ([], "")


@pytest.mark.parametrize("fmt", FORMATS)
def test_service_definition_of_an_unknown_code_is_404(client, demo_city, fmt):
    assert "99999" in error_of(client.get(f"{BASE}/services/99999.{fmt}"), fmt, 404)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_foreign_jurisdiction_is_404_and_an_empty_one_is_ignored(client, demo_city, fmt):
    assert "sfgov.org" in error_of(client.get(f"{BASE}/services.{fmt}", {"jurisdiction_id": "sfgov.org"}), fmt, 404)
    assert client.get(f"{BASE}/services.{fmt}", {"jurisdiction_id": ""}).status_code == 200
    assert client.get(f"{BASE}/services.{fmt}", {"jurisdiction_id": "xiuhua.local"}).status_code == 200


def test_an_unknown_format_gets_an_error_document(client, demo_city):
    response = client.get(f"{BASE}/services.csv")

    assert ".csv" in error_of(response, "xml", 404)


def test_a_wrong_method_gets_an_error_document(client, demo_city):
    response = client.post(f"{BASE}/services.json")

    assert "POST" in error_of(response, "json", 400)
    assert response["Allow"] == "GET"
