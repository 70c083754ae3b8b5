"""A 12345 import writing in one thread while reports arrive through the API: every report is taken in.

Runs on a real database file (SQLite's test database is a file, see settings) or PostgreSQL, each thread on its
own connection, so the import's transactions really hold the write lock / the number row while reports wait.
"""

import threading
import time

import pytest
from django.db import connections

from xiuhua.cases.models import Case
from xiuhua.intake.channels.hotline.importer import import_work_orders
from xiuhua.intake.channels.hotline.tests.test_hotline_channel import export_rows, xlsx

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
ORDERS = 120


def test_every_report_arriving_during_an_import_is_taken_in(as_user, people, spot):
    data = xlsx(export_rows(spot, ORDERS))
    api = as_user("operator")
    writing, outcome = threading.Event(), {}

    def run_import() -> None:
        try:
            outcome["result"] = import_work_orders(
                data, people.operator, filename="orders.xlsx", progress=lambda done, total: writing.set()
            )
        except BaseException as exc:  # the outcome under test
            outcome["error"] = exc
        finally:
            connections.close_all()

    importer = threading.Thread(target=run_import)
    importer.start()
    answers, during_writes = [], 0
    deadline = time.monotonic() + 300
    while (importer.is_alive() or len(answers) < 5) and time.monotonic() < deadline:
        overlapping = writing.is_set() and importer.is_alive()
        body = {"class_code": "01001", "kind": "event", "lng": spot[0], "lat": spot[1]}
        response = api.post_json("/reports", {**body, "description": f"导入期间的上报 {len(answers)}"})
        answers.append((response.status_code, response.content[:200]))
        during_writes += overlapping and importer.is_alive()
    importer.join(60)

    assert "error" not in outcome, outcome
    assert outcome["result"].created == ORDERS
    assert [a for a in answers if a[0] != 201] == []
    assert during_writes >= 3, f"only {during_writes} reports overlapped the import's writes"
    assert Case.objects.count() == ORDERS + len(answers)
    assert Case.objects.values("number").distinct().count() == ORDERS + len(answers)
