"""A hand-built October 2026 for the monthly report: each case is annotated with what it must count as."""

from __future__ import annotations

import pytest

from xiuhua.cases.tests.conftest import as_user, loop, media_in_tmp, people, photo, sh, spot  # noqa: F401
from xiuhua.intake.channels.hotline.adapter import WorkOrderInput, take_work_order

NOW = sh(2026, 11, 20, 12, 0)


@pytest.fixture(autouse=True)
def fresh_figures(settings):
    """Each test counts its own cases (tests that are about caching set the window themselves)."""
    settings.XIUHUA_REPORT_CACHE_SECONDS = 0


def hotline_order(people, spot, number: str, received, **changes):  # noqa: F811 (the imported fixtures)
    fields = {"order_type": "complaint", "class_code": "01001", "kind": "event"} | changes
    data = WorkOrderInput(
        hotline="12345",
        order_number=number,
        content="来电人反映路面有暴露垃圾，要求尽快清理。",
        lng=spot[0],
        lat=spot[1],
        received_at=received,
        **fields,
    )
    return take_work_order(data, people.operator, now=received)[0]


@pytest.fixture
def october(loop, people, spot):  # noqa: F811 (the imported fixtures)
    """Cases around October 2026 (Shanghai time)."""
    # A: reported ten minutes into October (30 September in UTC), handled on time, closed in October.
    a = loop.to_checked(now=sh(2026, 10, 1, 0, 10))
    loop.act(a, "close", people.shift_leader, now=sh(2026, 10, 1, 0, 20))
    # B: a citizen report at 23:50 on 31 October (a Saturday), class 01002 → October, only registered.
    loop.to_registered(now=sh(2026, 10, 31, 23, 50), class_code="01002", source="citizen")
    # C: reported five minutes into November → not October.
    loop.report(now=sh(2026, 11, 1, 0, 5))
    # D: reported in September, class 01001 → the previous month of the class ranking.
    loop.report(now=sh(2026, 9, 30, 23, 50))
    # E: dispatched on 12 October, never handled → overdue open at NOW.
    loop.to_dispatched(now=sh(2026, 10, 12, 9, 0))
    # F: dispatched and voided in October.
    f = loop.to_dispatched(now=sh(2026, 10, 13, 9, 0))
    loop.act(f, "request_void", people.dispatcher, now=sh(2026, 10, 13, 10, 0), note="重复")
    loop.act(f, "approve", people.shift_leader, now=sh(2026, 10, 13, 11, 0))
    # G: a 12345 order answered on the call; H: one transferred, closed and called back (satisfied).
    hotline_order(
        people,
        spot,
        "ZX-1",
        sh(2026, 10, 14, 9, 0),
        order_type="consultation",
        class_code="",
        answered_on_call=True,
        answer="已答复",
    )
    h = hotline_order(people, spot, "ZJ-2", sh(2026, 10, 15, 9, 0)).case
    loop.close(h, now=sh(2026, 10, 15, 10, 0))
    loop.act(
        h,
        "callback",
        people.operator,
        now=sh(2026, 10, 16, 9, 0),
        satisfaction="satisfied",
        service_satisfaction="very_satisfied",
    )
    return NOW
