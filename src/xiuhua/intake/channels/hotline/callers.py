"""A caller's earlier work orders and cases, shown the moment the operator has typed the number in.

The phone is encrypted at rest, so both are found through the keyed digest of the number (an indexed column);
each list is the user's data scope and a small page, newest first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from xiuhua.accounts.models import User
from xiuhua.accounts.privacy import shown_contact
from xiuhua.cases.models import Case
from xiuhua.cases.queries import visible_cases
from xiuhua.core.crypto import normalise_phone, phone_digest
from xiuhua.core.errors import DomainError
from xiuhua.intake.channels.hotline.adapter import readable_orders
from xiuhua.intake.channels.hotline.models import WorkOrder
from xiuhua.territory.queries import sole_district_code

HISTORY_LIMIT = 8
CANDIDATES = 50  # a caller's latest orders read before the scope check keeps the readable ones
_PHONE = re.compile(r"^\d{3,20}$")
_PHONE_TEXT = re.compile(r"^[\d\s+\-()（）]+$")


@dataclass(frozen=True)
class CallerHistory:
    phone: str
    orders: list[WorkOrder]
    cases: list[Case]

    @property
    def empty(self) -> bool:
        return not self.orders and not self.cases


def check_phone(phone: str) -> str:
    """The number as digits, or a Chinese refusal naming what a number looks like."""
    digits = normalise_phone(phone or "")
    if not _PHONE_TEXT.match((phone or "").strip()) or not _PHONE.match(digits):
        raise DomainError("来电号码应为 3 到 20 位数字，如 13812345678 或 0573-86000000", code="bad_phone")
    return digits


def caller_history(user: User, phone: str, limit: int = HISTORY_LIMIT) -> CallerHistory:
    """The caller's latest work orders and cases that the user may read."""
    digits = check_phone(phone)
    digest = phone_digest(digits)
    latest = WorkOrder.objects.filter(caller_phone_digest=digest).select_related("case")
    orders = readable_orders(user, list(latest.order_by("-received_at", "-id")[:CANDIDATES]))[:limit]
    cases = (
        visible_cases(user)
        .filter(reporter_phone_digest=digest)
        .select_related("case_class")
        .order_by("-reported_at", "-id")[:limit]
    )
    cases = list(cases)
    district = sole_district_code()
    # The name the caller gave each time, through the privacy rule as in any list (a confidential one is hidden).
    for order in orders:
        place = order.case.grid_code if order.case else district
        order.shown_name = shown_contact(
            user, order.caller_name, "", confidential=order.confidential, division_code=place or "", in_list=True
        ).name
    for case in cases:
        case.shown_name = shown_contact(
            user, case.reporter_name, "", confidential=case.reporter_confidential, division_code=case.grid_code,
            in_list=True,
        ).name  # fmt: skip
    return CallerHistory(digits, orders, cases)
