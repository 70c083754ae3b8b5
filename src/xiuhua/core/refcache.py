"""Reference data (classes, register conditions, stage limits, duplicate windows, auto-dispatch settings …)
memoised per process, invalidated everywhere by one generation number in Django's default cache.

A report or an action used to re-read the same few rarely-changing rows every time. Now each process keeps
what it loaded, tagged with the generation it loaded under. Saving or deleting a watched model bumps the
generation in the default cache (`django.core.cache.cache`: shared Redis when XIUHUA_CACHE_URL is set), so
the next request of *every* process sees a new number and reloads. The generation is read at most once per
request (reset on `request_started`) or action (`refresh()` at the start of a report or action).

A write that sends no signal (queryset.update, bulk_create, raw SQL) must call `bump()` itself. As a last
resort a memo is never kept longer than MAX_AGE seconds.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from time import monotonic
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

GENERATION_KEY = "xiuhua:refdata:generation"
MAX_AGE = 300.0  # seconds: a backstop for writes that bypass signals and forget bump()

T = TypeVar("T")

_memo: dict[str, tuple[Any, float, Any]] = {}  # name -> (generation, loaded at, value)
_memo_lock = threading.Lock()
_scope = threading.local()  # the generation read in this request or action


def _read_generation() -> Any:
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        # First use (or the cache was flushed): start a generation nobody has memoised under.
        cache.add(GENERATION_KEY, int(monotonic() * 1000))
        generation = cache.get(GENERATION_KEY)
    return generation


def generation() -> Any:
    """The generation in force for this request or action (one cache read each)."""
    current = getattr(_scope, "generation", None)
    if current is None:
        current = _scope.generation = _read_generation()
    return current


def refresh(**_: Any) -> None:
    """Start a new request or action: the next lookup reads the generation again."""
    _scope.generation = None


def bump(**_: Any) -> None:
    """Reference data changed: every process reloads on its next request. Safe as a signal receiver.

    Bumped at once (this process and this transaction see the change) and again after commit: a process that
    reloaded between the two read the old rows, and must not keep them under the new generation.
    """
    _bump_now()
    transaction.on_commit(_bump_now)


def _bump_now() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not set yet (or evicted)
        cache.set(GENERATION_KEY, int(monotonic() * 1000) + 1, None)
    with _memo_lock:
        _memo.clear()
    refresh()


def clear() -> None:
    """Forget everything this process memoised (tests: the database was rolled back under the memo)."""
    with _memo_lock:
        _memo.clear()
    refresh()


def memo(name: str, load: Callable[[], T]) -> T:
    """The value `load()` returns, loaded at most once per generation in this process."""
    current = generation()
    entry = _memo.get(name)
    now = monotonic()
    if entry is not None and entry[0] == current and now - entry[1] < MAX_AGE:
        return entry[2]
    value = load()
    with _memo_lock:
        _memo[name] = (current, now, value)
    return value


def watch(*models: type) -> None:
    """Bump the generation whenever one of these models is saved or deleted (call from AppConfig.ready)."""
    for model in models:
        uid = f"xiuhua_refcache_{model._meta.label_lower}"
        post_save.connect(bump, sender=model, dispatch_uid=f"{uid}_save", weak=False)
        post_delete.connect(bump, sender=model, dispatch_uid=f"{uid}_delete", weak=False)
