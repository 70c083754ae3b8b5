"""Case numbers: YYYYMMDD (Asia/Shanghai) + a 5-digit daily sequence per district, never reused."""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F

from xiuhua.cases.models import CaseNumberSequence
from xiuhua.core.errors import DomainError
from xiuhua.worktime.clock import SHANGHAI

DAILY_CAPACITY = 99_999


def next_case_number(district_code: str, now: datetime) -> str:
    """Reserve the next number; call inside the transaction that creates the case."""
    day = now.astimezone(SHANGHAI).date()
    _ensure_sequence_row(district_code, day)
    # An UPDATE … SET last = last + 1 takes the row lock, so concurrent intakes get distinct numbers.
    CaseNumberSequence.objects.filter(district_code=district_code, day=day).update(last=F("last") + 1)
    last = CaseNumberSequence.objects.get(district_code=district_code, day=day).last
    if last > DAILY_CAPACITY:
        raise DomainError(
            f"{day:%Y-%m-%d} 的案卷编号已用完（每日最多 {DAILY_CAPACITY} 个）", code="case_numbers_exhausted"
        )
    return f"{day:%Y%m%d}{last:05d}"


def _ensure_sequence_row(district_code: str, day) -> None:
    if CaseNumberSequence.objects.filter(district_code=district_code, day=day).exists():
        return
    try:
        with transaction.atomic():
            CaseNumberSequence.objects.create(district_code=district_code, day=day, last=0)
    except IntegrityError:
        pass  # another intake created the day's row first
