import os

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from xiuhua.core.cache import share_default_cache
from xiuhua.platform.processes import BackgroundProcesses, XiuhuaServer, available_cpus, gunicorn_options


class Command(BaseCommand):
    help = (
        "启动平台的 Web 服务：gunicorn 多进程（默认进程数 = 可用 CPU 数），或 --server waitress 单进程。"
        "Serves the platform; collects static files first."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=None, help="Web 工作进程数（默认：本进程可用的 CPU 数）")
        parser.add_argument("--threads", type=int, default=8, help="每个工作进程的线程数")
        parser.add_argument("--timeout", type=int, default=120, help="一个请求最长处理秒数，超时的工作进程被重启")
        parser.add_argument("--access-log", default="", help="访问日志文件（- 为标准输出；默认不记录）")
        parser.add_argument(
            "--server", choices=("gunicorn", "waitress"), default="gunicorn", help="waitress：单进程多线程"
        )
        parser.add_argument(
            "--worker",
            action="store_true",
            help="同时运行后台任务（计时器扫描、报表生成、消息发送）：gunicorn 下为主进程的一个子进程，只有一份",
        )

    def handle(self, *args, host, port, workers, threads, timeout, access_log, server, worker, **options):
        workers = available_cpus() if workers is None else workers
        if workers < 1 or threads < 1:
            raise CommandError("--workers 和 --threads 必须是正整数")
        call_command("collectstatic", interactive=False, verbosity=0)
        if server == "waitress":
            return self.serve_waitress(host, port, threads, worker)
        if workers > 1 and share_default_cache(settings.VAR_DIR / "cache"):
            # Every process must see one cache (shared figures, reference-data invalidation); children too.
            os.environ["XIUHUA_CACHE_URL"] = f"file://{settings.VAR_DIR / 'cache'}"
            self.stdout.write(f"未设置 XIUHUA_CACHE_URL：{workers} 个进程共用文件缓存 {settings.VAR_DIR / 'cache'}")
        # Forked workers must not inherit this process's database connections (one socket, two users).
        connections.close_all()
        background = BackgroundProcesses(self.background_commands(), dict(os.environ)) if worker else None
        self.stdout.write(
            self.style.SUCCESS(
                f"绣花 xiuhua 已启动：http://{host}:{port}/  （{workers} 个进程 × {threads} 线程；"
                "后台 /admin/，接口 /api/v1/docs）"
            )
        )
        if worker:
            self.stdout.write("后台任务（计时器扫描、报表生成）在一个单独的子进程中运行")
        self.stdout.flush()
        XiuhuaServer(gunicorn_options(host, port, workers, threads, timeout, access_log), background).run()

    @staticmethod
    def background_commands() -> list[list[str]]:
        from xiuhua.notify.channels.base import enabled_channel_codes

        commands = [["worker"]]
        if enabled_channel_codes():
            commands.append(["send_messages"])
        return commands

    def serve_waitress(self, host: str, port: int, threads: int, worker: bool) -> None:
        from waitress import serve

        from xiuhua.platform.wsgi import application

        self.stdout.write(
            self.style.SUCCESS(f"绣花 xiuhua 已启动：http://{host}:{port}/  （后台 /admin/，接口 /api/v1/docs）")
        )
        if worker:
            from xiuhua.cases.worker import start_worker_thread

            start_worker_thread()
            self.stdout.write("后台任务（计时器扫描、报表生成）已在本进程内启动")
            self.start_message_senders()
        serve(application, host=host, port=port, threads=threads)

    def start_message_senders(self) -> None:
        """The outside message channels switched on (SMS, WeCom, e-mail) are sent from this process too."""
        import threading

        from xiuhua.notify.channels.base import enabled_channel_codes
        from xiuhua.notify.sender import start_sender_threads, stop_at_exit

        codes = enabled_channel_codes()
        if codes:
            stop = threading.Event()
            # A stopped server lets each sender finish the message in hand (else it is left for recovery).
            stop_at_exit(stop, start_sender_threads(codes, stop))
            self.stdout.write(f"消息发送（{', '.join(codes)}）已在本进程内启动")
