from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PatrolConfig(AppConfig):
    name = "xiuhua.patrol"
    verbose_name = _("Patrol")

    def ready(self) -> None:
        from xiuhua.cases.worker import register
        from xiuhua.patrol.services import close_idle_shifts

        # A phone that went silent (battery, forgotten) must not keep its inspector 在岗 for days.
        register("patrol", close_idle_shifts)
