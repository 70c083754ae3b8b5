# ruff: noqa: F811 (pytest fixtures imported from the cases tests and documents_fixtures)
"""Jiading's rates per period and issuing unit, with known answers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from xiuhua.cases.tests.conftest import as_user, loop, media_in_tmp, people, spot  # noqa: F401
from xiuhua.ledgers.choices import DocumentKind
from xiuhua.ledgers.documents import cancel_document, issue_document, local_day, record_reinspection
from xiuhua.ledgers.models import Inspection
from xiuhua.ledgers.tests.documents_fixtures import archive_fixture, outside_trade  # noqa: F401

pytestmark = pytest.mark.django_db


def history(archive, loop) -> None:
    """Four matters of the bureau today: three found on patrol, one from a hotline case; two reminders, one of
    them followed by a notice; two re-inspections, one passed; one penalty; and a cancelled slip that counts not."""
    officer = archive.people.zhifa
    person = archive.person()
    issue_document(officer, outside_trade(archive, kind=DocumentKind.REMINDER))
    issue_document(officer, outside_trade(archive, kind=DocumentKind.REMINDER, subject_id=person.pk, record=None,
                                          class_code="06027"))  # fmt: skip
    notice = issue_document(officer, outside_trade(archive, kind=DocumentKind.RECTIFY_BY))
    _, order = record_reinspection(officer, Inspection.objects.get(document=notice).pk, passed=False)
    record_reinspection(officer, Inspection.objects.get(document=order).pk, passed=True)
    case = loop.report()  # a 12345 call: not found by patrol
    issue_document(officer, outside_trade(archive, kind=DocumentKind.PENALTY, case_number=case.number,
                                          penalty_reference="海综执罚决字〔2026〕第 3 号"))  # fmt: skip
    slip = issue_document(officer, outside_trade(archive, kind=DocumentKind.REMINDER, class_code="06036"))
    cancel_document(officer, slip.pk, "开错当事人")


def test_the_four_rates_of_a_unit_have_their_known_answers(archive, loop, as_user):
    history(archive, loop)
    today = local_day(timezone.now()).isoformat()
    [row] = as_user("dept_zhifa").get("/ledgers/rates", first=today, last=today).json()
    assert row["unit"] == archive.people.zhifa.department.name
    counts = {name: row[name] for name in ("matters", "found_by_patrol", "reminders", "reminders_complied",
                                           "reinspections", "reinspections_passed", "penalties")}  # fmt: skip
    assert counts == {"matters": 4, "found_by_patrol": 3, "reminders": 2, "reminders_complied": 1,
                      "reinspections": 2, "reinspections_passed": 1, "penalties": 1}  # fmt: skip
    rates = [row[name] for name in ("discovery_rate", "dissuasion_rate", "rectification_rate", "penalty_rate")]
    assert rates == [0.75, 0.5, 0.5, 0.25]


def test_a_period_without_documents_has_no_rates_and_a_reversed_period_is_refused(archive, loop, as_user):
    history(archive, loop)
    leader = as_user("leader")
    yesterday = (local_day(timezone.now()) - timedelta(days=1)).isoformat()
    assert leader.get("/ledgers/rates", first=yesterday, last=yesterday).json() == []
    today = local_day(timezone.now()).isoformat()
    assert [row["matters"] for row in leader.get("/ledgers/rates", first=today, last=today).json()] == [4]
    reversed_period = leader.get("/ledgers/rates", first=today, last=yesterday)
    assert (reversed_period.status_code, reversed_period.json()["code"]) == (400, "bad_period")
    assert as_user("dept_zhujian").get("/ledgers/rates", first=today, last=today).json() == []
