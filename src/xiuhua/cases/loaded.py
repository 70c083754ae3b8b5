"""What a row looked like when an action loaded it, so the action writes back only what it changed.

`remember_loaded` notes a case's column values (and its statistics row's, when loaded with it) and the timers
its deadlines called for; `changed_values` / `save_changed` compare against that note. An UPDATE naming every
column rewrote a wide row for a one-field change; a statistics row created a moment ago was probed with an
UPDATE before its INSERT.
"""

from __future__ import annotations

from typing import Any

from django.db import models

_NOTE = "_xh_loaded"


def _values(obj: models.Model) -> dict[str, Any]:
    values = {}
    for field in obj._meta.concrete_fields:
        if field.primary_key:
            continue
        value = getattr(obj, field.attname)
        # JSON columns hold lists and dicts a step might change in place: keep a copy to compare with.
        values[field.attname] = value.copy() if isinstance(value, list | dict) else value
    return values


def remember(obj: models.Model) -> None:
    setattr(obj, _NOTE, _values(obj))


def remember_loaded(case: models.Model) -> None:
    """Note the locked case, its statistics row (when fetched with it) and the timers it has."""
    from xiuhua.cases.timers import wanted_timers

    remember(case)
    stats = case._state.fields_cache.get("stats")
    if stats is not None:
        remember(stats)
    # Every action reschedules the case's timers from its deadlines, so these are its pending ones.
    case._loaded_timers = frozenset(wanted_timers(case))


def remember_saved(case: models.Model) -> None:
    """The case row was written: note it again (its statistics row is written, and noted, separately)."""
    remember(case)


def changed_values(obj: models.Model) -> dict[str, Any]:
    """Column values that differ from the note (every column when nothing was noted)."""
    before = getattr(obj, _NOTE, None)
    now = _values(obj)
    if before is None:
        return now
    return {name: value for name, value in now.items() if before.get(name, object()) != value}


def noted_values(obj: models.Model) -> dict[str, Any] | None:
    """The column values noted when the row was loaded or last saved (None when nothing was noted)."""
    return getattr(obj, _NOTE, None)


def save_changed(obj: models.Model, *, created: bool = False) -> None:
    """INSERT a new row without probing first, or UPDATE only its changed columns (nothing when none changed)."""
    if created:
        obj.save(force_insert=True)
    elif getattr(obj, _NOTE, None) is None:
        obj.save()
    else:
        changed = changed_values(obj)
        if changed:
            obj.save(update_fields=list(changed))
    remember(obj)
