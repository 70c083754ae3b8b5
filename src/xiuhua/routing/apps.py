from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoutingConfig(AppConfig):
    name = "xiuhua.routing"
    verbose_name = _("Routing")

    def ready(self) -> None:
        from xiuhua.cases.steps import register_dispatch_suggester
        from xiuhua.routing.services import route_case

        register_dispatch_suggester(route_case)
