"""The ladder: a repeated matter climbs a step, a failed re-inspection issues the next one, a passed one closes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from xiuhua.cases.tests.conftest import media_in_tmp, people, sh  # noqa: F401
from xiuhua.core.models import AuditEntry
from xiuhua.ledgers.choices import CreditEventKind, DocumentKind, DocumentStatus
from xiuhua.ledgers.documents import issue_document, local_day, record_penalty_decision, record_reinspection
from xiuhua.ledgers.inspections import due_queue
from xiuhua.ledgers.models import CreditEvent, DocumentSequence, EnforcementDocument, Inspection, LadderStep
from xiuhua.ledgers.tests.documents_fixtures import OUTSIDE_TRADE, archive_fixture, outside_trade  # noqa: F401

pytestmark = pytest.mark.django_db


def test_a_first_outside_trade_matter_gets_a_reminder_slip_without_a_deadline(archive):
    document = issue_document(archive.people.inspector, outside_trade(archive))
    assert document.kind == DocumentKind.REMINDER
    assert document.full_number == f"海综执提〔{local_day(timezone.now()).year}〕第 00001 号"
    assert document.deadline is None and not Inspection.objects.exists()
    assert AuditEntry.objects.filter(action="ledgers.document_issued", target=document.full_number).exists()


def test_a_second_matter_within_90_days_gets_a_notice_with_a_deadline_and_a_reinspection_in_the_queue(archive):
    inspector = archive.people.inspector
    issue_document(inspector, outside_trade(archive), now=timezone.now() - timedelta(days=60))
    notice = issue_document(inspector, outside_trade(archive))
    today = local_day(timezone.now())
    assert notice.kind == DocumentKind.RECTIFY_BY
    assert notice.deadline == today + timedelta(days=3)
    queue = list(due_queue(inspector, notice.deadline))
    assert [(i.document_id, i.due_on) for i in queue] == [(notice.pk, notice.deadline)]
    assert list(due_queue(inspector, today)) == []  # not due before its day


def test_a_matter_older_than_90_days_starts_the_ladder_again(archive):
    issue_document(archive.people.inspector, outside_trade(archive), now=timezone.now() - timedelta(days=91))
    assert issue_document(archive.people.inspector, outside_trade(archive)).kind == DocumentKind.REMINDER


def test_a_configured_ladder_replaces_the_default_for_its_class(archive):
    LadderStep.objects.create(class_code=OUTSIDE_TRADE, position=1, kind=DocumentKind.RECTIFY_BY, deadline_days=5)
    LadderStep.objects.create(class_code=OUTSIDE_TRADE, position=2, kind=DocumentKind.PENALTY)
    document = issue_document(archive.people.inspector, outside_trade(archive))
    assert document.kind == DocumentKind.RECTIFY_BY
    assert document.deadline == local_day(timezone.now()) + timedelta(days=5)


def test_a_failed_reinspection_issues_an_order_to_correct_with_its_own_reinspection(archive):
    inspector = archive.people.inspector
    notice = issue_document(inspector, outside_trade(archive, kind=DocumentKind.RECTIFY_BY))
    reinspection = Inspection.objects.get(document=notice)
    done, order = record_reinspection(inspector, reinspection.pk, passed=False, note="桌椅仍在")
    notice.refresh_from_db()
    assert notice.status == DocumentStatus.FAILED and done.result == "failed"
    assert order.kind == DocumentKind.ORDER_TO_CORRECT and order.previous == notice
    assert (order.subject, order.record_id, order.class_code) == (archive.company, archive.shop.pk, OUTSIDE_TRADE)
    assert order.deadline == local_day(timezone.now()) + timedelta(days=7)
    assert Inspection.objects.get(document=order, inspected_at=None).inspector == inspector


def test_a_passed_reinspection_closes_the_document_and_leaves_the_queue(archive):
    inspector = archive.people.inspector
    notice = issue_document(inspector, outside_trade(archive, kind=DocumentKind.RECTIFY_BY))
    reinspection = Inspection.objects.get(document=notice)
    _, following = record_reinspection(inspector, reinspection.pk, passed=True)
    notice.refresh_from_db()
    assert following is None
    assert notice.status == DocumentStatus.PASSED and notice.closed_at is not None
    assert list(due_queue(inspector, notice.deadline)) == []


def test_a_notice_issued_by_a_department_officer_is_reinspected_by_the_grid_inspector(archive):
    notice = issue_document(archive.people.zhifa, outside_trade(archive, kind=DocumentKind.RECTIFY_BY))
    assert notice.issuing_unit == archive.people.zhifa.department
    assert Inspection.objects.get(document=notice).inspector == archive.people.inspector


def test_a_refused_document_takes_no_number_and_writes_nothing(archive):
    inspector = archive.people.inspector
    issue_document(inspector, outside_trade(archive))
    with pytest.raises(Exception, match="法律依据"):
        issue_document(inspector, outside_trade(archive, kind=DocumentKind.REMINDER, legal_basis=" "))
    year = local_day(timezone.now()).year
    assert DocumentSequence.objects.get(kind=DocumentKind.REMINDER, year=year).last_number == 1
    assert issue_document(inspector, outside_trade(archive, kind=DocumentKind.REMINDER)).number == 2
    assert EnforcementDocument.objects.count() == 2


def test_a_second_failed_reinspection_and_a_penalty_decision_each_enter_the_partys_credit_record(archive):
    inspector = archive.people.inspector
    notice = issue_document(inspector, outside_trade(archive, kind=DocumentKind.RECTIFY_BY))
    _done, order = record_reinspection(inspector, Inspection.objects.get(document=notice).pk, passed=False)
    assert not CreditEvent.objects.filter(subject=archive.company).exists()  # one failure is not yet a record
    _done, penalty = record_reinspection(inspector, Inspection.objects.get(document=order).pk, passed=False)
    assert penalty.kind == DocumentKind.PENALTY
    assert list(CreditEvent.objects.values_list("kind", "document_id")) == [
        (CreditEventKind.REPEATED_FAILURE, order.pk)
    ]
    record_penalty_decision(archive.people.zhifa, penalty.pk, "海综执罚决字〔2026〕第 00003 号")
    kinds = sorted(CreditEvent.objects.filter(subject=archive.company).values_list("kind", flat=True))
    assert kinds == sorted([CreditEventKind.REPEATED_FAILURE, CreditEventKind.PENALTY])
