"""The write-path benchmarks' floor endpoints and measuring middleware (bench/floor.py, bench/measure.py).

The floor is what the real endpoints are measured against, so its statement counts are pinned here: if a model
change made the floor do more, the benchmark's "beside its floor" figures would quietly change meaning.
"""

import json
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.test.utils import CaptureQueriesContext

from xiuhua.cases.event_chain import verify_case_events
from xiuhua.cases.models import Case, CaseAttachment
from xiuhua.cases.tests.conftest import as_user, media_in_tmp, photo, spot  # noqa: F401

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

pytestmark = pytest.mark.django_db


@pytest.fixture
def bench_urls(settings):
    settings.ROOT_URLCONF = "floor"
    settings.MIDDLEWARE = ["measure.MeasureMiddleware", *settings.MIDDLEWARE]
    import floor

    floor._template.cache_clear()


def _report(point) -> dict:
    return {"class_code": "01001", "kind": "event", "description": "暴露垃圾", "lng": point[0], "lat": point[1]}


def _floor_report(point, **extra) -> dict:
    response = Client().post(
        "/bench/floor/reports", json.dumps(_report(point)), content_type="application/json", **extra
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_floor_report_inserts_the_case_and_its_event_in_four_statements(bench_urls, as_user, spot):  # noqa: F811
    as_user("operator").post_json("/reports", _report(spot))  # the template the floor copies
    _floor_report(spot)  # reads the template once
    from django.db import connection

    with CaptureQueriesContext(connection) as queries:
        made = _floor_report(spot)
    # BEGIN and COMMIT — SAVEPOINT and RELEASE here, as the test runs inside a transaction — around two INSERTs.
    statements = [q["sql"] for q in queries.captured_queries]
    assert len(statements) == 4
    assert statements[1].startswith('INSERT INTO "cases_case" ') and statements[2].startswith(
        'INSERT INTO "cases_caseevent"'
    )
    case = Case.objects.get(number=made["number"])
    assert made["status"] == case.status == "reported" and case.events.count() == 1
    assert verify_case_events()[1] is None  # the floor's events are sealed onto the chain like real ones


def test_floor_action_locks_updates_and_adds_the_event_with_its_photo(bench_urls, as_user, spot):  # noqa: F811
    as_user("operator").post_json("/reports", _report(spot))
    number = _floor_report(spot)["number"]
    from django.db import connection

    with CaptureQueriesContext(connection) as queries:
        response = Client().post(f"/bench/floor/cases/{number}/actions/report_back", {"photos": [photo()]})
    assert response.status_code == 200 and response.json()["status"] == "handled"
    statements = [q["sql"].split()[0] for q in queries.captured_queries]
    assert statements[1:-1] == ["SELECT", "UPDATE", "INSERT", "INSERT"] and len(statements) == 6  # + BEGIN, COMMIT
    case = Case.objects.get(number=number)
    assert case.status == "handled" and case.version == 2
    assert CaseAttachment.objects.filter(case=case, event__action="report_back").count() == 1
    assert verify_case_events()[1] is None


def test_measuring_middleware_records_statements_and_cpu_of_labelled_requests(bench_urls, as_user, spot):  # noqa: F811
    import measure

    as_user("operator").post_json("/reports", _report(spot))
    _floor_report(spot)
    measure.reset()
    _floor_report(spot, HTTP_X_BENCH_LABEL="floor")
    _floor_report(spot)  # not labelled: not recorded
    figures = measure.summary("floor")
    assert figures["requests"] == 1 and figures["errors"] == 0 and figures["statements"] == 4
    assert figures["app_cpu_ms"] > 0 and figures["server_p50_ms"] > 0
