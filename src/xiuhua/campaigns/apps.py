from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

SNAPSHOT_POLL_SECONDS = 3600.0


class CampaignsConfig(AppConfig):
    name = "xiuhua.campaigns"
    verbose_name = _("Campaigns")

    def ready(self) -> None:
        # The measures register themselves on import; the record measures live in their own module.
        from xiuhua.campaigns import measures, record_measures  # noqa: F401
        from xiuhua.campaigns.snapshots import freeze_finished_months
        from xiuhua.cases.worker import register

        # Month ends are rare; an hourly look freezes a finished month soon after midnight, and costs one query
        # per month of each campaign when there is nothing to do.
        register("campaign_snapshots", freeze_finished_months, every=SNAPSHOT_POLL_SECONDS)
