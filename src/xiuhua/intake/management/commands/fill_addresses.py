"""`xiuhua fill_addresses`: give stored cases reported as a point without address text their address."""

from django.core.management.base import BaseCommand

from xiuhua.intake.places import fill_missing_addresses


class Command(BaseCommand):
    help = "为以坐标上报、没有地址文字的已有案卷补上由坐标推算的地址（可重复运行）"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--batch", type=int, default=500, help="每批案卷数（每批一个事务）")

    def handle(self, *args, **options) -> None:
        filled = fill_missing_addresses(batch=max(1, options["batch"]))
        self.stdout.write(f"已补全 {filled} 件案卷的地址")
