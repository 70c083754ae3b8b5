"""The Django admin app with xiuhua's own site; kept out of apps.py so Django still finds AccountsConfig there."""

from django.contrib.admin.apps import AdminConfig


class XiuhuaAdminConfig(AdminConfig):
    """The Django admin with xiuhua's site (separation of duties, the superuser warning)."""

    default_site = "xiuhua.accounts.admin_site.XiuhuaAdminSite"
