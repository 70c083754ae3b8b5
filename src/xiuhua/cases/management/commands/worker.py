import signal
import threading

from django.core.management.base import BaseCommand

from xiuhua.cases.worker import SWEEP_INTERVAL_SECONDS, run_worker


class Command(BaseCommand):
    help = "后台任务进程：每分钟触发到期的时限计时器，并生成排队的报表，直到收到停止信号。"

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=SWEEP_INTERVAL_SECONDS, help="两次扫描间隔（秒）")

    def handle(self, *args, interval, **options):
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        self.stdout.write(f"后台任务已启动：每 {interval:g} 秒扫描一次计时器，报表随到随生成（Ctrl+C 停止）")
        self.stdout.flush()  # under `serve --worker` the log is a file: show at once that it runs
        run_worker(stop, interval)
        self.stdout.write("后台任务已停止")
