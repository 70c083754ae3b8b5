from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "xiuhua.campaigns"
    verbose_name = _("Campaigns")

    def ready(self) -> None:
        # The measures register themselves on import; the record measures live in their own module.
        from xiuhua.campaigns import measures, record_measures  # noqa: F401
