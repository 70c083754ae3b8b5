"""Checking the case timelines' hash chains (one chain per case), for `xiuhua audit verify`."""

from __future__ import annotations

from xiuhua.cases.models import CaseEvent, event_content
from xiuhua.core.trail import Break, walk


def verify_case_events() -> tuple[int, Break | None]:
    rows = CaseEvent.objects.order_by("case_id", "id").iterator(chunk_size=5000)
    return walk(rows, "cases_caseevent", event_content, lambda event: event.case_id, set())
