"""System checks of the message settings: a wrong value is reported when the platform starts (and by
`xiuhua check`), not discovered inside a case action."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, register

from xiuhua.notify.pacing import QUIET_HOURS_FORMAT, parse_quiet_hours


@register()
def check_quiet_hours(app_configs=None, **kwargs) -> list[Error]:
    value = str(getattr(settings, "XIUHUA_MESSAGE_QUIET_HOURS", "") or "")
    try:
        parse_quiet_hours(value)
    except ValueError:
        return [
            Error(
                f"免打扰时段 XIUHUA_MESSAGE_QUIET_HOURS 设置不正确：{value!r}",
                hint=f"应为 {QUIET_HOURS_FORMAT} 的形式（本地时间，开始-结束），留空表示不设免打扰时段",
                id="xiuhua.notify.E001",
            )
        ]
    return []
