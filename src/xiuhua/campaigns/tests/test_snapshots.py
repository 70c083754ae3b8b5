"""Month-end snapshots: frozen as of the month's end, written once, and read back without live data."""

from __future__ import annotations

from datetime import date

import pytest

from xiuhua.campaigns.models import ProgressSnapshot
from xiuhua.campaigns.snapshots import freeze_finished_months, freeze_month, frozen_progress, month_frozen
from xiuhua.campaigns.tests.conftest import case_target, copies_of, make_campaign, make_task, sh, tag
from xiuhua.cases.worker import JOBS
from xiuhua.core.errors import DomainError
from xiuhua.core.models import AuditEntry

MARCH = date(2026, 3, 1)


def _campaign_with_open_case(loop, closed: int = 10):
    campaign = make_campaign()
    target = case_target(make_task(campaign), goal=150)
    case = loop.report(now=sh(2026, 3, 1, 9))
    tag(campaign, [case, *copies_of(case, closed, closed_at=sh(2026, 3, 31, 23, 59), status="closed")])
    return campaign, target, case


def test_a_march_snapshot_does_not_change_when_a_case_closes_in_april(loop):
    campaign, target, case = _campaign_with_open_case(loop)
    assert freeze_month(MARCH, now=sh(2026, 4, 1, 0, 30)) == 1
    loop.close(case, now=sh(2026, 4, 3, 10))
    assert freeze_month(MARCH, now=sh(2026, 4, 5)) == 0  # idempotent: never rewritten
    snapshot = ProgressSnapshot.objects.get(target=target, month=MARCH)
    assert snapshot.value == 10 and snapshot.taken_at == sh(2026, 4, 1, 0, 30)
    frozen = frozen_progress(campaign, MARCH)
    (line,) = list(frozen.lines())
    assert line.measurement.value == 10 and line.progress.progress == snapshot.progress
    assert month_frozen(campaign, date(2026, 3, 15)) and not month_frozen(campaign, date(2026, 4, 1))
    assert AuditEntry.objects.filter(action="campaigns.month_frozen", target="2026-03").count() == 1


def test_a_month_counts_up_to_its_last_local_instant(loop):
    campaign, target, case = _campaign_with_open_case(loop, closed=3)
    loop.close(case, now=sh(2026, 4, 1, 0, 1))  # one minute into April, Beijing time (still 31 March UTC)
    freeze_month(MARCH, now=sh(2026, 4, 2))
    assert ProgressSnapshot.objects.get(target=target).value == 3


def test_an_unfinished_month_cannot_be_frozen(loop):
    _campaign_with_open_case(loop)
    with pytest.raises(DomainError, match="尚未结束"):
        freeze_month(MARCH, now=sh(2026, 3, 31, 23))
    assert not ProgressSnapshot.objects.exists()


def test_the_worker_job_freezes_every_finished_month_without_snapshots(loop):
    campaign, target, _ = _campaign_with_open_case(loop)
    assert JOBS["campaign_snapshots"].run is freeze_finished_months
    written = freeze_finished_months(now=sh(2026, 5, 10))
    assert written == {"2026-01": 1, "2026-02": 1, "2026-03": 1, "2026-04": 1}
    assert freeze_finished_months(now=sh(2026, 5, 20)) == {}
    months = list(ProgressSnapshot.objects.filter(target=target).values_list("month", flat=True))
    assert months == [date(2026, m, 1) for m in (1, 2, 3, 4)]
