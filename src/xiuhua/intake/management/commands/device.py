from django.core.management.base import BaseCommand, CommandError

from xiuhua.core.errors import DomainError
from xiuhua.intake.channels.alerts.adapter import register_device
from xiuhua.intake.channels.alerts.models import Device


class Command(BaseCommand):
    help = "登记感知设备或视频点位（add DEVICE_ID NAME，打印该设备的 API 密钥），或列出设备（list）。"

    def add_arguments(self, parser):
        parser.add_argument("operation", choices=["add", "list"])
        parser.add_argument("device_id", nargs="?")
        parser.add_argument("name", nargs="?", default="")
        parser.add_argument("--kind", default="sensor", help="sensor（感知设备）或 video（视频）")
        parser.add_argument("--lng", type=float)
        parser.add_argument("--lat", type=float)
        parser.add_argument("--address", default="")

    def handle(self, *args, operation, device_id, name, kind, lng, lat, address, **options):
        if operation == "list":
            for device in Device.objects.all():
                state = "启用" if device.active else "停用"
                self.stdout.write(f"{device.device_id}\t{device.name}\t{device.get_kind_display()}\t{state}")
            return
        if not device_id:
            raise CommandError("add 需要设备编号，如：xiuhua device add DUST-001 某工地扬尘监测仪 --lng … --lat …")
        try:
            _device, key = register_device(device_id, name, kind, lng=lng, lat=lat, address=address)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(key)
        self.stderr.write(f"已登记设备「{device_id}」；密钥只显示这一次，请配置到设备网关（请求头 X-Api-Key）。")
