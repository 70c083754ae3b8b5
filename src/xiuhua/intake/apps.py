from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

RATE_PRUNE_SECONDS = 3600.0


class IntakeConfig(AppConfig):
    name = "xiuhua.intake"
    verbose_name = _("Intake")

    def ready(self) -> None:
        from xiuhua.cases.worker import register
        from xiuhua.core import refcache
        from xiuhua.intake.models import DuplicateWindow
        from xiuhua.intake.ratelimit import prune_rate_windows

        # One row per client address and hour: without pruning the table grows with every visitor.
        refcache.watch(DuplicateWindow)  # duplicate windows are kept per process
        register("prune_rate_windows", prune_rate_windows, every=RATE_PRUNE_SECONDS)
