from pathlib import Path

from django.core.management.base import CommandError

from xiuhua.accounts.models import User
from xiuhua.core.tabular import ImportCommand, ImportResult
from xiuhua.intake.channels.hotline.importer import BATCH, SQLITE_BATCH, import_work_orders

PROGRESS_EVERY = 500  # rows between progress lines


class Command(ImportCommand):
    help = (
        "导入热线工单（12345/12319 导出的 Excel 或 CSV）：全部校验通过才写入，每批少量行各自提交，"
        "不阻塞同时进行的受理；已导入的工单编号跳过，中断后重新运行即可续导。"
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--user", default="operator", help="以哪个受理员账号导入（默认 operator）")
        parser.add_argument(
            "--batch",
            type=int,
            default=None,
            help=f"每个事务写入的行数（默认 PostgreSQL {BATCH}，SQLite {SQLITE_BATCH}）",
        )

    def run_import(self, path: Path, *, user: str, batch: int | None, **options) -> ImportResult:
        actor = User.objects.filter(username=user, is_active=True).first()
        if actor is None:
            raise CommandError(f"没有在用的账号「{user}」，请用 --user 指定一个受理员账号")
        if batch is not None and batch < 1:
            raise CommandError("--batch 至少为 1")
        printed = [0]

        def progress(done: int, total: int) -> None:
            if done - printed[0] >= PROGRESS_EVERY or done == total:
                printed[0] = done
                self.stdout.write(f"已写入 {done} / {total} 行")

        return import_work_orders(path, actor, batch=batch, progress=progress)
