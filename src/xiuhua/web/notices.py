"""The notice inbox as people read it: one row per case, and a bell that counts only what asks for action.

A notice is *to do* when it is unread, of an actionable kind (`notify.models.ACTIONABLE_KINDS`) and its case is
not finished (closed, declined, voided, merged): a warning about a case that has since been closed asks
nothing. The workflow also marks notices read when the recipient's team acts on the case
(`cases.workflow._settle_notices`). See docs/screen-and-notices.md.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import CharField, Count, Exists, F, Max, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Cast, Concat

from xiuhua.accounts.models import User
from xiuhua.cases.models import Case
from xiuhua.cases.queries import TERMINAL
from xiuhua.notify.models import ACTIONABLE_KINDS, Notice

SHOWS = ("todo", "unread", "all")


def _finished_case() -> Exists:
    return Exists(Case.objects.filter(number=OuterRef("subject"), status__in=TERMINAL))


def _to_do() -> Q:
    return Q(read_at__isnull=True, kind__in=ACTIONABLE_KINDS) & ~Q(_finished_case())


def badge_count(user: User) -> int:
    """The number on the bell: the user's notices that still ask them to act."""
    return Notice.objects.filter(Q(recipient=user) & _to_do()).count()


def grouped(user: User, show: str) -> QuerySet:
    """One row per case (a notice without a case is a row of its own), newest first, with counts.

    Each row: key, latest_id, total, unread, todo. `show` keeps rows with something to do, or unread, or all.
    """
    key = models.Case(
        models.When(subject="", then=Concat(Value("#"), Cast("id", CharField()))),
        default=F("subject"),
        output_field=CharField(),
    )
    rows = (
        Notice.objects.filter(recipient=user)
        .annotate(key=key)
        .order_by()
        .values("key")
        .annotate(
            latest_id=Max("id"),
            total=Count("id"),
            unread=Count("id", filter=Q(read_at__isnull=True)),
            todo=Count("id", filter=_to_do()),
        )
    )
    if show == "todo":
        rows = rows.filter(todo__gt=0)
    elif show == "unread":
        rows = rows.filter(unread__gt=0)
    return rows.order_by("-latest_id")


def with_latest(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The page's rows, each with its latest notice (one query for the page)."""
    latest = Notice.objects.in_bulk([row["latest_id"] for row in rows])
    return [{**row, "notice": latest[row["latest_id"]]} for row in rows if row["latest_id"] in latest]
