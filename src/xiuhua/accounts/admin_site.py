"""xiuhua's admin site: closed to auditors (they change nothing; they read the trail at /audit/)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.password_validation import password_validators_help_texts
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path

from xiuhua.accounts.choices import Role


class XiuhuaAdminSite(admin.AdminSite):
    site_header = "绣花 · 城市精细化管理平台"
    site_title = "绣花 xiuhua"
    index_title = "基础数据管理"

    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and (
            request.user.is_superuser or request.user.role in (Role.SYSADMIN, Role.SECADMIN)
        )

    def get_urls(self):
        return [
            path("security-policy/", self.admin_view(self.security_policy), name="security_policy"),
            *super().get_urls(),
        ]

    def security_policy(self, request: HttpRequest) -> HttpResponse:
        """The identity settings in force, for the security administrator (they are set in the environment)."""
        if not (request.user.is_superuser or request.user.role == Role.SECADMIN):
            raise PermissionDenied
        rows = [
            (
                "登录失败锁定",
                f"同一账号在同一地址失败 {settings.XIUHUA_LOGIN_FAILURE_LIMIT} 次后锁定",
                "XIUHUA_LOGIN_FAILURE_LIMIT",
            ),
            ("锁定时长", f"{settings.XIUHUA_LOCKOUT_MINUTES} 分钟", "XIUHUA_LOCKOUT_MINUTES"),
            (
                "可信代理",
                "、".join(settings.XIUHUA_TRUSTED_PROXIES) or "无（按 REMOTE_ADDR 计）",
                "XIUHUA_TRUSTED_PROXIES",
            ),
            (
                "密码有效期",
                f"{settings.XIUHUA_PASSWORD_MAX_AGE_DAYS} 天" if settings.XIUHUA_PASSWORD_MAX_AGE_DAYS else "不过期",
                "XIUHUA_PASSWORD_MAX_AGE_DAYS",
            ),
            ("令牌有效期", f"{settings.XIUHUA_TOKEN_TTL_DAYS} 天", "XIUHUA_TOKEN_TTL_DAYS"),
            ("会话空闲超时", f"{settings.XIUHUA_SESSION_IDLE_MINUTES} 分钟", "XIUHUA_SESSION_IDLE_MINUTES"),
            ("演示模式", "开（演示账号免于密码过期）" if settings.DEMO_MODE else "关", "XIUHUA_DEMO_MODE"),
        ]
        context = {
            **self.each_context(request),
            "title": "安全策略",
            "rows": rows,
            "rules": password_validators_help_texts(),
        }
        return TemplateResponse(request, "admin/xiuhua/security_policy.html", context)
