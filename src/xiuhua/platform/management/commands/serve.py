from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "启动平台的 Web 服务（waitress）。Serves the platform; collects static files first."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument(
            "--worker", action="store_true", help="同时在本进程内运行后台任务（计时器扫描、报表生成），用于单机演示"
        )

    def handle(self, *args, host, port, threads, worker, **options):
        from waitress import serve

        from xiuhua.platform.wsgi import application

        call_command("collectstatic", interactive=False, verbosity=0)
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
