from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "xiuhua.cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from xiuhua.cases.queries import visible_case_subjects
        from xiuhua.notify.queries import register_subject_scope

        # The outbox (notify, below cases) shows a message about a case to whoever sees the case.
        register_subject_scope("case", visible_case_subjects)
