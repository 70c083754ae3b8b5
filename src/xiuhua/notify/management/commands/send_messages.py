import signal
import threading

from django.core.management.base import BaseCommand, CommandError

from xiuhua.notify.batches import resume_batches
from xiuhua.notify.channels.base import enabled_channel_codes
from xiuhua.notify.sender import ChannelSender, start_sender_threads


class Command(BaseCommand):
    help = "发送消息（短信、政务微信、电子邮件）：从发件箱取出待发消息发送，并记录回执，直到收到停止信号"

    def add_arguments(self, parser):
        parser.add_argument("--channel", action="append", help="只发送该渠道（sms、wecom、email），可重复")
        parser.add_argument("--once", action="store_true", help="每个渠道只发送一轮（一批）后退出")
        parser.add_argument("--batch-size", type=int, default=100, help="每轮领取的消息数（默认 100）")

    def handle(self, *args, channel, once, batch_size, **options):
        enabled = enabled_channel_codes()
        codes = channel or enabled
        unknown = sorted(set(codes) - set(enabled))
        if unknown:
            raise CommandError(
                f"渠道未配置：{', '.join(unknown)}（已配置：{', '.join(enabled) or '无'}，见 XIUHUA_MESSAGE_CHANNELS）"
            )
        if not codes:
            raise CommandError("没有配置任何外部消息渠道（XIUHUA_MESSAGE_CHANNELS 为空），无需发送")
        if batch_size < 1:
            raise CommandError("--batch-size 必须是正整数")
        # Batches a stopped process left half-written continue first (each recipient is queued once).
        for batch in resume_batches():
            self.stdout.write(f"批次 {batch.pk} 已继续写入：{batch.prepared}/{batch.total}")
        if once:
            for code in codes:
                sender = ChannelSender(code, batch_size=batch_size)
                try:
                    self.stdout.write(f"{code}: 发出 {sender.run_once()} 条")
                finally:
                    sender.drop_connection()
            return
        stop = threading.Event()
        # SIGTERM/SIGINT: finish the message in hand, record it, then stop (nothing left half-done).
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        threads = start_sender_threads(codes, stop, batch_size)
        self.stdout.write(f"消息发送进程已启动：{', '.join(codes)}")
        while any(thread.is_alive() for thread in threads):
            for thread in threads:
                thread.join(timeout=0.5)
