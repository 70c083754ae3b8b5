from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

BATCH_RESUME_SECONDS = 60.0


class CasesConfig(AppConfig):
    name = "xiuhua.cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from xiuhua.cases.queries import visible_case_subjects
        from xiuhua.notify.queries import register_subject_scope

        # The outbox (notify, below cases) shows a message about a case to whoever sees the case.
        register_subject_scope("case", visible_case_subjects)
        self.watch_reference_data()
        self.register_batch_resume()
        from xiuhua.cases.derivatives import register_jobs

        register_jobs()  # photo public copies and thumbnails after commit, and the orphan-file sweep

    @staticmethod
    def watch_reference_data() -> None:
        """Rows the report and action paths keep per process (xiuhua.core.refcache): any edit reloads them."""
        from xiuhua.accounts.models import Department
        from xiuhua.cases.models import StageLimit
        from xiuhua.catalog.models import CaseClass, RegisterCondition
        from xiuhua.core import refcache

        refcache.watch(StageLimit, CaseClass, RegisterCondition, Department)

    @staticmethod
    def register_batch_resume() -> None:
        """The background worker (here in cases) also resumes message batches left `preparing` by a stopped
        process, within a minute or two, not only when a message worker next starts."""
        from xiuhua.cases.worker import register
        from xiuhua.notify.batches import resume_job

        register("resume_batches", resume_job, every=BATCH_RESUME_SECONDS)
