"""Case numbers: YYYYMMDD (Asia/Shanghai) + a 5-digit daily sequence per district, never reused (CJ/T 214).

A number costs one statement: `UPDATE … SET last = last + 1 … RETURNING last` takes the day's row lock and reads
the new value at once (the day's row is inserted with `ON CONFLICT DO NOTHING` only when the update found none).
The row lock is held until the caller's transaction ends, so a long transaction that numbers cases stalls every
other intake of the district. Imports therefore take a block of numbers with `reserve_case_numbers` in a short
transaction of their own and hand them out with `use_reserved_numbers`; a block a crash leaves unused is a gap,
never a duplicate.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime

from django.db import connection, transaction

from xiuhua.cases.models import CaseNumberSequence
from xiuhua.core.errors import DomainError
from xiuhua.worktime.clock import SHANGHAI

DAILY_CAPACITY = 99_999
_reserved = threading.local()  # {(district_code, day): [number, …]} handed out by next_case_number first


def case_day(now: datetime) -> date:
    """The day a case created at `now` is numbered under (Asia/Shanghai)."""
    return now.astimezone(SHANGHAI).date()


def next_case_number(district_code: str, now: datetime) -> str:
    """Take the next number; call inside the transaction that creates the case."""
    day = case_day(now)
    pool = getattr(_reserved, "pool", None)
    if pool and (numbers := pool.get((district_code, day))):
        return numbers.pop(0)
    return _format(day, _advance(district_code, day, 1))


def reserve_case_numbers(district_code: str, now: datetime, count: int) -> list[str]:
    """Take `count` consecutive numbers in a transaction of their own; call outside any transaction."""
    if count < 1:
        return []
    day = case_day(now)
    with transaction.atomic():
        last = _advance(district_code, day, count)
    return [_format(day, n) for n in range(last - count + 1, last + 1)]


@contextmanager
def use_reserved_numbers(blocks: dict[tuple[str, date], list[str]]) -> Iterator[None]:
    """Within the block (this thread), `next_case_number` hands out these numbers before taking new ones."""
    previous = getattr(_reserved, "pool", None)
    _reserved.pool = blocks
    try:
        yield
    finally:
        _reserved.pool = previous


def _advance(district_code: str, day: date, count: int) -> int:
    """Add `count` to the day's counter and return the new last number (one statement when the row exists)."""
    table = connection.ops.quote_name(CaseNumberSequence._meta.db_table)
    last_column = connection.ops.quote_name("last")
    day_value = connection.ops.adapt_datefield_value(day)
    update = (
        f"UPDATE {table} SET {last_column} = {last_column} + %s "
        f"WHERE district_code = %s AND day = %s RETURNING {last_column}"
    )
    with connection.cursor() as cursor:
        cursor.execute(update, [count, district_code, day_value])
        row = cursor.fetchone()
        if row is None:  # the first case of the day: another intake may insert the row at the same moment
            cursor.execute(
                f"INSERT INTO {table} (district_code, day, {last_column}) VALUES (%s, %s, 0) ON CONFLICT DO NOTHING",
                [district_code, day_value],
            )
            cursor.execute(update, [count, district_code, day_value])
            row = cursor.fetchone()
    last = int(row[0])
    if last > DAILY_CAPACITY:
        # Raised inside the caller's transaction, so the increment is rolled back with it.
        raise DomainError(
            f"{day:%Y-%m-%d} 的案卷编号已用完（每日最多 {DAILY_CAPACITY} 个）", code="case_numbers_exhausted"
        )
    return last


def _format(day: date, sequence: int) -> str:
    return f"{day:%Y%m%d}{sequence:05d}"
