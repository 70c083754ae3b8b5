"""Admin helpers for features with a geometry: a small inline SVG preview, no map tiles needed."""

from django.contrib import admin
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _


class GeometryPreviewMixin:
    """Adds a read-only `geometry_preview` field drawing the feature's outline."""

    @admin.display(description=_("shape"))
    def geometry_preview(self, obj) -> str:
        geom = getattr(obj, "geometry", None)
        if geom is None or geom.is_empty:
            return "—"
        min_x, min_y, max_x, max_y = geom.bounds
        width, height = max(max_x - min_x, 1e-9), max(max_y - min_y, 1e-9)
        pad = max(width, height) * 0.05
        # SVG's y axis points down: flip latitudes so north is up.
        path = geom.svg(scale_factor=max(width, height) / 150).replace('stroke="#555555"', 'stroke="#c2185b"')
        return format_html(
            '<svg width="320" height="240" viewBox="{} {} {} {}" style="background:#fafafa;border:1px solid #ddd">'
            '<g transform="matrix(1,0,0,-1,0,{})">{}</g></svg><div>{}</div>',
            min_x - pad,
            -max_y - pad,
            width + 2 * pad,
            height + 2 * pad,
            0,
            mark_safe(path),
            f"{min_x:.6f}, {min_y:.6f} — {max_x:.6f}, {max_y:.6f}",
        )
