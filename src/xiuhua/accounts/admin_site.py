"""xiuhua's admin site: closed to auditors (they change nothing; they read the trail at /audit/)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from xiuhua.accounts.choices import Role


class XiuhuaAdminSite(admin.AdminSite):
    site_header = "绣花 · 城市精细化管理平台"
    site_title = "绣花 xiuhua"
    index_title = "基础数据管理"

    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and (
            request.user.is_superuser or request.user.role in (Role.SYSADMIN, Role.SECADMIN)
        )
