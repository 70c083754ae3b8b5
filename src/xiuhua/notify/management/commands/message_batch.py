from datetime import timedelta

from django.core.management.base import BaseCommand

from xiuhua.notify.batches import STALE_AFTER, progress, resume_batches
from xiuhua.notify.models import MessageBatch


class Command(BaseCommand):
    help = "批量消息：resume 继续被中断（进程停止）的批次，从中断处写入发件箱，不会重复；list 列出未完成的批次"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["resume", "list"], help="resume（继续）或 list（列出）")
        parser.add_argument(
            "--stale-seconds",
            type=int,
            default=int(STALE_AFTER.total_seconds()),
            help=f"只继续这么久没有进展的批次（默认 {int(STALE_AFTER.total_seconds())} 秒；0 = 全部）",
        )

    def handle(self, *args, action, stale_seconds, **options):
        if action == "list":
            open_states = [MessageBatch.State.PREPARING, MessageBatch.State.SENDING]
            for batch in MessageBatch.objects.filter(state__in=open_states).order_by("pk"):
                counts = progress(batch)
                self.stdout.write(
                    f"{batch.pk} {batch.title}：{batch.get_state_display()}，已写入 {batch.prepared}/{batch.total}，"
                    f"已送达 {counts['delivered']}，失败 {counts['failed']}"
                )
            return
        resumed = resume_batches(stale_after=timedelta(seconds=max(0, stale_seconds)))
        for batch in resumed:
            self.stdout.write(
                f"{batch.pk} {batch.title}：已写入 {batch.prepared}/{batch.total}，{batch.get_state_display()}"
            )
        self.stdout.write(f"继续了 {len(resumed)} 个批次")
