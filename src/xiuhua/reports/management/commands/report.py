import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from xiuhua.accounts.choices import Role
from xiuhua.accounts.models import User
from xiuhua.core.errors import DomainError
from xiuhua.reports.jobs import check_format, file_name, read_period, render_file
from xiuhua.reports.monthly import build_monthly
from xiuhua.reports.pdf import ReportFontMissing


class Command(BaseCommand):
    help = "生成报告：xiuhua report monthly --period 2026-10 --format pdf --output 报告.pdf（默认上个月、全区）"

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=["monthly"], help="报告种类：monthly（月度报告）")
        parser.add_argument("--period", default="", help="统计周期：2026-10、2026-Q4、2026 或 2026-10-01..2026-10-15")
        parser.add_argument("--format", default="pdf", help="json、xlsx 或 pdf")
        parser.add_argument(
            "--output", default="", help="输出文件（默认 monthly-report-周期.格式；json 默认输出到屏幕）"
        )
        parser.add_argument("--user", default="", help="按此账号的数据范围统计（默认全区）")

    def handle(self, *args, kind, period, format, output, user, **options):
        try:
            check_format(format, ("json", "xlsx", "pdf"))
            when = read_period(period)
            reader = self._reader(user)
            report = build_monthly(reader, when)
            content = (
                json.dumps(report, ensure_ascii=False, indent=2).encode()
                if format == "json"
                else render_file(report, reader, format)
            )
        except (DomainError, ReportFontMissing) as error:
            raise CommandError(getattr(error, "message", str(error))) from None
        if format == "json" and not output:
            self.stdout.write(content.decode())
            return
        path = Path(output or file_name(when, format))
        path.write_bytes(content)
        self.stdout.write(self.style.SUCCESS(f"已生成 {when} 月度报告：{path}（{len(content):,} 字节）"))

    @staticmethod
    def _reader(username: str) -> User:
        if not username:
            return User(username="report", role=Role.SYSADMIN, is_superuser=True)  # the whole district, not saved
        reader = User.objects.filter(username=username).first()
        if reader is None:
            raise CommandError(f"没有账号「{username}」")
        return reader
