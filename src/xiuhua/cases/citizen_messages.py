"""When a citizen's report is received and when it is closed, the citizen who left a phone is told (an SMS on
the `citizen_receipt` / `citizen_closure` routes; notify.citizens). Only reports from a channel whose reporter
expects an answer (citizen app, Open311, hotlines, media: CALLBACK_SOURCES) — never an inspector's or an
alert's. Everything is queued in the caller's transaction."""

from __future__ import annotations

from datetime import datetime

from xiuhua.cases.choices import CALLBACK_SOURCES
from xiuhua.cases.choices import CaseStatus as S
from xiuhua.cases.models import Case
from xiuhua.notify.citizens import CitizenCase, queue_closure, queue_receipt


def citizen_case(case: Case, work_order: str = "") -> CitizenCase | None:
    """The citizen's side of a case, or None when nobody outside expects a message about it."""
    if case.source not in CALLBACK_SOURCES or not (case.reporter_phone or case.reporter_email):
        return None
    return CitizenCase(
        pk=case.pk,
        number=case.number,
        lookup_code=case.lookup_code,
        phone=case.reporter_phone,
        email=case.reporter_email,
        work_order=work_order,
    )


def report_received(case: Case, now: datetime, work_order: str = "") -> int:
    """The receipt for a newly stored report; returns the messages queued."""
    citizen = citizen_case(case, work_order)
    return queue_receipt(citizen, now) if citizen else 0


def case_closed(case: Case, closing_event: int, now: datetime) -> int:
    """Word of the closure to the case's citizen and to those of the reports merged into it (their own lookup
    link: the public page of a merged report follows the case it was merged into)."""
    queued = 0
    for each in [case, *case.merged_reports.filter(status=S.MERGED)]:
        if citizen := citizen_case(each):
            queued += queue_closure(citizen, closing_event, now)
    return queued
