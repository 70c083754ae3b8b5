"""Template helpers shared by every page: lights, local times, status badges."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.conf import settings
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from xiuhua.cases.models import Case
from xiuhua.cases.presenters import current_light, shown_description

register = template.Library()

LIGHT_CSS = {"green": "success", "yellow": "warning", "red": "danger"}


@register.simple_tag
def patrol_interval_seconds() -> int:
    """How often a phone on duty records its position: the page starts with it, so even a phone that goes
    offline before its first answer from the patrol API records at the configured pace."""
    return settings.XIUHUA_PATROL_INTERVAL_SECONDS


@register.simple_tag
def light_badge(case: Case, now: datetime | None = None) -> str:
    """A coloured dot with the light's name; nothing for cases without a running limit."""
    return light_dot(current_light(case, now or timezone.now()))


@register.simple_tag
def light_dot(light: str | None) -> str:
    """The dot of a light given by name ("green", "yellow", "red"), e.g. of one of a case's two clocks."""
    if not light:
        return ""
    names = {"green": _("Green"), "yellow": _("Yellow"), "red": _("Red")}
    return format_html(
        '<span class="light light-{}" title="{}" data-light="{}"><span class="visually-hidden">{}</span></span>',
        light,
        names[light],
        light,
        names[light],
    )


@register.filter
def local(moment: datetime | str | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """An aware datetime (or its ISO text, as presenters give it) in Asia/Shanghai, the site's zone; or a dash."""
    if not moment:
        return "—"
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return timezone.localtime(moment).strftime(fmt)


@register.simple_tag
def status_badge(case: Case) -> str:
    return format_html('<span class="badge status status-{}">{}</span>', case.status, case.get_status_display())


@register.filter
def page_url(table, number: int) -> str:
    return table.page_url(number)


@register.simple_tag(takes_context=True)
def case_text(context, case: Case) -> str:
    """The case's description as the signed-in user may read it (the privacy rule for confidential reports)."""
    request = context.get("request")
    return shown_description(case, getattr(request, "user", None))


@register.filter
def get_item(mapping: dict, key: str):
    """`mapping[key]` in a template (e.g. the case-list link of one row of a figure), "" when absent."""
    return mapping.get(key, "") if mapping else ""
