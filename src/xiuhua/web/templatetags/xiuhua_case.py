"""Template helpers of the case page and the department workbench: time left on a limit, shares of it used."""

from __future__ import annotations

from datetime import timedelta

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from xiuhua.worktime.clock import NATURAL_UNITS

register = template.Library()


def span_text(minutes: float, *, with_days: bool = True) -> str:
    """A span of time as days, hours and minutes, the largest two parts (e.g. "2 d 3 h", "3 h 20 min").

    Working time is given without days (`with_days=False`): a working day is not 24 hours.
    """
    total = int(round(abs(minutes)))
    days, rest = divmod(total, 24 * 60) if with_days else (0, total)
    hours, mins = divmod(rest, 60)
    if days:
        return _("%(d)d d %(h)d h") % {"d": days, "h": hours} if hours else _("%(d)d d") % {"d": days}
    if hours:
        return _("%(h)d h %(m)d min") % {"h": hours, "m": mins} if mins else _("%(h)d h") % {"h": hours}
    return _("%(m)d min") % {"m": mins}


@register.simple_tag
def time_left(left: timedelta | float | None, unit: str = "") -> str:
    """Text such as "3 h 20 min left" or "overdue by 1 h", in working time when the limit counts working time.

    `left` is a timedelta or minutes, in the clock's own unit (working minutes for working-hour and working-day
    limits), so working time is never shown as if it were hours on the wall clock.
    """
    if left is None:
        return ""
    minutes = left.total_seconds() / 60 if isinstance(left, timedelta) else float(left)
    working = bool(unit) and unit not in NATURAL_UNITS
    span = span_text(minutes, with_days=not working)
    if minutes < 0:
        text = _("overdue by %(span)s of working time") if working else _("overdue by %(span)s")
        css = "text-danger fw-semibold"
    else:
        text = _("%(span)s of working time left") if working else _("%(span)s left")
        css = "text-body-secondary"
    return format_html('<span class="time-left {}" data-testid="time-left">{}</span>', css, text % {"span": span})


@register.filter
def percent(part: float | None, whole: float | None) -> int:
    """`part` as a whole percentage of `whole`, capped at 100 (for progress bars)."""
    if not part or not whole:
        return 0
    return max(0, min(100, int(round(100 * part / whole))))
