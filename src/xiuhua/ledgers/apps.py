from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgersConfig(AppConfig):
    name = "xiuhua.ledgers"
    verbose_name = _("Archives")
