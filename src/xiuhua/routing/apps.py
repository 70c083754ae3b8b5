from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoutingConfig(AppConfig):
    name = "xiuhua.routing"
    verbose_name = _("Routing")

    def ready(self) -> None:
        from xiuhua.cases.steps import register_auto_dispatch_policy, register_dispatch_suggester
        from xiuhua.core import refcache
        from xiuhua.routing.models import AutoDispatch
        from xiuhua.routing.services import dispatches_on_register, route_case

        refcache.watch(AutoDispatch)  # auto-dispatch settings are kept per process

        register_dispatch_suggester(route_case)
        register_auto_dispatch_policy(dispatches_on_register)
