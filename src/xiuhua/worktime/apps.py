from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorktimeConfig(AppConfig):
    name = "xiuhua.worktime"
    verbose_name = _("Work calendar")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from xiuhua.worktime.clock import calendar_changed
        from xiuhua.worktime.models import WorkDay, WorkWindow

        # The cached calendar snapshot must follow edits to either table.
        for model in (WorkDay, WorkWindow):
            for signal, name in ((post_save, "save"), (post_delete, "delete")):
                signal.connect(calendar_changed, sender=model, dispatch_uid=f"worktime.clock.{model.__name__}.{name}")
