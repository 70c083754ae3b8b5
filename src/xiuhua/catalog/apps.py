from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "xiuhua.catalog"
    verbose_name = _("Classification and components")
