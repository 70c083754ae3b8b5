"""Statements per report and per loop action, pinned: a change that adds a query to the write path fails here.

Counted with reference data warm (a first case went round the loop), as in a running server. SAVEPOINT and
RELEASE are left out: they are the test's transaction around the action's own (BEGIN/COMMIT in production,
which Django does not log), and counting them would make the same budget differ between databases.
The report's budget includes the case number's statements (3 today: cases.numbering).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xiuhua.cases.models import Case, StageLimit
from xiuhua.cases.tests.conftest import photo, sh
from xiuhua.core import refcache

pytestmark = pytest.mark.django_db

REPORT_BUDGET = 8  # through the API, token check included; no photo, an address given
# The loop runs inside working hours (a Friday morning), where each stage's new deadline differs from the last, so
# the stage timers are rewritten (DELETE + INSERT). Outside working hours two stages can share the same deadline
# (the next window's start plus the limit) and an action writes two statements fewer: real time made this flaky.
LOOP_STARTS = sh(2026, 12, 4, 10, 0)
ACTION_BUDGETS = {  # apply_action alone, as bench/loop.py drives it
    "accept": 8,
    "register": 8,
    "dispatch": 10,
    "handle": 6,
    "report_back": 9,
    "check_send": 8,
    "check": 9,
    "close": 8,
    "callback": 6,
}


class Statements(CaptureQueriesContext):
    @property
    def sql(self) -> list[str]:
        return [q["sql"] for q in self.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]


def _round_the_loop(loop, measured: dict[str, list[str]] | None = None, start=LOOP_STARTS):
    p = loop.p
    case = loop.report(source="hotline_12345", now=start)
    steps = [
        ("accept", p.operator, {}, None),
        ("register", p.shift_leader, {}, None),
        ("dispatch", p.dispatcher, {"department": "zhifa"}, None),
        ("handle", p.zhifa, {}, None),
        ("report_back", p.zhifa, {"note": "已清运"}, [photo("after.jpg")]),
        ("check_send", p.operator, {"inspector": "inspector"}, None),
        ("check", p.inspector, {"result": True}, [photo("check.jpg")]),
        ("close", p.shift_leader, {}, None),
        ("callback", p.operator, {"satisfaction": "satisfied"}, None),
    ]
    for minute, (name, actor, params, files) in enumerate(steps, start=1):
        action = "check" if name == "check_send" else name
        with Statements(connection) as ctx:
            loop.act(case, action, actor, now=start + timedelta(minutes=minute), files=files, **params)
        if measured is not None:
            measured[name] = ctx.sql
    return case


def test_each_loop_action_stays_within_its_statement_budget(loop):
    _round_the_loop(loop)  # warm: reference data loaded once per process
    measured: dict[str, list[str]] = {}
    case = _round_the_loop(loop, measured, LOOP_STARTS + timedelta(minutes=30))
    assert Case.objects.get(pk=case.pk).status == "closed"
    over = {name: sql for name, sql in measured.items() if len(sql) > ACTION_BUDGETS[name]}
    assert not over, "\n".join(
        f"{name}: {len(sql)} > {ACTION_BUDGETS[name]}\n  " + "\n  ".join(sql) for name, sql in over.items()
    )


def test_a_report_through_the_api_stays_within_its_statement_budget(as_user, spot):
    operator = as_user("operator")
    body = {
        "class_code": "01001",
        "kind": "event",
        "description": "人行道上有暴露垃圾",
        "lng": spot[0],
        "lat": spot[1],
        "address": "海滨东路 1 号",  # without one, the nearest road and house number are looked up (2 more)
    }
    assert operator.post_json("/reports", body).status_code == 201  # warm
    with Statements(connection) as ctx:
        response = operator.post_json("/reports", body)
    assert response.status_code == 201, response.content
    assert response.json()["community_name"] and response.json()["subdistrict_name"]
    assert len(ctx.sql) <= REPORT_BUDGET, "\n  ".join([f"{len(ctx.sql)} > {REPORT_BUDGET}", *ctx.sql])


def test_a_stage_limit_changed_in_the_admin_is_used_by_the_very_next_report(loop, client, settings):
    monday_ten = sh(2026, 3, 2, 10, 0)
    first = loop.report(now=monday_ten)  # the limits are now memoised in this process
    assert first.stage_deadline - monday_ten != timedelta(minutes=50)
    row = StageLimit.objects.get(stage="accept", urgency="normal")
    assert client.login(username="admin", password=settings.DEMO_PASSWORD)
    page = client.post(
        f"/admin/cases/stagelimit/{row.pk}/change/", {"stage": "accept", "urgency": "normal", "minutes": "50"}
    )
    assert page.status_code == 302, page.content.decode()[:2000]
    assert loop.report(now=monday_ten).stage_deadline - monday_ten == timedelta(minutes=50)


def test_an_edit_signalled_by_another_process_is_seen_on_the_next_report(loop):
    """Another process's edit reaches this one only through the generation in the shared cache."""
    monday_ten = sh(2026, 3, 2, 10, 0)
    before = loop.report(now=monday_ten).stage_deadline
    # The other process wrote the row and bumped the generation; this process's memo is untouched.
    StageLimit.objects.filter(stage="accept", urgency="normal").update(minutes=45)  # sends no signal here
    assert loop.report(now=monday_ten).stage_deadline == before  # this process's memo is still current
    cache.incr(refcache.GENERATION_KEY)
    assert loop.report(now=monday_ten).stage_deadline == monday_ten + timedelta(minutes=45)
