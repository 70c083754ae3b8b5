"""Case numbers in one statement, blocks for imports, and no duplicate or gap when many take them at once."""

import threading
from datetime import UTC, datetime

import pytest
from django.db import connections, transaction

from xiuhua.cases.models import CaseNumberSequence
from xiuhua.cases.numbering import next_case_number, reserve_case_numbers, use_reserved_numbers
from xiuhua.core.errors import DomainError

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


@pytest.mark.django_db
def test_a_number_costs_one_statement_once_the_day_has_its_row(django_assert_num_queries):
    with django_assert_num_queries(3):  # update (no row), insert on conflict do nothing, update
        assert next_case_number("330424", NOW) == "2026112300001"
    with django_assert_num_queries(1):
        assert next_case_number("330424", NOW) == "2026112300002"


@pytest.mark.django_db
def test_numbers_follow_the_shanghai_day_and_each_district_counts_alone():
    late_evening_utc = datetime(2026, 11, 23, 16, 30, tzinfo=UTC)  # 00:30 on the 24th in Shanghai
    assert next_case_number("330424", late_evening_utc) == "2026112400001"
    assert next_case_number("330481", NOW) == "2026112300001"
    assert next_case_number("330424", NOW) == "2026112300001"


@pytest.mark.django_db
def test_a_reserved_block_is_consecutive_and_handed_out_before_new_numbers():
    next_case_number("330424", NOW)
    block = reserve_case_numbers("330424", NOW, 3)
    assert block == ["2026112300002", "2026112300003", "2026112300004"]
    assert next_case_number("330424", NOW) == "2026112300005"
    day = NOW.date()
    with use_reserved_numbers({("330424", day): block}):
        taken = [next_case_number("330424", NOW) for _ in range(4)]
    assert taken == ["2026112300002", "2026112300003", "2026112300004", "2026112300006"]


@pytest.mark.django_db
def test_the_hundred_thousandth_case_of_a_day_is_refused_in_chinese_and_the_counter_stays():
    next_case_number("330424", NOW)
    CaseNumberSequence.objects.filter(district_code="330424").update(last=99_999)
    with pytest.raises(DomainError) as refused, transaction.atomic():
        next_case_number("330424", NOW)
    assert refused.value.code == "case_numbers_exhausted"
    assert refused.value.message == "2026-11-23 的案卷编号已用完（每日最多 99999 个）"
    assert CaseNumberSequence.objects.get(district_code="330424").last == 99_999
    with pytest.raises(DomainError):
        reserve_case_numbers("330424", NOW, 2)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # as every threaded test: keeps migrations' rows
def test_threads_taking_numbers_and_blocks_at_once_get_each_number_once_without_gaps():
    taken: list[list[str]] = [[] for _ in range(6)]
    failures: list[BaseException] = []
    barrier = threading.Barrier(6)

    def take(index: int) -> None:
        try:
            barrier.wait()
            for _ in range(8):
                if index % 2:
                    taken[index] += reserve_case_numbers("330424", NOW, 3)
                else:
                    with transaction.atomic():
                        taken[index].append(next_case_number("330424", NOW))
        except BaseException as exc:  # the outcome under test
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=take, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not failures, failures
    numbers = sorted(n for numbers in taken for n in numbers)
    total = 3 * 8 * 3 + 3 * 8
    assert numbers == [f"20261123{i:05d}" for i in range(1, total + 1)]
