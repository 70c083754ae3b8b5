"""The two clocks of a case: the handling clock (from dispatch to report-back) and the stage clock.

The handling clock runs in the unit of the register condition's limit (working time or natural time),
stops while the case is suspended, and its allowance grows with approved extensions; the deadline in
force is the "bundle deadline". The stage clock times the centre's own steps (accept, verify, register,
dispatch, check, close) against `StageLimit` rows: working minutes, or natural minutes for urgent cases.
Lights: green below 80 % of a limit, yellow from 80 %, red past it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from xiuhua.cases.choices import Light, Stage
from xiuhua.cases.models import Case, StageLimit
from xiuhua.catalog.choices import Urgency
from xiuhua.core import refcache
from xiuhua.worktime.choices import LimitUnit
from xiuhua.worktime.clock import NATURAL_UNITS, WorkCalendar

WARNING_SHARE = 0.8

# Used when a city has not set a stage limit (minutes; urgent cases count natural minutes).
DEFAULT_STAGE_MINUTES = {
    (Stage.ACCEPT, Urgency.NORMAL): 30,
    (Stage.ACCEPT, Urgency.URGENT): 10,
    (Stage.VERIFY, Urgency.NORMAL): 60,
    (Stage.VERIFY, Urgency.URGENT): 30,
    (Stage.REGISTER, Urgency.NORMAL): 30,
    (Stage.REGISTER, Urgency.URGENT): 10,
    (Stage.DISPATCH, Urgency.NORMAL): 30,
    (Stage.DISPATCH, Urgency.URGENT): 10,
    (Stage.CHECK, Urgency.NORMAL): 120,
    (Stage.CHECK, Urgency.URGENT): 60,
    (Stage.CLOSE, Urgency.NORMAL): 60,
    (Stage.CLOSE, Urgency.URGENT): 30,
}


def light_of(warning_at: datetime | None, deadline: datetime | None, now: datetime) -> str | None:
    """The light of a running limit; None when no clock runs."""
    if deadline is None:
        return None
    if now > deadline:
        return Light.RED
    if warning_at is not None and now >= warning_at:
        return Light.YELLOW
    return Light.GREEN


# -- handling clock


def start_handling(case: Case, calendar: WorkCalendar, now: datetime, unit: str, allowance: timedelta) -> None:
    """A new handling round (dispatch, re-dispatch, rework): the full limit from now."""
    case.handling_unit = unit
    case.handling_allowance = allowance
    case.handling_used = timedelta(0)
    case.handling_running_since = now
    _schedule_handling(case, calendar)


def pause_handling(case: Case, calendar: WorkCalendar, now: datetime) -> None:
    if case.handling_running_since is None:
        return
    case.handling_used += calendar.elapsed(case.handling_running_since, now, case.handling_unit)
    case.handling_running_since = None
    case.handling_deadline = None
    case.handling_warning_at = None


def resume_handling(case: Case, calendar: WorkCalendar, now: datetime) -> None:
    case.handling_running_since = now
    _schedule_handling(case, calendar)


def stop_handling(case: Case, calendar: WorkCalendar, now: datetime) -> bool | None:
    """Stop the clock at report-back; True when handled by the deadline in force."""
    deadline = case.handling_deadline
    pause_handling(case, calendar, now)
    case.handling_deadline = deadline  # kept for the record: the bundle deadline the department met or missed
    return None if deadline is None else now <= deadline


def extend_handling(case: Case, calendar: WorkCalendar, extra: timedelta) -> None:
    case.handling_allowance += extra
    if case.handling_running_since is not None:
        _schedule_handling(case, calendar)


def clear_handling(case: Case) -> None:
    case.handling_running_since = None
    case.handling_deadline = None
    case.handling_warning_at = None


def handling_used(case: Case, calendar: WorkCalendar, now: datetime) -> timedelta:
    used = case.handling_used
    if case.handling_running_since is not None:
        used += calendar.elapsed(case.handling_running_since, now, case.handling_unit)
    return used


def _schedule_handling(case: Case, calendar: WorkCalendar) -> None:
    since, unit = case.handling_running_since, case.handling_unit
    remaining = case.handling_allowance - case.handling_used
    case.handling_deadline = calendar.add(since, max(remaining, timedelta(0)), unit)
    to_warning = case.handling_allowance * WARNING_SHARE - case.handling_used
    case.handling_warning_at = calendar.add(since, max(to_warning, timedelta(0)), unit)


def extension_duration(case: Case, calendar: WorkCalendar, value: int, unit: str) -> timedelta:
    """An extension of `value` hours or days in the case's own clock (working days are working days)."""
    if case.handling_unit in NATURAL_UNITS:
        return timedelta(hours=value) if unit == "hours" else timedelta(days=value)
    if unit == "hours":
        return calendar.limit_duration(value, LimitUnit.WORKING_HOURS)
    return calendar.limit_duration(value, LimitUnit.WORKING_DAYS)


# -- stage clock


def _stage_minutes() -> dict[tuple[str, str], int]:
    return {
        (stage, urgency): minutes
        for stage, urgency, minutes in StageLimit.objects.values_list("stage", "urgency", "minutes")
    }


def stage_limit(stage: str, urgency: str) -> timedelta:
    # The city's limits are reference data: memoised per process, reloaded after any edit (core.refcache).
    minutes = refcache.memo("cases.stage_limits", _stage_minutes).get((stage, urgency))
    return timedelta(minutes=minutes or DEFAULT_STAGE_MINUTES[(stage, urgency)])


def _stage_unit(case: Case) -> str:
    return LimitUnit.URGENT_HOURS if case.urgency == Urgency.URGENT else LimitUnit.WORKING_HOURS


def enter_stage(case: Case, stage: str, calendar: WorkCalendar, now: datetime) -> None:
    limit = stage_limit(stage, case.urgency)
    unit = _stage_unit(case)
    case.stage = stage
    case.stage_started_at = now
    case.stage_deadline = calendar.add(now, limit, unit)
    case.stage_warning_at = calendar.add(now, limit * WARNING_SHARE, unit)


def leave_stage(case: Case, now: datetime) -> bool | None:
    """End the current stage; True when it ended by its deadline."""
    on_time = None if case.stage_deadline is None else now <= case.stage_deadline
    case.stage = ""
    case.stage_started_at = case.stage_deadline = case.stage_warning_at = None
    return on_time
