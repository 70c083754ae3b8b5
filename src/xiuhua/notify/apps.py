from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

BATCH_RESUME_SECONDS = 60.0


class NotifyConfig(AppConfig):
    name = "xiuhua.notify"
    verbose_name = _("Notices")

    def ready(self) -> None:
        # The worker's registry lives in cases (it runs the case timers); imported here, at start, only to
        # register with it.
        from xiuhua.cases.worker import register
        from xiuhua.notify import checks  # noqa: F401  (registers the system checks)
        from xiuhua.notify.batches import resume_job

        # A batch left `preparing` by a stopped process resumes within a minute or two, not only when a
        # message worker next starts.
        register("resume_batches", resume_job, every=BATCH_RESUME_SECONDS)
