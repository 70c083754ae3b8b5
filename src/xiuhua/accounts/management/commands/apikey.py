from django.core.management.base import BaseCommand, CommandError

from xiuhua.accounts.models import ApiKey
from xiuhua.accounts.services import create_api_key, revoke_api_key
from xiuhua.core.errors import DomainError


class Command(BaseCommand):
    help = "管理系统客户端（Open311 应用、感知设备网关）的 API 密钥：create NAME / list / revoke NAME。"

    def add_arguments(self, parser):
        parser.add_argument("operation", choices=["create", "list", "revoke"], help="create、list 或 revoke")
        parser.add_argument("name", nargs="?", help="密钥名称（create、revoke 需要）")

    def handle(self, *args, operation, name, **options):
        if operation == "list":
            for api_key in ApiKey.objects.all():
                state = "启用" if api_key.active else "已停用"
                self.stdout.write(f"{api_key.name}\t{api_key.prefix}…\t{state}\t{api_key.created_at:%Y-%m-%d}")
            return
        if not name:
            raise CommandError(f"{operation} 需要密钥名称，如：xiuhua apikey {operation} 某某应用")
        try:
            if operation == "create":
                _api_key, key = create_api_key(name)
                self.stdout.write(key)
                self.stderr.write(f"已创建「{name}」的 API 密钥；它只显示这一次，请妥善保存。")
            else:
                revoke_api_key(name)
                self.stdout.write(f"已停用「{name}」的 API 密钥")
        except DomainError as exc:
            raise CommandError(exc.message) from exc
