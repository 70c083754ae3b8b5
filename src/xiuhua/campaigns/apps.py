from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The month's 督导 notices go out within the hour after its snapshots are frozen; a run with nothing new sends
# nothing.
SUPERVISION_EVERY_SECONDS = 3600.0


class CampaignsConfig(AppConfig):
    name = "xiuhua.campaigns"
    verbose_name = _("Campaigns")

    def ready(self) -> None:
        # The measures register themselves on import; the record measures live in their own module.
        from xiuhua.campaigns import measures, record_measures  # noqa: F401
        from xiuhua.campaigns.supervision import supervision_job
        from xiuhua.cases.worker import register

        register("campaign_supervision", supervision_job, every=SUPERVISION_EVERY_SECONDS)
