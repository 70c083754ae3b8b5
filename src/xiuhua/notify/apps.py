from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "xiuhua.notify"
    verbose_name = _("Notices")

    def ready(self) -> None:
        from xiuhua.notify import checks  # noqa: F401  (registers the system checks)
