"""`xiuhua restore DIR`: verify a backup's checksums, then bring it back into an empty database."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from xiuhua.platform.backup import BackupError, restore


class Command(BaseCommand):
    help = "从备份目录恢复到空数据库：先校验全部文件，再恢复数据库和媒体文件，最后核对各表行数。Restores DIR."

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, help="xiuhua backup 写出的备份目录")
        parser.add_argument(
            "--database-url",
            help="恢复到这个数据库（默认为 DATABASE_URL 配置的数据库），例如 postgres://user@host/xiuhua_restored",
        )
        parser.add_argument("--media-root", type=Path, help="媒体文件恢复到这里（默认为 MEDIA_ROOT）")

    def handle(self, *args, directory: Path, database_url: str | None, media_root: Path | None, **options):
        try:
            counts = restore(directory, database_url=database_url, media_root=media_root)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"已恢复 {len(counts)} 张表 {sum(counts.values())} 行，与备份清单一致。")
        self.stdout.write(
            "个人信息仍是密文：请用备份时的数据密钥 XIUHUA_DATA_KEY 运行"
            "（或将其设为 XIUHUA_DATA_KEY_PREVIOUS 后运行 xiuhua rotate-data-key）。"
        )
