from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlatformConfig(AppConfig):
    name = "xiuhua.platform"
    label = "xiuhua_platform"
    verbose_name = _("Platform")
