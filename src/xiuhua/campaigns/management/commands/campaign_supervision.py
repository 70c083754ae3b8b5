"""`xiuhua campaign_supervision [--month 2026-03]`: send the month's 督导 notices (the worker does it on its own)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from xiuhua.campaigns.supervision import parse_month, previous_month, supervise_month
from xiuhua.core.errors import DomainError


class Command(BaseCommand):
    help = "向月末进度落后于计划的单位和街镇发送督导通知（每个专项行动每月一次；默认上个月）"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--month", default="", help="月份，如 2026-03（默认上个月）")

    def handle(self, *args, month: str = "", **options) -> None:
        try:
            chosen = parse_month(month) if month else previous_month(timezone.now())
        except DomainError as error:
            raise CommandError(error.message) from None
        sent = supervise_month(chosen)
        self.stdout.write(f"{chosen:%Y-%m}：发送督导通知 {sent} 份")
