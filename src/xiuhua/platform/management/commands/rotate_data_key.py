"""`xiuhua rotate-data-key`: re-encrypt every row of personal data under the current data key.

Production: set XIUHUA_DATA_KEY to the new key and XIUHUA_DATA_KEY_PREVIOUS to the old one, then run this.
Demo mode (keys in var/): `--generate` moves var/data_key to var/data_key.previous and writes a new one first.
"""

import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from xiuhua.core import crypto
from xiuhua.core.personal_data import key_ids_in_use, rotate


class Command(BaseCommand):
    help = "用当前数据密钥重新加密全部个人信息（密钥轮换）。Re-encrypts personal data under the current data key."

    def add_arguments(self, parser):
        parser.add_argument(
            "--generate",
            action="store_true",
            help="演示模式：生成新密钥写入 var/data_key，旧密钥改名为 var/data_key.previous",
        )

    def handle(self, *args, generate: bool, **options):
        if generate:
            self._generate()
        crypto.forget_keys()
        try:
            counts = rotate()
            in_use = key_ids_in_use()
        except crypto.DataKeyError as exc:
            raise CommandError(str(exc)) from exc
        current = crypto.key_id(crypto.keyring().current)
        for table, rows in counts.items():
            self.stdout.write(f"{table}：重新加密 {rows} 行")
        self.stdout.write(f"当前密钥 {current}；各密钥加密的字段数：{in_use or '（无）'}")
        self.stdout.write("旧密钥不再用于数据库，但在旧备份过期之前仍需另行保管（恢复旧备份时要用）。")

    def _generate(self) -> None:
        if os.environ.get("XIUHUA_DATA_KEY"):
            raise CommandError(
                "--generate 只用于演示模式的 var/data_key；XIUHUA_DATA_KEY 已设置时请自行生成并配置新密钥"
            )
        var = Path(settings.VAR_DIR)
        current, previous = var / "data_key", var / "data_key.previous"
        if previous.exists():
            raise CommandError(
                f"上一次轮换的旧密钥 {previous} 仍在：旧备份需要它才能读出个人信息。"
                "请先把它移到别处保管（不要和备份放在一起），再轮换"
            )
        current.rename(previous)
        fd = os.open(current, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(crypto.new_key_text() + "\n")
        settings.XIUHUA_DATA_KEY = current.read_text().strip()
        settings.XIUHUA_DATA_KEY_PREVIOUS = previous.read_text().strip()
