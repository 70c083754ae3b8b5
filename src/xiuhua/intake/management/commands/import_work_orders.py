from pathlib import Path

from django.core.management.base import CommandError

from xiuhua.accounts.models import User
from xiuhua.core.tabular import ImportCommand, ImportResult
from xiuhua.intake.channels.hotline.importer import import_work_orders


class Command(ImportCommand):
    help = "导入热线工单（12345/12319 导出的 Excel 或 CSV）：全部校验通过才写入；已导入的工单编号跳过。"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--user", default="operator", help="以哪个受理员账号导入（默认 operator）")

    def run_import(self, path: Path, *, user: str, **options) -> ImportResult:
        actor = User.objects.filter(username=user, is_active=True).first()
        if actor is None:
            raise CommandError(f"没有在用的账号「{user}」，请用 --user 指定一个受理员账号")
        return import_work_orders(path, actor)
