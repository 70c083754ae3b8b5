"""A citizen follows their report with the lookup code from the receipt, and rates it once it is closed."""

from __future__ import annotations

import hmac
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from xiuhua.cases.choices import CaseStatus, Satisfaction
from xiuhua.cases.models import Case
from xiuhua.cases.steps import satisfaction_score
from xiuhua.core.errors import DomainError, NotFound
from xiuhua.core.limits import too_long_message
from xiuhua.intake.channels.citizen.models import CitizenRating

MAX_COMMENT = 500


class AlreadyRated(DomainError):
    status_code = 409

    def __init__(self) -> None:
        super().__init__("这件问题已经评价过了，感谢您的反馈", code="already_rated")


def case_by_lookup_code(number: str, code: str) -> Case:
    """The case with this number if `code` is its lookup code (any case: the code is what guards it)."""
    case = Case.objects.filter(number=(number or "").strip()).select_related("case_class", "parent__case_class").first()
    given = (code or "").strip().upper()
    # One answer for "no such case" and "wrong code", compared in constant time.
    if case is None or not case.lookup_code or not hmac.compare_digest(case.lookup_code, given):
        raise NotFound("案卷号或查询码不正确")
    return case


def closed_for_rating(case: Case) -> bool:
    """Closed, or merged into a case that is closed (the citizen's problem was handled there)."""
    if case.status == CaseStatus.MERGED:
        return case.parent is not None and case.parent.status == CaseStatus.CLOSED
    return case.status == CaseStatus.CLOSED


def rating_of(case: Case) -> CitizenRating | None:
    return CitizenRating.objects.filter(case=case).first()


def rate_case(
    number: str, code: str, satisfaction: str, comment: str = "", *, now: datetime | None = None
) -> CitizenRating:
    """Record the citizen's satisfaction with a closed case: once per case, only with its lookup code."""
    case = case_by_lookup_code(number, code)
    if satisfaction not in Satisfaction.values:
        options = "、".join(str(label) for label in Satisfaction.labels)
        raise DomainError(f"请选择满意程度：{options}", code="satisfaction_required")
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise DomainError(too_long_message("评价内容", MAX_COMMENT, len(comment)), code="comment_too_long")
    if "\x00" in comment:
        raise DomainError("评价内容中含有空字符（\\0），无法保存", code="invalid_text")
    if not closed_for_rating(case):
        raise DomainError("问题办结后才能评价，请办结后再来", code="not_closed")
    if rating_of(case) is not None:
        raise AlreadyRated()
    try:
        with transaction.atomic():
            return CitizenRating.objects.create(
                case=case,
                satisfaction=satisfaction,
                score=satisfaction_score(satisfaction),
                comment=comment,
                rated_at=now or timezone.now(),
            )
    except IntegrityError:
        raise AlreadyRated() from None
