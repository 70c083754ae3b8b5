import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def dump(label, ctx):
    with open("/tmp/stmts/measure.txt", "a") as f:
        f.write(f"==== {label}: {len(ctx.captured_queries)}\n")
        for q in ctx.captured_queries:
            f.write("  " + q["sql"][:300] + "\n")


def test_measure(as_user, spot):
    from xiuhua.cases.tests.conftest import photo
    staff = {n: as_user(n) for n in ("operator", "shift_leader", "dispatcher", "inspector", "dept_zhifa")}
    body = {"class_code": "01001", "kind": "event", "description": "人行道上有暴露垃圾", "lng": spot[0], "lat": spot[1],
            "address": "海滨东路 1 号", "source": "hotline_12345", "reporter_phone": "13800001111"}
    staff["operator"].post_json("/reports", body)  # warm
    with CaptureQueriesContext(connection) as ctx:
        r = staff["operator"].post_json("/reports", body)
    assert r.status_code == 201, r.content
    dump("report", ctx)
    number = r.json()["number"]
    steps = [
        ("operator", "accept", {}),
        ("shift_leader", "register", {}),
        ("dispatcher", "dispatch", {"department": "zhifa"}),
        ("dept_zhifa", "handle", {}),
        ("dept_zhifa", "report_back", {"photos": [photo("a.jpg")], "note": "ok"}),
        ("operator", "check", {"inspector": "inspector"}),
        ("inspector", "check", {"photos": [photo("b.jpg")], "result": "true"}),
        ("shift_leader", "close", {}),
        ("operator", "callback", {"satisfaction": "satisfied"}),
    ]
    for who, action, fields in steps:
        with CaptureQueriesContext(connection) as ctx:
            r = staff[who].act(number, action, **fields)
        assert r.status_code == 200, r.content
        dump(f"{action} ({who})", ctx)
