from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

RATE_PRUNE_SECONDS = 3600.0
IMPORT_POLL_SECONDS = 5.0


class IntakeConfig(AppConfig):
    name = "xiuhua.intake"
    verbose_name = _("Intake")

    def ready(self) -> None:
        from xiuhua.cases.worker import register
        from xiuhua.core import refcache
        from xiuhua.intake.imports import start_queued_imports
        from xiuhua.intake.models import DuplicateWindow
        from xiuhua.intake.ratelimit import prune_rate_windows

        # One row per client address and hour: without pruning the table grows with every visitor.
        refcache.watch(DuplicateWindow)  # duplicate windows are kept per process
        register("prune_rate_windows", prune_rate_windows, every=RATE_PRUNE_SECONDS)
        # Uploaded 12345 exports wait as import jobs; a few seconds' delay before one starts is fine. They run in
        # a thread of their own, so a long import never holds up the timer sweep.
        register("imports", start_queued_imports, every=IMPORT_POLL_SECONDS)
