"""`xiuhua campaign_tallies [--all]`: rebuild campaign targets' daily tallies now (the worker does the stale ones).

`--all` recounts every tallied target from the case statistics, for after a data repair that wrote the statistics
outside the workflow (a migration, SQL by hand), which the tallies cannot see.
"""

from django.core.management.base import BaseCommand

from xiuhua.campaigns.models import Target
from xiuhua.campaigns.tallies import mark_stale, rebuild_stale_tallies, tallied_kind


class Command(BaseCommand):
    help = "重建专项行动目标的每日累计（默认只重建待更新的目标；--all 全部按案卷统计重算）"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--all", dest="everything", action="store_true", help="全部目标重算（数据修复之后使用）")

    def handle(self, *args, everything: bool = False, **options) -> None:
        if everything:
            mark_stale(Target.objects.filter(tallied_kind()))
        rebuilt = rebuild_stale_tallies(budget_seconds=None)
        self.stdout.write(f"已重建 {rebuilt} 个目标的每日累计")
