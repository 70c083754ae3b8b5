"""GET requests and requests/{id}: fields, filters, default volume, pages, notes; only public facts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from xiuhua.cases.derivatives import build_pending_derivatives
from xiuhua.cases.tests.conftest import photo, sh
from xiuhua.intake.open311.tests.conftest import BASE, SERVICE_CODE, accepted, error_of, parse


@pytest.fixture
def demo_city(shared_demo_city):
    """Every test here uses the demo city and none commits: one city for the module (conftest.module_demo_city),
    each test in a savepoint of it."""
    return shared_demo_city


FORMATS = ["xml", "json"]
FIELDS = {
    "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
    "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
    "address", "address_id", "zipcode", "lat", "long", "media_url",
}  # fmt: skip


def get(client, fmt: str = "json", path: str = "requests", **query):
    return client.get(f"{BASE}/{path}.{fmt}", query)


def numbers(response, fmt: str = "json") -> list[str]:
    assert response.status_code == 200, response.content.decode()
    return [r["service_request_id"] for r in parse(response, fmt)]


@pytest.fixture
def closed_case(loop, people):
    case = loop.to_checked(now=timezone.now() - timedelta(days=3))
    return loop.act(case, "close", people.shift_leader, now=timezone.now() - timedelta(days=2))


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_request_has_every_field_and_zoned_times(client, closed_case, fmt):
    [item] = parse(get(client, fmt), fmt)

    assert set(item) == FIELDS
    assert item["service_request_id"] == closed_case.number
    assert item["status"] == "closed" and item["status_notes"] == "已结案"
    assert item["service_code"] == SERVICE_CODE and item["service_name"] == closed_case.case_class.name
    assert item["agency_responsible"] == closed_case.lead_department.name
    assert item["requested_datetime"].endswith("+08:00")
    assert item["updated_datetime"] == timezone.localtime(closed_case.closed_at).replace(microsecond=0).isoformat()
    assert item["expected_datetime"].endswith("+08:00")
    assert item["service_notice"].startswith("处置时限")
    assert float(item["lat"]) == closed_case.lat and float(item["long"]) == closed_case.lng
    assert item["zipcode"] in ("", None) and item["address_id"] in ("", None)


def test_reporters_and_staff_never_appear(client, loop, people):
    case = loop.report(reporter_name="李四", reporter_phone="13912345678")
    loop.act(case, "accept", people.operator, note="内部备注：电话核实过")

    body = get(client, extensions="true").content.decode()

    for secret in ("李四", "13912345678", "operator", "内部备注", people.operator.display_name or "operator"):
        assert secret not in body


def test_status_filter_and_closed_states(client, loop, people, closed_case):
    open_case = accepted(loop)
    declined = loop.report()
    loop.act(declined, "decline", people.operator, note="属于物业管理范围")

    assert set(numbers(get(client, status="open"))) == {open_case.number}
    # A declined case is never published (FixMyStreet's way): closed means closed after the loop.
    assert set(numbers(get(client, status="closed"))) == {closed_case.number}
    assert len(numbers(get(client, status="open,closed"))) == 2
    assert len(numbers(get(client, status=""))) == 2
    assert parse(get(client, service_request_id=declined.number), "json") == []


def test_a_merged_report_follows_its_parent(client, loop, people):
    parent, duplicate = accepted(loop), loop.report()
    loop.act(duplicate, "merge", people.operator, parent=parent.number)

    [item] = parse(get(client, service_request_id=duplicate.number), "json")

    assert item["status"] == "open"
    assert item["status_notes"].startswith(f"已并入案卷 {parent.number}")


def test_an_unknown_status_is_400(client, demo_city):
    assert "status" in error_of(get(client, status="fixed"), "json", 400)


def test_service_code_list(client, loop):
    first = accepted(loop, class_code="01001")
    second = accepted(loop, class_code="01002")
    accepted(loop, class_code="01003")

    assert set(numbers(get(client, service_code="01001,01002"))) == {first.number, second.number}
    assert numbers(get(client, service_code="01002")) == [second.number]


def test_dates_filter_requested_datetime(client, loop):
    old = accepted(loop, now=sh(2026, 9, 1, 10, 0))
    newer = accepted(loop, now=sh(2026, 10, 1, 10, 0))

    in_september = get(client, start_date="2026-09-01T00:00:00+08:00", end_date="2026-09-30T00:00:00Z")
    only_end = get(client, end_date="2026-09-15T00:00:00+08:00")

    assert numbers(in_september) == [old.number]
    assert numbers(only_end) == [old.number]
    assert numbers(get(client, start_date="2026-09-15T00:00:00+08:00")) == [newer.number]


def test_an_unencoded_plus_in_a_date_is_tolerated(client, loop):
    case = accepted(loop, now=sh(2026, 9, 1, 10, 0))

    response = client.get(f"{BASE}/requests.json?start_date=2026-09-01T00:00:00+08:00")

    assert numbers(response) == [case.number]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("query", "named"),
    [
        ({"start_date": "2026-09-01T00:00:00"}, "start_date"),
        ({"end_date": "2026-09-01"}, "end_date"),
        ({"start_date": "yesterday"}, "start_date"),
        ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"}, "90"),
        ({"start_date": "2026-06-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"}, "end_date"),
        ({"updated_after": "2026-09-01T00:00:00"}, "updated_after"),
        ({"page": "0"}, "page"),
        ({"page_size": "-5"}, "page_size"),
    ],
)
def test_bad_dates_and_pages_are_400(client, demo_city, fmt, query, named):
    assert named in error_of(get(client, fmt, **query), fmt, 400)


def test_default_volume_is_the_last_90_days(client, loop):
    recent = accepted(loop, now=timezone.now() - timedelta(days=10))
    old = accepted(loop, now=timezone.now() - timedelta(days=100))

    assert numbers(get(client)) == [recent.number]
    assert numbers(get(client, service_request_id=old.number)) == [old.number]


def test_service_request_id_overrides_every_other_filter(client, loop):
    first, second = accepted(loop), accepted(loop)
    accepted(loop)

    found = get(client, service_request_id=f"{first.number}, {second.number}", status="closed", service_code="09999")

    assert set(numbers(found)) == {first.number, second.number}


def test_updated_after_and_before(client, loop, people):
    quiet = accepted(loop, now=timezone.now() - timedelta(days=100))
    busy = accepted(loop, now=timezone.now() - timedelta(days=100))
    loop.act(busy, "register", people.shift_leader, now=timezone.now() - timedelta(hours=1))

    since = (timezone.now() - timedelta(days=1)).isoformat()
    until = (timezone.now() - timedelta(days=50)).isoformat()

    assert numbers(get(client, updated_after=since)) == [busy.number]
    assert numbers(get(client, updated_before=until)) == [quiet.number]


def test_page_and_page_size(client, loop):
    reported = [accepted(loop, now=timezone.now() - timedelta(minutes=m)).number for m in range(5)]

    assert numbers(get(client, page_size="2")) == reported[:2]
    assert numbers(get(client, page_size="2", page="3")) == reported[4:]
    assert numbers(get(client, page_size="2", page="4")) == []
    assert numbers(get(client, page_size="5000")) == reported
    assert numbers(get(client, page="99999999999999999999999")) == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_extensions_add_the_public_history(client, closed_case, fmt):
    [item] = parse(get(client, fmt, extensions="true"), fmt)

    notes = item["notes"]
    assert notes[0]["type"] == "submitted" and notes[0]["description"] == "已上报"
    assert notes[-1]["type"] == "closed" and notes[-1]["description"] == "已结案"
    assert {n["type"] for n in notes[1:-1]} == {"activity"}
    assert [n["description"] for n in notes[1:4]] == ["已受理", "已立案", "已派遣"]
    assert all(n["datetime"].endswith("+08:00") for n in notes)
    assert item["extended_attributes"]["channel"] == "hotline_12345"
    assert item["extended_attributes"]["detailed_status"] == "closed"


def test_without_extensions_there_are_no_notes(client, closed_case):
    [item] = get(client).json()

    assert "notes" not in item and "extended_attributes" not in item


@pytest.mark.parametrize("fmt", FORMATS)
def test_one_request_is_still_a_list(client, closed_case, fmt):
    response = get(client, fmt, f"requests/{closed_case.number}")

    [item] = parse(response, fmt)
    assert item["service_request_id"] == closed_case.number


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_unknown_request_is_404(client, demo_city, fmt):
    assert "2099010100001" in error_of(get(client, fmt, "requests/2099010100001"), fmt, 404)


@pytest.mark.parametrize("fmt", FORMATS)
def test_tokens_are_never_handed_out_so_every_token_is_404(client, demo_city, fmt):
    assert "abc123" in error_of(get(client, fmt, "tokens/abc123"), fmt, 404)


def test_media_url_serves_the_public_copy_of_the_reported_photo_only(client, loop, people):
    case = loop.report_by_inspector()
    loop.act(case, "accept", people.operator)
    loop.act(case, "register", people.shift_leader)
    loop.act(case, "dispatch", people.dispatcher, department="zhifa")
    loop.act(case, "handle", people.zhifa)
    loop.act(case, "report_back", people.zhifa, files=[photo("after.jpg")], note="已清理")
    [item] = get(client).json()
    assert item["media_url"] == ""  # the public copy is made by the worker after commit; never the original

    build_pending_derivatives()

    [item] = get(client).json()

    before = case.attachments.get(stage="before")
    after = case.attachments.get(stage="after")
    assert item["media_url"] == f"http://testserver/open311/v2/media/{before.pk}"
    served = client.get(item["media_url"])
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert b"".join(served.streaming_content) == before.public_file.open("rb").read()
    assert before.public_file.name != before.file.name
    assert error_of(client.get(f"{BASE}/media/{after.pk}"), "xml", 404)
