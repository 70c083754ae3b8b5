from django.core.management.base import BaseCommand

from xiuhua.cases.timers import sweep


class Command(BaseCommand):
    help = "触发到期的时限计时器（预警、超期标记并发送消息）；可重复运行，多进程同时运行也安全。"

    def handle(self, *args, **options):
        fired = sweep()
        labels = {
            "stage_warning": "环节预警",
            "stage_overdue": "环节超时",
            "handling_warning": "处置预警",
            "handling_overdue": "处置超期",
        }
        parts = [f"{labels.get(kind, kind)} {count}" for kind, count in sorted(fired.items())]
        self.stdout.write("已触发：" + ("，".join(parts) if parts else "无到期计时器"))
