"""Template helpers of the command-centre workbenches: where a report came from, at a glance."""

from __future__ import annotations

from django import template
from django.utils.html import format_html

from xiuhua.cases.choices import Source
from xiuhua.cases.models import Case

register = template.Library()

# A Bootstrap Icons name per channel, so a queue can be scanned by source.
SOURCE_ICONS = {
    Source.INSPECTOR: "person-badge",
    Source.HOTLINE_12345: "telephone",
    Source.HOTLINE_12319: "telephone-plus",
    Source.CITIZEN: "person",
    Source.VIDEO: "camera-video",
    Source.SENSOR: "broadcast",
    Source.LEADER: "award",
    Source.MEDIA: "newspaper",
    Source.OPEN311: "phone",
    Source.OTHER: "three-dots",
}


@register.simple_tag
def source_label(case: Case) -> str:
    """The channel's icon and name, e.g. a telephone and 「12345热线」."""
    icon = SOURCE_ICONS.get(case.source, "question-circle")
    return format_html(
        '<span class="source source-{}" data-source="{}"><i class="bi bi-{}"></i> {}</span>',
        case.source,
        case.source,
        icon,
        case.get_source_display(),
    )
