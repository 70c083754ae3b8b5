"""`xiuhua campaign_supervision [--month 2026-03]`: send the month's 督导 notices (the worker does it on its own)."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from xiuhua.campaigns.supervision import previous_month, supervise_month


class Command(BaseCommand):
    help = "向月末进度落后于计划的单位和街镇发送督导通知（每个专项行动每月一次；默认上个月）"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--month", default="", help="月份，如 2026-03（默认上个月）")

    def handle(self, *args, month: str = "", **options) -> None:
        chosen = _month(month) if month else previous_month(timezone.now())
        sent = supervise_month(chosen)
        self.stdout.write(f"{chosen:%Y-%m}：发送督导通知 {sent} 份")


def _month(text: str) -> date:
    try:
        year, month = (int(part) for part in text.split("-"))
        return date(year, month, 1)
    except ValueError:
        raise CommandError(f"月份格式不正确：{text}（应为 2026-03）") from None
