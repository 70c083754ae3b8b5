"""The credit scheme: scores, levels, the red and black lists, objections, repair, and events from decisions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from xiuhua.core.errors import DomainError, PermissionDenied
from xiuhua.core.models import AuditEntry
from xiuhua.ledgers import credit
from xiuhua.ledgers.choices import CreditEventKind, CreditEventStatus, DocumentKind, DocumentStatus
from xiuhua.ledgers.models import CreditEvent, CreditRule
from xiuhua.ledgers.tests.credit_fixtures import company, district, document, person, shop_keeper

pytestmark = pytest.mark.django_db
AUTHORITY = "海盐县综合行政执法局"


def days_ago(n: int):
    return timezone.localdate() - timedelta(days=n)


def penalise(keeper, subject, n: int, ago: int = 10):
    return credit.record_event(keeper, subject, CreditEventKind.PENALTY, days_ago(ago), f"第 {n} 次处罚", AUTHORITY)


def test_a_company_with_five_penalties_in_a_year_is_black_listed_with_the_five_reasons(demo_city):
    keeper, firm = shop_keeper(), company()
    events = [penalise(keeper, firm, n, ago=30 * n) for n in range(1, 6)]
    standing = credit.score(firm)
    assert standing.score == 50 and standing.level == "D"
    assert standing.black and not standing.red
    assert {e.pk for e in standing.black_reasons} == {e.pk for e in events}
    assert [s.subject for s in credit.lists(district())["black"]] == [firm]


def test_four_penalties_or_a_fifth_older_than_a_year_do_not_black_list(demo_city):
    keeper, firm = shop_keeper(), company()
    for n in range(1, 5):
        penalise(keeper, firm, n)
    penalise(keeper, firm, 5, ago=400)
    standing = credit.score(firm)
    assert standing.score == 60 and standing.level == "C" and not standing.black


def test_levels_follow_the_score_and_the_red_list_needs_good_conduct_without_a_penalty(demo_city):
    keeper, good, fined = shop_keeper(), company("最美商户公司"), company("罚过的公司", body="91330424MA2B3C4D6")
    credit.record_event(keeper, good, CreditEventKind.GOOD_CONDUCT, days_ago(5), "最美商户", AUTHORITY)
    credit.record_event(keeper, fined, CreditEventKind.GOOD_CONDUCT, days_ago(5), "最美商户", AUTHORITY)
    penalise(keeper, fined, 1)
    assert credit.score(good).score == 105 and credit.score(good).red
    fined_standing = credit.score(fined)  # 100 + 5 − 10: level A, but a penalty keeps it off the red list
    assert fined_standing.score == 95 and fined_standing.level == "A" and not fined_standing.red
    assert [s.subject for s in credit.lists(district())["red"]] == [good]
    assert [credit.level_of(p) for p in (90, 89, 75, 74, 60, 59)] == ["A", "B", "B", "C", "C", "D"]


def test_a_configured_rule_overrides_the_default_points(demo_city):
    CreditRule.objects.create(event_kind=CreditEventKind.ORDER_IGNORED, points=-20)
    event = credit.record_event(
        shop_keeper(), company(), CreditEventKind.ORDER_IGNORED, days_ago(1), "拒不改正", AUTHORITY
    )
    assert event.points == -20 and credit.score(event.subject).score == 80


def test_repaired_events_stop_counting_but_only_after_the_minimum_time(demo_city):
    keeper, firm = shop_keeper(), company()
    old, recent = penalise(keeper, firm, 1, ago=200), penalise(keeper, firm, 2, ago=20)
    with pytest.raises(DomainError, match="最早可于"):
        credit.repair(keeper, recent.pk, "已整改")
    credit.repair(keeper, old.pk, "已整改并公开承诺")
    old.refresh_from_db()
    assert old.status == CreditEventStatus.REPAIRED and old.appeal_decided_by == keeper
    assert credit.score(firm).score == 90
    assert AuditEntry.objects.filter(action="ledgers.credit_repaired", target=f"credit_event:{old.pk}").exists()


def test_an_objection_upheld_withdraws_the_event_and_a_rejected_one_puts_it_back_in_force(demo_city):
    keeper, firm = shop_keeper(), company()
    first, second = penalise(keeper, firm, 1), penalise(keeper, firm, 2)
    credit.object_to(keeper, first.pk, "处罚对象认定错误")
    assert credit.score(firm).score == 80  # pending: still counted
    credit.decide_objection(keeper, first.pk, True, "异议成立，撤销")
    credit.object_to(keeper, second.pk, "不服")
    credit.decide_objection(keeper, second.pk, False, "异议不成立")
    statuses = dict(CreditEvent.objects.values_list("pk", "status"))
    assert statuses == {first.pk: CreditEventStatus.WITHDRAWN, second.pk: CreditEventStatus.ACTIVE}
    assert credit.score(firm).score == 90
    with pytest.raises(DomainError, match="没有待处理的异议"):
        credit.decide_objection(keeper, second.pk, True, "再议")


def test_only_staff_of_a_ledger_keeping_department_record_credit_events(demo_city, people):
    with pytest.raises(PermissionDenied):
        credit.record_event(people.operator, company(), CreditEventKind.PENALTY, days_ago(1), "处罚", AUTHORITY)
    assert not CreditEvent.objects.exists()


def test_a_penalty_decision_makes_one_penalty_event_with_the_deciding_unit(demo_city):
    shop_keeper()
    firm = company()
    decision = document(firm, DocumentKind.PENALTY, penalty_reference="海综执罚决字〔2026〕第 12 号")
    event = credit.event_from_document(decision)
    assert event.kind == CreditEventKind.PENALTY and event.points == -10 and event.document == decision
    assert event.authority == decision.issuing_unit.name and "第 12 号" in event.reason
    assert credit.event_from_document(decision) == event and CreditEvent.objects.count() == 1


def test_a_second_failed_reinspection_makes_a_repeated_failure_and_a_first_makes_none(demo_city):
    shop_keeper()
    someone = person()
    notice = document(someone, DocumentKind.RECTIFY_BY, status=DocumentStatus.FAILED)
    assert credit.event_from_document(notice) is None
    order = document(someone, DocumentKind.ORDER_TO_CORRECT, previous=notice, status=DocumentStatus.FAILED)
    event = credit.event_from_document(order)
    assert event.kind == CreditEventKind.REPEATED_FAILURE and event.points == -5
    assert credit.score(someone).score == 95
