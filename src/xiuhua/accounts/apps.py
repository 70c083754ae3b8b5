from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "xiuhua.accounts"
    verbose_name = _("Accounts and departments")

    def ready(self) -> None:
        from django.db.models.signals import post_save, pre_save

        from xiuhua.accounts import audit_signals, scope_index
        from xiuhua.accounts.models import User

        pre_save.connect(audit_signals.remember_before, sender=User, dispatch_uid="xiuhua_user_audit_before")
        post_save.connect(audit_signals.record_change, sender=User, dispatch_uid="xiuhua_user_audit_after")
        post_save.connect(scope_index.user_saved, sender=User, dispatch_uid="xiuhua_user_scope_codes")
