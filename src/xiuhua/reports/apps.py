from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

REPORT_POLL_SECONDS = 5.0


class ReportsConfig(AppConfig):
    name = "xiuhua.reports"
    verbose_name = _("Statistical reports")

    def ready(self) -> None:
        from xiuhua.cases.worker import register
        from xiuhua.reports.jobs import run_report_jobs

        # Queued report files are picked up within seconds, not at the next timer sweep.
        register("reports", run_report_jobs, every=REPORT_POLL_SECONDS)
