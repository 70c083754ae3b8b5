from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

SNAPSHOT_POLL_SECONDS = 3600.0
# The month's 督导 notices go out within the hour after its snapshots are frozen; a run with nothing new sends
# nothing.
SUPERVISION_EVERY_SECONDS = 3600.0
TALLY_EVERY_SECONDS = 60.0


class CampaignsConfig(AppConfig):
    name = "xiuhua.campaigns"
    verbose_name = _("Campaigns")

    def ready(self) -> None:
        # The measures register themselves on import; the record measures live in their own module.
        from xiuhua.campaigns import measures, record_measures  # noqa: F401
        from xiuhua.campaigns.models import Campaign, CaseRule, Target
        from xiuhua.campaigns.snapshots import freeze_finished_months
        from xiuhua.campaigns.supervision import supervision_job
        from xiuhua.campaigns.tallies import on_stats_changed, rebuild_stale_tallies
        from xiuhua.cases.stats_listeners import listen_to_stats
        from xiuhua.cases.worker import register
        from xiuhua.core import refcache

        listen_to_stats(on_stats_changed)
        # The tallied targets' rules are memoised per process; a campaign, target or rule saved anywhere resets them.
        refcache.watch(Campaign, Target, CaseRule)

        # Month ends are rare; an hourly look freezes a finished month soon after midnight, and costs one query
        # per month of each campaign when there is nothing to do.
        register("campaign_snapshots", freeze_finished_months, every=SNAPSHOT_POLL_SECONDS)
        # Registered after the snapshots, so a worker turn freezes a month before it supervises it.
        register("campaign_supervision", supervision_job, every=SUPERVISION_EVERY_SECONDS)
        # A new or edited target is counted from the statistics until its tallies are rebuilt: within a minute.
        register("campaign_tallies", rebuild_stale_tallies, every=TALLY_EVERY_SECONDS)
