"""`xiuhua unlock USERNAME [--ip ADDR]`: lift a login lockout before its cool-off ends."""

from django.core.management.base import BaseCommand

from xiuhua.accounts.lockout import unlock


class Command(BaseCommand):
    help = "解除账号的登录锁定（忘记其登录失败记录）；给出 --ip 时只解除该地址的锁定。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--ip", dest="ip_address", default=None, help="只解除这个客户端地址的锁定")

    def handle(self, username: str, ip_address: str | None = None, **options) -> None:
        count = unlock(username, ip_address)
        where = f"（地址 {ip_address}）" if ip_address else ""
        self.stdout.write(f"已解除 {username}{where} 的锁定，清除 {count} 条失败记录。")
