from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "xiuhua.core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.contrib.admin.models import LogEntry
        from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
        from django.core.signals import request_started
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate, post_save

        from xiuhua.core import append_only, refcache, signals

        connection_created.connect(append_only.register_sqlite_function, dispatch_uid="xiuhua_maintenance_fn")
        post_migrate.connect(append_only.install_after_migrate, sender=self, dispatch_uid="xiuhua_append_only")
        user_logged_in.connect(signals.logged_in, dispatch_uid="xiuhua_audit_login")
        user_logged_out.connect(signals.logged_out, dispatch_uid="xiuhua_audit_logout")
        user_login_failed.connect(signals.login_failed, dispatch_uid="xiuhua_audit_login_failed")
        post_save.connect(signals.admin_logged, sender=LogEntry, dispatch_uid="xiuhua_audit_admin")
        signals.audit_bulk_admin_entries()
        # Reference data: the generation is read again once per request (xiuhua.core.refcache).
        request_started.connect(refcache.refresh, dispatch_uid="xiuhua_refcache_request")
        self._connect_lockout(signals.locked_out)

    @staticmethod
    def _connect_lockout(receiver) -> None:
        # django-axes may not be in INSTALLED_APPS (its signals module imports its models): audit lockouts when it is.
        from django.apps import apps

        if not apps.is_installed("axes"):
            return
        from axes.signals import user_locked_out

        user_locked_out.connect(receiver, dispatch_uid="xiuhua_audit_locked_out")
