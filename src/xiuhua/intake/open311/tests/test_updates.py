"""mySociety servicerequestupdates: the platform's public steps out, citizens' comments in (status untouched)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from xiuhua.cases.models import Case
from xiuhua.intake.models import Open311Update, RejectedReport
from xiuhua.intake.open311.tests.conftest import BASE, accepted, error_of, parse

FORMATS = ["xml", "json"]


def updates(client, fmt: str = "json", **query):
    return client.get(f"{BASE}/servicerequestupdates.{fmt}", query)


@pytest.mark.parametrize("fmt", FORMATS)
def test_get_lists_each_public_step_with_an_fms_status(client, api_key, loop, people, fmt):
    case = loop.to_dispatched(now=timezone.now() - timedelta(hours=3))
    loop.act(case, "urge", people.leader, note="请尽快处置")  # a leader's urging is not an update
    start = (timezone.now() - timedelta(days=1)).isoformat()

    found = parse(updates(client, fmt, api_key=api_key, start_date=start), fmt)

    assert [u["service_request_id"] for u in found] == [case.number] * 4
    assert [u["status"] for u in found] == ["OPEN", "INVESTIGATING", "ACTION_SCHEDULED", "ACTION_SCHEDULED"]
    assert [u["external_status_code"] for u in found] == ["reported", "accepted", "registered", "dispatched"]
    assert [u["description"] for u in found] == ["已上报", "已受理", "已立案", "已派遣"]
    assert len({u["update_id"] for u in found}) == 4
    assert all(u["updated_datetime"].endswith("+08:00") for u in found)
    assert "请尽快处置" not in updates(client, fmt, api_key=api_key).content.decode()


def test_get_filters_by_date_and_checks_the_span(client, api_key, loop):
    accepted(loop, now=timezone.now() - timedelta(days=10))
    recent = accepted(loop, now=timezone.now() - timedelta(hours=1))
    since = (timezone.now() - timedelta(days=1)).isoformat()

    found = updates(client, api_key=api_key, start_date=since).json()

    assert [u["service_request_id"] for u in found] == [recent.number, recent.number]  # reported, accepted
    long_span = updates(client, api_key=api_key, start_date="2026-01-01T00:00:00Z", end_date="2026-12-01T00:00:00Z")
    assert "90" in error_of(long_span, "json", 400)
    assert "start_date" in error_of(updates(client, api_key=api_key, start_date="2026-01-01"), "json", 400)


@pytest.mark.parametrize("fmt", FORMATS)
def test_get_needs_an_api_key(client, demo_city, fmt):
    assert "api_key" in error_of(updates(client, fmt), fmt, 403)
    assert "api_key" in error_of(updates(client, fmt, api_key="wrong"), fmt, 403)


def fms_update(api_key: str, number: str, **extra) -> dict[str, str]:
    """An update as FixMyStreet posts it to a back end."""
    return {
        "api_key": api_key,
        "jurisdiction_id": "xiuhua.local",
        "service_request_id": number,
        "update_id": "456",
        "updated_datetime": "2026-11-23T09:30:00+00:00",
        "status": "OPEN",
        "description": "垃圾还在，今天早上又多了两袋。",
        "first_name": "三",
        "last_name": "张",
        "email": "zhangsan@example.com",
        "media_url": "https://fixmystreet.example.com/photo/c/456.0.jpeg",
        **extra,
    }


@pytest.mark.parametrize("fmt", FORMATS)
def test_post_stores_a_comment_and_leaves_the_case_alone(client, api_key, loop, fmt):
    case = loop.report()
    version = case.version

    response = client.post(f"{BASE}/servicerequestupdates.{fmt}", fms_update(api_key, case.number, status="CLOSED"))

    assert response.status_code == 200
    [reply] = parse(response, fmt)
    update = Open311Update.objects.get()
    assert reply["update_id"] == str(update.pk)
    assert update.case == case and update.client.name == "demo-app"
    assert update.status == "CLOSED" and update.client_update_id == "456"
    assert update.description.startswith("垃圾还在") and update.email == "zhangsan@example.com"
    assert update.updated_at.isoformat() == "2026-11-23T09:30:00+00:00"
    case = Case.objects.get(pk=case.pk)
    assert (case.status, case.version) == ("reported", version)


def test_post_again_with_the_same_update_id_stores_once(client, api_key, loop):
    case = loop.report()

    first = client.post(f"{BASE}/servicerequestupdates.json", fms_update(api_key, case.number)).json()
    again = client.post(f"{BASE}/servicerequestupdates.json", fms_update(api_key, case.number)).json()

    assert first == again and Open311Update.objects.count() == 1


@pytest.mark.parametrize("fmt", FORMATS)
def test_post_refusals_are_open311_errors_and_logged(client, api_key, loop, fmt):
    case = loop.report()
    url = f"{BASE}/servicerequestupdates.{fmt}"

    assert "api_key" in error_of(client.post(url, fms_update("wrong", case.number)), fmt, 403)
    assert "2099" in error_of(client.post(url, fms_update(api_key, "2099010100001")), fmt, 404)
    assert "description" in error_of(client.post(url, fms_update(api_key, case.number, description="")), fmt, 400)
    naive = fms_update(api_key, case.number, updated_datetime="2026-11-23 09:30")
    assert "updated_datetime" in error_of(client.post(url, naive), fmt, 400)
    assert "service_request_id" in error_of(client.post(url, fms_update(api_key, "")), fmt, 400)
    assert RejectedReport.objects.filter(channel="open311").count() == 5
    assert Open311Update.objects.count() == 0
