"""Figures kept beside the statistics rows by apps above `cases` (campaign tallies) hear of every change here.

`cases` may not import those apps, so they register a listener when they start (`AppConfig.ready`). The workflow
calls `stats_changed` in the action's transaction, right after the statistics row is written, with the row's
column values before the action: empty for a case created by this action, None when they were not noted (the
listener must then not trust a difference). A listener that raises rolls the
action back: listeners must only fail on real database errors.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from xiuhua.cases.models import CaseStats

StatsListener = Callable[[CaseStats, dict[str, Any] | None], None]

_LISTENERS: list[StatsListener] = []


def listen_to_stats(listener: StatsListener) -> None:
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)


def stats_changed(stats: CaseStats, before: dict[str, Any] | None) -> None:
    for listener in _LISTENERS:
        listener(stats, before)
