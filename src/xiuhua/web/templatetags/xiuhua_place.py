"""Template helpers for places: how an address was found, and distances as a person reads them."""

from __future__ import annotations

from django import template

from xiuhua.intake.places import precision_label as _precision_label

register = template.Library()


@register.filter
def precision_label(precision: str) -> str:
    """「地址由坐标推算：道路」 for `point_road`, and so on (see xiuhua.intake.places)."""
    return _precision_label(precision or "")


@register.filter
def distance(metres: float | None) -> str:
    """「42 m」, 「860 m」 (to 10 m from 100 m up), then 「1.1 km」 (to 100 m), and 「12 km」 from 10 km."""
    if metres is None:
        return ""
    if metres < 99.5:
        return f"{int(metres + 0.5)} m"
    tens = int(metres / 10 + 0.5) * 10
    if tens < 1000:
        return f"{tens} m"
    if metres < 9950:
        return f"{metres / 1000:.1f} km"
    return f"{int(metres / 1000 + 0.5)} km"
