from django.conf import settings
from django.core.management.base import BaseCommand

from xiuhua.accounts.models import User


class Command(BaseCommand):
    help = "列出演示账号及其角色（演示模式下显示密码）。Lists the demo accounts and their roles."

    def handle(self, *args, **options):
        users = User.objects.filter(is_demo=True).select_related("department").order_by("id")
        if not users:
            self.stdout.write("没有演示账号。运行 `xiuhua demo` 载入演示城市。")
            return
        self.stdout.write(f"{'账号':<18}{'角色':<14}部门")
        for user in users:
            department = user.department.name if user.department else ""
            self.stdout.write(f"{user.username:<20}{user.get_role_display():<12}{department}")
        if settings.DEMO_MODE:
            self.stdout.write(
                f"\n演示模式：所有演示账号的密码为「{settings.DEMO_PASSWORD}」（由 XIUHUA_DEMO_PASSWORD 设置）。"
            )
        else:
            self.stdout.write("\n非演示模式：演示账号没有可用密码，请用 `xiuhua changepassword 账号` 设置。")
