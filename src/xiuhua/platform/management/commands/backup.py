"""`xiuhua backup DIR`: the database and the media files, with a manifest of row counts and checksums."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from xiuhua.platform.backup import BackupError, backup


class Command(BaseCommand):
    help = "备份数据库和媒体文件到一个新目录（含 manifest.json 校验清单；不含任何密钥）。Backs up to DIR."

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, help="新的（或空的）备份目录，例如 /srv/backup/xiuhua-20261207")

    def handle(self, *args, directory: Path, **options):
        try:
            manifest = backup(directory)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            f"已备份到 {directory}：{manifest['database']['vendor']} 数据库 {len(manifest['tables'])} 张表 {rows} 行，"
            f"{len(manifest['files'])} 个文件（manifest.json 记录 SHA-256）"
        )
        self.stdout.write(
            "注意：备份不含数据密钥 XIUHUA_DATA_KEY 和 XIUHUA_SECRET_KEY，请另行保管，不要与备份放在一起。"
        )
